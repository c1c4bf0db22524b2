/**
 * axe-core in Chromium on the payer's pages, as a payer meets them: the payment page in kk, ru and en on a laptop
 * and a phone (open, then part paid), and the receipt page in each language once paid. No serious or critical
 * violation is allowed; the full results go to test-artifacts/accessibility/ for a person to read. The console too:
 * its sign-in page, and every screen in each role's navigation (and an invoice's detail) on a laptop and a tablet,
 * with a fee change pending so the reference-data screens show one to approve.
 * The pages' own CSP forbids the injected axe script, so this browser context bypasses CSP (only here).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { type PayLanguage, payLanguages } from '../../shared/web/pay-page/view';
import { apiClient } from '../helpers/api';
import { pay, until } from '../helpers/runtime';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const ARTIFACTS = join('test-artifacts', 'accessibility');

interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: { target: string[] }[];
}

let runtime: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0 });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

async function issue(): Promise<{ id: string; depositAddress: string }> {
  const api = apiClient(runtime.apiUrl);
  const token = await api.token({ role: 'ministry', ministry: 'AFSA' });
  const created = await api.call('POST', '/v1/invoices', {
    token,
    body: { feeCode: 'AFSA-SUP-PMS', payer: { bin: '940140000385', name: 'Test Firm LLP' } },
  });
  expect(created.status).toBe(201);
  return created.json;
}

/** A pending change of an AFSA fee, so the reference-data screens are audited with a row to approve or reject. */
async function proposeFeeChange(): Promise<void> {
  const api = apiClient(runtime.apiUrl);
  const token = await api.token({ role: 'ministry', ministry: 'AFSA' });
  const fee = {
    code: 'AFSA-A11Y',
    ministry: 'AFSA',
    title: { kk: 'Алым', ru: 'Сбор', en: 'Fee' },
    amount: { currency: 'USD', minor: '10000' },
  };
  const proposed = await api.call('POST', '/v1/admin/fees', { token, body: { fee, reason: 'accessibility audit' } });
  expect(proposed.status, proposed.text).toBe(201);
}

/** The serious and critical violations axe finds on `url` at `width`; every finding is written to an artifact. */
async function audit(url: string, width: number, name: string): Promise<string[]> {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 900 } });
  const page = await context.newPage();
  try {
    await page.goto(url);
    return await axeFindings(page, name);
  } finally {
    await context.close();
  }
}

/** axe on the page as it is now: the serious and critical violations; every finding goes to an artifact. */
async function axeFindings(page: Page, name: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
  )) as AxeViolation[];
  writeFileSync(join(ARTIFACTS, `${name}.json`), JSON.stringify(violations, null, 2));
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Every console screen a role's navigation offers (and `extra` routes), signed in through the dev sign-in page at
 * `width`, each audited once loaded; the sign-in page first.
 */
async function auditConsole(role: string, width: number, extra: string[] = []): Promise<string[]> {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 900 } });
  await context.addInitScript("localStorage.setItem('stablefee.console.lang', 'en')");
  const page = await context.newPage();
  const found: string[] = [];
  try {
    await page.goto(`${runtime.apiUrl}/console/`);
    await page.getByLabel('Role').selectOption(role);
    for (const v of await axeFindings(page, `console-signin-${role}-${width}`)) found.push(`sign-in: ${v}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = page.getByRole('navigation', { name: 'Main menu' });
    await nav.waitFor();
    const routes = await nav.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    for (const route of [...routes, ...extra]) {
      await page.evaluate(`location.hash = ${JSON.stringify(route ?? '')}`);
      // A screen has loaded once nothing says "Loading…" (a screen of several sections may say it in each).
      await page.getByText('Loading…').first().waitFor({ state: 'detached' });
      const name = `console-${role}-${width}-${String(route).replace(/\W+/g, '_')}`;
      for (const v of await axeFindings(page, name)) found.push(`${role} ${width} ${route}: ${v}`);
    }
  } finally {
    await context.close();
  }
  return found;
}

describe('accessibility (axe-core)', () => {
  it('finds no serious or critical violation on the payment page, open and part paid, laptop and phone', async () => {
    const invoice = await issue();
    const found: string[] = [];
    const each = async (state: string) => {
      for (const lang of payLanguages) {
        for (const [device, width] of [
          ['laptop', 1100],
          ['phone', 390],
        ] as const) {
          const url = `${runtime.apiUrl}/pay/${invoice.id}?lang=${lang}`;
          for (const v of await audit(url, width, `pay-${state}-${lang}-${device}`))
            found.push(`${lang} ${device} ${state}: ${v}`);
        }
      }
    };
    await each('open');
    await pay(runtime, invoice.depositAddress, 1_000_000_000n);
    const api = apiClient(runtime.apiUrl);
    await until(
      () => api.call('GET', `/v1/pay/${invoice.id}`),
      (r) => r.json?.paidMicroUsd === '1000000000',
    );
    await each('part-paid');
    expect(found).toEqual([]);
  }, 240_000);

  it('finds no serious or critical violation on the receipt page in kk, ru and en', async () => {
    const invoice = await issue();
    await pay(runtime, invoice.depositAddress, 3_000_000_000n);
    const api = apiClient(runtime.apiUrl);
    await until(
      () => api.call('GET', `/v1/pay/${invoice.id}`),
      (r) => typeof r.json?.receiptPageUrl === 'string',
    );
    const found: string[] = [];
    for (const lang of payLanguages as readonly PayLanguage[]) {
      const url = `${runtime.apiUrl}/pay/${invoice.id}/receipt?lang=${lang}`;
      for (const v of await audit(url, 1100, `receipt-${lang}`)) found.push(`${lang}: ${v}`);
    }
    expect(found).toEqual([]);
  }, 120_000);

  it('finds no serious or critical violation on the API reference page (/docs)', async () => {
    expect(await audit(`${runtime.apiUrl}/docs`, 1100, 'api-docs')).toEqual([]);
  }, 120_000);
  for (const [device, width] of [
    ['laptop', 1100],
    ['tablet', 768],
  ] as const) {
    it(`finds no serious or critical violation on any console screen (${device})`, async () => {
      const invoice = await issue();
      await proposeFeeChange();
      const found = await auditConsole('ministry', width, [`#/invoices/${invoice.id}`]);
      for (const role of ['auditor', 'operator', 'compliance']) found.push(...(await auditConsole(role, width)));
      expect(found).toEqual([]);
    }, 420_000);
  }
});
