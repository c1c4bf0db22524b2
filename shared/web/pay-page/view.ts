/**
 * What the holder of an invoice link sees: the invoice's public view, served as JSON by `GET /v1/pay/{id}` and
 * rendered as HTML by `GET /pay/{id}`. It leaves out what only the ministry needs (deposit index, budget codes are
 * kept since the payer's accountant needs them).
 */

import * as z from 'zod';
import { eip681TransferUri } from '../../domain/eip681';
import type { BudgetDetails, FeeAmountWire, FeeTitle, IssuerContact } from '../../domain/fees';
import type { QuoteInfo } from '../../domain/fx';
import {
  effectiveState,
  type Invoice,
  type InvoiceException,
  type InvoiceStatus,
  invoiceToWire,
  LATE_WINDOW_MINUTES,
} from '../../domain/invoices';
import { DEFAULT_LANGUAGE, type Language, languages } from '../../domain/languages';

/** Languages of the payment page. */
/** The page's languages: the service's ({@link languages}). */
export const payLanguages = languages;
export type PayLanguage = Language;

/**
 * The one rule for a `?lang=` query value, wherever a route reads it: a BCP 47-shaped tag (letters, then subtags of
 * letters and digits joined by `-`) of at most 35 characters. A well-formed tag we do not translate into falls back
 * to negotiation ({@link choosePayLanguage}); anything else is a 400, so arbitrary text never reaches the page.
 */
export const langQuerySchema = z
  .string()
  .max(35, 'at most 35 characters')
  .regex(/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/, 'a language tag such as kk, ru or en');

export interface PayOptionView {
  chainId: number;
  chain: string;
  token: string;
  symbol: string;
  decimals: number;
  /** Base units, decimal string. */
  amount: string;
  depositAddress: string;
  eip681: string;
}

export interface PayView {
  id: string;
  status: InvoiceStatus;
  exception: InvoiceException;
  ministry: string;
  feeCode: string;
  feeTitle: FeeTitle;
  reference?: string;
  payer: { name: string; bin: string; licenceNo?: string };
  /** How the payer reaches the issuer (the fee's contact when the invoice was issued). */
  issuerContact?: IssuerContact;
  fee: FeeAmountWire;
  budget?: BudgetDetails;
  quote: QuoteInfo;
  dueMicroUsd: string;
  paidMicroUsd: string;
  pendingMicroUsd: string;
  overpaidMicroUsd: string;
  /** What is still to pay after final and pending payments (micro-USD, never negative). */
  remainingMicroUsd: string;
  /**
   * Whether the page offers payment: the invoice takes payments (open or processing, or expired with a part paid and
   * still inside the late window) and something remains after the payments in flight.
   */
  payable: boolean;
  /** Set while an expired, part-paid invoice still takes the remainder at its locked quote: until when. */
  lateUntil?: string;
  createdAt: string;
  expiresAt: string;
  /** One per chain and token; each asks for the remainder (`remainingMicroUsd`) in that token's base units. */
  options: PayOptionView[];
  /** Where the payer downloads its signed receipt (JSON) once paid, else null. */
  receiptUrl: string | null;
  /** The receipt as a page to read and print, once paid, else null. */
  receiptPageUrl: string | null;
}

/**
 * `microUsd` in base units of a token with `decimals` (a stablecoin counts at face value): exact for 6 or more
 * decimals, rounded up below that, so paying the figure never leaves a sliver unpaid.
 */
export function microUsdToUnits(microUsd: bigint, decimals: number): bigint {
  if (decimals >= 6) return microUsd * 10n ** BigInt(decimals - 6);
  const per = 10n ** BigInt(6 - decimals);
  return (microUsd + per - 1n) / per;
}

/** Until when an expired invoice with a part paid still takes the rest (the late window), else undefined. */
function lateWindow(invoice: Invoice, status: InvoiceStatus, now: Date): string | undefined {
  if (status !== 'expired' || invoice.paidMicroUsd + invoice.pendingMicroUsd === 0n) return undefined;
  if (invoice.status === 'cancelled' || invoice.status === 'paid') return undefined;
  const until = Date.parse(invoice.expiresAt) + LATE_WINDOW_MINUTES * 60_000;
  return now.getTime() < until ? new Date(until).toISOString() : undefined;
}

/** The public view of `invoice` at `now`. */
export function toPayView(invoice: Invoice, now: Date, publicBaseUrl: string): PayView {
  const wire = invoiceToWire(invoice, now, publicBaseUrl);
  const { status, exception } = effectiveState(invoice, now);
  let remaining = invoice.dueMicroUsd - invoice.paidMicroUsd - invoice.pendingMicroUsd;
  if (remaining < 0n) remaining = 0n;
  const lateUntil = lateWindow(invoice, status, now);
  const takesPayment = status === 'open' || status === 'processing' || lateUntil !== undefined;
  const options = wire.options.map((o) => {
    const amount = microUsdToUnits(remaining, o.decimals);
    const eip681 = eip681TransferUri({ token: o.token, chainId: o.chainId, to: o.depositAddress, amount });
    return { ...o, amount: amount.toString(), eip681 };
  });
  return {
    id: wire.id,
    status,
    exception,
    ministry: wire.ministry,
    feeCode: wire.feeCode,
    feeTitle: wire.feeTitle,
    ...(wire.reference ? { reference: wire.reference } : {}),
    payer: {
      name: wire.payer.name,
      bin: wire.payer.bin,
      ...(wire.payer.licenceNo ? { licenceNo: wire.payer.licenceNo } : {}),
    },
    ...(wire.issuerContact ? { issuerContact: wire.issuerContact } : {}),
    fee: wire.fee,
    ...(wire.budget ? { budget: wire.budget } : {}),
    quote: wire.quote,
    dueMicroUsd: wire.dueMicroUsd,
    paidMicroUsd: wire.paidMicroUsd,
    pendingMicroUsd: wire.pendingMicroUsd,
    overpaidMicroUsd: wire.overpaidMicroUsd,
    remainingMicroUsd: remaining.toString(),
    payable: takesPayment && remaining > 0n,
    ...(lateUntil ? { lateUntil } : {}),
    createdAt: wire.createdAt,
    expiresAt: wire.expiresAt,
    options,
    receiptUrl: invoice.receiptId ? `${publicBaseUrl}/v1/pay/${invoice.id}/receipt` : null,
    receiptPageUrl: invoice.receiptId ? `${publicBaseUrl}/pay/${invoice.id}/receipt` : null,
  };
}

/**
 * The page language: `?lang=` first, then the best `Accept-Language` match, then Russian (the language most
 * Kazakhstan firms' accountants read; Kazakh and English are one click away).
 */
export function choosePayLanguage(queryLang: string | undefined, acceptLanguage: string | undefined): PayLanguage {
  if (queryLang && (payLanguages as readonly string[]).includes(queryLang)) return queryLang as PayLanguage;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? 1);
      return { lang: tag.toLowerCase().split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0 };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { lang } of ranked) if ((payLanguages as readonly string[]).includes(lang)) return lang as PayLanguage;
  return DEFAULT_LANGUAGE;
}
