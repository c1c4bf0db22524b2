/**
 * Sends one mail to an invoice's payer (the outbox's `payer-mail` messages): the invoice link while the invoice can
 * be paid, the receipt page while that receipt stands, in the invoice's language. A mail is claimed before it is sent
 * (duplicate messages are normal: a retried request, a redelivered sighting), so two consumers never both send it; a
 * mail the mail service refuses for this recipient for good is recorded `rejected` and never retried; any other
 * failure gives the claim up and is a `retry` the queue repeats, then its dead-letter queue. Mail runs beside the
 * registry publication, after it: a mail that fails holds no receipt back.
 */
import { logger } from '../adapters/observability';
import { effectiveState, type Invoice } from '../domain/invoices';
import { DEFAULT_LANGUAGE } from '../domain/languages';
import { type PayerMailRequest, payerMailKey, payerMailMessageId } from '../domain/payer-mail';
import type { InvoiceStore, Mailer, MailSendResult, PayerMailLog } from '../ports';
import { composePayerMail } from '../web/mail/payer-mail';

/** How long a sender's claim on a mail holds: well past one send (the mailers time out within seconds). */
const CLAIM_MS = 2 * 60_000;

export interface NotifyPayerDeps {
  invoices: Pick<InvoiceStore, 'get'>;
  mailLog: PayerMailLog;
  mailer: Mailer;
  publicBaseUrl: string;
  now: () => Date;
}

/** What one mail request came to. `error` of a retry names the failure, never the address. */
export type NotifyOutcome =
  | { result: 'sent' | 'rejected' }
  | { result: 'skipped'; reason: string }
  | { result: 'retry'; error: string };

/** Sends the mail `request` asks for, unless it is claimed or done, or no longer due. */
export async function notifyPayer(request: PayerMailRequest, deps: NotifyPayerDeps): Promise<NotifyOutcome> {
  const { invoiceId, template } = request;
  const invoice = await deps.invoices.get(invoiceId);
  if (!invoice?.payer.email) return { result: 'skipped', reason: 'no invoice, or no payer address' };
  const stale = staleReason(request, invoice, deps.now());
  if (stale) return { result: 'skipped', reason: stale };
  const mail = payerMailKey(request);
  const now = deps.now();
  if (!(await deps.mailLog.claim(invoiceId, mail, template, now, new Date(now.getTime() + CLAIM_MS)))) {
    return { result: 'skipped', reason: 'already claimed or done' };
  }

  const lang = invoice.language ?? DEFAULT_LANGUAGE;
  const composed = composePayerMail(template, invoice, lang, deps.publicBaseUrl);
  const messageId = payerMailMessageId(invoiceId, mail, deps.mailer.messageIdDomain);
  let sent: MailSendResult;
  try {
    sent = await deps.mailer.send({ to: invoice.payer.email, ...composed, messageId, language: lang });
  } catch (error) {
    await deps.mailLog.release(invoiceId, mail).catch(() => {});
    const { name, code } = error as Error & { code?: string };
    return { result: 'retry', error: code ? `${name} ${code}` : name };
  }
  const at = deps.now().toISOString();
  if (sent.result === 'rejected') {
    logger.warn('the mail service refused a payer mail for good', { invoiceId, mail, reason: sent.reason });
    await deps.mailLog.complete({ invoiceId, mail, template, state: 'rejected', at, reason: sent.reason });
    return { result: 'rejected' };
  }
  const providerMessageId = sent.providerMessageId;
  await deps.mailLog.complete({
    invoiceId,
    mail,
    template,
    state: 'sent',
    at,
    ...(providerMessageId ? { providerMessageId } : {}),
  });
  return { result: 'sent' };
}

/**
 * Why a mail is no longer worth sending, if it is not: an invoice mail once the invoice takes no payment (a delayed
 * message must not send anyone to pay a cancelled invoice), a receipt mail once its receipt is not the invoice's
 * standing one (annulled since).
 */
function staleReason(request: PayerMailRequest, invoice: Invoice, now: Date): string | undefined {
  const { status } = effectiveState(invoice, now);
  if (request.template === 'invoice-issued') {
    return status === 'open' || status === 'processing' ? undefined : `the invoice is ${status}`;
  }
  return status === 'paid' && invoice.receiptId === request.receiptId ? undefined : 'the receipt does not stand';
}
