/**
 * Reference data as the console reads it (`/v1/admin/...`, docs/reference-data.md): the wire shapes shown, which
 * version of each subject is in force now and which are scheduled, and the checks a proposal's fields get as typed
 * (the API checks them again and its problem is shown). Pure: no Preact, no API calls.
 */
import { isValidBin } from '../../../../shared/domain/bin';
import { MINISTRY_CODE } from '../../../../shared/domain/ministry';
import { formatDecimal, parseDecimal } from '../../../../shared/domain/money';
import type { ConsoleLang } from '../../contract';
import { formatFeeAmount, formatKzt, shiftDecimal } from '../../format';

/** A fee entry on the wire (`GET /v1/fees`, a fee change's value). */
export interface FeeWire {
  code: string;
  ministry: string;
  title: Record<ConsoleLang, string>;
  amount: { currency?: 'USD' | 'KZT'; minor?: string; mrp?: string };
  budget?: { kbk: string; knp: string; kbe: string; beneficiaryBin: string };
  requiresLicence?: boolean;
  /** How payers reach the issuer (at least one of the three). */
  contact?: { url?: string; email?: string; phone?: string };
}

/** What a change sets, on the wire. */
export type ValueWire =
  | { kind: 'fee'; fee: FeeWire }
  | { kind: 'mrp'; year: number; kzt: string }
  | { kind: 'registry'; ministry: string; url: string; format: string };

export type ReferenceKind = ValueWire['kind'];

/** One version (`GET /v1/admin/reference/{kind}`): an approved change, in force from `effectiveFrom`. */
export interface VersionWire {
  id: string;
  kind: ReferenceKind;
  subject: string;
  value: ValueWire;
  effectiveFrom: string;
  proposedBy: string;
  approvedBy: string;
  approvedAt: string;
  reason: string;
}

/** One change (`GET /v1/admin/changes`): proposed, approved or rejected. */
export interface ChangeWire {
  id: string;
  kind: ReferenceKind;
  subject: string;
  value: ValueWire;
  state: 'proposed' | 'approved' | 'rejected';
  reason: string;
  proposedBy: string;
  proposedAt: string;
  effectiveFrom?: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionReason?: string;
}

/** A version as listed: in force now, or scheduled for later. */
export interface ListedVersion {
  version: VersionWire;
  scheduled: boolean;
}

/**
 * Per subject, the version in force at `now` (the latest `effectiveFrom` not after it, ties to the later approval,
 * as the service decides) and every version scheduled after `now`; by subject, then by date.
 */
export function inForceAndScheduled(versions: readonly VersionWire[], now: Date): ListedVersion[] {
  const bySubject = new Map<string, VersionWire[]>();
  for (const v of versions) bySubject.set(v.subject, [...(bySubject.get(v.subject) ?? []), v]);
  const listed: ListedVersion[] = [];
  for (const subject of [...bySubject.keys()].sort()) {
    const list = bySubject.get(subject) ?? [];
    let current: VersionWire | undefined;
    for (const v of list) {
      if (Date.parse(v.effectiveFrom) > now.getTime()) continue;
      if (
        !current ||
        v.effectiveFrom > current.effectiveFrom ||
        (v.effectiveFrom === current.effectiveFrom && v.approvedAt > current.approvedAt)
      )
        current = v;
    }
    if (current) listed.push({ version: current, scheduled: false });
    const later = list.filter((v) => Date.parse(v.effectiveFrom) > now.getTime());
    later.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
    for (const v of later) listed.push({ version: v, scheduled: true });
  }
  return listed;
}

/** A value in one line for a table: the fee's title and amount, the MRP in tenge, the registry's URL. */
export function valueSummary(value: ValueWire, lang: ConsoleLang): string {
  if (value.kind === 'fee') return `${value.fee.title[lang]} · ${formatFeeAmount(value.fee.amount, lang)}`;
  if (value.kind === 'mrp') return `${value.year}: ${formatKzt(value.kzt, lang)}`;
  return `${value.url} (${value.format})`;
}

/** The units a fee is priced in, as the form offers them. */
export type FeeUnit = 'USD' | 'KZT' | 'MRP';

/** Fraction digits the form accepts: cents, tiyn, hundredths of an MRP. */
const AMOUNT_DECIMALS = 2;

/** True when `text` is a positive amount with at most two decimals, as a person types it (`123.45`). */
export function isAmount(text: string): boolean {
  try {
    return parseDecimal(text, AMOUNT_DECIMALS) > 0n;
  } catch {
    return false;
  }
}

/** A typed amount (checked with {@link isAmount}) in the unit's wire form: minor units, or an MRP count. */
export function amountToWire(unit: FeeUnit, text: string): FeeWire['amount'] {
  const units = parseDecimal(text, AMOUNT_DECIMALS);
  if (unit === 'MRP') return { mrp: formatDecimal(units, AMOUNT_DECIMALS) };
  return { currency: unit, minor: units.toString() };
}

/** A wire amount as the form shows it: its unit and the decimal text. */
export function amountFromWire(amount: FeeWire['amount']): { unit: FeeUnit; text: string } {
  if (amount.mrp !== undefined) return { unit: 'MRP', text: amount.mrp };
  return { unit: amount.currency ?? 'USD', text: shiftDecimal(amount.minor ?? '0', AMOUNT_DECIMALS) };
}

/** The pattern of a fee code (as the catalog's schema, `shared/domain/fees.ts`). */
export const FEE_CODE = /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/;

/** The pattern of a ministry code. */
export const MINISTRY = MINISTRY_CODE;

/** Whole tenge per MRP, as the API takes it. */
export const WHOLE_TENGE = /^[1-9]\d{0,9}$/;

/** `text` is `n` digits. */
export const digits = (n: number, text: string) => new RegExp(`^\\d{${n}}$`).test(text);

/** A beneficiary BIN typed so far: valid, invalid, or not yet typed. */
export function binState(text: string): 'empty' | 'ok' | 'bad' {
  if (!text) return 'empty';
  return isValidBin(text) ? 'ok' : 'bad';
}

/** True when `text` parses as an absolute URL (the API judges the rest: https, a public host). */
export function isUrl(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}
