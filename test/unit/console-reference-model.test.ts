/**
 * The console's reading of reference data without a DOM (console/src/screens/operator/reference-model.ts): which
 * version is in force and which are scheduled (the same answer as the service's `versionsInForce`), typed amounts
 * to their wire form exactly, and a `datetime-local` value read as Kazakhstan time.
 */
import { describe, expect, it } from 'vitest';
import { formatKzt, kazakhstanInstant } from '../../console/src/format';
import {
  amountFromWire,
  amountToWire,
  inForceAndScheduled,
  isAmount,
  type VersionWire,
} from '../../console/src/screens/operator/reference-model';
import { type ReferenceVersion, versionsInForce } from '../../shared/domain/reference-data';

const version = (id: string, subject: string, effectiveFrom: string, approvedAt = effectiveFrom): VersionWire => ({
  id,
  kind: 'mrp',
  subject,
  value: { kind: 'mrp', year: Number(subject), kzt: '4000' },
  effectiveFrom,
  proposedBy: 'a',
  approvedBy: 'b',
  approvedAt,
  reason: 'r',
});

describe('reference data in the console', () => {
  const now = new Date('2026-06-01T00:00:00.000Z');
  const versions = [
    version('seed', '2026', '1970-01-01T00:00:00.000Z'),
    version('v1', '2026', '2026-01-01T00:00:00.000Z', '2025-12-01T00:00:00.000Z'),
    version('v2', '2026', '2026-01-01T00:00:00.000Z', '2025-12-02T00:00:00.000Z'),
    version('later', '2026', '2026-07-01T00:00:00.000Z'),
    version('sooner', '2026', '2026-06-15T00:00:00.000Z'),
    version('next', '2027', '2026-12-31T19:00:00.000Z', '2026-05-01T00:00:00.000Z'),
  ];

  it('lists per subject the version in force (ties to the later approval) and then the scheduled ones by date', () => {
    expect(inForceAndScheduled(versions, now).map((l) => [l.version.id, l.scheduled])).toEqual([
      ['v2', false],
      ['sooner', true],
      ['later', true],
      ['next', true],
    ]);
  });

  it('agrees with the service on what is in force', () => {
    const inForce = inForceAndScheduled(versions, now).filter((l) => !l.scheduled);
    const service = versionsInForce(versions as unknown as ReferenceVersion[], now);
    expect(inForce.map((l) => l.version.id)).toEqual([...service.values()].map((v) => v.id));
  });

  it('takes typed amounts as decimal strings with at most two decimals, exactly', () => {
    for (const ok of ['1', '0.01', '123.45', '10000', '99999999999999999999.99']) expect(isAmount(ok), ok).toBe(true);
    for (const bad of ['', '0', '0.00', '12.345', '-1', '1e3', ' 1', '01', '1,5', 'abc'])
      expect(isAmount(bad), bad).toBe(false);
    expect(amountToWire('USD', '123.45')).toEqual({ currency: 'USD', minor: '12345' });
    expect(amountToWire('KZT', '15000')).toEqual({ currency: 'KZT', minor: '1500000' });
    expect(amountToWire('MRP', '1.50')).toEqual({ mrp: '1.5' });
    expect(amountToWire('USD', '99999999999999999999.99')).toEqual({
      currency: 'USD',
      minor: '9999999999999999999999',
    });
    expect(amountFromWire({ currency: 'USD', minor: '50000' })).toEqual({ unit: 'USD', text: '500' });
    expect(amountFromWire({ mrp: '0.5' })).toEqual({ unit: 'MRP', text: '0.5' });
  });

  it('reads a datetime-local value as Kazakhstan time, and formats whole tenge per language', () => {
    expect(kazakhstanInstant('2027-01-01T00:00')).toBe('2026-12-31T19:00:00.000Z');
    expect(kazakhstanInstant('')).toBeUndefined();
    expect(kazakhstanInstant('2027-13-01T00:00')).toBeUndefined();
    expect(formatKzt('4325', 'en')).toMatch(/^KZT\s?4,325$/);
    expect(formatKzt('4325', 'ru')).toMatch(/^4\s325\s(₸|KZT)$/);
  });
});
