/**
 * Mail to payers (shared/app/notify-payer.ts, shared/web/mail/payer-mail.ts): each mail once, in the invoice's
 * language, with working links; a refusal for good is recorded and not retried, a transient failure is a retry; a
 * paid mail for an invoice no longer paid is not sent.
 */
import { describe, expect, it } from 'vitest';
import { type NotifyPayerDeps, notifyPayer } from '../../shared/app/notify-payer';
import type { Invoice } from '../../shared/domain/invoices';
import type { PayerMailRequest } from '../../shared/domain/payer-mail';
import { payerEmailSchema } from '../../shared/domain/payer-mail';
import { composePayerMail } from '../../shared/web/mail/payer-mail';
import { anInvoice } from '../support/invoices';
import { MemoryInvoiceStore } from '../support/memory-invoice-store';
import { MemoryMailer, MemoryPayerMailLog } from '../support/memory-mail';

const BASE = 'https://pay.example.kz';
const title = { kk: 'Қадағалау алымы', ru: 'Надзорный сбор', en: 'Supervision fee' };

function setup(overrides: Partial<Invoice> = {}) {
  const invoice = anInvoice({
    feeTitle: title,
    payer: { bin: '940140000385', name: 'Firm <LLP>', kod: '17', email: 'accountant@firm.kz' },
    ...overrides,
  });
  const mailer = new MemoryMailer();
  const mailLog = new MemoryPayerMailLog();
  const deps: NotifyPayerDeps = {
    invoices: new MemoryInvoiceStore().seed(invoice),
    mailLog,
    mailer,
    publicBaseUrl: BASE,
    now: () => new Date('2026-03-10T06:30:00Z'),
  };
  const request = (template: PayerMailRequest['template']): PayerMailRequest => ({
    kind: 'payer-mail',
    template,
    invoiceId: invoice.id,
  });
  return { invoice, mailer, mailLog, deps, request };
}

describe('notifyPayer', () => {
  it('sends the invoice mail once, in the invoice language, with the pay link and a stable Message-ID', async () => {
    const { invoice, mailer, mailLog, deps, request } = setup({ language: 'kk' });
    expect(await notifyPayer(request('invoice-issued'), deps)).toEqual({ result: 'sent' });
    expect(await notifyPayer(request('invoice-issued'), deps)).toEqual({ result: 'skipped', reason: 'already sent' });
    expect(mailer.sent).toHaveLength(1);
    const [mail] = mailer.sent;
    expect(mail).toMatchObject({ to: 'accountant@firm.kz', language: 'kk' });
    expect(mail?.subject).toContain(title.kk);
    expect(mail?.text).toContain(`${BASE}/pay/${invoice.id}?lang=kk`);
    expect(mail?.messageId).toBe(`<invoice-issued.${invoice.id}@stablefee.test>`);
    expect(await mailLog.get(invoice.id, 'invoice-issued')).toMatchObject({ state: 'sent' });
  });

  it('sends the receipt mail only while the invoice is paid, with the receipt page link', async () => {
    const { invoice, mailer, deps, request } = setup();
    expect(await notifyPayer(request('invoice-paid'), deps)).toMatchObject({ result: 'skipped' });
    expect(mailer.sent).toHaveLength(0);

    const paid = setup({ status: 'paid', receiptId: 'rcp_AAAAAAAAAAAAAAAAAAAAAA', paidMicroUsd: 300_000_000n });
    expect(await notifyPayer(paid.request('invoice-paid'), paid.deps)).toEqual({ result: 'sent' });
    expect(paid.mailer.sent[0]?.text).toContain(`${BASE}/pay/${paid.invoice.id}/receipt?lang=ru`);
    expect(invoice.language).toBeUndefined();
  });

  it('records a refusal for good once and never tries again; a transient failure is a retry, unrecorded', async () => {
    const { invoice, mailer, mailLog, deps, request } = setup();
    mailer.next = new Error('connect ECONNREFUSED');
    expect(await notifyPayer(request('invoice-issued'), deps)).toEqual({
      result: 'retry',
      error: 'connect ECONNREFUSED',
    });
    expect(await mailLog.get(invoice.id, 'invoice-issued')).toBeUndefined();

    mailer.next = { result: 'rejected', reason: 'SMTP 550' };
    expect(await notifyPayer(request('invoice-issued'), deps)).toEqual({ result: 'rejected' });
    expect(await mailLog.get(invoice.id, 'invoice-issued')).toMatchObject({ state: 'rejected', reason: 'SMTP 550' });
    mailer.next = { result: 'sent' };
    expect(await notifyPayer(request('invoice-issued'), deps)).toEqual({
      result: 'skipped',
      reason: 'already rejected',
    });
  });

  it('sends nothing for an invoice without an address, or an unknown invoice', async () => {
    const { mailer, deps } = setup({ payer: { bin: '940140000385', name: 'Firm', kod: '17' } });
    const id = [...(deps.invoices as MemoryInvoiceStore).invoices.keys()][0] ?? '';
    expect(await notifyPayer({ kind: 'payer-mail', template: 'invoice-issued', invoiceId: id }, deps)).toMatchObject({
      result: 'skipped',
    });
    const unknown = {
      kind: 'payer-mail',
      template: 'invoice-issued',
      invoiceId: 'inv_AAAAAAAAAAAAAAAAAAAAAA',
    } as const;
    expect(await notifyPayer(unknown, deps)).toMatchObject({ result: 'skipped' });
    expect(mailer.sent).toHaveLength(0);
  });
});

describe('composePayerMail', () => {
  it('writes each language, escapes what the ministry typed in the HTML, and links only the service', () => {
    const invoice = anInvoice({ feeTitle: title, payer: { bin: '940140000385', name: 'Firm <b>LLP</b>', kod: '17' } });
    for (const lang of ['kk', 'ru', 'en'] as const) {
      const mail = composePayerMail('invoice-issued', invoice, lang, BASE);
      expect(mail.subject).toContain(title[lang]);
      expect(mail.html).toContain(`lang="${lang}"`);
      expect(mail.html).toContain('Firm &lt;b&gt;LLP&lt;/b&gt;');
      expect(mail.html).not.toContain('<b>LLP');
      expect(mail.html).toContain(`<a href="${BASE}/pay/${invoice.id}?lang=${lang}">`);
    }
    expect(composePayerMail('invoice-issued', invoice, 'en', BASE).text).toContain('USD 300.00');
  });
});

describe('payer.email', () => {
  it('takes one plain address and refuses header injection, display names and overlong ones', () => {
    expect(payerEmailSchema.safeParse('accountant@firm.kz').success).toBe(true);
    for (const bad of [
      'a@b.kz\r\nBcc: x@y.kz',
      'Firm <a@b.kz>',
      'a@b.kz, c@d.kz',
      'not-an-address',
      `${'a'.repeat(250)}@b.kz`,
    ]) {
      expect(payerEmailSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});
