import { describe, expect, it } from 'vitest';
import { MINISTRY_CODE, ministryCodeSchema } from '../../shared/domain/ministry';

describe('the ministry code, spelled once', () => {
  it('accepts short upper-case codes and refuses everything else, wherever it is read', () => {
    for (const ok of ['AFSA', 'MINFIN', 'M2', 'ABCDEFGHIJKLMNOP'])
      expect(ministryCodeSchema.safeParse(ok).success).toBe(true);
    // `A_B` once passed the receipts filter and failed an export request: now one rule refuses it everywhere.
    for (const bad of ['A_B', 'afsa', 'A', '1AB', 'ABCDEFGHIJKLMNOPQ', 'AF SA', '']) {
      expect(ministryCodeSchema.safeParse(bad).success, bad).toBe(false);
      expect(MINISTRY_CODE.test(bad)).toBe(false);
    }
  });
});
