/** In-memory payer mail ports: the log (shared/ports.ts PayerMailLog) and a mailer that keeps what it is given. */
import type { PayerMailRecord, PayerMailTemplate } from '../../shared/domain/payer-mail';
import type { Mailer, MailSendResult, OutgoingMail, PayerMailLog } from '../../shared/ports';

/** The payer mail log in a map, with the table's conditions: one claim at a time, an expired one taken over. */
export class MemoryPayerMailLog implements PayerMailLog {
  readonly records = new Map<string, PayerMailRecord>();

  async claim(invoiceId: string, mail: string, template: PayerMailTemplate, now: Date, leaseUntil: Date) {
    const key = `${invoiceId}/${mail}`;
    const held = this.records.get(key);
    if (held && !(held.state === 'sending' && (held.leaseUntil ?? '') < now.toISOString())) return false;
    this.records.set(key, {
      invoiceId,
      mail,
      template,
      state: 'sending',
      at: now.toISOString(),
      leaseUntil: leaseUntil.toISOString(),
    });
    return true;
  }

  async complete(record: PayerMailRecord): Promise<void> {
    this.records.set(`${record.invoiceId}/${record.mail}`, { ...record });
  }

  async release(invoiceId: string, mail: string): Promise<void> {
    const held = this.records.get(`${invoiceId}/${mail}`);
    if (held?.state === 'sending') held.leaseUntil = new Date(0).toISOString();
  }

  async forInvoice(invoiceId: string): Promise<PayerMailRecord[]> {
    return [...this.records.values()].filter((r) => r.invoiceId === invoiceId);
  }

  get(invoiceId: string, mail: string): PayerMailRecord | undefined {
    return this.records.get(`${invoiceId}/${mail}`);
  }
}

/**
 * A mailer that keeps each mail and answers with `next` (a result, or an error to throw), `sent` by default;
 * `gate`, when set, is awaited inside each send (lets a test run two sends at once).
 */
export class MemoryMailer implements Mailer {
  readonly messageIdDomain = 'stablefee.test';
  readonly sent: OutgoingMail[] = [];
  next: MailSendResult | Error = { result: 'sent' };
  gate?: Promise<void>;

  async send(mail: OutgoingMail): Promise<MailSendResult> {
    await this.gate;
    if (this.next instanceof Error) throw this.next;
    this.sent.push(mail);
    return this.next;
  }
}
