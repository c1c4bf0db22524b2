/**
 * Reference data over HTTP against the local runtime (issue 18's Done-when), with the service clock moved
 * (shared/adapters/clock.ts, local only):
 * - an operator proposes a fee, a second operator approves it for a later instant: not invoiceable before, invoiceable
 *   after; an invoice issued before a price change keeps its price; each invoice records the fee version;
 * - next year's MRP entered now: an invoice at 23:59:59 on 31 December (Astana) uses this year's, one at 00:00 on
 *   1 January next year's; with next year's missing, the MRP-ahead check is raised 30 days ahead;
 * - a fee for a ministry the sample catalog does not know reaches auditors' lists (they read every ministry with a
 *   fee in reference data);
 * - registry URLs naming the metadata service or a private address are refused.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { setLocalClock } from '../../shared/adapters/clock';
import { MRP_KZT_BY_YEAR } from '../../shared/domain/fees';
import { type ApiClient, apiClient } from '../helpers/api';

let runtime: LocalRuntime;
let api: ApiClient;
const tokens = { proposer: '', approver: '', afsa: '', minfin: '' };
const payer = { bin: '940140000385', name: 'Test Firm LLP' };
const year = Number(new Date(Date.now() + 5 * 3600_000).toISOString().slice(0, 4));

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, workers: false });
  api = apiClient(runtime.apiUrl);
  const { issuer } = runtime;
  [tokens.proposer, tokens.approver, tokens.afsa, tokens.minfin] = await Promise.all([
    issuer.issue({ role: 'operator', subject: 'op-proposer' }),
    issuer.issue({ role: 'operator', subject: 'op-approver' }),
    issuer.issue({ role: 'ministry', ministry: 'AFSA' }),
    issuer.issue({ role: 'ministry', ministry: 'MINFIN' }),
  ]);
}, 120_000);

afterEach(() => setLocalClock(undefined));

afterAll(async () => {
  setLocalClock(undefined);
  await runtime?.stop();
});

async function propose(path: string, body: unknown, token = tokens.proposer): Promise<string> {
  const r = await api.call('POST', path, { token, body });
  expect(r.status, r.text).toBe(201);
  expect(r.json).toMatchObject({ state: 'proposed', proposedBy: 'op-proposer' });
  return r.json.id;
}

async function approve(id: string, body?: unknown) {
  const r = await api.call('POST', `/v1/admin/changes/${id}/approve`, { token: tokens.approver, body });
  expect(r.status, r.text).toBe(200);
  return r.json;
}

const issue = (feeCode: string, token = tokens.afsa) =>
  api.call('POST', '/v1/invoices', { token, body: { feeCode, payer } });

describe('a new fee, scheduled', () => {
  const fee = {
    code: 'AFSA-E2E-NEW',
    ministry: 'AFSA',
    title: { kk: 'Жаңа алым', ru: 'Новый сбор', en: 'New fee' },
    amount: { currency: 'USD', minor: '12300' },
  };

  it('is invoiceable only from its effectiveFrom, and an earlier invoice keeps its price', async () => {
    const id = await propose('/v1/admin/fees', { fee, reason: 'AFSA fee rules 2026' });
    const self = await api.call('POST', `/v1/admin/changes/${id}/approve`, { token: tokens.proposer });
    expect(self.status, self.text).toBe(403);
    expect(self.headers.get('content-type')).toContain('application/problem+json');

    const from = new Date(Date.now() + 86_400_000);
    const approved = await approve(id, { effectiveFrom: from.toISOString() });
    expect(approved).toMatchObject({ state: 'approved', decidedBy: 'op-approver', effectiveFrom: from.toISOString() });

    const early = await issue(fee.code);
    expect(early.status, early.text).toBe(400);
    expect((await api.call('GET', '/v1/fees')).json.items.map((f: any) => f.code)).not.toContain(fee.code);

    setLocalClock(new Date(from.getTime() + 60_000));
    const first = await issue(fee.code);
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({ dueMicroUsd: '123000000', pricedWith: { fee: id } });
    const listed = (await api.call('GET', '/v1/fees')).json.items.find((f: any) => f.code === fee.code);
    expect(listed).toMatchObject({ version: id, amount: { currency: 'USD', minor: '12300' } });

    const dearer = await propose('/v1/admin/fees', {
      fee: { ...fee, amount: { currency: 'USD', minor: '20000' } },
      reason: 'up',
    });
    await approve(dearer);
    const second = await issue(fee.code);
    expect(second.json).toMatchObject({ dueMicroUsd: '200000000', pricedWith: { fee: dearer } });
    const kept = await api.call('GET', `/v1/invoices/${first.json.id}`, { token: tokens.afsa });
    expect(kept.json).toMatchObject({ dueMicroUsd: '123000000', pricedWith: { fee: id } });

    const versions = await api.call('GET', `/v1/admin/reference/fee?subject=${fee.code}`, { token: tokens.approver });
    expect(versions.json.items.map((v: any) => [v.id, v.proposedBy, v.approvedBy])).toEqual([
      [id, 'op-proposer', 'op-approver'],
      [dearer, 'op-proposer', 'op-approver'],
    ]);
  });
});

describe('a fee for a ministry outside the sample catalog', () => {
  it("is invoiced by that ministry with its contact on the pay page, and the invoice reaches auditors' lists", async () => {
    const fee = {
      code: 'MINJUST-E2E-FEE',
      ministry: 'MINJUST',
      title: { kk: 'Алым', ru: 'Сбор', en: 'Fee' },
      amount: { currency: 'USD', minor: '5000' },
      contact: { email: 'fees@minjust.example', phone: '+7 7172 00 00 00' },
    };
    await approve(await propose('/v1/admin/fees', { fee, reason: 'a new ministry joins' }));
    const minjust = await runtime.issuer.issue({ role: 'ministry', ministry: 'MINJUST' });
    const issued = await issue(fee.code, minjust);
    expect(issued.status, issued.text).toBe(201);
    // The payer is told how to reach this issuer: the fee's contact, recorded on the invoice.
    expect(issued.json.issuerContact).toEqual(fee.contact);
    const page = await (await fetch(`${runtime.apiUrl}/pay/${issued.json.id}?lang=en`)).text();
    expect(page).toContain('href="mailto:fees@minjust.example"');
    expect(page).toContain('href="tel:+77172000000"');
    const auditor = await runtime.issuer.issue({ role: 'auditor' });
    const listed = await api.call('GET', '/v1/invoices?limit=100', { token: auditor });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.json.items.map((i: { id: string }) => i.id)).toContain(issued.json.id);
  });
});

describe("next year's MRP", () => {
  it('is in force from 00:00 Astana time on 1 January; the check is raised 30 days ahead while it is missing', async () => {
    const { isMrpMissingAhead } = await import('../../shared/app/reference-data');
    const { dynamoReferenceData } = await import('../../shared/adapters/dynamo/reference-data');
    const { putUsdKztRate } = await import('../../shared/adapters/dynamo/rates');
    const newYear = Date.UTC(year + 1, 0, 1) - 5 * 3600_000; // 00:00 on 1 January in Astana
    await putUsdKztRate({ rate: '500', rateDate: `${year}-12-31`, source: 'NBK', fetchedAt: new Date().toISOString() });
    // This year's MRP: seeded for the years the code knows, else entered like next year's.
    const thisYears = MRP_KZT_BY_YEAR[year]?.toString() ?? '4400';
    if (!MRP_KZT_BY_YEAR[year]) await approve(await propose('/v1/admin/mrp', { year, kzt: thisYears, reason: 'law' }));

    expect(await isMrpMissingAhead(dynamoReferenceData, new Date(newYear - 31 * 86_400_000))).toBe(false);
    expect(await isMrpMissingAhead(dynamoReferenceData, new Date(newYear - 30 * 86_400_000))).toBe(true);

    const id = await propose('/v1/admin/mrp', { year: year + 1, kzt: '4999', reason: 'budget law' });
    const approved = await approve(id);
    expect(approved.effectiveFrom).toBe(new Date(newYear).toISOString());
    expect(await isMrpMissingAhead(dynamoReferenceData, new Date(newYear - 30 * 86_400_000))).toBe(false);

    setLocalClock(new Date(newYear - 1_000)); // 23:59:59 on 31 December
    const december = await issue('MINFIN-DUTY-APOSTILLE', tokens.minfin);
    expect(december.status, december.text).toBe(201);
    expect(december.json.quote.mrpKzt).toBe(thisYears);

    setLocalClock(new Date(newYear + 1_000));
    const january = await issue('MINFIN-DUTY-APOSTILLE', tokens.minfin);
    expect(january.status, january.text).toBe(201);
    expect(january.json.quote.mrpKzt).toBe('4999');
    expect(january.json.pricedWith).toEqual({ fee: 'seed:fee:MINFIN-DUTY-APOSTILLE', mrp: id });
  });
});

describe('registry URLs', () => {
  it('refuses the metadata service and private addresses; the local mock registry is allowed locally only', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/iam',
      'https://10.0.0.1/receipts',
      'https://0xa9fea9fe/',
    ]) {
      const r = await api.call('POST', '/v1/admin/registries', {
        token: tokens.proposer,
        body: { ministry: 'AFSA', url, reason: 'move' },
      });
      expect(r.status, url).toBe(400);
      expect(r.json.errors.map((e: any) => e.field)).toEqual(['url']);
    }
    await propose('/v1/admin/registries', {
      ministry: 'AFSA',
      url: `${runtime.registry.url}/registries/AFSA/receipts`,
      reason: 'local',
    });
  });
});
