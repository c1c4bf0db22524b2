/**
 * Mail to the payer, end to end on the local runtime: an invoice with `payer.email` sends the invoice link when it is
 * issued and the receipt link when it is paid, in the invoice's language, through real SMTP to the local sink
 * (`GET /dev/mail`); both links work; each mail once; the address never shows on the public pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SunkMail } from '../../infra/local/mail-sink';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { type ApiClient, apiClient } from '../helpers/api';
import { pay, until } from '../helpers/runtime';

let runtime: LocalRuntime;
let api: ApiClient;
let afsa: string;

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0 });
  api = apiClient(runtime.apiUrl);
  afsa = await api.token({ role: 'ministry', ministry: 'AFSA' });
});

afterAll(async () => {
  await runtime?.stop();
});

async function mailTo(address: string): Promise<SunkMail[]> {
  const r = await api.call('GET', '/dev/mail');
  expect(r.status).toBe(200);
  return (r.json.messages as SunkMail[]).filter((m) => m.to.includes(address));
}

const linkIn = (text: string) => /https?:\/\/\S+/.exec(text)?.[0] ?? '';

describe('payer mail', () => {
  it('mails the invoice link at issue and the receipt link when paid, in Kazakh, each once', async () => {
    const email = 'accountant@firm.kz';
    const issued = await api.call('POST', '/v1/invoices', {
      token: afsa,
      body: { feeCode: 'AFSA-SUP-PMS', payer: { bin: '940140000385', name: 'Firm LLP', email }, language: 'kk' },
    });
    expect(issued.status).toBe(201);
    expect(issued.json.payer.email).toBe(email);
    expect(issued.json.language).toBe('kk');
    const id: string = issued.json.id;

    const [invoiceMail] = await until(
      () => mailTo(email),
      (m) => m.length >= 1,
    );
    expect(invoiceMail).toMatchObject({ from: 'no-reply@stablefee.local', language: 'kk' });
    expect(invoiceMail?.subject).toContain(issued.json.feeTitle.kk);
    const payLink = linkIn(invoiceMail?.text ?? '');
    expect(payLink).toBe(`${runtime.apiUrl}/pay/${id}?lang=kk`);
    const page = await fetch(payLink);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(id);
    // The public page and its JSON never carry the payer's address.
    expect((await api.call('GET', `/v1/pay/${id}`)).text).not.toContain(email);

    const usdt = issued.json.options.find((o: { symbol: string }) => o.symbol === 'USDT');
    await pay(runtime, usdt.depositAddress, BigInt(usdt.amount));
    await until(
      () => api.call('GET', `/v1/invoices/${id}`, { token: afsa }),
      (r) => r.json.status === 'paid',
      90_000,
    );
    const mails = await until(
      () => mailTo(email),
      (m) => m.length >= 2,
      90_000,
    );
    const paid = await api.call('GET', `/v1/invoices/${id}`, { token: afsa });
    expect(paid.json.status).toBe('paid');
    const receiptMail = mails[1];
    const receiptLink = linkIn(receiptMail?.text ?? '');
    expect(receiptLink).toBe(`${runtime.apiUrl}/pay/${id}/receipt?lang=kk`);
    const receiptPage = await fetch(receiptLink);
    expect(receiptPage.status).toBe(200);
    const receipt = await api.call('GET', `/v1/pay/${id}/receipt`);
    expect(await receiptPage.text()).toContain(receipt.json.receiptNo);

    // The invoice says what was sent; nothing was sent twice.
    expect(paid.json.mail.map((m: { template: string; state: string }) => [m.template, m.state]).sort()).toEqual([
      ['invoice-issued', 'sent'],
      ['invoice-paid', 'sent'],
    ]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await mailTo(email)).toHaveLength(2);
  }, 180_000);

  it('records a bounce and still delivers the receipt to the registry', async () => {
    const issued = await api.call('POST', '/v1/invoices', {
      token: afsa,
      body: { feeCode: 'AFSA-SUP-PMS', payer: { bin: '940140000385', name: 'Firm', email: 'nobody@firm.invalid' } },
    });
    expect(issued.status).toBe(201);
    const id: string = issued.json.id;
    const usdt = issued.json.options.find((o: { symbol: string }) => o.symbol === 'USDT');
    await pay(runtime, usdt.depositAddress, BigInt(usdt.amount));
    const read = () => api.call('GET', `/v1/invoices/${id}`, { token: afsa });
    // Both mails decided: a claimed one is listed `sending` until the mail service has answered.
    const decided = (r: { json: { mail: { state: string }[] } }) =>
      r.json.mail.length === 2 && r.json.mail.every((m) => m.state !== 'sending');
    const paid = await until(read, (r) => r.json.status === 'paid' && decided(r), 90_000);
    expect(paid.json.mail.map((m: { state: string; reason?: string }) => [m.state, m.reason])).toEqual([
      ['rejected', 'SMTP 550'],
      ['rejected', 'SMTP 550'],
    ]);
    await until(
      async () => runtime.registry.received.has(paid.json.receiptId),
      (delivered) => delivered,
    );
    expect(await mailTo('nobody@firm.invalid')).toHaveLength(0);
  }, 180_000);

  it('sends nothing for an invoice without an address, and refuses a bad one with nothing written', async () => {
    const before = (await api.call('GET', '/dev/mail')).json.messages.length;
    const bad = await api.call('POST', '/v1/invoices', {
      token: afsa,
      body: { feeCode: 'AFSA-SUP-PMS', payer: { bin: '940140000385', name: 'Firm', email: 'a@b.kz\r\nBcc: x@y.kz' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(bad.json.errors)).toContain('payer.email');
    const plain = await api.call('POST', '/v1/invoices', {
      token: afsa,
      body: { feeCode: 'AFSA-SUP-PMS', payer: { bin: '940140000385', name: 'Firm' } },
    });
    expect(plain.status).toBe(201);
    expect(plain.json.language).toBe('ru');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await api.call('GET', '/dev/mail')).json.messages.length).toBe(before);
  });
});
