/**
 * The console's reference-data screens in Chromium (issue 18), on one local runtime without workers: operator A
 * proposes a fee scheduled for tomorrow through the form (an amount with three decimals is flagged as typed), is
 * refused approving it with the API's own words shown, and operator B approves it in another browser, after which
 * the fee is listed as scheduled. A ministry proposes a new price of one of its own fees, its ministry fixed.
 * Everything is done as a person would (labels, buttons); the API is read directly only to check the result.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { type ApiClient, apiClient } from '../helpers/api';

let runtime: LocalRuntime;
let browser: Browser;
let api: ApiClient;

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, workers: false });
  api = apiClient(runtime.apiUrl);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

/** A fresh browser page signed in through the dev sign-in page as `subject`, in English. */
async function signIn(role: string, subject: string, ministry?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript("localStorage.setItem('stablefee.console.lang', 'en')");
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(`${runtime.apiUrl}/console`);
  await page.getByLabel('Role').selectOption(role);
  if (ministry) await page.getByLabel('Ministry code').fill(ministry);
  await page.getByLabel('User (optional)').fill(subject);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main menu' }).waitFor();
  return page;
}

/** The id a proposal form's status names (`Proposed for approval: chg_…`). */
async function proposedId(form: ReturnType<Page['getByRole']>): Promise<string> {
  const status = (await form.getByRole('status').textContent()) ?? '';
  const id = /^Proposed for approval: (chg_[\w-]{22})$/.exec(status)?.[1];
  expect(id, status).toBeTruthy();
  return id as string;
}

describe('console: reference data', () => {
  it('operator A proposes a fee for tomorrow, may not approve it; operator B approves it: scheduled', async () => {
    const a = await signIn('operator', 'op-a');
    await a.getByRole('link', { name: 'Reference data' }).click();
    const form = a.getByRole('region', { name: 'Propose a fee', exact: true });
    await form.getByLabel('Code').fill('AFSA-CONSOLE-E2E');
    await form.getByLabel('Ministry').fill('AFSA');
    await form.getByLabel('Title (Kazakh)').fill('Консоль алымы');
    await form.getByLabel('Title (Russian)').fill('Сбор из консоли');
    await form.getByLabel('Title (English)').fill('Console fee');
    await form.getByLabel('Unit').selectOption('USD');
    const amount = form.getByLabel('Amount');
    await amount.fill('12.345');
    await expect.poll(() => amount.getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('button', { name: 'Propose for approval' }).isDisabled()).toBe(true);
    await amount.fill('123.45');
    await expect.poll(() => amount.getAttribute('aria-invalid')).toBe('false');
    // Tomorrow at this minute, Kazakhstan time (UTC+5), as the datetime-local field takes it.
    const local = new Date(Date.now() + 86_400_000 + 5 * 3600_000).toISOString().slice(0, 16);
    await form.getByLabel(/^Effective from/).fill(local);
    await form.getByLabel('Reason').fill('console e2e: a new AFSA fee');
    await form.getByRole('button', { name: 'Propose for approval' }).click();
    const id = await proposedId(form);

    const changes = a.getByRole('region', { name: 'Changes', exact: true }).first();
    const mine = changes.getByRole('row').filter({ hasText: id });
    await mine.getByText('You proposed this').waitFor();
    await mine.getByRole('button', { name: 'Approve' }).click();
    await changes.getByRole('alert').getByText('The proposer of a change never approves it.').waitFor();
    await a.context().close();

    const b = await signIn('operator', 'op-b');
    await b.getByRole('link', { name: 'Reference data' }).click();
    const row = b
      .getByRole('region', { name: 'Changes', exact: true })
      .first()
      .getByRole('row')
      .filter({ hasText: id });
    expect(await row.textContent()).toContain('op-a');
    await row.getByRole('button', { name: 'Approve' }).click();
    await b
      .getByRole('status')
      .filter({ hasText: `Decided: ${id} — approved` })
      .waitFor();
    await row.waitFor({ state: 'detached' });
    const fee = b
      .getByRole('region', { name: 'Fees', exact: true })
      .first()
      .getByRole('row')
      .filter({ hasText: 'AFSA-CONSOLE-E2E' });
    await fee.filter({ hasText: 'Scheduled from' }).waitFor();
    expect(await fee.textContent()).toContain('US$123.45');
    await b.context().close();

    const token = await api.token({ role: 'operator' });
    const versions = (await api.call('GET', '/v1/admin/reference/fee?subject=AFSA-CONSOLE-E2E', { token })).json;
    expect(versions.items).toEqual([
      expect.objectContaining({
        id,
        proposedBy: 'op-a',
        approvedBy: 'op-b',
        effectiveFrom: new Date(`${local}:00+05:00`).toISOString(),
        value: expect.objectContaining({
          fee: expect.objectContaining({ amount: { currency: 'USD', minor: '12345' } }),
        }),
      }),
    ]);
  }, 120_000);

  it('a ministry proposes a new price of its own fee, its ministry fixed', async () => {
    const page = await signIn('ministry', 'afsa-clerk', 'AFSA');
    await page.getByRole('link', { name: 'Fee changes' }).click();
    const form = page.getByRole('region', { name: 'Propose a fee', exact: true });
    await form.getByLabel('Start from').selectOption('AFSA-APP-AI');
    const ministry = form.getByLabel('Ministry');
    expect(await ministry.inputValue()).toBe('AFSA');
    expect(await ministry.getAttribute('readonly')).not.toBeNull();
    await form.getByLabel('Amount').fill('550');
    await form.getByLabel('Reason').fill('console e2e: new AFSA price');
    await form.getByRole('button', { name: 'Propose for approval' }).click();
    const id = await proposedId(form);
    const row = page
      .getByRole('region', { name: 'Changes', exact: true })
      .first()
      .getByRole('row')
      .filter({ hasText: id });
    expect(await row.textContent()).toContain('US$550.00');
    // Started from the fee in force: its issuer contact goes with the new price, not dropped.
    expect(await form.getByLabel('Website for payers (https, optional)').inputValue()).toBe('https://afsa.aifc.kz');
    const token = await api.token({ role: 'operator' });
    const change = (await api.call('GET', '/v1/admin/changes?state=proposed', { token })).json.items.find(
      (c: { id: string }) => c.id === id,
    );
    expect(change.value.fee.contact).toEqual({ url: 'https://afsa.aifc.kz' });
    await page.context().close();
  }, 60_000);
});
