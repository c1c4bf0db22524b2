/**
 * The auditor on the local runtime, in Chromium: an invoice is paid on the local chain; the auditor requests the
 * period's export through the exports screen (its form, POST /v1/exports with the auditor's token), follows its
 * progress, and "Verify in this browser" (shared/verify, bundled for the browser) says verified on the export the
 * service produced and signed; then the same export with one byte of receipts.csv changed on its way to the browser
 * fails that check; the receipts list opens the paid receipt, verified. The screens run in a harness page (the console shell is wired elsewhere); the harness proxies
 * the API with the token, and the export's presigned links are fetched by the browser itself.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { type ApiClient, apiClient } from '../helpers/api';
import { bundleHarness, type Harness, startHarness } from '../helpers/console-harness';
import { pay, until } from '../helpers/runtime';

/** The exports list at `#/exports`, one export at `#/exports/<id>`, over the proxied API. */
const HARNESS = `
import { render } from 'preact';
import { jsx } from 'preact/jsx-runtime';
import { auditorScreens } from './console/src/screens/auditor';
const api = {
  request: async (method, path, options = {}) => {
    const response = await fetch('/api' + path, {
      method,
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: response.status, ok: response.ok, body: await response.json(), headers: response.headers };
  },
  download: async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return new Uint8Array(await response.arrayBuffer());
  },
};
const show = () => {
  const [, first, id] = location.hash.split('/');
  const entry = auditorScreens.find((s) => s.path === (id ? first + '/:id' : first)) ?? auditorScreens[0];
  const props = { api, lang: document.documentElement.lang, session: { role: 'auditor' }, params: id ? { id } : {} };
  const root = document.getElementById('root');
  render(null, root);
  render(jsx(entry.component, props), root);
};
addEventListener('hashchange', show);
show();
`;

let runtime: LocalRuntime;
let api: ApiClient;
let harness: Harness;
let browser: Browser;

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, finalityDepth: 3 });
  api = apiClient(runtime.apiUrl);
  const [afsa, auditor] = await Promise.all([
    api.token({ role: 'ministry', ministry: 'AFSA' }),
    api.token({ role: 'auditor' }),
  ]);
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
  harness = await startHarness(await bundleHarness(HARNESS), async (req, res, url) => {
    if (!url.pathname.startsWith('/api/')) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${runtime.apiUrl}${url.pathname.slice('/api'.length)}${url.search}`, {
      method: req.method,
      headers: { authorization: `Bearer ${auditor}`, 'content-type': 'application/json' },
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await runtime?.stop();
});

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
    const page = await browser.newPage();
    await page.goto(`${harness.url}/#/exports`);
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
    const page = await browser.newPage();
    await page.route(/receipts\.csv/, async (route) => {
      const response = await route.fetch();
      const bytes = Buffer.from(await response.body());
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = (bytes[middle] as number) ^ 0x01;
      await route.fulfill({ response, body: bytes });
    });
    await page.goto(exportUrl);
    await page.waitForSelector('[data-export-status="done"]', { timeout: 30_000 });
    expect(await verify(page)).toBe('failed');
    expect(await page.getAttribute('[data-check="receipts.csv"]', 'data-status')).toBe('failed');
    expect(await page.getAttribute('[data-check="manifest"]', 'data-status')).toBe('passed');
    await page.close();
  }, 120_000);

  it('lists the paid receipt read-only and verifies it from the list', async () => {
    const page = await browser.newPage();
    await page.goto(`${harness.url}/#/audit-receipts`);
    await page.waitForSelector('table.receipts tbody tr');
    await page.locator('table.receipts tbody tr a').first().click();
    await page.waitForURL(/#\/verify-receipt\/rcp_/);
    await page.waitForSelector('[data-verdict]', { timeout: 30_000 });
    expect(await page.getAttribute('[data-verdict]', 'data-verdict')).toBe('verified');
    expect(await page.textContent('.receipt-facts')).toContain('AFSA');
    await page.close();
  }, 60_000);
});
