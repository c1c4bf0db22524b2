/** In-memory payer mail ports: the log (shared/ports.ts PayerMailLog) and a mailer that keeps what it is given. */
import type { PayerMailRecord, PayerMailTemplate } from '../../shared/domain/payer-mail';
import type { Mailer, MailSendResult, OutgoingMail, PayerMailLog } from '../../shared/ports';

/** The payer mail log in a map; `record` keeps the first record of a mail, as the table's conditional put does. */
export class MemoryPayerMailLog implements PayerMailLog {
  readonly records = new Map<string, PayerMailRecord>();

  async get(invoiceId: string, template: PayerMailTemplate): Promise<PayerMailRecord | undefined> {
    return this.records.get(`${invoiceId}/${template}`);
  }

  async record(record: PayerMailRecord): Promise<void> {
    const key = `${record.invoiceId}/${record.template}`;
    if (!this.records.has(key)) this.records.set(key, record);
  }

  async forInvoice(invoiceId: string): Promise<PayerMailRecord[]> {
    return [...this.records.values()].filter((r) => r.invoiceId === invoiceId);
  }
}

/** A mailer that keeps each mail and answers with `next` (a result, or an error to throw), `sent` by default. */
export class MemoryMailer implements Mailer {
  readonly messageIdDomain = 'stablefee.test';
  readonly sent: OutgoingMail[] = [];
  next: MailSendResult | Error = { result: 'sent' };

  async send(mail: OutgoingMail): Promise<MailSendResult> {
    if (this.next instanceof Error) throw this.next;
    this.sent.push(mail);
    return this.next;
  }
}
