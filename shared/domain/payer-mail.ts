/**
 * Mail to the payer (DESIGN "Payer and ministry experience"): the invoice link when an invoice is issued, the
 * receipt link when it is paid (once per receipt: a payment paid again after an annulment gets its own). The sender
 * claims a mail before sending it (a lease, so two consumers of duplicate messages never both send), records what
 * the mail service said, and skips a mail already claimed or done. Only a crash after the send and before the record
 * can send one twice, once the lease has run out.
 */
import * as z from 'zod';
import { INVOICE_ID_PATTERN } from './invoices';

export const payerMailTemplates = ['invoice-issued', 'invoice-paid'] as const;
export type PayerMailTemplate = (typeof payerMailTemplates)[number];

/** The outbox message asking for one mail to an invoice's payer; a receipt mail names its receipt. */
export interface PayerMailRequest {
  kind: 'payer-mail';
  template: PayerMailTemplate;
  invoiceId: string;
  /** With `invoice-paid`: the receipt the mail links (an annulled receipt's mail is not sent). */
  receiptId?: string;
}

/** The outbox message's schema (the consumer parses with it). */
export const payerMailRequestSchema = z
  .strictObject({
    kind: z.literal('payer-mail'),
    template: z.enum(payerMailTemplates),
    invoiceId: z.string().regex(INVOICE_ID_PATTERN),
    receiptId: z
      .string()
      .regex(/^rcp_[A-Za-z0-9_.-]{1,64}$/)
      .optional(),
  })
  .refine((m) => (m.template === 'invoice-paid') === (m.receiptId !== undefined), {
    message: 'a receipt mail names its receipt, an invoice mail none',
    path: ['receiptId'],
  });

/** The mail a request asks for: one per invoice for the invoice link, one per receipt for the receipt link. */
export function payerMailKey(request: Pick<PayerMailRequest, 'template' | 'receiptId'>): string {
  return request.receiptId ? `${request.template}#${request.receiptId}` : request.template;
}

/**
 * What became of one mail: claimed by a sender (`sending`, until `leaseUntil`), handed to the mail service, or
 * refused by it at send time for good (a bad address).
 */
export interface PayerMailRecord {
  invoiceId: string;
  /** {@link payerMailKey} of the request. */
  mail: string;
  template: PayerMailTemplate;
  state: 'sending' | 'sent' | 'rejected';
  at: string;
  /** With `sending`: until when the claim holds; a later sender may take over an expired one. */
  leaseUntil?: string;
  /** The id the mail service gave the message, once sent. */
  providerMessageId?: string;
  /** With `rejected`: the mail service's reason, without the address. */
  reason?: string;
}

/** The Message-ID an SMTP relay sends a mail with, the same on every try (SES assigns its own). */
export function payerMailMessageId(invoiceId: string, mail: string, domain: string): string {
  return `<${mail.replace('#', '.')}.${invoiceId}@${domain}>`;
}

/**
 * A payer's mail address as an invoice accepts it: RFC 5321's 254-character bound, one address, no display name or
 * line break (nothing a header could be injected through).
 */
export const payerEmailSchema = z.email().max(254);
