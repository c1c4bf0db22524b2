/**
 * The console in Chromium, one flow per role on one local runtime: the ministry issues an invoice through the form,
 * finds it in the list, opens it, sees it paid from the local chain with its receipt; the operator replays a
 * dead-lettered receipt; compliance uploads a screening list and releases the payment it held. Each step is done
 * as a person would (labels, buttons, links); the API is read directly only to wait for the chain and to check
 * what the console did.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { type ApiClient, apiClient } from '../helpers/api';
import { pay, until } from '../helpers/runtime';

let runtime: LocalRuntime;
let browser: Browser;
let api: ApiClient;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    apiPort: 0,
    chainPort: 0,
    blockIntervalMs: 250,
    finalityDepth: 2,
    queueOverrides: { outbox: { maxReceiveCount: 3 } },
  });
  api = apiClient(runtime.apiUrl);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

/** A fresh browser page signed in through the console's dev sign-in page, in English. */
async function signIn(role: string, ministry?: string, width = 1100): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  // English unless the page chose another language since (the test of the language's memory reloads).
  await context.addInitScript(
    "localStorage.getItem('stablefee.console.lang') || localStorage.setItem('stablefee.console.lang', 'en')",
  );
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(`${runtime.apiUrl}/console`);
  await page.getByLabel('Role').selectOption(role);
  if (ministry) await page.getByLabel('Ministry code').fill(ministry);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main menu' }).waitFor();
  return page;
}

describe('the console', () => {
  it('serves the console with a strict CSP and no third-party origin', async () => {
    const redirect = await fetch(`${runtime.apiUrl}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/console/');
    const index = await fetch(`${runtime.apiUrl}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toMatch(/^default-src 'self';/);
    const html = await index.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/);
    expect((await fetch(`${runtime.apiUrl}/console/config.json`)).status).toBe(200);
    expect((await fetch(`${runtime.apiUrl}/console/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${runtime.apiUrl}/v1/health`)).status).toBe(200);
  });

  it('remembers the language but not the token: a reload keeps Russian and asks to sign in again', async () => {
    const page = await signIn('ministry', 'AFSA');
    await page.getByRole('banner').getByLabel('Language').selectOption('ru');
    await page.getByRole('link', { name: 'Счета' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    await page.reload();
    await page.getByRole('heading', { name: 'Вход в консоль' }).waitFor();
    expect(await page.evaluate('sessionStorage.length + document.cookie.length')).toBe(0);
    await page.context().close();
  });

  it('ministry: issues an invoice through the form, finds it, opens it and sees it paid with its receipt', async () => {
    const page = await signIn('ministry', 'AFSA');
    await page.getByRole('link', { name: 'Issue an invoice' }).click();
    await page.getByLabel(/^Fee/).selectOption('AFSA-APP-AI');
    const bin = page.getByLabel('Payer BIN/IIN');
    await bin.fill('940140000386');
    await expect.poll(() => bin.getAttribute('aria-invalid')).toBe('true');
    await bin.fill('940140000385');
    await page.getByText('Licence register: Test Firm LLP').waitFor();
    await page.getByLabel('Payer name').fill('Console Firm LLP');
    await page.getByLabel('Your reference (optional)').fill('console e2e');
    await page.getByRole('button', { name: 'Issue invoice' }).click();
    await page.getByRole('heading', { name: 'Invoice issued' }).waitFor();
    const payUrl = await page.getByRole('region', { name: 'Invoice issued' }).getByRole('link').nth(1).textContent();
    const id = /\/pay\/(inv_[\w-]+)/.exec(payUrl ?? '')?.[1];
    expect(id).toBeTruthy();
    await page.getByRole('img', { name: 'QR code of the pay link' }).locator('svg').waitFor();

    await page.getByRole('link', { name: 'Invoices' }).click();
    await page.getByLabel('Payer BIN/IIN').fill('940140000385');
    await page.getByLabel('Status').selectOption('open');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: id as string }).click();
    await page.getByRole('heading', { name: 'Invoice', exact: true }).waitFor();
    await page.getByText('Console Firm LLP').waitFor();

    const token = await api.token({ role: 'ministry', ministry: 'AFSA' });
    const invoice = (await api.call('GET', `/v1/invoices/${id}`, { token })).json;
    await pay(runtime, invoice.depositAddress, BigInt(invoice.dueMicroUsd));
    // The page reads the invoice again while it is open: no reload.
    await page.getByRole('heading', { name: 'Receipt' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('receipt-no').textContent()).toMatch(/^\d+ \(rcp_/);
    expect(await page.getByTestId('paid').textContent()).toBe('US$500.00');
    await page.getByRole('heading', { name: 'Transfers' }).waitFor();
    await page.context().close();
  }, 120_000);

  it('operator: replays a dead-lettered receipt from the dead-letter screen', async () => {
    runtime.registry.setFaults({ status: 503, rate: 1 });
    const ministry = await api.token({ role: 'ministry', ministry: 'AFSA' });
    const invoice = (
      await api.call('POST', '/v1/invoices', {
        token: ministry,
        body: { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name: 'DLQ Firm' } },
      })
    ).json;
    await pay(runtime, invoice.depositAddress, 500_000_000n);
    const paid = await until(
      async () => (await api.call('GET', `/v1/invoices/${invoice.id}`, { token: ministry })).json,
      (i) => i.status === 'paid',
    );
    const receipt = async () => (await api.call('GET', `/v1/receipts/${paid.receiptId}`, { token: ministry })).json;
    await until(receipt, (r) => r.delivery?.state === 'failed', 90_000);
    runtime.registry.setFaults({ rate: 0 });
    // The last try records `failed` before SQS moves the message: it reaches the DLQ on the receive after its
    // visibility ends. Replay once it is there (else the replay rightly moves nothing).
    const sqs = new SQSClient({ endpoint: runtime.aws.endpoint, region: 'us-east-1' });
    const dlqDepth = async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: runtime.resources.dlqUrls.outbox,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      return Number(Attributes.ApproximateNumberOfMessages ?? 0);
    };
    await until(dlqDepth, (n) => n >= 1, 90_000).finally(() => sqs.destroy());

    const page = await signIn('operator');
    await page.getByRole('link', { name: 'Dead-letter queues' }).click();
    await page.getByLabel('Queue').selectOption('outbox');
    await page.getByRole('button', { name: 'Replay' }).click();
    const status = await page.getByRole('status').textContent();
    expect(status).toMatch(/^outbox: Messages moved [1-9]\d*$/);
    await until(receipt, (r) => r.delivery?.state === 'delivered');
    expect(runtime.registry.received.has(paid.receiptId)).toBe(true);
    await page.context().close();
  }, 150_000);

  it('compliance: uploads a screening list, then releases the payment it held, which is paid', async () => {
    const screened = 7;
    const page = await signIn('compliance');
    await page.getByRole('link', { name: 'Register and lists' }).click();
    const form = page.getByRole('form', { name: 'Screening list (JSON)' });
    await form.getByLabel('List name').fill('console-e2e');
    const list = { source: 'console e2e', asOf: '2026-12-01', addresses: [runtime.chain.payers[screened]] };
    await form.getByLabel('File').setInputFiles({
      name: 'list.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(list)),
    });
    await form.getByRole('button', { name: 'Upload list' }).click();
    expect(await page.getByRole('status').textContent()).toMatch(/^console-e2e: Version 1, Addresses: 1$/);

    const ministry = await api.token({ role: 'ministry', ministry: 'AFSA' });
    const invoice = (
      await api.call('POST', '/v1/invoices', {
        token: ministry,
        body: { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name: 'Held Firm' } },
      })
    ).json;
    const tx = await pay(runtime, invoice.depositAddress, 500_000_000n, screened);
    const compliance = await api.token({ role: 'compliance' });
    const hold = await until(
      async () =>
        (await api.call('GET', '/v1/holds?state=held&limit=100', { token: compliance })).json.items.find(
          (h: { txHash: string }) => h.txHash === tx?.hash,
        ),
      (h) => Boolean(h),
      60_000,
    );

    await page.getByRole('link', { name: 'Holds' }).click();
    const row = page.getByRole('row').filter({ hasText: invoice.id });
    await row.getByLabel('Reason for the decision').fill('checked by console e2e: false positive');
    await row.getByRole('button', { name: 'Release' }).click();
    await row.waitFor({ state: 'detached' });
    const released = (await api.call('GET', '/v1/holds?state=released&limit=100', { token: compliance })).json.items;
    expect(released.find((h: { id: string }) => h.id === hold.id)?.decision).toMatchObject({
      reason: 'checked by console e2e: false positive',
    });
    const paid = await until(
      async () => (await api.call('GET', `/v1/invoices/${invoice.id}`, { token: ministry })).json,
      (i) => i.status === 'paid',
      60_000,
    );
    expect(paid.receiptId).toMatch(/^rcp_/);
    await page.context().close();
  }, 150_000);
});
