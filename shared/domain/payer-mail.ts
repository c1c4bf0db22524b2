/**
 * Mail to the payer (DESIGN "Payer and ministry experience"): the invoice link when an invoice is issued, the
 * receipt link when it is paid. Each (invoice, template) is sent at most once as far as the service can tell: the
 * sender records what it sent and skips a message it already sent (a crash between the send and the record can
 * still send one twice, with the same Message-ID, which mail clients fold into one).
 */
import * as z from 'zod';
import { INVOICE_ID_PATTERN } from './invoices';

export const payerMailTemplates = ['invoice-issued', 'invoice-paid'] as const;
export type PayerMailTemplate = (typeof payerMailTemplates)[number];

/** The outbox message asking for one mail to an invoice's payer. */
export interface PayerMailRequest {
  kind: 'payer-mail';
  template: PayerMailTemplate;
  invoiceId: string;
}

/** The outbox message's schema (the consumer parses with it). */
export const payerMailRequestSchema = z.strictObject({
  kind: z.literal('payer-mail'),
  template: z.enum(payerMailTemplates),
  invoiceId: z.string().regex(INVOICE_ID_PATTERN),
});

/** What became of one mail: handed to the mail service, or refused by it for good (a bad address, a bounce). */
export interface PayerMailRecord {
  invoiceId: string;
  template: PayerMailTemplate;
  state: 'sent' | 'rejected';
  at: string;
  /** The RFC 5322 Message-ID the mail carries: the same for every try of one (invoice, template). */
  messageId: string;
  /** With `rejected`: the mail service's reason, without the address. */
  reason?: string;
}

/** The Message-ID of an invoice's mail of `template`, stable across tries so a duplicate reads as one. */
export function payerMailMessageId(invoiceId: string, template: PayerMailTemplate, domain: string): string {
  return `<${template}.${invoiceId}@${domain}>`;
}

/**
 * A payer's mail address as an invoice accepts it: RFC 5321's 254-character bound, one address, no display name or
 * line break (nothing a header could be injected through).
 */
export const payerEmailSchema = z.email().max(254);
