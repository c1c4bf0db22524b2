/**
 * What the holder of an invoice link sees: the invoice's public view, served as JSON by `GET /v1/pay/{id}` and
 * rendered as HTML by `GET /pay/{id}`. It leaves out what only the ministry needs (deposit index, budget codes are
 * kept since the payer's accountant needs them).
 */

import * as z from 'zod';
import type { BudgetDetails, FeeAmountWire, FeeTitle } from '../../domain/fees';
import type { QuoteInfo } from '../../domain/fx';
import {
  effectiveState,
  type Invoice,
  type InvoiceException,
  type InvoiceStatus,
  invoiceToWire,
} from '../../domain/invoices';

/** Languages of the payment page. */
export const payLanguages = ['kk', 'ru', 'en'] as const;
export type PayLanguage = (typeof payLanguages)[number];

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
  payer: { name: string; bin: string };
  fee: FeeAmountWire;
  budget?: BudgetDetails;
  quote: QuoteInfo;
  dueMicroUsd: string;
  paidMicroUsd: string;
  pendingMicroUsd: string;
  overpaidMicroUsd: string;
  createdAt: string;
  expiresAt: string;
  options: PayOptionView[];
  /** Where the payer downloads its receipt once paid, else null. */
  receiptUrl: string | null;
}

/** The public view of `invoice` at `now`. */
export function toPayView(invoice: Invoice, now: Date, publicBaseUrl: string): PayView {
  const wire = invoiceToWire(invoice, now, publicBaseUrl);
  const { status, exception } = effectiveState(invoice, now);
  return {
    id: wire.id,
    status,
    exception,
    ministry: wire.ministry,
    feeCode: wire.feeCode,
    feeTitle: wire.feeTitle,
    ...(wire.reference ? { reference: wire.reference } : {}),
    payer: { name: wire.payer.name, bin: wire.payer.bin },
    fee: wire.fee,
    ...(wire.budget ? { budget: wire.budget } : {}),
    quote: wire.quote,
    dueMicroUsd: wire.dueMicroUsd,
    paidMicroUsd: wire.paidMicroUsd,
    pendingMicroUsd: wire.pendingMicroUsd,
    overpaidMicroUsd: wire.overpaidMicroUsd,
    createdAt: wire.createdAt,
    expiresAt: wire.expiresAt,
    options: wire.options,
    receiptUrl: invoice.receiptId ? `${publicBaseUrl}/v1/pay/${invoice.id}/receipt` : null,
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
  return 'ru';
}
