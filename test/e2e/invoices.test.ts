/**
 * Issuing, reading, listing and cancelling invoices over HTTP against the local runtime (moto, Hardhat, the NBK
 * fixture), as a ministry and an auditor would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { parseEip681TransferUri } from '../../shared/domain/eip681';
import { type ApiClient, apiClient } from '../helpers/api';

let runtime: LocalRuntime;
let api: ApiClient;
let afsa: string;
let minfin: string;
let auditor: string;

const payer = { bin: '940140000385', name: 'Test Firm LLP' };

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, workers: false });
  api = apiClient(runtime.apiUrl);
  [afsa, minfin, auditor] = await Promise.all([
    api.token({ role: 'ministry', ministry: 'AFSA' }),
    api.token({ role: 'ministry', ministry: 'MINFIN' }),
    api.token({ role: 'auditor' }),
  ]);
});

afterAll(async () => {
  await runtime?.stop();
});

async function countInvoices(): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page = await api.call('GET', `/v1/invoices?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
      token: auditor,
    });
    count += page.json.items.length;
    cursor = page.json.nextCursor;
  } while (cursor);
  return count;
}

describe('POST /v1/invoices', () => {
  it('issues an AFSA invoice with options for the local USDT and USDC', async () => {
    const r = await api.call('POST', '/v1/invoices', {
      token: afsa,
      body: { feeCode: 'AFSA-SUP-PMS', payer, reference: 'LIC-2026-0042' },
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      status: 'open',
      exception: 'none',
      ministry: 'AFSA',
      feeCode: 'AFSA-SUP-PMS',
      dueMicroUsd: '3000000000',
      paidMicroUsd: '0',
      pendingMicroUsd: '0',
      quote: { source: 'fixed' },
      receiptId: null,
    });
    expect(r.json.id).toMatch(/^inv_[A-Za-z0-9_-]{22}$/);
    expect(Date.parse(r.json.expiresAt) - Date.parse(r.json.createdAt)).toBe(60 * 60_000);
    const bySymbol = Object.fromEntries(r.json.options.map((o: any) => [o.symbol, o]));
    for (const symbol of ['USDT', 'USDC']) {
      const option = bySymbol[symbol];
      const token = runtime.chain.tokens.find((t) => t.symbol === symbol);
      expect(option).toMatchObject({ chainId: 31337, token: token?.address, amount: '3000000000', decimals: 6 });
      expect(option.depositAddress).toBe(r.json.depositAddress);
      expect(parseEip681TransferUri(option.eip681)).toEqual({
        token: token?.address,
        chainId: 31337,
        to: r.json.depositAddress,
        amount: 3_000_000_000n,
      });
    }
    expect(bySymbol.USD18.amount).toBe(`3000${'0'.repeat(18)}`);
    expect(r.json.payUrl).toBe(`${runtime.apiUrl}/pay/${r.json.id}`);
  });

  it('returns the same invoice for a repeated Idempotency-Key and 409 for a different body', async () => {
    const headers = { 'idempotency-key': 'order-7731' };
    const body = { feeCode: 'AFSA-APP-PMS', payer };
    const first = await api.call('POST', '/v1/invoices', { token: afsa, body, headers });
    const again = await api.call('POST', '/v1/invoices', { token: afsa, body, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.json.id).toBe(first.json.id);
    expect(again.json.depositAddress).toBe(first.json.depositAddress);
    const other = await api.call('POST', '/v1/invoices', {
      token: afsa,
      body: { ...body, reference: 'changed' },
      headers,
    });
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    // The same key from another ministry is another key.
    const minfinSameKey = await api.call('POST', '/v1/invoices', {
      token: minfin,
      body: { feeCode: 'MINFIN-DUTY-LIC-DUP', payer },
      headers,
    });
    expect(minfinSameKey.status).toBe(201);
  });

  it('quotes a KZT fee with the NBK fixture rate, rounded up to the cent', async () => {
    const r = await api.call('POST', '/v1/invoices', {
      token: minfin,
      body: { feeCode: 'MINFIN-DUTY-LIC-DUP', payer },
    });
    expect(r.status).toBe(201);
    // KZT 15,000 at 474.2 KZT/USD = 31.6322...; rounded up to the cent: USD 31.64.
    expect(r.json.dueMicroUsd).toBe('31640000');
    expect(r.json.quote).toMatchObject({ source: 'NBK', pair: 'USD/KZT', rate: '474.2', kztMinor: '1500000' });
    expect(r.json.budget).toMatchObject({ kbk: '108125', knp: '911', kbe: '11' });
    expect(r.json.payer.kod).toBe('17');
  });

  it('refuses bad input with problem+json naming the field, and writes nothing', async () => {
    const before = await countInvoices();
    const cases: [unknown, number, string][] = [
      [{ feeCode: 'AFSA-SUP-PMS', payer: { ...payer, bin: '940140000386' } }, 400, 'payer.bin'],
      [{ feeCode: 'NO-SUCH-FEE', payer }, 400, 'feeCode'],
      [{ feeCode: 'MINFIN-LIC-FEE', payer }, 400, 'feeCode'],
      [{ feeCode: 'AFSA-SUP-PMS', payer, expiresInMinutes: 1 }, 400, 'expiresInMinutes'],
      [{ feeCode: 'AFSA-SUP-PMS', payer, expiresInMinutes: 100_000 }, 400, 'expiresInMinutes'],
      [{ feeCode: 'AFSA-SUP-PMS', payer, chains: [1] }, 400, 'chains.0'],
      [{ feeCode: 'AFSA-SUP-PMS', payer, chains: [31337, 31337] }, 400, 'chains.1'],
      [{ feeCode: 'AFSA-SUP-PMS', payer, extra: true }, 400, '(body)'],
    ];
    for (const [body, status, field] of cases) {
      const r = await api.call('POST', '/v1/invoices', { token: afsa, body });
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.json.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const large = await api.call('POST', '/v1/invoices', {
      token: afsa,
      body: { feeCode: 'AFSA-SUP-PMS', payer: { ...payer, name: 'x'.repeat(20_000) } },
    });
    expect(large.status).toBe(413);
    const text = await api.call('POST', '/v1/invoices', {
      token: afsa,
      rawBody: JSON.stringify({ feeCode: 'AFSA-SUP-PMS', payer }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const badKey = await api.call('POST', '/v1/invoices', {
      token: afsa,
      body: { feeCode: 'AFSA-SUP-PMS', payer },
      headers: { 'idempotency-key': 'spaces are not allowed' },
    });
    expect(badKey.status).toBe(400);
    expect(await countInvoices()).toBe(before);
  });

  it('requires a ministry token', async () => {
    const body = { feeCode: 'AFSA-SUP-PMS', payer };
    expect((await api.call('POST', '/v1/invoices', { body })).status).toBe(401);
    expect((await api.call('POST', '/v1/invoices', { body, token: 'not.a.jwt' })).status).toBe(401);
    expect((await api.call('POST', '/v1/invoices', { body, token: auditor })).status).toBe(403);
  });

  it('gives 20 concurrent invoices 20 distinct deposit addresses', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.call('POST', '/v1/invoices', { token: afsa, body: { feeCode: 'AFSA-APP-AI', payer } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.json.depositAddress.toLowerCase())).size).toBe(20);
    expect(new Set(results.map((r) => r.json.id)).size).toBe(20);
  });
});

describe('reading and cancelling', () => {
  it('scopes GET /v1/invoices/{id} to the owning ministry and auditors', async () => {
    const created = await api.call('POST', '/v1/invoices', { token: afsa, body: { feeCode: 'AFSA-SUP-PMS', payer } });
    const id = created.json.id;
    expect((await api.call('GET', `/v1/invoices/${id}`, { token: afsa })).json.id).toBe(id);
    expect((await api.call('GET', `/v1/invoices/${id}`, { token: auditor })).status).toBe(200);
    const other = await api.call('GET', `/v1/invoices/${id}`, { token: minfin });
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect((await api.call('GET', '/v1/invoices/inv_nope', { token: afsa })).status).toBe(404);
    const operator = await api.token({ role: 'operator' });
    expect((await api.call('GET', `/v1/invoices/${id}`, { token: operator })).status).toBe(403);
  });

  it('lists own invoices newest first, filters, and pages with a cursor exactly once each', async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api.call('GET', `/v1/invoices?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { token: afsa });
      expect(page.status).toBe(200);
      for (const item of page.json.items) {
        expect(item.ministry).toBe('AFSA');
        all.push(item.id);
      }
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
    const single = await api.call('GET', '/v1/invoices?limit=100', { token: afsa });
    expect(single.json.items.map((i: any) => i.id)).toEqual(all);
    const created = single.json.items.map((i: any) => i.createdAt);
    expect([...created].sort().reverse()).toEqual(created);

    const minfinOnly = await api.call('GET', '/v1/invoices?limit=100', { token: minfin });
    expect(minfinOnly.json.items.length).toBeGreaterThan(0);
    expect(minfinOnly.json.items.every((i: any) => i.ministry === 'MINFIN')).toBe(true);
    const everything = await countInvoices();
    expect(everything).toBe(all.length + minfinOnly.json.items.length);

    const open = await api.call('GET', '/v1/invoices?status=open&payerBin=940140000385&limit=100', { token: afsa });
    expect(open.json.items.length).toBe(all.length);
    const cancelled = await api.call('GET', '/v1/invoices?status=cancelled', { token: afsa });
    expect(cancelled.json.items).toEqual([]);
    const bad = await api.call('GET', '/v1/invoices?status=weird&cursor=zzz', { token: afsa });
    expect(bad.status).toBe(400);
  });

  it('cancels an unpaid invoice once; other ministries cannot', async () => {
    const created = await api.call('POST', '/v1/invoices', { token: afsa, body: { feeCode: 'AFSA-SUP-PMS', payer } });
    const id = created.json.id;
    expect((await api.call('POST', `/v1/invoices/${id}/cancel`, { token: minfin })).status).toBe(404);
    const cancelled = await api.call('POST', `/v1/invoices/${id}/cancel`, { token: afsa });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe('cancelled');
    const again = await api.call('POST', `/v1/invoices/${id}/cancel`, { token: afsa });
    expect(again.status).toBe(200);
    const listed = await api.call('GET', '/v1/invoices?status=cancelled', { token: afsa });
    expect(listed.json.items.map((i: any) => i.id)).toEqual([id]);
  });
});
