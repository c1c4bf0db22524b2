/**
 * The auditor on the local runtime, in Chromium, through the console at /console: an invoice is paid on the local
 * chain; the auditor signs in (dev sign-in), requests the period's export through the exports screen (its form, POST
 * /v1/exports with the auditor's token), follows its progress, and "Verify in this browser" (shared/verify, bundled
 * into the console) says verified on the export the service produced and signed; then the same export with one byte
 * of receipts.csv changed on its way to the browser fails that check; the receipts list opens the paid receipt,
 * verified. The export's presigned links are fetched by the browser itself (the console's CSP allows their origin).
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { type ApiClient, apiClient } from '../helpers/api';
import { pay, until } from '../helpers/runtime';

let runtime: LocalRuntime;
let api: ApiClient;
let browser: Browser;

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, finalityDepth: 3 });
  api = apiClient(runtime.apiUrl);
  const afsa = await api.token({ role: 'ministry', ministry: 'AFSA' });
  const invoice = await api.call('POST', '/v1/invoices', {
    token: afsa,
    body: { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name: 'Auditor Test LLP' } },
  });
  expect(invoice.status).toBe(201);
  await pay(runtime, invoice.json.depositAddress, 500_000_000n, 0);
  await until(
    async () => (await api.call('GET', `/v1/invoices/${invoice.json.id}`, { token: afsa })).json,
    (i) => i.status === 'paid',
    90_000,
  );
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

/** Moves the console to `hash` in place (no reload: the token lives in the page's memory only). */
function goToHash(page: Page, hash: string): Promise<void> {
  return page.evaluate(`location.hash = ${JSON.stringify(hash)}; undefined`) as Promise<void>;
}

/** A fresh page signed in as the auditor through the console's dev sign-in, in English, at `hash`. */
async function auditorAt(hash: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.addInitScript("localStorage.setItem('stablefee.console.lang', 'en')");
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(`${runtime.apiUrl}/console/`);
  await page.getByLabel('Role').selectOption('auditor');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main menu' }).waitFor();
  // The token lives in memory only: move by the hash, never by loading the page again.
  await goToHash(page, hash);
  return page;
}

/** Presses "Verify in this browser" once the published signer is in, and answers the verdict. */
async function verify(page: Page) {
  await expect.poll(() => page.inputValue('#expected-signer'), { timeout: 20_000 }).toMatch(/^0x[0-9a-fA-F]{40}$/);
  await page.locator('.actions button').nth(1).click();
  await page.waitForSelector('[data-verdict]', { timeout: 60_000 });
  return page.getAttribute('[data-verdict]', 'data-verdict');
}

describe('the auditor exports a period and verifies it in the browser', () => {
  let exportUrl: string;

  it('requests the export through the form and sees it done, then "verified"', async () => {
    const page = await auditorAt('#/exports');
    await page.getByLabel('To (day, UTC, included)').fill(new Date().toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Request' }).click();
    await page.waitForURL(/#\/exports\/exp_/);
    exportUrl = page.url();
    await page.waitForSelector('[data-export-status="done"]', { timeout: 90_000 });
    expect(await verify(page)).toBe('verified');
    const statuses = await page.$$eval('[data-check]', (rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(statuses.every((s) => s === 'passed')).toBe(true);
    await page.close();
  }, 180_000);

  it('fails the receipts.csv check when one byte of it changed on the way', async () => {
    const page = await auditorAt('#/exports');
    await page.route(/receipts\.csv/, async (route) => {
      const response = await route.fetch();
      const bytes = Buffer.from(await response.body());
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = (bytes[middle] as number) ^ 0x01;
      await route.fulfill({ response, body: bytes });
    });
    await goToHash(page, new URL(exportUrl).hash);
    await page.waitForSelector('[data-export-status="done"]', { timeout: 30_000 });
    expect(await verify(page)).toBe('failed');
    expect(await page.getAttribute('[data-check="receipts.csv"]', 'data-status')).toBe('failed');
    expect(await page.getAttribute('[data-check="manifest"]', 'data-status')).toBe('passed');
    await page.close();
  }, 120_000);

  it('lists the paid receipt read-only and verifies it from the list', async () => {
    const page = await auditorAt('#/audit-receipts');
    await page.waitForSelector('table.receipts tbody tr');
    await page.locator('table.receipts tbody tr a').first().click();
    await page.waitForURL(/#\/verify-receipt\/rcp_/);
    await page.waitForSelector('[data-verdict]', { timeout: 30_000 });
    expect(await page.getAttribute('[data-verdict]', 'data-verdict')).toBe('verified');
    expect(await page.textContent('.receipt-facts')).toContain('AFSA');
    await page.close();
  }, 60_000);
});
