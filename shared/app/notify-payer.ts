/**
 * Sends one mail to an invoice's payer (the outbox's `payer-mail` messages): the invoice link when it is issued, the
 * receipt page when it is paid, in the invoice's language. A mail is sent at most once per (invoice, template) as far
 * as the log can tell; a mail the mail service refuses for good (a bad address, a bounce) is recorded `rejected` and
 * never retried; a transient failure is a `retry` the queue repeats, then its dead-letter queue. Mail runs beside the
 * registry publication, never before it: a mail that fails blocks no receipt.
 */
import { logger } from '../adapters/observability';
import { effectiveState } from '../domain/invoices';
import { DEFAULT_LANGUAGE } from '../domain/languages';
import { type PayerMailRequest, payerMailMessageId } from '../domain/payer-mail';
import type { InvoiceStore, Mailer, PayerMailLog } from '../ports';
import { composePayerMail } from '../web/mail/payer-mail';

export interface NotifyPayerDeps {
  invoices: Pick<InvoiceStore, 'get'>;
  mailLog: PayerMailLog;
  mailer: Mailer;
  publicBaseUrl: string;
  now: () => Date;
}

/** What one mail request came to. */
export type NotifyOutcome =
  | { result: 'sent' | 'rejected' }
  | { result: 'skipped'; reason: string }
  | { result: 'retry'; error: string };

/** Sends the mail `request` asks for, unless it was sent, refused for good, or is no longer due. */
export async function notifyPayer(request: PayerMailRequest, deps: NotifyPayerDeps): Promise<NotifyOutcome> {
  const { invoiceId, template } = request;
  const invoice = await deps.invoices.get(invoiceId);
  if (!invoice?.payer.email) return { result: 'skipped', reason: 'no invoice, or no payer address' };
  if (template === 'invoice-paid' && (!invoice.receiptId || effectiveState(invoice, deps.now()).status !== 'paid')) {
    // A paid mail for an invoice whose receipt was annulled since: the page already tells the truth, the mail would not.
    return { result: 'skipped', reason: 'the invoice is not paid' };
  }
  const earlier = await deps.mailLog.get(invoiceId, template);
  if (earlier) return { result: 'skipped', reason: `already ${earlier.state}` };

  const lang = invoice.language ?? DEFAULT_LANGUAGE;
  const messageId = payerMailMessageId(invoiceId, template, deps.mailer.messageIdDomain);
  const mail = composePayerMail(template, invoice, lang, deps.publicBaseUrl);
  let sent: Awaited<ReturnType<Mailer['send']>>;
  try {
    sent = await deps.mailer.send({ to: invoice.payer.email, ...mail, messageId, language: lang });
  } catch (error) {
    return { result: 'retry', error: (error as Error).message };
  }
  const at = deps.now().toISOString();
  if (sent.result === 'rejected') {
    logger.warn('the mail service refused a payer mail for good', { invoiceId, template, reason: sent.reason });
    await deps.mailLog.record({ invoiceId, template, state: 'rejected', at, messageId, reason: sent.reason });
    return { result: 'rejected' };
  }
  await deps.mailLog.record({ invoiceId, template, state: 'sent', at, messageId });
  return { result: 'sent' };
}
