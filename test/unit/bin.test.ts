import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binCheckDigit, binSchema, isValidBin, payerKod } from '../../shared/domain/bin';

const VALID = '940140000385';

describe('isValidBin', () => {
  it('accepts the design example', () => {
    expect(isValidBin(VALID)).toBe(true);
  });

  it('computes the example check digit by hand', () => {
    // 9·1+4·2+0·3+1·4+4·5+0·6+0·7+0·8+0·9+3·10+8·11 = 9+8+4+20+30+88 = 159; 159 mod 11 = 5 → last digit 5.
    expect(binCheckDigit('94014000038')).toBe(5);
  });

  it('rejects every single-digit change except the 10 the rule itself cannot see (all 12 × 9 substitutes)', () => {
    // The brief asked for "every single-digit change is invalid"; the design's rule cannot deliver that:
    // - the 11th digit has weight 11 ≡ 0 (mod 11), so changing it never alters the first sum: 9 of those changes keep
    //   the check digit 5 (…0305 … …0395) and pass;
    // - 940140700385: 159 + 7·7 = 208 ≡ 10, so the second weights apply: 9·3+4·4+1·6+4·7+7·9+3·1+8·2 = 159 ≡ 5.
    // Pinned here so a change to the algorithm is noticed; every other change is caught.
    const expectedValid = new Set(['940140700385', ...[0, 1, 2, 3, 4, 5, 6, 7, 9].map((d) => `9401400003${d}5`)]);
    let tried = 0;
    for (let pos = 0; pos < 12; pos++) {
      for (let digit = 0; digit <= 9; digit++) {
        if (String(digit) === VALID[pos]) continue;
        const mutated = `${VALID.slice(0, pos)}${digit}${VALID.slice(pos + 1)}`;
        expect(isValidBin(mutated), mutated).toBe(expectedValid.has(mutated));
        tried++;
      }
    }
    expect(tried).toBe(108);
  });

  it('uses the second weight set when the first sum mod 11 is 10', () => {
    // Find by search a prefix whose first sum is 10, then check the rule with the shifted weights explicitly.
    const w1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const w2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    const sum = (d: number[], w: number[]) => d.reduce((a, x, i) => a + x * (w[i] ?? 0), 0) % 11;
    let checked = 0;
    for (let n = 0; n < 20_000 && checked < 20; n++) {
      const prefix = String(94014000000 + n).padStart(11, '0');
      const digits = [...prefix].map(Number);
      if (sum(digits, w1) !== 10) continue;
      const second = sum(digits, w2);
      if (second === 10) {
        expect(binCheckDigit(prefix)).toBeNull();
        for (let c = 0; c <= 9; c++) expect(isValidBin(`${prefix}${c}`)).toBe(false);
      } else {
        expect(binCheckDigit(prefix)).toBe(second);
        expect(isValidBin(`${prefix}${second}`)).toBe(true);
      }
      checked++;
    }
    expect(checked).toBe(20);
  });

  it.each(['', '94014000038', '9401400003850', '94014000038a', ' 940140000385', '９40140000385'])(
    'rejects malformed %j',
    (bin) => {
      expect(isValidBin(bin)).toBe(false);
    },
  );

  it('exactly one check digit is valid for any prefix, or none (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{11}$/), (prefix) => {
        const valid = [...'0123456789'].filter((c) => isValidBin(prefix + c));
        const check = binCheckDigit(prefix);
        expect(valid).toEqual(check === null ? [] : [String(check)]);
      }),
    );
  });
});

describe('payerKod', () => {
  it('is 17 for a legal-entity BIN (5th digit 4, 5, 6) and 19 otherwise', () => {
    expect(payerKod(VALID)).toBe('17');
    expect(payerKod('081150001234')).toBe('17');
    expect(payerKod('081160001234')).toBe('17');
    // An IIN: YYMMDD..., 5th digit is the tens of the day (0..3).
    expect(payerKod('900315300123')).toBe('19');
    expect(payerKod('850101400123')).toBe('19');
  });
});

describe('binSchema', () => {
  it('accepts a valid BIN', () => {
    expect(binSchema.parse(VALID)).toBe(VALID);
  });

  it('says "12 digits" for the wrong shape, once', () => {
    const r = binSchema.safeParse('12345');
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual(['BIN must be 12 digits']);
  });

  it('says "check digit" for a bad check digit', () => {
    const r = binSchema.safeParse('940140000384');
    expect(r.error?.issues.map((i) => i.message)).toEqual(['BIN check digit is wrong']);
  });

  it('rejects a non-string', () => {
    expect(binSchema.safeParse(940140000385).success).toBe(false);
  });
});
