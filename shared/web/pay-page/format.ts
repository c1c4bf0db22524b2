/**
 * Numbers and dates as each language writes them (`Intl`), exactly: amounts are decimal strings of integers, so the
 * whole part is grouped by `Intl.NumberFormat` on a bigint and the fraction is kept digit for digit (never through a
 * float). Times are Kazakhstan time (UTC+5, one zone since March 2024), applied as a fixed offset so an old time zone
 * table cannot shift them. The page's script does the same in the browser (client.ts `amount`).
 */
import { formatDecimal } from '../../domain/money';
import type { PayLanguage } from './view';

/** The `Intl` locale of each page language. */
export const LOCALES: Record<PayLanguage, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-US' };

const numberFormats = new Map<PayLanguage, { group: Intl.NumberFormat; decimal: string }>();

function numberFormat(lang: PayLanguage) {
  let format = numberFormats.get(lang);
  if (!format) {
    const group = new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 0 });
    const parts = new Intl.NumberFormat(LOCALES[lang]).formatToParts(1.5);
    format = { group, decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.' };
    numberFormats.set(lang, format);
  }
  return format;
}

/** A plain decimal string (`-1234.5`) written the way `lang` writes numbers (`-1 234,5` in ru), every digit kept. */
export function localizeDecimal(plain: string, lang: PayLanguage): string {
  const negative = plain.startsWith('-');
  const [whole = '0', fraction] = (negative ? plain.slice(1) : plain).split('.');
  const { group, decimal } = numberFormat(lang);
  const grouped = group.format(BigInt(whole));
  return `${negative ? '-' : ''}${grouped}${fraction ? `${decimal}${fraction}` : ''}`;
}

/** Base units of a token with `decimals` as a plain decimal (`2000`, `0.5`): what a wallet or a copy button takes. */
export function plainUnits(units: bigint, decimals: number): string {
  return formatDecimal(units, decimals);
}

/** Base units as `lang` writes the amount (`2,000.5`, `2 000,5`). */
export function formatUnits(units: bigint, decimals: number, lang: PayLanguage): string {
  return localizeDecimal(formatDecimal(units, decimals), lang);
}

/** At least two fraction digits, every other digit kept: `3000` → `3000.00`, `0.0015` stays. */
function withCents(plain: string): string {
  const [whole, fraction = ''] = plain.split('.');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

/** Micro-USD with at least two fraction digits, exact; localized when `lang` is given (`91210000` → `91.21`). */
export function formatUsd(microUsd: string | bigint, lang?: PayLanguage): string {
  const plain = withCents(formatDecimal(BigInt(microUsd), 6));
  return lang ? localizeDecimal(plain, lang) : plain;
}

/** Minor units (cents, tiyn) with exactly two fraction digits; localized when `lang` is given. */
export function formatMinor(minor: string | bigint, lang?: PayLanguage): string {
  const plain = withCents(formatDecimal(BigInt(minor), 2));
  return lang ? localizeDecimal(plain, lang) : plain;
}

const KZ_OFFSET_MS = 5 * 3600 * 1000;
const dateTimeFormats = new Map<PayLanguage, Intl.DateTimeFormat>();

/** An instant as a date and time in Kazakhstan time, written the way `lang` writes them (`2 декабря 2026 г. в 05:20`). */
export function formatDateTime(iso: string, lang: PayLanguage): string {
  let format = dateTimeFormats.get(lang);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[lang], { timeZone: 'UTC', dateStyle: 'long', timeStyle: 'short' });
    dateTimeFormats.set(lang, format);
  }
  return format.format(new Date(Date.parse(iso) + KZ_OFFSET_MS));
}

const dateFormats = new Map<PayLanguage, Intl.DateTimeFormat>();

/** A calendar date (`YYYY-MM-DD`) written the way `lang` writes dates (`2 December 2026`); anything else as is. */
export function formatDate(date: string, lang: PayLanguage): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return date;
  let format = dateFormats.get(lang);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[lang], { timeZone: 'UTC', dateStyle: 'long' });
    dateFormats.set(lang, format);
  }
  return format.format(new Date(`${date}T00:00:00Z`));
}
