/**
 * The auditor's export screen in Chromium, with the verifier bundled for the browser as the console bundles it: a
 * tiny harness page (served here) renders the screen over a fake API whose export is a real one (runExport's files,
 * signed); "Verify in this browser" shows every check passed, one changed byte of receipts.csv fails that file's
 * check (the manifest still passes), the zip holds every file, and axe finds no serious or critical violation.
 * The receipt screen verifies a pasted receipt and fails one changed after signing, loaded by id.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexlify, randomBytes } from 'ethers';
import { unzipSync } from 'fflate';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSink } from '../../shared/adapters/byte-sinks';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { runExport } from '../../shared/app/export';
import { parseCsv } from '../../tools/export-csv';
import { syntheticPeriod, syntheticSources, syntheticTokenInfo } from '../fixtures/synthetic-export';
import { bundleHarness, type Harness, startHarness } from '../helpers/console-harness';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const signer = new LocalKeySigner(hexlify(randomBytes(32)));
const EXPORT_ID = 'exp_harness';

/** The harness: the auditor's export screen rendered over a fake API that answers from this test's server. */
const HARNESS = `
import { render } from 'preact';
import { jsx } from 'preact/jsx-runtime';
import { ExportScreen } from './console/src/screens/auditor/export-detail';
import { VerifyReceiptScreen } from './console/src/screens/auditor/verify-receipt';
const json = async (path) => {
  const response = await fetch(path);
  return { status: response.status, ok: response.ok, body: await response.json(), headers: response.headers };
};
const api = {
  request: (method, path) => json('/api' + path),
  download: async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer()),
};
const params = { id: '${EXPORT_ID}' };
const screen = new URLSearchParams(location.search).get('screen') === 'receipt' ? VerifyReceiptScreen : ExportScreen;
render(jsx(screen, { api, lang: document.documentElement.lang, session: { role: 'auditor' }, params }),
  document.getElementById('root'));
`;

let dir: string;
let harness: Harness;
let base: string;
let browser: Browser;
const files = new Map<string, Buffer>();
/** Files the server answers changed: name → bytes. */
const served = new Map<string, Buffer>();

/** The fake API: the published signer, the done export, and its files behind their "presigned" links. */
function answer(_req: IncomingMessage, res: ServerResponse, url: URL) {
  const send = (status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  if (url.pathname === '/api/v1/health')
    return send(200, 'application/json', JSON.stringify({ signer: expectedSigner }));
  if (url.pathname === '/api/v1/receipts/rcp_changed')
    return send(200, 'application/json', JSON.stringify(changedReceipt()));
  if (url.pathname === `/api/v1/exports/${EXPORT_ID}`) return send(200, 'application/json', JSON.stringify(job()));
  const name = url.pathname.startsWith('/files/') ? url.pathname.slice('/files/'.length) : '';
  const bytes = served.get(name) ?? files.get(name);
  return bytes ? send(200, 'application/octet-stream', bytes) : send(404, 'application/json', '{}');
}

let expectedSigner = '';
/** The first receipt of the export as its receipt_json cell holds it. */
const receiptJson = () => {
  const [header, row] = parseCsv(files.get('receipts.csv') as Buffer);
  return (row as string[])[(header as string[]).indexOf('receipt_json')] as string;
};
/** That receipt as the API would answer it (with `delivery`), its paid amount raised by one micro-USD. */
const changedReceipt = () => {
  const receipt = JSON.parse(receiptJson());
  return { ...receipt, paidMicroUsd: (BigInt(receipt.paidMicroUsd) + 1n).toString(), delivery: { status: 'sent' } };
};
const job = () => ({
  id: EXPORT_ID,
  status: 'done',
  period: syntheticPeriod(3),
  ministry: null,
  requestedAt: new Date().toISOString(),
  startedAt: null,
  finishedAt: null,
  attempts: 1,
  error: null,
  files: [...files.keys()].map((name) => ({ name, url: `${base}/files/${name}`, urlExpiresAt: '' })),
  manifest: null,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sf-auditor-'));
  await runExport(
    { id: EXPORT_ID, ...syntheticPeriod(3) },
    {
      sources: syntheticSources({ count: 3, signer, signed: true }),
      tokenInfo: syntheticTokenInfo,
      sinkFor: (name) => fileSink(join(dir, name)),
      signer,
      now: () => new Date(),
    },
  );
  for (const name of await readdir(dir)) files.set(name, await readFile(join(dir, name)));
  expectedSigner = await signer.address();
  harness = await startHarness(await bundleHarness(HARNESS), answer);
  base = harness.url;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Opens the screen in `lang`, waits for the published signer, presses "Verify", and answers the verdict. */
async function verifyInBrowser(page: Page, lang = 'en') {
  await page.goto(`${base}/?lang=${lang}`);
  await expect.poll(() => page.inputValue('#expected-signer')).toBe(expectedSigner);
  await page.locator('.actions button').nth(1).click();
  await page.waitForSelector('[data-verdict]');
  return page.getAttribute('[data-verdict]', 'data-verdict');
}

const statuses = (page: Page) =>
  page.$$eval('[data-check]', (rows) =>
    Object.fromEntries(rows.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-status')])),
  );

describe('the auditor verifies an export in the browser', () => {
  it('shows "verified" with every check passed on the export as signed', async () => {
    const page = await browser.newPage();
    expect(await verifyInBrowser(page)).toBe('verified');
    const checks = await statuses(page);
    expect(Object.keys(checks)).toContain('receipts.csv');
    expect(Object.values(checks).every((s) => s === 'passed')).toBe(true);
    await page.close();
  });

  it('fails the receipts.csv check when one byte of it changed, in every language', async () => {
    const bytes = Buffer.from(files.get('receipts.csv') as Buffer);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] as number) ^ 0x01;
    served.set('receipts.csv', bytes);
    try {
      for (const lang of ['kk', 'ru', 'en']) {
        const page = await browser.newPage();
        expect(await verifyInBrowser(page, lang)).toBe('failed');
        expect(await statuses(page)).toMatchObject({ manifest: 'passed', 'receipts.csv': 'failed' });
        expect(await page.textContent('[data-check="receipts.csv"]')).toContain('receipts.csv: SHA-256');
        await page.close();
      }
    } finally {
      served.clear();
    }
  });

  it('downloads every file as one zip', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    await page.waitForSelector('table.files');
    expect(await page.$('[role="alert"]')).toBeNull();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.actions button').first().click(),
    ]);
    const zip = unzipSync(new Uint8Array(await readFile((await download.path()) as string)));
    expect(Object.keys(zip).sort()).toEqual([...files.keys()].sort());
    expect(Buffer.from(zip['receipts.csv'] as Uint8Array).equals(files.get('receipts.csv') as Buffer)).toBe(true);
    await page.close();
  });

  it('has no serious or critical accessibility violation once verified', async () => {
    const page = await browser.newPage();
    await verifyInBrowser(page);
    await page.addScriptTag({ path: AXE });
    const violations = (await page.evaluate(async () => {
      const result = await (globalThis as any).axe.run();
      return result.violations;
    })) as { id: string; impact: string }[];
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    await page.close();
  });
});

describe('the auditor verifies a receipt in the browser', () => {
  it('verifies a pasted receipt, shows its facts, and fails one changed after signing (loaded by id)', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/?screen=receipt`);
    await expect.poll(() => page.inputValue('#expected-signer')).toBe(expectedSigner);
    await page.fill('#receipt-json', receiptJson());
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    expect(await page.getAttribute('[data-verdict]', 'data-verdict')).toBe('verified');
    expect(await page.textContent('.receipt-facts')).toContain(JSON.parse(receiptJson()).hash);
    await page.addScriptTag({ path: AXE });
    const violations = (await page.evaluate(async () => (await (globalThis as any).axe.run()).violations)) as {
      id: string;
      impact: string;
    }[];
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

    await page.fill('#receipt-id', 'rcp_changed');
    await page.getByRole('button', { name: 'Load and verify' }).click();
    await page.waitForSelector('[data-verdict="failed"]');
    expect(await page.getAttribute('[data-check="receipt-signature"]', 'data-status')).toBe('failed');
    await page.close();
  });
});
