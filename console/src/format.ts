/**
 * Numbers and dates as each language writes them (Intl), exactly: money arrives as decimal strings (micro-USD,
 * token base units) and is shifted as text, never through a float, so every digit the API sent is shown.
 */
import type { ConsoleLang } from './contract';

/** The Intl locale of each console language. */
export const locales: Record<ConsoleLang, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' };

/** Kazakhstan's time zone: dates are shown as the ministries read them. */
export const TIME_ZONE = 'Asia/Almaty';

/** `units` (an integer decimal string) divided by 10^decimals, as a plain decimal string (`"4570000"`, 6 → `"4.57"`). */
export function shiftDecimal(units: string, decimals: number): string {
  const negative = units.startsWith('-');
  const digits = (negative ? units.slice(1) : units).replace(/^0+(?=\d)/, '').padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** A micro-USD amount as USD in the reader's language (`USD 4.57`, `4,57 $`), every significant digit kept. */
export function formatMicroUsd(microUsd: string | undefined | null, lang: ConsoleLang): string {
  if (microUsd === undefined || microUsd === null || !/^-?\d+$/.test(microUsd)) return '—';
  return new Intl.NumberFormat(locales[lang], {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: 6,
  }).format(shiftDecimal(microUsd, 6) as Intl.StringNumericLiteral);
}

/** A token amount in base units as a number of tokens in the reader's language, with its symbol when known. */
export function formatTokenAmount(units: string | undefined, decimals: number, lang: ConsoleLang, symbol = ''): string {
  if (!units || !/^-?\d+$/.test(units)) return '—';
  const value = new Intl.NumberFormat(locales[lang], { maximumFractionDigits: 20 }).format(
    shiftDecimal(units, decimals) as Intl.StringNumericLiteral,
  );
  return symbol ? `${value} ${symbol}` : value;
}

/** An ISO instant as a date and time in Kazakhstan, in the reader's language. */
export function formatDateTime(iso: string | undefined | null, lang: ConsoleLang): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locales[lang], {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: TIME_ZONE,
  }).format(date);
}

/** A fee amount of the catalog (`{currency, minor}` or `{mrp}`) as the reader's language writes it. */
export function formatFeeAmount(
  amount: { currency?: string; minor?: string; mrp?: string } | undefined,
  lang: ConsoleLang,
): string {
  if (!amount) return '—';
  if (amount.mrp !== undefined) {
    const n = new Intl.NumberFormat(locales[lang], { maximumFractionDigits: 2 }).format(
      amount.mrp as Intl.StringNumericLiteral,
    );
    return `${n} ${lang === 'en' ? 'MRP' : 'МРП'}`;
  }
  if (amount.currency && amount.minor) {
    return new Intl.NumberFormat(locales[lang], { style: 'currency', currency: amount.currency }).format(
      shiftDecimal(amount.minor, 2) as Intl.StringNumericLiteral,
    );
  }
  return '—';
}

/** The start (`edge: 'from'`) or end of a `YYYY-MM-DD` day in Kazakhstan (UTC+5) as an ISO instant for a filter. */
export function dayBoundary(day: string, edge: 'from' | 'to'): string {
  return edge === 'from' ? `${day}T00:00:00.000+05:00` : `${day}T23:59:59.999+05:00`;
}

/** Whole tenge (an integer decimal string, as the MRP travels) as the reader's language writes KZT. */
export function formatKzt(tenge: string | undefined, lang: ConsoleLang): string {
  if (!tenge || !/^\d+$/.test(tenge)) return '—';
  return new Intl.NumberFormat(locales[lang], { style: 'currency', currency: 'KZT', maximumFractionDigits: 0 }).format(
    tenge as Intl.StringNumericLiteral,
  );
}

/**
 * A `datetime-local` field's value (`2026-12-03T10:00`), read as Kazakhstan time (UTC+5, as {@link dayBoundary}), as
 * an ISO instant; undefined when empty or not a date.
 */
export function kazakhstanInstant(local: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) return undefined;
  const date = new Date(`${local.length === 16 ? `${local}:00` : local}+05:00`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
