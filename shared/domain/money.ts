/**
 * Money arithmetic. Money is never a JS `number` here: amounts are `bigint` counts of the smallest unit (micro-USD,
 * cents, tiyn, token base units) and cross the wire as canonical decimal strings. Every conversion is either exact
 * or rounds in one documented direction, so a payer is never asked for less than is due and no remainder vanishes.
 */
import { ValidationError } from './errors';

/** Decimals of the internal USD unit: 1 USD = 1_000_000 micro-USD (matches the 6 decimals of USDT/USDC). */
export const MICRO_USD_DECIMALS = 6;
/** Micro-USD in one US dollar. */
/** Fiat minor units (tiyn and cents): here, not in settlements.ts, so export columns need not load the report parser. */
export const FIAT_DECIMALS = 2;
export const MICRO_USD_PER_USD = 1_000_000n;
/** Micro-USD in one US cent: fees and quotes are whole cents, so due amounts are multiples of this. */
export const MICRO_USD_PER_CENT = 10_000n;
/** Largest value of an EVM `uint256`: no token amount can exceed it, so parsers refuse anything larger. */
export const MAX_UINT256 = (1n << 256n) - 1n;

// A generous cap checked before any regex or BigInt work, so a megabyte-long "number" costs nothing.
const MAX_TEXT_LENGTH = 200;
const DECIMAL_RE = /^(0|[1-9]\d*)(?:\.(\d+))?$/;
const INTEGER_RE = /^(0|[1-9]\d*)$/;

function fail(field: string | undefined, message: string): never {
  throw new ValidationError([{ field: field ?? 'value', message }]);
}

function assertDecimals(decimals: number): void {
  // A wrong `decimals` is a programming or configuration error, not a caller's input: RangeError, not a 400.
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) {
    throw new RangeError(`decimals must be an integer in 0..77, got ${decimals}`);
  }
}

/** 10^n as a bigint. */
export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** The smaller of two bigints (Math.min takes numbers only). */
export function minBigInt(a: bigint, b: bigint): bigint {
  return a <= b ? a : b;
}

/** Integer division rounding towards +infinity (BigInt `/` truncates towards zero). `b` must be positive. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError('ceilDiv: divisor must be positive');
  const q = a / b;
  return a % b > 0n ? q + 1n : q;
}

/**
 * Parses a non-negative decimal string into base units with `decimals` fraction digits: `parseDecimal("12.5", 6)`
 * is `12_500_000n`. Strict, because amounts are typed by people and a lenient parser silently changes them: no sign,
 * exponent, whitespace, grouping, or leading zeros (except a lone `0`), at most `decimals` fraction digits, not empty,
 * and the result fits a `uint256`. Trailing fraction zeros ("0.50") are accepted.
 *
 * @throws ValidationError naming `field` (default `value`) when the text breaks a rule.
 */
export function parseDecimal(text: string, decimals: number, field?: string): bigint {
  assertDecimals(decimals);
  if (typeof text !== 'string') fail(field, 'must be a decimal string');
  if (text.length === 0) fail(field, 'must not be empty');
  if (text.length > MAX_TEXT_LENGTH) fail(field, 'is too long');
  const m = DECIMAL_RE.exec(text);
  if (!m) fail(field, 'must be a plain decimal number such as "12.50" (no sign, exponent, spaces or leading zeros)');
  const whole = m[1] ?? '0';
  const frac = m[2] ?? '';
  if (frac.length > decimals) fail(field, `must have at most ${decimals} fraction digits`);
  const units = BigInt(whole) * pow10(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
  if (units > MAX_UINT256) fail(field, 'is too large');
  return units;
}

/**
 * Formats base units as the canonical decimal string: no trailing fraction zeros and no dangling point
 * (`3000`, `0.5`, `12.000001`). Negative values get a leading `-` (the journal shows credits that way);
 * `parseDecimal(formatDecimal(x, d), d) === x` for every non-negative `x`.
 */
export function formatDecimal(units: bigint, decimals: number): string {
  assertDecimals(decimals);
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const scale = pow10(decimals);
  const whole = (abs / scale).toString();
  const frac = decimals === 0 ? '' : (abs % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/**
 * Parses an amount already in base units (a non-negative integer decimal string, as token amounts and micro-USD
 * travel on the wire). Strict like {@link parseDecimal}; at most 78 digits and at most `2^256 - 1`.
 *
 * @throws ValidationError naming `field` (default `value`).
 */
export function parseBaseUnits(text: string, field?: string): bigint {
  if (typeof text !== 'string') fail(field, 'must be an integer decimal string');
  if (text.length === 0) fail(field, 'must not be empty');
  if (text.length > 78) fail(field, 'must have at most 78 digits');
  if (!INTEGER_RE.test(text)) fail(field, 'must be a non-negative integer without sign, exponent or leading zeros');
  const v = BigInt(text);
  if (v > MAX_UINT256) fail(field, 'is too large');
  return v;
}

/**
 * Converts token base units to micro-USD, a stablecoin counting at face value (1 token = 1 USD).
 * For tokens with more than 6 decimals (the 18-decimal BSC tokens) the division is exact: `remainder` holds the
 * token base units below one micro-USD, which the caller keeps (the design forbids rounding money away).
 * For 6 or fewer decimals the conversion is a multiplication and `remainder` is 0.
 *
 * Invariant: `microUsdToTokenUnits(microUsd, decimals) + remainder === units` for decimals >= 6.
 */
export function tokenUnitsToMicroUsd(units: bigint, decimals: number): { microUsd: bigint; remainder: bigint } {
  assertDecimals(decimals);
  if (units < 0n) throw new RangeError('token units must be non-negative');
  if (decimals <= MICRO_USD_DECIMALS) {
    return { microUsd: units * pow10(MICRO_USD_DECIMALS - decimals), remainder: 0n };
  }
  const scale = pow10(decimals - MICRO_USD_DECIMALS);
  return { microUsd: units / scale, remainder: units % scale };
}

/**
 * Converts micro-USD to the token base units a payer must send. Exact for tokens with 6 or more decimals. A token
 * with fewer than 6 decimals cannot express every micro-USD amount, so the result rounds UP: the payer never
 * underpays (at most one base unit, i.e. less than one cent for any 2+ decimal token, too much).
 */
export function microUsdToTokenUnits(microUsd: bigint, decimals: number): bigint {
  assertDecimals(decimals);
  if (microUsd < 0n) throw new RangeError('micro-USD must be non-negative');
  if (decimals >= MICRO_USD_DECIMALS) return microUsd * pow10(decimals - MICRO_USD_DECIMALS);
  return ceilDiv(microUsd, pow10(MICRO_USD_DECIMALS - decimals));
}

/** Rounds micro-USD up to a whole cent (a multiple of 10_000), as every quoted due amount is in whole cents. */
export function roundUpToCentMicroUsd(microUsd: bigint): bigint {
  return ceilDiv(microUsd, MICRO_USD_PER_CENT) * MICRO_USD_PER_CENT;
}

/** Formats micro-USD as a USD decimal string (`91210000n` → `"91.21"`). */
export function formatMicroUsd(microUsd: bigint): string {
  return formatDecimal(microUsd, MICRO_USD_DECIMALS);
}
