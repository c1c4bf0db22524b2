/**
 * USD/KZT exchange rates from the National Bank of Kazakhstan (NBK) and the fee quote built on them.
 *
 * Rate representation: an exact decimal string of KZT per ONE unit of the currency (`"474.2"`). The feed publishes
 * `description` per `quant` units (e.g. 10 or 100 of a weak currency); since quants are powers of ten the quotient
 * is always a terminating decimal, so it is kept exactly as a string, never as a float. An item whose quotient does
 * not terminate (not something NBK publishes) is skipped rather than rounded.
 */
import { DomainError } from './errors';
import { type FeeAmount, mrpKztFor, mrpToKztMinor } from './fees';
import { ceilDiv, formatDecimal, MICRO_USD_PER_CENT, parseDecimal, pow10 } from './money';

/** One currency of an NBK feed. */
export interface NbkRate {
  /** KZT per 1 unit of the currency, exact canonical decimal string (description / quant). */
  rate: string;
  /** The feed's `description` as published (KZT per `quant` units). */
  description: string;
  /** The feed's `quant` (units the description is quoted for). */
  quant: number;
}

/** A parsed NBK feed that holds at least one rate. */
export interface NbkRates {
  /** The feed's own `<date>` as `YYYY-MM-DD`, when present and well formed. */
  date?: string;
  /** Rates by ISO currency code (`USD`, `EUR`, `RUB`, ...). */
  rates: Map<string, NbkRate>;
}

/** KZT per 1 USD as an exact decimal string (`"474.2"`), or an NBK rate entry carrying one. */
export type UsdKztRate = string | { rate: string };

/** The quote locked into an invoice: where the USD amount came from. Amounts are decimal strings. */
export interface QuoteInfo {
  /** `fixed` for a USD fee (no conversion), `NBK` when converted with an NBK rate. */
  source: 'NBK' | 'fixed';
  pair?: 'USD/KZT';
  /** KZT per 1 USD. */
  rate?: string;
  /** The day (`YYYY-MM-DD`) whose NBK feed supplied the rate (may precede the invoice day). */
  rateDate?: string;
  /** KZT per MRP applied, for an MRP fee. */
  mrpKzt?: string;
  /** The KZT amount converted, in tiyn, for KZT and MRP fees. */
  kztMinor?: string;
}

/** The result of quoting a fee: the amount due in micro-USD (whole cents) and how it was computed. */
export interface Quote {
  dueMicroUsd: bigint;
  quote: QuoteInfo;
}

/** No NBK rate could be found for a KZT or MRP fee: the fee cannot be quoted right now (retry later). */
export class FxRateUnavailableError extends DomainError {
  readonly type = 'fx-rate-unavailable';
  readonly title = 'Exchange rate unavailable';
}

/** The feed was not an NBK rates document at all (an HTML error page, a truncated body). */
export class NbkFeedError extends Error {}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(raw: string): string {
  // CDATA first (verbatim), then entities in the rest; the feed is simple text but may be re-encoded by a proxy.
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(raw);
  if (cdata) return (cdata[1] ?? '').trim();
  return raw
    .replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, ent: string) => {
      if (ent.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ent.slice(2), 16));
      if (ent.startsWith('#')) return String.fromCodePoint(Number.parseInt(ent.slice(1), 10));
      return XML_ENTITIES[ent] ?? whole;
    })
    .trim();
}

/** Text of the first direct `<tag>` in `xml` (attributes allowed, self-closing = empty), or undefined. */
function childText(xml: string, tag: string): string | undefined {
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`);
  const m = re.exec(xml);
  if (!m) return undefined;
  return decodeXmlText(m[1] ?? '');
}

/** Converts `DD.MM.YYYY` (the feed's format) to `YYYY-MM-DD`; undefined when malformed. */
export function nbkDateToIso(d: string): string | undefined {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(d.trim());
  return m ? `${m[3]}-${m[2]}-${m[1]}` : undefined;
}

/** Converts `YYYY-MM-DD` to the feed's `DD.MM.YYYY` (the `fdate` query parameter). */
export function isoToNbkDate(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new RangeError(`expected YYYY-MM-DD, got ${day}`);
  return `${m[3]}.${m[2]}.${m[1]}`;
}

/** Default NBK feed base URL; the adapter may override it (a local mock in tests). */
export const NBK_RATES_URL = 'https://nationalbank.kz/rss/get_rates.cfm';

/** The feed URL for `day` (`YYYY-MM-DD`): `...get_rates.cfm?fdate=DD.MM.YYYY`. */
export function nbkRatesUrl(day: string, base = NBK_RATES_URL): string {
  return `${base}?fdate=${isoToNbkDate(day)}`;
}

/**
 * Exact `description / quant` as a canonical decimal string, or undefined when the quotient does not terminate.
 * Writing description = n / 10^f, the quotient n / (10^f × quant) terminates iff the reduced denominator has no
 * prime factor other than 2 and 5; then multiplying by 10^k (k = max power of 2 or 5) makes it an integer.
 */
export function divideDecimalByQuant(description: string, quant: number): string | undefined {
  const frac = description.split('.')[1]?.length ?? 0;
  const n = parseDecimal(description, frac, 'description');
  let den = pow10(frac) * BigInt(quant);
  const g = gcd(n, den);
  const num = n / (g === 0n ? 1n : g);
  den /= g === 0n ? 1n : g;
  let twos = 0;
  let fives = 0;
  let rest = den;
  while (rest % 2n === 0n) {
    rest /= 2n;
    twos++;
  }
  while (rest % 5n === 0n) {
    rest /= 5n;
    fives++;
  }
  if (rest !== 1n) return undefined;
  const k = Math.max(twos, fives);
  return formatDecimal((num * pow10(k)) / den, k);
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/**
 * Parses an NBK `get_rates.cfm` answer. Returns `null` when the feed holds no rate (an empty `<rates/>`, NBK's way
 * of saying "no rates that day": use the previous day). Items with a malformed or non-positive description/quant, or
 * a non-terminating quotient, are skipped, so one odd currency cannot hide the USD rate.
 *
 * A deliberately small parser instead of an XML library: the format is flat (`<rates>` → `<item>` → text leaves).
 *
 * @throws NbkFeedError when the body is not a `<rates>` document.
 */
export function parseNbkRates(xml: string): NbkRates | null {
  if (typeof xml !== 'string') throw new NbkFeedError('NBK feed body must be a string');
  // Drop the prolog, comments and processing instructions so they cannot be mistaken for elements.
  const body = xml
    .replace(/^\uFEFF/, '')
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  if (/^\s*<rates(?:\s[^>]*)?\/>\s*$/.test(body)) return null;
  const root = /^\s*<rates(?:\s[^>]*)?>([\s\S]*)<\/rates\s*>\s*$/.exec(body);
  if (!root) throw new NbkFeedError('NBK feed is not a <rates> document');
  const inner = root[1] ?? '';

  const rates = new Map<string, NbkRate>();
  const itemRe = /<item(?:\s[^>]*)?>([\s\S]*?)<\/item\s*>/g;
  for (const m of inner.matchAll(itemRe)) {
    const item = m[1] ?? '';
    const code = childText(item, 'title')?.toUpperCase();
    const description = childText(item, 'description');
    const quantText = childText(item, 'quant') ?? '1';
    if (!code || !/^[A-Z]{3}$/.test(code) || !description) continue;
    if (!/^(0|[1-9]\d*)(\.\d+)?$/.test(description) || !/^[1-9]\d{0,9}$/.test(quantText)) continue;
    if (!/[1-9]/.test(description)) continue;
    const quant = Number(quantText);
    const rate = divideDecimalByQuant(description, quant);
    if (rate === undefined) continue;
    rates.set(code, { rate, description, quant });
  }
  if (rates.size === 0) return null;

  // The feed's own date sits outside the items; strip the items first so an item's child cannot be picked.
  const head = inner.replace(itemRe, '');
  const dateText = childText(head, 'date');
  const date = dateText ? nbkDateToIso(dateText) : undefined;
  return date ? { date, rates } : { rates };
}

/** Adds `delta` days to a `YYYY-MM-DD` day (UTC calendar arithmetic, no time zone drift). */
export function addDays(day: string, delta: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new RangeError(`expected YYYY-MM-DD, got ${day}`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + delta * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** A rate found for a day: `rateDate` is the day whose feed supplied it (≤ the requested day). */
export interface ResolvedRate {
  rate: string;
  rateDate: string;
}

/**
 * Finds the rate of `currency` (default USD) for `day`, walking back one day at a time while the feed for a day is
 * empty or lacks the currency (weekends, holidays, not yet published), at most `maxDaysBack` days back.
 * `fetchDay` fetches the raw XML for one day (the adapter's HTTP call, a fixture in tests).
 *
 * @throws FxRateUnavailableError when no feed in the window holds the currency.
 */
export async function resolveRateForDay(
  day: string,
  fetchDay: (day: string) => Promise<string>,
  opts: { maxDaysBack?: number; currency?: string } = {},
): Promise<ResolvedRate> {
  const maxDaysBack = opts.maxDaysBack ?? 7;
  const currency = opts.currency ?? 'USD';
  for (let back = 0; back <= maxDaysBack; back++) {
    const d = addDays(day, -back);
    const parsed = parseNbkRates(await fetchDay(d));
    const hit = parsed?.rates.get(currency);
    // The requested day is the authority for rateDate: NBK's <date> echoes fdate, and we asked for `d`.
    if (hit) return { rate: hit.rate, rateDate: d };
  }
  throw new FxRateUnavailableError(`no NBK ${currency}/KZT rate within ${maxDaysBack} days before ${day}`);
}

/** Splits a positive decimal rate into an integer and a power-of-ten scale: `"474.2"` → `{ n: 4742n, k: 1 }`. */
function rateToScaled(rate: string): { n: bigint; k: number } {
  const k = rate.split('.')[1]?.length ?? 0;
  const n = parseDecimal(rate, k, 'rate');
  if (n === 0n) throw new RangeError('rate must be positive');
  return { n, k };
}

/**
 * Converts tiyn to micro-USD at `rate` (KZT per USD), rounded UP to the whole cent so the payer never pays less
 * than the KZT amount: cents = ceil(tiyn × 10^k / n) where rate = n / 10^k. This guarantees
 * `cents × rate ≥ KZT` and `(cents − 1) × rate < KZT`.
 */
export function kztMinorToMicroUsd(kztMinor: bigint, rate: string): bigint {
  const { n, k } = rateToScaled(rate);
  return ceilDiv(kztMinor * pow10(k), n) * MICRO_USD_PER_CENT;
}

/**
 * Micro-USD in tiyn at `rate` (KZT per USD), rounded UP to the tiyn: what an amount still due is worth at an
 * invoice's locked rate, for the payer to read beside the USD figure (never a basis for crediting); up, so any amount
 * still due never reads as nothing.
 */
export function microUsdToKztMinor(microUsd: bigint, rate: string): bigint {
  const { n, k } = rateToScaled(rate);
  // tiyn = µUSD × rate × 100 / 10^6 = µUSD × n / 10^(k+4).
  return ceilDiv(microUsd * n, pow10(k + 4));
}

/**
 * Quotes a fee in micro-USD for invoice day `day` (`YYYY-MM-DD`).
 * - USD fee: cents × 10_000, source `fixed`, no rate.
 * - KZT fee: tiyn / rate rounded UP to the cent, source `NBK`.
 * - MRP fee: hundredths of MRP × `mrpKzt` (else the seed table's KZT MRP of `day`'s year) = an exact tiyn amount (an MRP is whole tenge, so no
 *   rounding happens here; were it ever fractional the KZT would be rounded up to the tiyn), then as a KZT fee.
 *
 * @throws FxRateUnavailableError for a KZT/MRP fee without a rate.
 * @throws RangeError for an MRP fee in a year without a configured MRP.
 */
export function quoteFee(
  fee: FeeAmount,
  opts: { rate: UsdKztRate | null; rateDate?: string; day: string; mrpKzt?: bigint },
): Quote {
  if ('currency' in fee && fee.currency === 'USD') {
    return { dueMicroUsd: fee.minor * MICRO_USD_PER_CENT, quote: { source: 'fixed' } };
  }
  let kztMinor: bigint;
  let mrpKzt: bigint | undefined;
  if ('mrp' in fee) {
    // The versioned MRP the caller read (shared/app/reference-data.ts), else the seed table's.
    mrpKzt = opts.mrpKzt ?? mrpKztFor(opts.day, 'day');
    kztMinor = mrpToKztMinor(fee.mrp, mrpKzt);
  } else {
    kztMinor = fee.minor;
  }
  if (opts.rate === null || opts.rate === undefined) {
    throw new FxRateUnavailableError(`no USD/KZT rate to quote a KZT fee on ${opts.day}`);
  }
  const rate = typeof opts.rate === 'string' ? opts.rate : opts.rate.rate;
  const dueMicroUsd = kztMinorToMicroUsd(kztMinor, rate);
  const quote: QuoteInfo = { source: 'NBK', pair: 'USD/KZT', rate, rateDate: opts.rateDate ?? opts.day };
  if (mrpKzt !== undefined) quote.mrpKzt = mrpKzt.toString();
  quote.kztMinor = kztMinor.toString();
  return { dueMicroUsd, quote };
}
