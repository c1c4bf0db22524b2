/**
 * Compliance controls end to end on the local runtime (issue 14's "done when"): a fee that requires a licence is
 * refused for a revoked BIN (422 payer_not_licensed) and issued for an active one, with the licence number on the
 * invoice and the pay page's JSON, while an application fee is issued to an unregistered BIN; a payment from a
 * screened sender is held (invoice not paid, no receipt), released by compliance and then paid with a receipt; a
 * second held payment is rejected and sits in suspense, not revenue; the test USDT's owner blacklists a deposit
 * address holding funds, and one scanner run opens an incident while the sweeper attempts no sweep from it.
 */
import { Contract } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileContract } from '../../infra/local/contracts';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { type ApiClient, apiClient } from '../helpers/api';
import { pay, until } from '../helpers/runtime';

let runtime: LocalRuntime;
let api: ApiClient;
let afsa: string;
let compliance: string;
let auditor: string;
let operator: string;

/** The payer account the screening list names (no other test here pays from it). */
const SCREENED = 7;
const active = { bin: '940140000385', name: 'Test Firm LLP' };

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, finalityDepth: 3 });
  api = apiClient(runtime.apiUrl);
  [afsa, compliance, auditor, operator] = await Promise.all([
    api.token({ role: 'ministry', ministry: 'AFSA' }),
    api.token({ role: 'compliance' }),
    api.token({ role: 'auditor' }),
    api.token({ role: 'operator' }),
  ]);
});

afterAll(async () => {
  await runtime?.stop();
});

async function issue(feeCode: string, payer = active) {
  return api.call('POST', '/v1/invoices', { token: afsa, body: { feeCode, payer } });
}

describe('the licensed-firm register', () => {
  it('refuses a licence-requiring fee for a revoked BIN with the status found, issues it for an active one', async () => {
    const refused = await issue('AFSA-SUP-PMS', { bin: '950140000004', name: 'Sample Revoked Ltd' });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.json).toMatchObject({
      type: 'https://stablefee.dev/problems/payer_not_licensed',
      status: 422,
      licenceStatus: 'revoked',
      bin: '950140000004',
    });

    const issued = await issue('AFSA-SUP-PMS');
    expect(issued.status, issued.text).toBe(201);
    expect(issued.json.payer).toMatchObject({ bin: active.bin, licenceNo: 'AFSA-F-2025-0001' });
    const view = await api.call('GET', `/v1/pay/${issued.json.id}`);
    expect(view.json.payer).toMatchObject({ licenceNo: 'AFSA-F-2025-0001' });
  });

  it('issues an application fee to an unregistered BIN, and reads the register by BIN', async () => {
    const issued = await issue('AFSA-APP-PMS', { bin: '960140000001', name: 'Applicant LLP' });
    expect(issued.status, issued.text).toBe(201);
    expect(issued.json.payer.licenceNo).toBeUndefined();
    const unregistered = await issue('AFSA-SUP-PMS', { bin: '960140000001', name: 'Applicant LLP' });
    expect(unregistered.json).toMatchObject({ status: 422, licenceStatus: 'not registered' });
    const firm = await api.call('GET', `/v1/register/${active.bin}`, { token: compliance });
    expect(firm.json).toMatchObject({ status: 'active', licenceNo: 'AFSA-F-2025-0001', snapshot: { version: 1 } });
  });

  it('a new snapshot decides from then on; the earlier one is kept', async () => {
    const csv =
      'bin,name,licenceNo,status,activities,validFrom\n940140000385,Test Firm LLP,AFSA-F-2025-0001,suspended,,2025-01-01\n';
    const up = await api.call('PUT', '/v1/register', {
      token: compliance,
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(up.status, up.text).toBe(201);
    expect(up.json).toMatchObject({ version: 2, firms: 1, format: 'csv', uploadedBy: 'dev|compliance' });
    expect((await issue('AFSA-SUP-PMS')).json).toMatchObject({ status: 422, licenceStatus: 'suspended' });
    const back = await api.call('PUT', '/v1/register', {
      token: compliance,
      body: {
        firms: [
          { ...active, licenceNo: 'AFSA-F-2025-0001', status: 'active', activities: [], validFrom: '2025-01-01' },
        ],
      },
    });
    expect(back.json.version).toBe(3);
    expect((await issue('AFSA-SUP-PMS')).status).toBe(201);
  });
});

describe('sender screening', () => {
  const holdOf = async (txHash: string) => {
    const r = await api.call('GET', '/v1/holds?limit=100', { token: compliance });
    return r.json.items.find((h: { txHash: string }) => h.txHash === txHash);
  };

  it('holds a payment from a listed sender; released by compliance it is paid with a receipt', async () => {
    const listed = await api.call('PUT', '/v1/screening-lists/e2e-list', {
      token: compliance,
      body: { source: 'e2e sample', asOf: '2026-12-01', addresses: [runtime.chain.payers[SCREENED]], reason: 'e2e' },
    });
    expect(listed.status, listed.text).toBe(200);
    const invoice = (await issue('AFSA-APP-AI')).json;
    const usdt = invoice.options.find((o: { symbol: string }) => o.symbol === 'USDT');
    const tx = await pay(runtime, invoice.depositAddress, BigInt(usdt.amount), SCREENED);
    const hold = await until(
      () => holdOf(tx.hash),
      (h) => h?.state === 'held',
      60_000,
    );
    expect(hold).toMatchObject({ invoiceId: invoice.id, amount: usdt.amount });
    expect(hold.holdReason).toContain('e2e-list');
    const held = await api.call('GET', `/v1/invoices/${invoice.id}`, { token: auditor });
    expect(held.json).toMatchObject({ status: 'open', paidMicroUsd: '0', pendingMicroUsd: '0' });
    expect(held.json.receiptId ?? null).toBeNull();

    const released = await api.call('POST', `/v1/holds/${hold.id}/release`, {
      token: compliance,
      body: { reason: 'checked: the firm treasury wallet' },
    });
    expect(released.status, released.text).toBe(200);
    expect(released.json).toMatchObject({ state: 'released', decision: { by: 'dev|compliance' } });
    const paid = await until(
      () => api.call('GET', `/v1/invoices/${invoice.id}`, { token: auditor }),
      (r) => r.json?.status === 'paid' && Boolean(r.json?.receiptId),
      60_000,
    );
    expect(paid.json.paidMicroUsd).toBe(paid.json.dueMicroUsd);
    expect((await api.call('GET', `/v1/pay/${invoice.id}/receipt`)).status).toBe(200);
  });

  it('a second held payment, rejected, sits in suspense as sender_rejected and the invoice stays unpaid', async () => {
    const invoice = (await issue('AFSA-APP-AI')).json;
    const usdt = invoice.options.find((o: { symbol: string }) => o.symbol === 'USDT');
    const tx = await pay(runtime, invoice.depositAddress, BigInt(usdt.amount), SCREENED);
    const hold = await until(
      () => holdOf(tx.hash),
      (h) => h?.state === 'held',
      60_000,
    );
    const rejected = await api.call('POST', `/v1/holds/${hold.id}/reject`, {
      token: compliance,
      body: { reason: 'sender confirmed on the sanctions list' },
    });
    expect(rejected.status, rejected.text).toBe(200);
    const suspense = await until(
      () => api.call('GET', '/v1/transfers?match=unmatched', { token: operator }),
      (r) => r.json?.items?.some((t: { txHash: string; state: string }) => t.txHash === tx.hash && t.state === 'final'),
      60_000,
    );
    const transfer = suspense.json.items.find((t: { txHash: string }) => t.txHash === tx.hash);
    expect(transfer).toMatchObject({ unmatchedReason: 'sender_rejected' });
    expect(transfer.invoiceId ?? null).toBeNull();
    const after = await api.call('GET', `/v1/invoices/${invoice.id}`, { token: auditor });
    expect(after.json).toMatchObject({ paidMicroUsd: '0' });
    expect(after.json.receiptId ?? null).toBeNull();
    const again = await api.call('POST', `/v1/holds/${hold.id}/release`, { token: compliance, body: { reason: 'no' } });
    expect(again.status).toBe(409);
  });
});

describe('freeze watch', () => {
  it('the USDT owner blacklists a funded deposit address: an incident within one scanner run, and no sweep attempted', async () => {
    const sweeper = runtime.schedules.get('sweep-deposits');
    const scanner = runtime.schedules.get('scan-chain');
    await sweeper?.pause();
    const invoice = (await issue('AFSA-APP-AI')).json;
    const usdt = invoice.options.find((o: { symbol: string }) => o.symbol === 'USDT');
    await pay(runtime, invoice.depositAddress, BigInt(usdt.amount));
    await until(
      () => api.call('GET', `/v1/invoices/${invoice.id}`, { token: auditor }),
      (r) => r.json?.status === 'paid',
      60_000,
    );

    await scanner?.pause();
    const [owner] = (await runtime.chain.provider.send('eth_accounts', [])) as string[];
    const tether = new Contract(
      usdt.token,
      compileContract('TetherLikeToken').abi as never,
      await runtime.chain.provider.getSigner(owner),
    );
    await (await tether.getFunction('addBlackList')(invoice.depositAddress)).wait();
    await scanner?.runNow();
    const incidents = await api.call('GET', '/v1/incidents', { token: operator });
    expect(incidents.status, incidents.text).toBe(200);
    const incident = incidents.json.items.find((i: { address: string }) => i.address === invoice.depositAddress);
    expect(incident).toMatchObject({
      kind: 'address-frozen',
      role: 'deposit',
      invoiceId: invoice.id,
      token: usdt.token,
    });
    expect((await api.call('GET', '/v1/incidents', { token: auditor })).status).toBe(200);

    // Other invoices' deposits may be swept in this run; this one is never in a sweep (a sweep is recorded before it
    // is sent, so one attempted would be listed).
    await sweeper?.runNow();
    expect(await tether.getFunction('balanceOf')(invoice.depositAddress)).toBe(BigInt(usdt.amount));
    const sweeps = await api.call('GET', '/v1/sweeps?limit=100', { token: operator });
    expect(sweeps.json.items.some((w: { invoiceIds: string[] }) => w.invoiceIds.includes(invoice.id))).toBe(false);
    scanner?.resume();
    sweeper?.resume();
  });
});
