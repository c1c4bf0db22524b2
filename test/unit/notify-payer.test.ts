/**
 * Mail to payers (shared/app/notify-payer.ts, shared/web/mail/payer-mail.ts): each mail once, even from duplicate
 * messages handled at once; in the invoice's language with working links; a refusal for good recorded and not
 * retried, a transient failure retried; nothing sent that is no longer true (a cancelled invoice, an annulled receipt);
 * nothing a ministry typed turned into a link.
 */
import { describe, expect, it } from 'vitest';
import { type NotifyPayerDeps, notifyPayer } from '../../shared/app/notify-payer';
import type { Invoice } from '../../shared/domain/invoices';
import { type PayerMailRequest, payerEmailSchema, payerMailRequestSchema } from '../../shared/domain/payer-mail';
import { composePayerMail } from '../../shared/web/mail/payer-mail';
import { anInvoice } from '../support/invoices';
import { MemoryInvoiceStore } from '../support/memory-invoice-store';
import { MemoryMailer, MemoryPayerMailLog } from '../support/memory-mail';

const BASE = 'https://pay.example.kz';
const title = { kk: 'Қадағалау алымы', ru: 'Надзорный сбор', en: 'Supervision fee' };
const RECEIPT = 'rcp_AAAAAAAAAAAAAAAAAAAAAA.1';

function setup(overrides: Partial<Invoice> = {}) {
  const invoice = anInvoice({
    feeTitle: title,
    payer: { bin: '940140000385', name: 'Firm <LLP>', kod: '17', email: 'accountant@firm.kz' },
    ...overrides,
  });
  const store = new MemoryInvoiceStore().seed(invoice);
  const mailer = new MemoryMailer();
  const mailLog = new MemoryPayerMailLog();
  let now = new Date('2026-03-10T06:30:00Z');
  const deps: NotifyPayerDeps = { invoices: store, mailLog, mailer, publicBaseUrl: BASE, now: () => now };
  const issued: PayerMailRequest = { kind: 'payer-mail', template: 'invoice-issued', invoiceId: invoice.id };
  const paid = (receiptId = RECEIPT): PayerMailRequest => ({
    kind: 'payer-mail',
    template: 'invoice-paid',
    invoiceId: invoice.id,
    receiptId,
  });
  const later = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  return { invoice, store, mailer, mailLog, deps, issued, paid, later };
}

const paidState = { status: 'paid', receiptId: RECEIPT, paidMicroUsd: 300_000_000n } as const;

describe('notifyPayer', () => {
  it('sends the invoice mail once, in the invoice language, with the pay link', async () => {
    const { invoice, mailer, mailLog, deps, issued } = setup({ language: 'kk' });
    expect(await notifyPayer(issued, deps)).toEqual({ result: 'sent' });
    expect(await notifyPayer(issued, deps)).toEqual({ result: 'skipped', reason: 'already claimed or done' });
    expect(mailer.sent).toHaveLength(1);
    const [mail] = mailer.sent;
    expect(mail).toMatchObject({ to: 'accountant@firm.kz', language: 'kk' });
    expect(mail?.subject).toContain(title.kk);
    expect(mail?.text).toContain(`${BASE}/pay/${invoice.id}?lang=kk`);
    expect(mail?.messageId).toBe(`<invoice-issued.${invoice.id}@stablefee.test>`);
    expect(mailLog.get(invoice.id, 'invoice-issued')).toMatchObject({ state: 'sent' });
  });

  it('sends once when duplicate messages are handled at the same time', async () => {
    const { mailer, deps, issued } = setup();
    let open = () => {};
    mailer.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const both = Promise.all([notifyPayer(issued, deps), notifyPayer(issued, deps)]);
    open();
    expect((await both).map((o) => o.result).sort()).toEqual(['sent', 'skipped']);
    expect(mailer.sent).toHaveLength(1);
  });

  it('does not send the invoice mail once the invoice takes no payment (a delayed message)', async () => {
    for (const status of ['cancelled', 'paid'] as const) {
      const { mailer, deps, issued } = setup({ status });
      expect(await notifyPayer(issued, deps)).toEqual({ result: 'skipped', reason: `the invoice is ${status}` });
      expect(mailer.sent).toHaveLength(0);
    }
    const expired = setup({ expiresAt: '2026-03-10T06:00:00.000Z' });
    expect(await notifyPayer(expired.issued, expired.deps)).toMatchObject({ result: 'skipped' });
  });

  it('sends a receipt mail per standing receipt: none for an annulled one, one for the receipt after it', async () => {
    const unpaid = setup();
    expect(await notifyPayer(unpaid.paid(), unpaid.deps)).toMatchObject({ result: 'skipped' });

    const { invoice, store, mailer, deps, paid } = setup(paidState);
    expect(await notifyPayer(paid(), deps)).toEqual({ result: 'sent' });
    expect(mailer.sent[0]?.text).toContain(`${BASE}/pay/${invoice.id}/receipt?lang=ru`);
    // The receipt was annulled and the invoice paid again: the new receipt gets its own mail, the old one no other.
    const next = 'rcp_AAAAAAAAAAAAAAAAAAAAAA.2';
    store.seed({ ...invoice, receiptId: next });
    expect(await notifyPayer(paid(), deps)).toMatchObject({ result: 'skipped', reason: 'the receipt does not stand' });
    expect(await notifyPayer(paid(next), deps)).toEqual({ result: 'sent' });
    expect(mailer.sent).toHaveLength(2);
  });

  it('records a refusal for good and never tries again; a transient failure is retried and then sent', async () => {
    const { invoice, mailer, mailLog, deps, issued } = setup();
    mailer.next = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25 for accountant@firm.kz'), {
      code: 'ECONNREFUSED',
    });
    const retry = await notifyPayer(issued, deps);
    expect(retry).toEqual({ result: 'retry', error: 'Error ECONNREFUSED' });
    mailer.next = { result: 'sent', providerMessageId: 'ses-1' };
    expect(await notifyPayer(issued, deps)).toEqual({ result: 'sent' });
    expect(mailLog.get(invoice.id, 'invoice-issued')).toMatchObject({ state: 'sent', providerMessageId: 'ses-1' });

    const other = setup();
    other.mailer.next = { result: 'rejected', reason: 'SMTP 550' };
    expect(await notifyPayer(other.issued, other.deps)).toEqual({ result: 'rejected' });
    expect(other.mailLog.get(other.invoice.id, 'invoice-issued')).toMatchObject({ state: 'rejected' });
    other.mailer.next = { result: 'sent' };
    expect(await notifyPayer(other.issued, other.deps)).toMatchObject({ result: 'skipped' });
  });

  it('takes over a claim its sender abandoned (a crash) once the claim has run out', async () => {
    const { invoice, mailer, mailLog, deps, issued, later } = setup();
    await mailLog.claim(
      invoice.id,
      'invoice-issued',
      'invoice-issued',
      deps.now(),
      new Date(deps.now().getTime() + 60_000),
    );
    expect(await notifyPayer(issued, deps)).toMatchObject({ result: 'skipped' });
    later(61_000);
    expect(await notifyPayer(issued, deps)).toEqual({ result: 'sent' });
    expect(mailer.sent).toHaveLength(1);
  });

  it('sends nothing for an invoice without an address, or an unknown invoice', async () => {
    const { mailer, deps, issued } = setup({ payer: { bin: '940140000385', name: 'Firm', kod: '17' } });
    expect(await notifyPayer(issued, deps)).toMatchObject({ result: 'skipped' });
    expect(await notifyPayer({ ...issued, invoiceId: 'inv_AAAAAAAAAAAAAAAAAAAAAA' }, deps)).toMatchObject({
      result: 'skipped',
    });
    expect(mailer.sent).toHaveLength(0);
  });
});

describe('composePayerMail', () => {
  it('writes each language, escapes what the ministry typed, and links only the service', () => {
    const name = 'Firm <b>LLP</b> pay at https://evil.example/kz now';
    const invoice = anInvoice({
      feeTitle: title,
      payer: { bin: '940140000385', name, kod: '17' },
      issuerContact: { url: 'https://afsa.aifc.kz', email: 'fees@afsa.example' },
    });
    for (const lang of ['kk', 'ru', 'en'] as const) {
      const mail = composePayerMail('invoice-issued', invoice, lang, BASE);
      expect(mail.subject).toContain(title[lang]);
      expect(mail.html).toContain(`lang="${lang}"`);
      expect(mail.html).toContain('Firm &lt;b&gt;LLP&lt;/b&gt;');
      expect(mail.html).not.toContain('<b>LLP');
      const hrefs = [...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
      expect(hrefs).toEqual([
        `${BASE}/pay/${invoice.id}?lang=${lang}`,
        'https://afsa.aifc.kz',
        'mailto:fees@afsa.example',
      ]);
    }
    const en = composePayerMail('invoice-issued', invoice, 'en', BASE).text;
    expect(en).toContain('USD 300.00');
    expect(en).toContain('https://afsa.aifc.kz, fees@afsa.example');
    // No contact recorded (a fee without one): no contact line, the service's link only.
    const bare = composePayerMail('invoice-issued', anInvoice({ feeTitle: title }), 'en', BASE);
    expect([...bare.html.matchAll(/href="([^"]+)"/g)]).toHaveLength(1);
  });

  it('keeps a title or a name with line breaks out of the subject and on one line', () => {
    const invoice = anInvoice({
      feeTitle: { ...title, en: 'Fee\r\nBcc: x@y.kz' },
      payer: { bin: '940140000385', name: 'Firm\n\nPay here: https://evil.example', kod: '17' },
    });
    const mail = composePayerMail('invoice-issued', invoice, 'en', BASE);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text).not.toContain('\nPay here: https://evil');
  });
});

describe('payer mail messages and addresses', () => {
  it('takes one plain address and refuses header injection, display names and overlong ones', () => {
    expect(payerEmailSchema.safeParse('accountant@firm.kz').success).toBe(true);
    for (const bad of ['a@b.kz\r\nBcc: x@y.kz', 'Firm <a@b.kz>', 'a@b.kz, c@d.kz', 'nope', `${'a'.repeat(250)}@b.kz`]) {
      expect(payerEmailSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('a receipt mail names its receipt, an invoice mail none', () => {
    const base = { kind: 'payer-mail', invoiceId: 'inv_AAAAAAAAAAAAAAAAAAAAAA' };
    expect(payerMailRequestSchema.safeParse({ ...base, template: 'invoice-paid', receiptId: RECEIPT }).success).toBe(
      true,
    );
    expect(payerMailRequestSchema.safeParse({ ...base, template: 'invoice-paid' }).success).toBe(false);
    expect(payerMailRequestSchema.safeParse({ ...base, template: 'invoice-issued', receiptId: RECEIPT }).success).toBe(
      false,
    );
  });
});
