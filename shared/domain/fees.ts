/**
 * The fee catalog: what a ministry may invoice, in the unit the law sets it in (USD for AIFC fees, KZT or MRP for
 * national state duties), plus the budget details a Kazakh accountant needs to recognise the payment.
 */
import * as z from 'zod';
import { binSchema } from './bin';
import { DomainError, ValidationError } from './errors';
import { ministryCodeSchema } from './ministry';
import { formatDecimal, parseBaseUnits, parseDecimal } from './money';

/** Fraction digits of an MRP count: amounts are kept in hundredths of an MRP. */
export const MRP_DECIMALS = 2;

/**
 * A fee as the law states it.
 * - `{currency, minor}`: minor units of the currency, USD cents or KZT tiyn (`USD 3,000` = `{currency:'USD', minor: 300000n}`).
 * - `{mrp}`: a count of monthly calculation indices in HUNDREDTHS of an MRP (`1.5 MRP` = `{mrp: 150n}`). Hundredths
 *   because the Tax Code sets duties such as 0.5 MRP, and because an MRP is a whole number of tenge, hundredths of
 *   an MRP times KZT per MRP is exactly a number of tiyn: no rounding is ever needed to express an MRP fee in KZT.
 */
export type FeeAmount = { currency: 'USD' | 'KZT'; minor: bigint } | { mrp: bigint };

/** Wire form of {@link FeeAmount}: `{currency, minor: "300000"}` or `{mrp: "1.5"}` (decimal strings, never numbers). */
export type FeeAmountWire = { currency: 'USD' | 'KZT'; minor: string } | { mrp: string };

/** The details every Kazakh budget payment carries, so a ministry's accountant recognises the receipt. */
export interface BudgetDetails {
  /** KBK, 6-digit budget classification code (105402 licence fee, 108125 state duty to the republican budget). */
  kbk: string;
  /** KNP, 3-digit payment purpose code (911 taxes and state duties). */
  knp: string;
  /** KBe, 2-digit beneficiary code (11 for a state revenue office). */
  kbe: string;
  /** BIN of the recipient office. */
  beneficiaryBin: string;
}

/** Titles in the three languages of the payment page. */
export interface FeeTitle {
  kk: string;
  ru: string;
  en: string;
}

/**
 * How a payer reaches the issuer of a fee: its website (https), a mailbox and/or a phone number, at least one. Shown
 * on the payment and receipt pages and in the payer's mail, above all when an invoice expired or was underpaid.
 */
export interface IssuerContact {
  url?: string;
  email?: string;
  phone?: string;
}

/** One catalog entry. `budget` is present only for state-budget revenue (not for AFSA fees). */
export interface FeeEntry {
  code: string;
  ministry: string;
  title: FeeTitle;
  amount: FeeAmount;
  budget?: BudgetDetails;
  /**
   * Issued only to a payer `active` in the licensed-firm register (shared/domain/licence-register.ts): supervision
   * and other fees of licence holders. Application fees never require one (the applicant has no licence yet).
   */
  requiresLicence?: boolean;
  /** Where payers reach the issuer about this fee; copied onto each invoice at issuance. */
  contact?: IssuerContact;
}

/** Wire form of {@link FeeEntry}. */
export interface FeeEntryWire {
  code: string;
  ministry: string;
  title: FeeTitle;
  amount: FeeAmountWire;
  budget?: BudgetDetails;
  requiresLicence?: boolean;
  contact?: IssuerContact;
}

/** A fee catalog is a list of entries with unique codes. */
export type FeeCatalog = readonly FeeEntry[];

/**
 * KZT per MRP by calendar year (whole tenge, set by each year's budget law). The MRP in force on the day of
 * payment applies; a new year must be added here before its first invoice, or {@link mrpKztFor} refuses to quote.
 */
export const MRP_KZT_BY_YEAR: Readonly<Record<number, bigint>> = Object.freeze({
  2025: 3932n,
  2026: 4325n,
});

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The MRP of a year is set by the annual budget law and added to {@link MRP_KZT_BY_YEAR} before 1 January; until
 * then MRP fees of that year cannot be quoted (a configuration gap, not the caller's fault: a retryable outage).
 */
export class MrpUnavailableError extends DomainError {
  readonly type = 'mrp-unavailable';
  readonly title = 'MRP value unavailable';
}

/**
 * The KZT value of one MRP on `date` (`YYYY-MM-DD`).
 *
 * @throws ValidationError (field `date`) for a malformed date.
 * @throws MrpUnavailableError (503) for a year missing from {@link MRP_KZT_BY_YEAR}: quoting with a guessed MRP would mis-charge
 *   every payer, so an unknown year is a configuration gap that must stop issuance until the table is updated.
 */
export function mrpKztFor(date: string, field = 'date'): bigint {
  const m = typeof date === 'string' ? ISO_DAY.exec(date) : null;
  if (!m) throw new ValidationError([{ field, message: 'must be a date YYYY-MM-DD' }]);
  const year = Number(m[1]);
  const kzt = MRP_KZT_BY_YEAR[year];
  if (kzt === undefined)
    throw new MrpUnavailableError(`No MRP value is configured for ${year}; MRP fees cannot be quoted.`);
  return kzt;
}

/** KZT amount in tiyn of an MRP fee (hundredths of MRP × whole KZT per MRP = tiyn, exactly). */
export function mrpToKztMinor(mrpHundredths: bigint, mrpKzt: bigint): bigint {
  return mrpHundredths * mrpKzt;
}

const digitsString = (n: number, what: string) =>
  z.string().regex(new RegExp(`^\\d{${n}}$`), `${what} must be ${n} digits`);

const positiveMinor = z
  .string()
  .regex(/^[1-9]\d{0,30}$/, 'must be a positive integer decimal string of minor units (cents or tiyn)');

const positiveMrp = z
  .string()
  .regex(/^(0|[1-9]\d{0,9})(\.\d{1,2})?$/, 'must be a decimal string with at most 2 fraction digits, e.g. "1.5"')
  .refine((s) => /[1-9]/.test(s), 'must be greater than zero');

const nonEmptyTitle = z.string().trim().min(1).max(300);

/** zod schema for a budget block in wire form. */
export const budgetDetailsSchema = z.strictObject({
  kbk: digitsString(6, 'KBK'),
  knp: digitsString(3, 'KNP'),
  kbe: digitsString(2, 'KBe'),
  beneficiaryBin: binSchema,
});

/** zod schema for a fee amount in wire form. */
export const feeAmountWireSchema = z.union(
  [z.strictObject({ currency: z.enum(['USD', 'KZT']), minor: positiveMinor }), z.strictObject({ mrp: positiveMrp })],
  { error: 'must be {"currency": "USD"|"KZT", "minor": "<integer string>"} or {"mrp": "<decimal string>"}' },
);

/**
 * zod schema of an issuer contact: an https website, an e-mail address, an international phone number (`+7 7172 …`),
 * at least one of them. Plain text only: the pages render each as a link they build themselves.
 */
export const issuerContactSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https$/, error: 'must be an https URL' })
      .max(200)
      .optional(),
    email: z.email().max(254).optional(),
    phone: z
      .string()
      .regex(/^\+[0-9][0-9 ()-]{5,23}$/, 'must be an international number such as +7 7172 55 00 00')
      .optional(),
  })
  .refine((c) => c.url !== undefined || c.email !== undefined || c.phone !== undefined, {
    error: 'must give at least one of url, email, phone',
  });

/** zod schema for one catalog entry in wire form (as served by `GET /v1/fees` and loaded by operators). */
export const feeEntryWireSchema = z.strictObject({
  code: z
    .string()
    .max(64)
    .regex(/^[A-Z0-9]+(?:-[A-Z0-9]+)*$/, 'code must be upper-case letters and digits separated by "-"'),
  ministry: ministryCodeSchema,
  title: z.strictObject({ kk: nonEmptyTitle, ru: nonEmptyTitle, en: nonEmptyTitle }),
  amount: feeAmountWireSchema,
  budget: budgetDetailsSchema.optional(),
  requiresLicence: z.boolean().optional(),
  contact: issuerContactSchema.optional(),
});

/** Converts an amount to its wire form. */
export function feeAmountToJson(amount: FeeAmount): FeeAmountWire {
  if ('mrp' in amount) return { mrp: formatDecimal(amount.mrp, MRP_DECIMALS) };
  return { currency: amount.currency, minor: amount.minor.toString() };
}

/**
 * Parses an amount from its wire form.
 * @throws ValidationError with fields under `field` (default `amount`).
 */
export function feeAmountFromJson(json: unknown, field = 'amount'): FeeAmount {
  const r = feeAmountWireSchema.safeParse(json);
  if (!r.success) throw zodToValidationError(r.error, field);
  return wireAmountToDomain(r.data, field);
}

function wireAmountToDomain(w: FeeAmountWire, field: string): FeeAmount {
  if ('mrp' in w) return { mrp: parseDecimal(w.mrp, MRP_DECIMALS, `${field}.mrp`) };
  return { currency: w.currency, minor: parseBaseUnits(w.minor, `${field}.minor`) };
}

/** Converts a catalog entry to its wire form (bigint → decimal strings); omits `budget` when absent. */
export function feeToJson(entry: FeeEntry): FeeEntryWire {
  const out: FeeEntryWire = {
    code: entry.code,
    ministry: entry.ministry,
    title: { kk: entry.title.kk, ru: entry.title.ru, en: entry.title.en },
    amount: feeAmountToJson(entry.amount),
  };
  if (entry.budget) out.budget = { ...entry.budget };
  if (entry.requiresLicence) out.requiresLicence = true;
  if (entry.contact) out.contact = { ...entry.contact };
  return out;
}

/**
 * Validates and converts a catalog entry from wire form.
 * @throws ValidationError naming each bad field by its path (prefixed with `field` when given, e.g. `fees.3.amount`).
 */
export function feeFromJson(json: unknown, field?: string): FeeEntry {
  const r = feeEntryWireSchema.safeParse(json);
  if (!r.success) throw zodToValidationError(r.error, field);
  const w = r.data;
  const entry: FeeEntry = {
    code: w.code,
    ministry: w.ministry,
    title: w.title,
    amount: wireAmountToDomain(w.amount, field ? `${field}.amount` : 'amount'),
  };
  if (w.budget) entry.budget = w.budget;
  if (w.requiresLicence) entry.requiresLicence = true;
  if (w.contact) entry.contact = w.contact;
  return entry;
}

/** Parses a whole catalog (a JSON array), refusing duplicate codes since a code must name one fee. */
export function catalogFromJson(json: unknown, field = 'fees'): FeeEntry[] {
  if (!Array.isArray(json)) throw new ValidationError([{ field, message: 'must be an array of fee entries' }]);
  const entries = json.map((e, i) => feeFromJson(e, `${field}.${i}`));
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    if (seen.has(e.code))
      throw new ValidationError([{ field: `${field}.${i}.code`, message: `duplicate code ${e.code}` }]);
    seen.add(e.code);
  });
  return entries;
}

/** The entry with `code`, or `undefined`. Codes are matched exactly (they are upper-case identifiers). */
export function findFee(catalog: FeeCatalog, code: string): FeeEntry | undefined {
  return catalog.find((e) => e.code === code);
}

/** Maps zod issues to field issues, joining each path with `.` under an optional prefix. */
export function zodToValidationError(error: z.ZodError, prefix?: string): ValidationError {
  const join = (...parts: (string | undefined)[]) => parts.filter(Boolean).join('.') || 'value';
  return new ValidationError(
    error.issues.flatMap((i) => {
      const path = i.path.map(String).join('.');
      // Name each unknown key itself, so the caller sees which field is misspelt.
      if (i.code === 'unrecognized_keys')
        return i.keys.map((k) => ({ field: join(prefix, path, k), message: 'unknown field' }));
      return [{ field: join(prefix, path), message: i.message }];
    }),
  );
}

// A fictional but check-digit-valid BIN standing in for the state revenue office that receives MINFIN duties.
const SAMPLE_REVENUE_OFFICE_BIN = '081140001236';

const MINFIN_DUTY_BUDGET: BudgetDetails = {
  kbk: '108125',
  knp: '911',
  kbe: '11',
  beneficiaryBin: SAMPLE_REVENUE_OFFICE_BIN,
};

/** The sample ministries' public websites: every sample fee names its ministry's. */
const SAMPLE_ISSUER_CONTACTS: Record<string, IssuerContact> = {
  AFSA: { url: 'https://afsa.aifc.kz' },
  MINFIN: { url: 'https://www.gov.kz/memleket/entities/minfin' },
};

function withSampleContacts(entries: FeeEntry[]): FeeEntry[] {
  return entries.map((fee) => {
    const contact = SAMPLE_ISSUER_CONTACTS[fee.ministry];
    return contact ? { ...fee, contact } : fee;
  });
}

/**
 * A sample catalog for development and tests: AFSA (AIFC fees, set in USD, no budget details because the licensed
 * provider remits fiat to AFSA) and MINFIN (state duties in MRP and in KZT, with budget details). Amounts other than
 * the USD 3,000 PMS supervision fee are illustrative.
 */
export const sampleFeeCatalog: FeeEntry[] = withSampleContacts([
  {
    code: 'AFSA-SUP-PMS',
    ministry: 'AFSA',
    title: {
      kk: 'Жыл сайынғы қадағалау алымы: ақша қызметтерін ұсыну',
      ru: 'Ежегодный сбор за надзор: предоставление денежных услуг',
      en: 'Annual supervision fee: Providing Money Services',
    },
    amount: { currency: 'USD', minor: 300_000n },
    requiresLicence: true,
  },
  {
    code: 'AFSA-APP-PMS',
    ministry: 'AFSA',
    title: {
      kk: 'Лицензияға өтінішті қарау алымы: ақша қызметтерін ұсыну',
      ru: 'Сбор за рассмотрение заявления на лицензию: предоставление денежных услуг',
      en: 'Licence application fee: Providing Money Services',
    },
    amount: { currency: 'USD', minor: 1_000_000n },
  },
  {
    code: 'AFSA-APP-AI',
    ministry: 'AFSA',
    title: {
      kk: 'Бекітілген тұлға мәртебесіне өтінішті қарау алымы',
      ru: 'Сбор за рассмотрение заявления о признании одобренным лицом',
      en: 'Approved Individual application fee',
    },
    amount: { currency: 'USD', minor: 50_000n },
  },
  {
    code: 'MINFIN-LIC-FEE',
    ministry: 'MINFIN',
    title: {
      kk: 'Қызметтің жекелеген түрлерімен айналысу құқығы үшін лицензиялық алым',
      ru: 'Лицензионный сбор за право занятия отдельными видами деятельности',
      en: 'Licence fee for the right to engage in a licensed activity',
    },
    amount: { mrp: 1_000n },
    budget: { kbk: '105402', knp: '911', kbe: '11', beneficiaryBin: SAMPLE_REVENUE_OFFICE_BIN },
  },
  {
    code: 'MINFIN-DUTY-APOSTILLE',
    ministry: 'MINFIN',
    title: {
      kk: 'Ресми құжатқа апостиль қойғаны үшін мемлекеттік баж',
      ru: 'Государственная пошлина за проставление апостиля на официальном документе',
      en: 'State duty for an apostille on an official document',
    },
    amount: { mrp: 50n },
    budget: MINFIN_DUTY_BUDGET,
  },
  {
    code: 'MINFIN-DUTY-LIC-DUP',
    ministry: 'MINFIN',
    title: {
      kk: 'Лицензияның телнұсқасын бергені үшін мемлекеттік баж',
      ru: 'Государственная пошлина за выдачу дубликата лицензии',
      en: 'State duty for issuing a duplicate licence',
    },
    amount: { currency: 'KZT', minor: 1_500_000n },
    budget: MINFIN_DUTY_BUDGET,
    requiresLicence: true,
  },
]);
