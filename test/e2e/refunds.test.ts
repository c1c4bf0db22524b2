/**
 * Refunds with four eyes end to end on the local runtime: an overpaid invoice's overpayment and a payment to a
 * cancelled invoice's address go back to their senders. The requester cannot approve (403); another identity
 * approves; the service signs the order and sends it to the mock custodian, which pays from the local custody
 * account (money reaches custody by a sweep of the deposit factory, called directly here); the refund completes
 * only when the service reads that transfer on chain, final, and its signed refund receipt reaches the registry.
 * Crash: the order executor fails after the custodian took the order and before recording it; the redelivered
 * message asks the custodian again under the same Idempotency-Key and the money moves once.
 */
import { Contract, getAddress, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileContract } from '../../infra/local/contracts';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { forwarderSalt } from '../../shared/domain/forwarder-address';
import { type RefundReceipt, verifyRefundReceipt } from '../../shared/domain/refund-documents';
import { type ApiClient, apiClient } from '../helpers/api';
import { pay, until } from '../helpers/runtime';

let runtime: LocalRuntime;
let api: ApiClient;
const tokens = { alice: '', bob: '', olga: '', oleg: '' };
let signer: string;
/** shared/adapters/faults: imported once the runtime set the functions' configuration (read at module load). */
let resetFaults: () => void = () => {};

const payer = { bin: '940140000385', name: 'Test Firm LLP' };
const USDT_100 = 100_000_000n;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    apiPort: 0,
    chainPort: 0,
    blockIntervalMs: 250,
    finalityDepth: 3,
    // A crashed order executor's message comes back in seconds, not a minute.
    queueOverrides: { refunds: { visibilityTimeoutSeconds: 3 } },
  });
  runtime.provider.setSwitches({ paused: true });
  api = apiClient(runtime.apiUrl);
  const token = (claims: object) => api.token(claims as { role: 'operator' });
  [tokens.alice, tokens.bob, tokens.olga, tokens.oleg] = await Promise.all([
    token({ role: 'ministry', ministry: 'AFSA', subject: 'alice@afsa' }),
    token({ role: 'ministry', ministry: 'AFSA', subject: 'bob@afsa' }),
    token({ role: 'operator', subject: 'olga@ops' }),
    token({ role: 'operator', subject: 'oleg@ops' }),
  ]);
  signer = (await api.call('GET', '/v1/health')).json.signer;
  ({ resetFaults } = await import('../../shared/adapters/faults'));
}, 120_000);

afterAll(async () => {
  process.env.FAULTS = '';
  resetFaults();
  await runtime?.stop();
});

async function issue() {
  const r = await api.call('POST', '/v1/invoices', { token: tokens.alice, body: { feeCode: 'AFSA-APP-AI', payer } });
  expect(r.status, r.text).toBe(201);
  return r.json;
}

const usdt = () => runtime.chain.tokens.find((t) => t.symbol === 'USDT')?.address as string;

async function balanceOf(holder: string): Promise<bigint> {
  const erc20 = new Contract(usdt(), compileContract('TestToken').abi as never, runtime.chain.provider);
  return (await erc20.getFunction('balanceOf')(holder)) as bigint;
}

/** Sweeps the invoices' forwarders to custody (anyone may call `sweep`; the sweeper is another function). */
async function sweep(invoiceIds: string[]): Promise<void> {
  const [sender] = (await runtime.chain.provider.send('eth_accounts', [])) as string[];
  const { abi } = compileContract('DepositFactory');
  const factory = new Contract(
    runtime.chain.depositFactory,
    abi as never,
    await runtime.chain.provider.getSigner(sender),
  );
  await (await factory.getFunction('sweep')(invoiceIds.map(forwarderSalt), usdt())).wait();
}

/** An invoice paid by `payerIndex` with 100 USDT too much, final and overpaid, its money swept to custody. */
async function overpaidInvoice(payerIndex: number) {
  const invoice = await issue();
  const due = BigInt(invoice.options.find((o: { symbol: string }) => o.symbol === 'USDT').amount);
  await pay(runtime, invoice.depositAddress, due + USDT_100, payerIndex);
  await until(
    async () => (await api.call('GET', `/v1/invoices/${invoice.id}`, { token: tokens.alice })).json,
    (i) => i.exception === 'overpaid' && Boolean(i.receiptId),
    60_000,
  );
  await sweep([invoice.id]);
  return invoice;
}

/**
 * POST /v1/refunds; asked again while the payment waits for the deep re-check after finality (409, nothing
 * written): a refund of money a deep reorg may still annul is refused.
 */
async function requestRefund(token: string, body: object, headers?: Record<string, string>) {
  return until(
    () => api.call('POST', '/v1/refunds', { token, body, ...(headers ? { headers } : {}) }),
    (r) => !(r.status === 409 && r.text.includes('not yet settled deeply enough')),
    60_000,
  );
}

const refundOf = async (id: string, token = tokens.olga) =>
  (await api.call('GET', `/v1/refunds/${id}`, { token })).json;

async function completed(id: string) {
  return until(
    () => refundOf(id),
    (r) => r.state === 'completed',
    90_000,
  );
}

/** The refund receipt the mock registry stored, checked against the health signer. */
function receiptAtRegistry(receiptId: string): RefundReceipt {
  const stored = runtime.registry.received.get(receiptId);
  expect(stored, `registry has ${receiptId}`).toBeDefined();
  const receipt = JSON.parse(stored?.body ?? '{}') as RefundReceipt;
  expect(verifyRefundReceipt(receipt, signer)).toEqual({ ok: true });
  return receipt;
}

describe('refunds with four eyes', () => {
  it('returns an overpayment of 100 USDT to its sender once another identity approves', {
    timeout: 180_000,
  }, async () => {
    const invoice = await overpaidInvoice(2);
    const sender = getAddress(runtime.chain.payers[2] as string);
    const before = await balanceOf(sender);

    const body = { invoiceId: invoice.id, reason: 'paid 100 USDT too much' };
    // Money never goes out to an address a screening list names: 422, nothing stored.
    const listedTo = Wallet.createRandom().address;
    const compliance = await api.token({ role: 'compliance' });
    const list = { source: 'e2e', asOf: '2026-12-01', addresses: [listedTo], reason: 'e2e' };
    const listed = await api.call('PUT', '/v1/screening-lists/e2e-refunds', { token: compliance, body: list });
    expect(listed.status, listed.text).toBe(200);
    const screened = await requestRefund(tokens.alice, { ...body, to: listedTo });
    expect(screened.status, screened.text).toBe(422);
    expect(screened.json).toMatchObject({ type: expect.stringMatching(/refund_destination_screened$/), to: listedTo });
    expect((await api.call('GET', '/v1/refunds', { token: tokens.alice })).json.items).toEqual([]);

    const requested = await requestRefund(tokens.alice, body, { 'idempotency-key': `refund-${invoice.id}` });
    expect(requested.status, requested.text).toBe(201);
    expect(requested.json).toMatchObject({ state: 'requested', amount: '100000000', to: sender, token: usdt() });
    const id = requested.json.id;
    const replayed = await api.call('POST', '/v1/refunds', {
      token: tokens.alice,
      body,
      headers: { 'idempotency-key': `refund-${invoice.id}` },
    });
    expect(replayed.status).toBe(201);
    expect(replayed.json.id).toBe(id);

    const own = await api.call('POST', `/v1/refunds/${id}/approve`, { token: tokens.alice });
    expect(own.status, own.text).toBe(403);
    expect(own.headers.get('content-type')).toBe('application/problem+json');
    const approved = await api.call('POST', `/v1/refunds/${id}/approve`, { token: tokens.bob });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json).toMatchObject({ state: 'approved', approvedBy: 'bob@afsa' });

    const done = await completed(id);
    expect(await balanceOf(sender)).toBe(before + USDT_100);
    expect(runtime.custodian.executed.get(id)?.txHash).toBe(done.txHash);
    await until(async () => runtime.registry.received.has(done.receiptId), Boolean, 30_000);
    expect(receiptAtRegistry(done.receiptId)).toMatchObject({
      kind: 'refund',
      refundId: id,
      source: `invoice:${invoice.id}`,
      amount: '100000000',
      txHash: done.txHash,
    });
    const shown = (await api.call('GET', `/v1/invoices/${invoice.id}`, { token: tokens.alice })).json;
    expect(shown.refunds).toEqual([expect.objectContaining({ id, state: 'completed', txHash: done.txHash })]);

    const again = await api.call('POST', '/v1/refunds', { token: tokens.alice, body });
    expect(again.status, again.text).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
  });

  it("returns a payment to a cancelled invoice's address, in suspense, by operators", {
    timeout: 180_000,
  }, async () => {
    const invoice = await issue();
    expect((await api.call('POST', `/v1/invoices/${invoice.id}/cancel`, { token: tokens.alice })).status).toBe(200);
    await pay(runtime, invoice.depositAddress, 5_000_000n, 4);
    const sender = getAddress(runtime.chain.payers[4] as string);
    const stray = await until(
      async () =>
        (await api.call('GET', '/v1/transfers?match=unmatched&limit=100', { token: tokens.olga })).json.items.find(
          (t: { to: string; state: string }) => t.to.toLowerCase() === invoice.depositAddress.toLowerCase(),
        ),
      (t) => t?.state === 'final',
      60_000,
    );
    expect(stray.unmatchedReason).toBe('invoice_cancelled');
    await sweep([invoice.id]);
    const before = await balanceOf(sender);

    const ministry = await api.call('POST', '/v1/refunds', {
      token: tokens.alice,
      body: { transferId: stray.id, reason: 'paid a cancelled invoice' },
    });
    expect(ministry.status, ministry.text).toBe(403);
    const requested = await requestRefund(tokens.olga, { transferId: stray.id, reason: 'paid a cancelled invoice' });
    expect(requested.status, requested.text).toBe(201);
    expect(requested.json).toMatchObject({ amount: '5000000', to: sender, ministry: 'AFSA' });
    const id = requested.json.id;
    expect((await api.call('POST', `/v1/refunds/${id}/approve`, { token: tokens.olga })).status).toBe(403);
    expect((await api.call('POST', `/v1/refunds/${id}/approve`, { token: tokens.oleg })).status).toBe(200);

    const done = await completed(id);
    expect(await balanceOf(sender)).toBe(before + 5_000_000n);
    await until(async () => runtime.registry.received.has(done.receiptId), Boolean, 30_000);
    expect(receiptAtRegistry(done.receiptId)).toMatchObject({ source: `transfer:${stray.id}`, amount: '5000000' });
    const again = await api.call('POST', '/v1/refunds', {
      token: tokens.olga,
      body: { transferId: stray.id, reason: 'again' },
    });
    expect(again.status, again.text).toBe(409);
  });

  it('crash after the custodian took the order: asked again under the same key, executed once', {
    timeout: 180_000,
  }, async () => {
    const invoice = await overpaidInvoice(3);
    const sender = getAddress(runtime.chain.payers[3] as string);
    const before = await balanceOf(sender);
    const requested = await requestRefund(tokens.alice, { invoiceId: invoice.id, reason: 'overpaid' });
    expect(requested.status, requested.text).toBe(201);
    const id = requested.json.id;
    const attempts = runtime.custodian.attempts;
    process.env.FAULTS = 'instruct:after-send';
    resetFaults();
    try {
      expect((await api.call('POST', `/v1/refunds/${id}/approve`, { token: tokens.olga })).status).toBe(200);
      const done = await completed(id);
      // The first send executed the order; the crash lost its record; the redelivery sent it again.
      expect(runtime.custodian.attempts - attempts).toBeGreaterThanOrEqual(2);
      expect([...runtime.custodian.executed.values()].filter((o) => o.refundId === id)).toHaveLength(1);
      expect(await balanceOf(sender)).toBe(before + USDT_100);
      expect(done.txHash).toBe(runtime.custodian.executed.get(id)?.txHash);
      // The chain holds exactly one custody → sender transfer of this amount since the order.
      const erc20 = new Contract(usdt(), compileContract('TestToken').abi as never, runtime.chain.provider);
      const logs = await erc20.queryFilter(
        erc20.getEvent('Transfer')(runtime.chain.custody, sender),
        done.instructedBlock,
      );
      expect(logs.map((l) => l.transactionHash)).toEqual([done.txHash]);
    } finally {
      process.env.FAULTS = '';
      resetFaults();
    }
  });

  it('exports the refunds with their journal entries, and the export verifies (all ministries and AFSA)', {
    timeout: 120_000,
  }, async () => {
    // Imported here so this check stays one block apart from the refund flow above.
    const { mkdtemp, readFile, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { parseCsv } = await import('../../tools/export-csv');
    const { verifyExportDir } = await import('../../tools/verify-export');
    const auditor = await api.token({ role: 'auditor' });
    const listed = (await api.call('GET', '/v1/refunds?limit=100', { token: tokens.olga })).json.items as {
      id: string;
      state: string;
      requestedAt: string;
      source: { kind: string };
    }[];
    expect(listed.length).toBeGreaterThanOrEqual(3);
    const from = listed.map((r) => r.requestedAt).sort()[0] as string;
    const to = new Date().toISOString();
    for (const ministry of [undefined, 'AFSA']) {
      const started = await api.call('POST', '/v1/exports', { token: auditor, body: { from, to, ministry } });
      expect(started.status, started.text).toBe(202);
      const done = await until(
        async () => (await api.call('GET', `/v1/exports/${started.json.id}`, { token: auditor })).json,
        (e) => e.status === 'done' || e.status === 'failed',
        60_000,
      );
      expect(done.status, done.error).toBe('done');
      const dir = await mkdtemp(join(tmpdir(), 'sf-e2e-refunds-'));
      try {
        for (const file of done.files) {
          await writeFile(join(dir, file.name), Buffer.from(await (await fetch(file.url)).arrayBuffer()));
        }
        const [header, ...rows] = parseCsv(await readFile(join(dir, 'refunds.csv')));
        const refunds = rows.map((r) => Object.fromEntries((header as string[]).map((h, i) => [h, r[i] as string])));
        // All ministries: every refund of this run; AFSA: its invoice overpayments (a suspense refund is no ministry's).
        const expected = listed.filter((r) => !ministry || r.source.kind === 'invoice');
        expect(refunds.map((r) => r.refund_id).sort()).toEqual(expected.map((r) => r.id).sort());
        for (const row of refunds.filter((r) => r.state === 'completed')) {
          expect(row.approved_by).not.toBe(row.requested_by);
          expect(row.tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
        }
        const journal = parseCsv(await readFile(join(dir, 'journal.csv')));
        const kind = (journal[0] as string[]).indexOf('kind');
        const entries = journal.filter((l) => l[kind] === 'refund-completed').length / 2;
        expect(entries).toBe(refunds.filter((r) => r.state === 'completed').length);
        const report = await verifyExportDir(dir, { expectedSigner: signer });
        expect(report.problems).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });
});
