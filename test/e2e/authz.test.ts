/**
 * The authorization matrix, over HTTP against the local runtime: every route of the topology × seven callers — no
 * token, an expired token, a token for another audience (both signed with the runtime's own issuer key, so only the
 * claim is wrong), ministry A (AFSA), ministry B (MINFIN), an auditor and an operator — with the answer each must get.
 *
 * The compliance officer is an eighth caller: a row names its answer in `compliance` where the role is admitted;
 * elsewhere it must be refused (403) on jwt routes and get the public answer on public ones.
 *
 * One table. It must have a row for every HTTP route of infra/topology.ts (a new route fails the test until its row
 * is added) and no row for a route the topology does not have. Requests are valid, so that the status is the
 * authorization outcome: A's resources are read by everyone, writes carry valid bodies, and each cancel acts on a
 * fresh invoice. For jwt routes, the three refused tokens are a 401 problem before the route's rule runs; for
 * public routes every caller gets the public answer.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { SAMPLE_REGISTER_PATH } from '../../infra/local/seed-compliance';
import { camt053Statement, settlementReportCsv } from '../../infra/local/settlement-documents';
import { functions } from '../../infra/topology';
import { QUICKNODE_HEADERS, quicknodeSignature } from '../../shared/adapters/providers/quicknode';
import { kazakhstanDay } from '../../shared/domain/time';
import { type ApiClient, apiClient } from '../helpers/api';
import { pay, until } from '../helpers/runtime';

const columns = [
  'none',
  'expired',
  'wrong audience',
  'ministry A',
  'ministry B',
  'auditor',
  'operator',
  'compliance',
] as const;
type Column = (typeof columns)[number];
type Statuses = [number, number, number, number, number, number, number];

interface Call {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  rawBody?: string;
}

type Response = Awaited<ReturnType<ApiClient['call']>>;

interface Row {
  /** `METHOD /path` exactly as in the topology. */
  route: string;
  /** What this row asks, when a route has several rows. */
  what?: string;
  expected: Statuses;
  /**
   * The compliance officer's answer, when the row says it; else 403 on a jwt route (compliance reaches only its own
   * routes and the register) and the public answer on a public one.
   */
  compliance?: number;
  /** The request, built per caller (may create what it acts on). */
  request: (caller: Column) => Call | Promise<Call>;
  /** Extra checks on an answer (scoping of lists, state after a refused write). */
  verify?: (caller: Column, response: Response, call: Call) => void | Promise<void>;
}

let runtime: LocalRuntime;
let api: ApiClient;
const tokens = {} as Record<Column, string | undefined>;
const fixtures = { invoiceA: '', invoiceB: '', paidA: '', receiptA: '', exportId: '', overpaidA: '', refundA: '' };

const payer = { bin: '940140000385', name: 'Test Firm LLP' };
const sampleRegister = readFileSync(SAMPLE_REGISTER_PATH, 'utf8');
const day = 86_400_000;

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, finalityDepth: 3 });
  // The scanner alone finds the fixture payment.
  runtime.provider.setSwitches({ paused: true });
  api = apiClient(runtime.apiUrl);
  const issuer = runtime.issuer;
  const now = Math.floor(Date.now() / 1000);
  tokens.none = undefined;
  [
    tokens.expired,
    tokens['wrong audience'],
    tokens['ministry A'],
    tokens['ministry B'],
    tokens.auditor,
    tokens.operator,
    tokens.compliance,
  ] = await Promise.all([
    // The owner of A's resources, an hour past expiry.
    issuer.issueWith({ role: 'ministry', ministry: 'AFSA' }, { issuedAt: now - 7200, expiresAt: now - 3600 }),
    // The role that reads everything, issued for another API.
    issuer.issueWith({ role: 'auditor' }, { audience: 'another-api' }),
    issuer.issue({ role: 'ministry', ministry: 'AFSA' }),
    issuer.issue({ role: 'ministry', ministry: 'MINFIN' }),
    issuer.issue({ role: 'auditor' }),
    issuer.issue({ role: 'operator' }),
    issuer.issue({ role: 'compliance' }),
  ]);

  const [a, b, paid] = await Promise.all([
    issue('ministry A', 'AFSA-SUP-PMS'),
    issue('ministry B', 'MINFIN-DUTY-LIC-DUP'),
    issue('ministry A', 'AFSA-APP-AI'),
  ]);
  fixtures.invoiceA = a.id;
  fixtures.invoiceB = b.id;
  fixtures.paidA = paid.id;
  const usdt = paid.options.find((o: { symbol: string }) => o.symbol === 'USDT');
  await pay(runtime, paid.depositAddress, BigInt(usdt.amount));
  const overpaid = await issue('ministry A', 'AFSA-APP-AI');
  fixtures.overpaidA = overpaid.id;
  await pay(runtime, overpaid.depositAddress, BigInt(usdt.amount) + 10_000_000n);
  const settled = await until(
    () => api.call('GET', `/v1/invoices/${paid.id}`, { token: tokens.auditor }),
    (r) => r.json?.status === 'paid' && Boolean(r.json?.receiptId),
    60_000,
  );
  fixtures.receiptA = settled.json.receiptId;
  await until(
    () => api.call('GET', `/v1/invoices/${overpaid.id}`, { token: tokens.auditor }),
    (r) => r.json?.exception === 'overpaid' && Boolean(r.json?.receiptId),
    60_000,
  );
  // A's refund, rejected at once: readable by everyone allowed, and the overpayment free for the rows below.
  fixtures.refundA = await requestRefundOfA();
  await rejectRefund(fixtures.refundA);

  const exported = await api.call('POST', '/v1/exports', { token: tokens.auditor, body: period() });
  expect(exported.status, exported.text).toBe(202);
  fixtures.exportId = exported.json.id;
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

async function issue(caller: Column, feeCode: string) {
  const r = await api.call('POST', '/v1/invoices', { token: tokens[caller], body: { feeCode, payer } });
  expect(r.status, r.text).toBe(201);
  return r.json;
}

/**
 * A's refund of 1 base unit of its overpaid fixture invoice, requested by A; its id. Money is refundable only once its
 * transfers passed the deep re-check after finality, so a fresh fixture is asked again while it answers that 409.
 */
async function requestRefundOfA(): Promise<string> {
  const r = await until(
    () =>
      api.call('POST', '/v1/refunds', {
        token: tokens['ministry A'],
        body: { invoiceId: fixtures.overpaidA, amount: '1', reason: 'overpaid' },
      }),
    (res) => !(res.status === 409 && res.text.includes('not yet settled deeply enough')),
    60_000,
  );
  expect(r.status, r.text).toBe(201);
  return r.json.id;
}

/** An operator rejects a refund still requested (the overpayment is free for a new request). */
async function rejectRefund(id: string): Promise<void> {
  const r = await api.call('POST', `/v1/refunds/${id}/reject`, { token: tokens.operator });
  expect([200, 409], r.text).toContain(r.status);
}

/** A closed period: the last two days up to one day ago. */
function period() {
  const to = Date.now() - day;
  return { from: new Date(to - day).toISOString(), to: new Date(to).toISOString() };
}

/**
 * A QuickNode delivery of a filter that matched nothing, correctly signed: the provider's own 200. A fresh nonce each
 * time: a nonce seen before is refused as a replay.
 */
function signedEmptyDelivery(): Call {
  const body = 'null';
  const nonce = randomBytes(16).toString('hex');
  const timestamp = String(Math.floor(Date.now() / 1000));
  const secret = runtime.env.WEBHOOK_SECRET_QUICKNODE as string;
  return {
    method: 'POST',
    path: '/v1/webhooks/quicknode',
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      [QUICKNODE_HEADERS.nonce]: nonce,
      [QUICKNODE_HEADERS.timestamp]: timestamp,
      [QUICKNODE_HEADERS.signature]: quicknodeSignature(body, secret, nonce, timestamp),
    },
  };
}

const ministryOf: Partial<Record<Column, string>> = { 'ministry A': 'AFSA', 'ministry B': 'MINFIN' };

/** A ministry's list holds only its own items; an auditor's holds both ministries'. */
const scopedList =
  (idOf: (item: any) => string, fixtureIds: () => { A: string[]; B: string[] }) => (caller: Column, r: Response) => {
    if (r.status !== 200) return;
    const ids = r.json.items.map(idOf);
    const own = ministryOf[caller];
    if (own)
      expect(
        r.json.items.every((i: { ministry: string }) => i.ministry === own),
        caller,
      ).toBe(true);
    const { A, B } = fixtureIds();
    if (caller === 'ministry A' || caller === 'auditor') expect(ids, caller).toEqual(expect.arrayContaining(A));
    if (caller === 'ministry B' || caller === 'auditor') expect(ids, caller).toEqual(expect.arrayContaining(B));
  };

// biome-ignore format: the table is aligned by column
const table: Row[] = [
  //                                                         none expired w-aud   A    B  auditor operator
  { route: 'GET /v1/health',                        expected: [200, 200, 200, 200, 200, 200, 200],
    request: () => ({ method: 'GET', path: '/v1/health' }) },
  { route: 'GET /v1/fees',                          expected: [200, 200, 200, 200, 200, 200, 200],
    request: () => ({ method: 'GET', path: '/v1/fees' }) },
  { route: 'GET /v1/openapi.json',                  expected: [200, 200, 200, 200, 200, 200, 200],
    request: () => ({ method: 'GET', path: '/v1/openapi.json' }) },
  { route: 'GET /docs',                             expected: [200, 200, 200, 200, 200, 200, 200],
    request: () => ({ method: 'GET', path: '/docs' }) },
  { route: 'POST /v1/invoices', what: "A's fee",    expected: [401, 401, 401, 201, 400, 403, 403],
    request: () => ({ method: 'POST', path: '/v1/invoices', body: { feeCode: 'AFSA-APP-PMS', payer } }) },
  { route: 'POST /v1/invoices', what: "B's fee",    expected: [401, 401, 401, 400, 201, 403, 403],
    request: () => ({ method: 'POST', path: '/v1/invoices', body: { feeCode: 'MINFIN-DUTY-APOSTILLE', payer } }) },
  { route: 'GET /v1/invoices',                      expected: [401, 401, 401, 200, 200, 200, 403],
    request: () => ({ method: 'GET', path: '/v1/invoices?limit=100' }),
    verify: scopedList((i) => i.id, () => ({ A: [fixtures.invoiceA], B: [fixtures.invoiceB] })) },
  { route: 'GET /v1/invoices/{id}', what: "A's",    expected: [401, 401, 401, 200, 404, 200, 403],
    request: () => ({ method: 'GET', path: `/v1/invoices/${fixtures.invoiceA}` }) },
  { route: 'GET /v1/invoices/{id}', what: "B's",    expected: [401, 401, 401, 404, 200, 200, 403],
    request: () => ({ method: 'GET', path: `/v1/invoices/${fixtures.invoiceB}` }) },
  { route: 'POST /v1/invoices/{id}/cancel', what: "A's, fresh each time",
                                                    expected: [401, 401, 401, 200, 404, 403, 403],
    request: async () => ({ method: 'POST', path: `/v1/invoices/${(await issue('ministry A', 'AFSA-SUP-PMS')).id}/cancel` }),
    verify: async (caller, r, call) => {
      const id = call.path.split('/')[3];
      const after = await api.call('GET', `/v1/invoices/${id}`, { token: tokens.auditor });
      expect(after.json.status, `${caller} cancel → ${r.status}`).toBe(r.status === 200 ? 'cancelled' : 'open');
    } },
  { route: 'GET /pay/{id}',                         expected: [200, 200, 200, 200, 200, 200, 200],
    request: () => ({ method: 'GET', path: `/pay/${fixtures.invoiceA}` }) },
  { route: 'GET /v1/pay/{id}',                      expected: [200, 200, 200, 200, 200, 200, 200],
    request: () => ({ method: 'GET', path: `/v1/pay/${fixtures.invoiceA}` }) },
  { route: 'GET /pay/{id}/receipt',                 expected: [200, 200, 200, 200, 200, 200, 200],
    request: () => ({ method: 'GET', path: `/pay/${fixtures.paidA}/receipt` }) },
  { route: 'GET /v1/pay/{id}/receipt',              expected: [200, 200, 200, 200, 200, 200, 200],
    request: () => ({ method: 'GET', path: `/v1/pay/${fixtures.paidA}/receipt` }) },
  { route: 'POST /v1/webhooks/{provider}', what: 'signed',
                                                    expected: [200, 200, 200, 200, 200, 200, 200],
    request: signedEmptyDelivery },
  { route: 'POST /v1/webhooks/{provider}', what: 'unsigned',
                                                    expected: [401, 401, 401, 401, 401, 401, 401],
    request: () => ({ ...signedEmptyDelivery(), headers: { 'content-type': 'application/json' } }) },
  { route: 'GET /v1/ops/health',                    expected: [401, 401, 401, 403, 403, 403, 200],
    request: () => ({ method: 'GET', path: '/v1/ops/health' }) },
  { route: 'POST /v1/ops/replay',                   expected: [401, 401, 401, 403, 403, 403, 200],
    request: () => ({ method: 'POST', path: '/v1/ops/replay', body: { queue: 'transfers' } }) },
  { route: 'GET /v1/transfers',                     expected: [401, 401, 401, 403, 403, 200, 200],
    request: () => ({ method: 'GET', path: '/v1/transfers?match=unmatched' }) },
  { route: 'GET /v1/sweeps',                        expected: [401, 401, 401, 403, 403, 200, 200],
    request: () => ({ method: 'GET', path: '/v1/sweeps?limit=5' }) },
  { route: 'GET /v1/receipts',                      expected: [401, 401, 401, 200, 200, 200, 403],
    request: () => ({ method: 'GET', path: '/v1/receipts?limit=100' }),
    verify: scopedList((r) => r.receiptId, () => ({ A: [fixtures.receiptA], B: [] })) },
  { route: 'GET /v1/receipts', what: "asking for AFSA's",
                                                    expected: [401, 401, 401, 200, 200, 200, 403],
    request: () => ({ method: 'GET', path: '/v1/receipts?limit=100&ministry=AFSA' }),
    verify: scopedList((r) => r.receiptId, () => ({ A: [fixtures.receiptA], B: [] })) },
  { route: 'GET /v1/receipts/{id}', what: "A's",    expected: [401, 401, 401, 200, 404, 200, 403],
    request: () => ({ method: 'GET', path: `/v1/receipts/${fixtures.receiptA}` }) },
  { route: 'POST /v1/exports',                      expected: [401, 401, 401, 403, 403, 202, 403],
    request: () => ({ method: 'POST', path: '/v1/exports', body: period() }) },
  { route: 'GET /v1/exports/{id}',                  expected: [401, 401, 401, 403, 403, 200, 403],
    request: () => ({ method: 'GET', path: `/v1/exports/${fixtures.exportId}` }) },
  { route: 'POST /v1/refunds', what: "A's overpayment",
                                                    expected: [401, 401, 401, 201, 404, 403, 403],
    request: () => ({ method: 'POST', path: '/v1/refunds', body: { invoiceId: fixtures.overpaidA, amount: '1', reason: 'r' } }),
    verify: async (_caller, r) => { if (r.status === 201) await rejectRefund(r.json.id); } },
  { route: 'GET /v1/refunds',                       expected: [401, 401, 401, 200, 200, 200, 200],
    request: () => ({ method: 'GET', path: '/v1/refunds?limit=100' }),
    verify: scopedList((r) => r.id, () => ({ A: [fixtures.refundA], B: [] })) },
  { route: 'GET /v1/refunds/{id}', what: "A's",     expected: [401, 401, 401, 200, 404, 200, 200],
    request: () => ({ method: 'GET', path: `/v1/refunds/${fixtures.refundA}` }) },
  { route: 'POST /v1/refunds/{id}/reject', what: "A's, fresh each time",
                                                    expected: [401, 401, 401, 200, 404, 403, 200],
    request: async () => ({ method: 'POST', path: `/v1/refunds/${await requestRefundOfA()}/reject` }),
    verify: async (_caller, r, call) => { if (r.status !== 200) await rejectRefund(call.path.split('/')[3] as string); } },
  // Last of the refund rows: the operator's approval leaves the overpayment held by an open refund.
  { route: 'POST /v1/refunds/{id}/approve', what: "A's (A requested it), fresh each time",
                                                    expected: [401, 401, 401, 403, 404, 403, 200],
    // The compliance officer comes after the operator, whose approval left no overpayment to refund: a kept id.
    request: async (caller) => ({ method: 'POST', path: `/v1/refunds/${caller === 'compliance' ? fixtures.refundA : await requestRefundOfA()}/approve` }),
    verify: async (_caller, r, call) => { if (r.status !== 200) await rejectRefund(call.path.split('/')[3] as string); } },
  { route: 'POST /v1/settlements', what: 'a valid report, a new batch each time',
                                                    expected: [401, 401, 401, 403, 403, 403, 201],
    request: () => ({ method: 'POST', path: '/v1/settlements', rawBody: settlementReport(), headers: { 'content-type': 'text/csv' } }) },
  { route: 'POST /v1/bank-statements', what: 'a valid camt.053, a new message each time',
                                                    expected: [401, 401, 401, 403, 403, 403, 201],
    request: () => ({ method: 'POST', path: '/v1/bank-statements', rawBody: bankStatement(), headers: { 'content-type': 'application/xml' } }) },
  { route: 'GET /v1/reconciliation',                expected: [401, 401, 401, 403, 403, 200, 200],
    request: () => ({ method: 'GET', path: `/v1/reconciliation?from=${kazakhstanDay(new Date())}&to=${kazakhstanDay(new Date())}` }) },
  { route: 'PUT /v1/register', what: 'the sample register again',
                                                    expected: [401, 401, 401, 403, 403, 403, 403], compliance: 201,
    request: () => ({ method: 'PUT', path: '/v1/register', rawBody: sampleRegister, headers: { 'content-type': 'text/csv' } }) },
  { route: 'GET /v1/register/{bin}',                expected: [401, 401, 401, 200, 200, 200, 200], compliance: 200,
    request: () => ({ method: 'GET', path: `/v1/register/${payer.bin}` }) },
  { route: 'PUT /v1/screening-lists/{name}', what: 'an empty list',
                                                    expected: [401, 401, 401, 403, 403, 403, 403], compliance: 200,
    request: () => ({ method: 'PUT', path: '/v1/screening-lists/authz-empty', body: { source: 'authz test', asOf: '2026-01-01', addresses: [] } }) },
  { route: 'GET /v1/holds',                         expected: [401, 401, 401, 403, 403, 200, 200], compliance: 200,
    request: () => ({ method: 'GET', path: '/v1/holds?limit=5' }) },
  { route: 'POST /v1/holds/{id}/release', what: 'no such hold',
                                                    expected: [401, 401, 401, 403, 403, 403, 403], compliance: 404,
    request: () => ({ method: 'POST', path: `/v1/holds/31337:0x${'0'.repeat(64)}:0/release`, body: { reason: 'authz' } }) },
  { route: 'POST /v1/holds/{id}/reject', what: 'no such hold',
                                                    expected: [401, 401, 401, 403, 403, 403, 403], compliance: 404,
    request: () => ({ method: 'POST', path: `/v1/holds/31337:0x${'0'.repeat(64)}:0/reject`, body: { reason: 'authz' } }) },
  { route: 'GET /v1/incidents',                     expected: [401, 401, 401, 403, 403, 200, 200],
    request: () => ({ method: 'GET', path: '/v1/incidents?limit=5' }) },
  { route: 'POST /v1/admin/fees', what: 'an AFSA fee',
                                                    expected: [401, 401, 401, 201, 403, 403, 201],
    request: () => ({ method: 'POST', path: '/v1/admin/fees', body: { fee: authzFee, reason: 'authz' } }) },
  { route: 'POST /v1/admin/mrp', what: "next year's",
                                                    expected: [401, 401, 401, 403, 403, 403, 201],
    request: () => ({ method: 'POST', path: '/v1/admin/mrp', body: { year: new Date().getUTCFullYear() + 1, kzt: '5000', reason: 'authz' } }) },
  { route: 'POST /v1/admin/registries', what: "AFSA's, public https",
                                                    expected: [401, 401, 401, 403, 403, 403, 201],
    request: () => ({ method: 'POST', path: '/v1/admin/registries', body: { ministry: 'AFSA', url: 'https://registry.afsa.example.kz/receipts', reason: 'authz' } }) },
  { route: 'POST /v1/admin/changes/{id}/approve', what: "an AFSA fee another AFSA identity proposed, fresh each time",
                                                    expected: [401, 401, 401, 200, 404, 403, 200],
    request: async () => ({ method: 'POST', path: `/v1/admin/changes/${await proposeFeeChange()}/approve` }) },
  { route: 'POST /v1/admin/changes/{id}/reject', what: "an AFSA fee another AFSA identity proposed, fresh each time",
                                                    expected: [401, 401, 401, 200, 404, 403, 200],
    request: async () => ({ method: 'POST', path: `/v1/admin/changes/${await proposeFeeChange()}/reject`, body: { reason: 'authz' } }) },
  { route: 'GET /v1/admin/changes',                 expected: [401, 401, 401, 200, 200, 403, 200],
    request: () => ({ method: 'GET', path: '/v1/admin/changes?state=proposed' }),
    verify: (caller, r) => {
      // A ministry sees changes of its own fees only.
      if (caller === 'ministry B') expect(r.json.items).toEqual([]);
      if (caller === 'ministry A') expect(r.json.items.every((c: any) => c.value.fee?.ministry === 'AFSA')).toBe(true);
    } },
  { route: 'GET /v1/admin/reference/{kind}', what: 'fee versions',
                                                    expected: [401, 401, 401, 200, 200, 403, 200],
    request: () => ({ method: 'GET', path: '/v1/admin/reference/fee' }),
    verify: (caller, r) => {
      // A ministry reads the versions of its own fees only.
      if (r.status !== 200) return;
      const ministries = new Set(r.json.items.map((v: any) => v.value.fee.ministry));
      if (caller === 'ministry A') expect([...ministries]).toEqual(['AFSA']);
      if (caller === 'ministry B') expect(ministries.has('AFSA')).toBe(false);
    } },
  { route: 'GET /v1/admin/reference/{kind}', what: 'MRP versions',
                                                    expected: [401, 401, 401, 403, 403, 403, 200],
    request: () => ({ method: 'GET', path: '/v1/admin/reference/mrp' }) },
];

/** A fee of AFSA's that the reference-data rows propose. */
const authzFee = {
  code: 'AFSA-AUTHZ-FEE',
  ministry: 'AFSA',
  title: { kk: 'Алым', ru: 'Сбор', en: 'Authz fee' },
  amount: { currency: 'USD', minor: '100' },
};

/** A fee change proposed by a second AFSA identity (so neither A nor the operator is its proposer); its id. */
async function proposeFeeChange(): Promise<string> {
  const token = await runtime.issuer.issue({ role: 'ministry', ministry: 'AFSA', subject: 'afsa-proposer' });
  const r = await api.call('POST', '/v1/admin/fees', { token, body: { fee: authzFee, reason: 'authz' } });
  expect(r.status, r.text).toBe(201);
  return r.json.id;
}

/** A settlement report of one line under a fresh batch id (the transaction need not exist: it is stored, not matched). */
function settlementReport(): string {
  const token = runtime.chain.tokens.find((t) => t.symbol === 'USDT')?.address;
  const batchId = `AUTHZ-${randomBytes(4).toString('hex')}`;
  return settlementReportCsv(batchId, [
    {
      chainId: runtime.chain.chainId,
      token: token as string,
      tokenDecimals: 6,
      txHash: `0x${randomBytes(32).toString('hex')}`,
      tokenAmount: 1_000_000n,
      fiatCurrency: 'KZT',
      fiatAmount: 47_000n,
      rate: '470',
      feeAmount: 0n,
      valueDate: kazakhstanDay(new Date()),
      bankReference: batchId,
    },
  ]);
}

/** A camt.053 statement with one credit under a fresh message id. */
function bankStatement(): string {
  const messageId = `AUTHZ-${randomBytes(4).toString('hex')}`;
  return camt053Statement({
    messageId,
    account: 'KZ86125KZT5004100100',
    currency: 'KZT',
    day: kazakhstanDay(new Date()),
    credits: [{ amount: 47_000n, currency: 'KZT', reference: messageId }],
  });
}

const topologyRoutes = functions.flatMap((fn) =>
  fn.triggers.flatMap((t) => (t.kind === 'http' ? t.routes.map((r) => ({ ...r, key: `${r.method} ${r.path}` })) : [])),
);

const refusedByAuthorizer = ['none', 'expired', 'wrong audience'] as const;

describe('authorization matrix', () => {
  it('has a row for every route of the topology, and only for those', () => {
    const keys = topologyRoutes.map((r) => r.key);
    expect(
      keys.filter((k) => !table.some((row) => row.route === k)),
      'routes without a row',
    ).toEqual([]);
    expect(
      table.map((row) => row.route).filter((k) => !keys.includes(k)),
      'rows without a route',
    ).toEqual([]);
  });

  it("has rows consistent with each route's auth: jwt refuses bad tokens first, public ignores tokens", () => {
    for (const row of table) {
      const route = topologyRoutes.find((r) => r.key === row.route);
      if (route?.auth === 'jwt') {
        expect(row.expected.slice(0, refusedByAuthorizer.length), row.route).toEqual([401, 401, 401]);
      } else {
        expect(new Set(row.expected).size, `${row.route}: a public route answers every caller alike`).toBe(1);
      }
    }
  });

  it('answers every route × caller as the table says', async () => {
    const expected: Record<string, Record<Column, number>> = {};
    const actual: Record<string, Record<Column, number>> = {};
    const failures: string[] = [];
    for (const row of table) {
      const name = row.what ? `${row.route} (${row.what})` : row.route;
      const isJwt = topologyRoutes.find((r) => r.key === row.route)?.auth === 'jwt';
      const statuses = [...row.expected, row.compliance ?? (isJwt ? 403 : row.expected[0])];
      expected[name] = Object.fromEntries(columns.map((c, i) => [c, statuses[i]])) as Record<Column, number>;
      actual[name] = {} as Record<Column, number>;
      for (const caller of columns) {
        const call = await row.request(caller);
        const r = await api.call(call.method, call.path, {
          token: tokens[caller],
          body: call.body,
          headers: call.headers,
          rawBody: call.rawBody,
        });
        actual[name][caller] = r.status;
        try {
          // Every refusal is the function's problem, a bad token's too (it verifies the token itself), naming Bearer.
          if (isJwt && (refusedByAuthorizer as readonly string[]).includes(caller)) {
            expect(r.headers.get('content-type')).toBe('application/problem+json');
            expect(r.json).toMatchObject({ status: 401, type: 'https://stablefee.dev/problems/unauthorized' });
            expect(r.headers.get('www-authenticate')).toBe('Bearer');
          } else if (r.status >= 400) {
            expect(r.headers.get('content-type')).toBe('application/problem+json');
            expect(r.json.status).toBe(r.status);
          }
          await row.verify?.(caller, r, call);
        } catch (error) {
          failures.push(`${name} as ${caller}: ${(error as Error).message} — ${r.text.slice(0, 200)}`);
        }
      }
    }
    expect(actual).toEqual(expected);
    expect(failures).toEqual([]);
    // Every route × seven callers, some rows creating what they act on first: sequential, on a shared machine.
  }, 120_000);
});
