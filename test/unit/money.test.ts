import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors';
import {
  ceilDiv,
  formatDecimal,
  formatMicroUsd,
  MAX_UINT256,
  MICRO_USD_DECIMALS,
  microUsdToTokenUnits,
  parseBaseUnits,
  parseDecimal,
  roundUpToCentMicroUsd,
  tokenUnitsToMicroUsd,
} from '../../shared/domain/money';

function issuesOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('parseDecimal', () => {
  it('parses to base units', () => {
    expect(MICRO_USD_DECIMALS).toBe(6);
    expect(parseDecimal('0', 6)).toBe(0n);
    expect(parseDecimal('3000', 6)).toBe(3_000_000_000n);
    expect(parseDecimal('12.5', 6)).toBe(12_500_000n);
    expect(parseDecimal('12.000001', 6)).toBe(12_000_001n);
    expect(parseDecimal('0.50', 2)).toBe(50n);
    expect(parseDecimal('7', 0)).toBe(7n);
    expect(parseDecimal('1.000000000000000001', 18)).toBe(1_000_000_000_000_000_001n);
  });

  it.each([
    '',
    ' 1',
    '1 ',
    '-1',
    '+1',
    '01',
    '00',
    '00.5',
    '.5',
    '5.',
    '1e6',
    '1E6',
    '1,000',
    '1_000',
    '0x10',
    'NaN',
    'Infinity',
    '1.2.3',
    '１',
  ])('rejects %j', (text) => {
    expect(() => parseDecimal(text, 6)).toThrow(ValidationError);
  });

  it('rejects more fraction digits than allowed, naming the field', () => {
    const issues = issuesOf(() => parseDecimal('1.0000001', 6, 'amount'));
    expect(issues).toEqual([{ field: 'amount', message: 'must have at most 6 fraction digits' }]);
    expect(() => parseDecimal('1.5', 0)).toThrow(ValidationError);
  });

  it('defaults the field name and rejects non-strings', () => {
    expect(issuesOf(() => parseDecimal('x', 2))[0]?.field).toBe('value');
    expect(() => parseDecimal(12 as unknown as string, 2, 'fee.minor')).toThrow(/fee\.minor/);
  });

  it('rejects values beyond uint256 and absurdly long text', () => {
    expect(() => parseDecimal(`${MAX_UINT256}0`, 0)).toThrow(/too large/);
    expect(() => parseDecimal('9'.repeat(500), 0)).toThrow(/too long/);
  });

  it('refuses an invalid decimals argument as a programming error', () => {
    expect(() => parseDecimal('1', -1)).toThrow(RangeError);
    expect(() => parseDecimal('1', 1.5)).toThrow(RangeError);
  });
});

describe('formatDecimal', () => {
  it('is canonical', () => {
    expect(formatDecimal(3_000_000_000n, 6)).toBe('3000');
    expect(formatDecimal(500_000n, 6)).toBe('0.5');
    expect(formatDecimal(12_000_001n, 6)).toBe('12.000001');
    expect(formatDecimal(0n, 6)).toBe('0');
    expect(formatDecimal(1n, 18)).toBe('0.000000000000000001');
    expect(formatDecimal(42n, 0)).toBe('42');
    expect(formatDecimal(-1_500_000n, 6)).toBe('-1.5');
    expect(formatDecimal(-1n, 6)).toBe('-0.000001');
    expect(formatMicroUsd(91_210_000n)).toBe('91.21');
  });

  it('round-trips with parseDecimal (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_UINT256 }), fc.integer({ min: 0, max: 30 }), (units, d) => {
        const text = formatDecimal(units, d);
        expect(text).toMatch(/^(0|[1-9]\d*)(\.\d*[1-9])?$/);
        expect(parseDecimal(text, d)).toBe(units);
      }),
    );
  });

  it('parse then format canonicalises without changing the value (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 4 }),
        (units, d, extraZeros) => {
          // Build a non-canonical spelling with trailing fraction zeros.
          const canonical = formatDecimal(units, d);
          const padded = extraZeros > 0 ? withTrailingZeros(canonical, extraZeros) : canonical;
          expect(parseDecimal(padded, d + extraZeros)).toBe(units * 10n ** BigInt(extraZeros));
        },
      ),
    );
  });

  it('negative formatting mirrors positive', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 40n }), fc.integer({ min: 0, max: 18 }), (u, d) => {
        expect(formatDecimal(-u, d)).toBe(`-${formatDecimal(u, d)}`);
      }),
    );
  });
});

function withTrailingZeros(text: string, zeros: number): string {
  return text.includes('.') ? text + '0'.repeat(zeros) : `${text}.${'0'.repeat(zeros)}`;
}

describe('parseBaseUnits', () => {
  it('parses integers', () => {
    expect(parseBaseUnits('0')).toBe(0n);
    expect(parseBaseUnits('3000000')).toBe(3_000_000n);
    expect(parseBaseUnits(MAX_UINT256.toString())).toBe(MAX_UINT256);
  });

  it.each(['', '-1', '01', '1.0', '1e3', ' 1', '0x1', 'abc'])('rejects %j with the field name', (text) => {
    expect(issuesOf(() => parseBaseUnits(text, 'amount'))[0]?.field).toBe('amount');
  });

  it('rejects more than 78 digits and values above uint256', () => {
    expect(() => parseBaseUnits('1'.repeat(79))).toThrow(/78 digits/);
    expect(() => parseBaseUnits((MAX_UINT256 + 1n).toString())).toThrow(/too large/);
  });

  it('round-trips bigint.toString (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_UINT256 }), (v) => {
        expect(parseBaseUnits(v.toString())).toBe(v);
      }),
    );
  });
});

describe('token unit conversion', () => {
  it('6-decimal tokens map 1:1 to micro-USD', () => {
    expect(tokenUnitsToMicroUsd(3_000_000_000n, 6)).toEqual({ microUsd: 3_000_000_000n, remainder: 0n });
    expect(microUsdToTokenUnits(3_000_000_000n, 6)).toBe(3_000_000_000n);
  });

  it('18-decimal tokens keep the remainder', () => {
    // 1.000000123456789012 token = 1_000_000 micro-USD (1.000000) + 123_456_789_012 units below a micro-USD.
    const units = 1_000_000_123_456_789_012n;
    expect(tokenUnitsToMicroUsd(units, 18)).toEqual({ microUsd: 1_000_000n, remainder: 123_456_789_012n });
    expect(microUsdToTokenUnits(91_210_000n, 18)).toBe(91_210_000_000_000_000_000n);
  });

  it('fewer than 6 decimals multiplies, and the reverse rounds up so the payer never underpays', () => {
    expect(tokenUnitsToMicroUsd(150n, 2)).toEqual({ microUsd: 1_500_000n, remainder: 0n });
    expect(microUsdToTokenUnits(1_500_000n, 2)).toBe(150n);
    expect(microUsdToTokenUnits(1_500_001n, 2)).toBe(151n);
    expect(microUsdToTokenUnits(1n, 0)).toBe(1n);
    expect(microUsdToTokenUnits(0n, 0)).toBe(0n);
  });

  it('is exact for decimals >= 6: units = toUnits(microUsd) + remainder (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.integer({ min: 6, max: 30 }), (units, d) => {
        const { microUsd, remainder } = tokenUnitsToMicroUsd(units, d);
        expect(remainder >= 0n).toBe(true);
        expect(remainder < 10n ** BigInt(d - 6)).toBe(true);
        expect(microUsdToTokenUnits(microUsd, d) + remainder).toBe(units);
      }),
    );
  });

  it('for decimals < 6 the token amount covers the micro-USD and by less than one unit (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 5 }), (micro, d) => {
        const units = microUsdToTokenUnits(micro, d);
        const back = tokenUnitsToMicroUsd(units, d).microUsd;
        expect(back >= micro).toBe(true);
        expect(back - micro < 10n ** BigInt(6 - d)).toBe(true);
      }),
    );
  });

  it('refuses negative amounts', () => {
    expect(() => tokenUnitsToMicroUsd(-1n, 6)).toThrow(RangeError);
    expect(() => microUsdToTokenUnits(-1n, 6)).toThrow(RangeError);
  });
});

describe('rounding', () => {
  it('rounds up to the cent', () => {
    expect(roundUpToCentMicroUsd(0n)).toBe(0n);
    expect(roundUpToCentMicroUsd(10_000n)).toBe(10_000n);
    expect(roundUpToCentMicroUsd(10_001n)).toBe(20_000n);
    expect(roundUpToCentMicroUsd(91_206_200n)).toBe(91_210_000n);
  });

  it('yields the smallest multiple of 10_000 not below the input (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (m) => {
        const r = roundUpToCentMicroUsd(m);
        expect(r % 10_000n).toBe(0n);
        expect(r >= m).toBe(true);
        expect(r - m < 10_000n).toBe(true);
      }),
    );
  });

  it('ceilDiv rounds towards +infinity, also for negatives', () => {
    expect(ceilDiv(7n, 2n)).toBe(4n);
    expect(ceilDiv(6n, 2n)).toBe(3n);
    expect(ceilDiv(-7n, 2n)).toBe(-3n);
    expect(() => ceilDiv(1n, 0n)).toThrow(RangeError);
  });
});
