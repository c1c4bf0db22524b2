/**
 * Kazakhstan BIN (business identification number) and IIN (individual identification number): both are 12 digits
 * sharing one check-digit rule, so a payer identifier is validated here before an invoice is issued.
 */
import * as z from 'zod';

const WEIGHTS_FIRST = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const WEIGHTS_SECOND = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] as const;
const TWELVE_DIGITS = /^\d{12}$/;

function weightedMod11(digits: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  return sum % 11;
}

/**
 * Computes the check digit of the first 11 digits (a string of 11 digits), or `null` when the rule yields 10 twice,
 * which makes every 12-digit number with that prefix invalid. Exposed so tests and fixtures can build valid BINs.
 */
export function binCheckDigit(first11: string): number | null {
  if (!/^\d{11}$/.test(first11)) throw new RangeError('binCheckDigit expects 11 digits');
  const digits = [...first11].map(Number);
  let check = weightedMod11(digits, WEIGHTS_FIRST);
  // The rule of the standard: a first result of 10 is recomputed with the shifted weights 3..11,1,2.
  if (check === 10) check = weightedMod11(digits, WEIGHTS_SECOND);
  return check === 10 ? null : check;
}

/**
 * True when `bin` is 12 ASCII digits whose last digit is the check digit of the first 11:
 * sum(d[i] * w[i]) mod 11 with weights 1..11; if that is 10, weights 3..11,1,2; if 10 again the number is invalid.
 * `940140000385` is valid.
 *
 * Known limit of the standard rule: the 11th digit has weight 11 ≡ 0 (mod 11), so a typo there is caught only when
 * the sum falls through to the second weights; a check digit is a typo guard, not proof the entity exists.
 */
export function isValidBin(bin: string): boolean {
  if (typeof bin !== 'string' || !TWELVE_DIGITS.test(bin)) return false;
  const check = binCheckDigit(bin.slice(0, 11));
  return check !== null && check === Number(bin[11]);
}

/**
 * The payer's KOd (sender code) on a Kazakh budget payment, derived from its BIN/IIN.
 *
 * Assumption (documented because the identifier alone cannot say everything): the 5th digit of a BIN is the
 * entity-type digit, 4 = resident legal entity, 5 = non-resident legal entity, 6 = joint individual
 * entrepreneurship; in an IIN the 5th digit is the tens of the birth day, so it is always 0..3. We therefore answer
 * `17` (private legal entity) for 4, 5 or 6 and `19` (individual) otherwise. A non-resident would strictly be a
 * 2x code; the fee flow serves licensed firms, and the accountant can correct that rare case from the receipt.
 */
export function payerKod(bin: string): '17' | '19' {
  const fifth = bin[4];
  return fifth === '4' || fifth === '5' || fifth === '6' ? '17' : '19';
}

/** zod schema for a BIN/IIN string: 12 digits with a correct check digit; each failure has its own message. */
export const binSchema = z
  .string()
  .regex(TWELVE_DIGITS, { message: 'BIN must be 12 digits', abort: true })
  .refine(isValidBin, { message: 'BIN check digit is wrong' });
