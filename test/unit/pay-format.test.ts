/** Numbers and dates as each page language writes them, with every digit of an amount kept. */
import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatUnits, formatUsd, localizeDecimal } from '../../shared/web/pay-page/format';

const NBSP = '\u00a0';

describe('page formats', () => {
  it('groups the whole part and keeps every fraction digit, beyond what a float holds', () => {
    const units = 123_456_789_012_345_678_901_234_567n; // 18 decimals: 123456789.012345678901234567
    expect(formatUnits(units, 18, 'en')).toBe('123,456,789.012345678901234567');
    expect(formatUnits(units, 18, 'ru')).toBe(`123${NBSP}456${NBSP}789,012345678901234567`);
    expect(formatUnits(units, 18, 'kk')).toBe(`123${NBSP}456${NBSP}789,012345678901234567`);
    expect(localizeDecimal('-1234.5', 'en')).toBe('-1,234.5');
    expect(localizeDecimal('0.000001', 'ru')).toBe('0,000001');
  });

  it('writes USD with at least cents, plain without a language', () => {
    expect(formatUsd('3000000000')).toBe('3000.00');
    expect(formatUsd('3000000000', 'en')).toBe('3,000.00');
    expect(formatUsd(1500n, 'kk')).toBe('0,0015');
  });

  it('writes times in Kazakhstan time (UTC+5) and dates in the language', () => {
    expect(formatDateTime('2026-12-31T19:30:00.000Z', 'en')).toBe('January 1, 2027 at 12:30 AM');
    expect(formatDateTime('2026-12-31T19:30:00.000Z', 'ru')).toBe('1 января 2027 г. в 00:30');
    expect(formatDate('2026-03-09', 'kk')).toBe('2026 ж. 9 наурыз');
    expect(formatDate('not a date', 'en')).toBe('not a date');
  });
});
