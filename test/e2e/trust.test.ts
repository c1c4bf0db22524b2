/**
 * "Only money the service has read from the chain counts" (DESIGN.md, Trust), end to end on the local runtime.
 * 1. Correctly signed deliveries from every provider naming a transaction that does not exist, a real transaction
 *    with an inflated amount, a real transaction to another address, and a removal of a transfer still on chain:
 *    none credits, none reverts, each is a rejected hint. (On the code before the gate, (a) paid an invoice and
 *    signed a receipt.)
 * 2. A paid invoice's transfer reorged away after finality (`evm_snapshot`/`evm_revert`): the deep re-check opens an
 *    incident, a signed annulment joins the receipt chain and reaches the registry, the invoice reopens, and the
 *    period's export verifies offline with nothing flagged.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interface, type TransactionReceipt } from 'ethers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { logger } from '../../shared/adapters/observability';
import { type Receipt, verifyReceipt, verifyReceiptChain } from '../../shared/domain/receipts';
import { verifyExportDir } from '../../tools/verify-export';
import { type ApiClient, apiClient } from '../helpers/api';
import { destroyLedgerClients, readLedger } from '../helpers/ledger';
import { pay, until } from '../helpers/runtime';
import { deliveryBody, type Provider, type ReportedTransfer, signatureHeaders } from '../helpers/webhooks';

let runtime: LocalRuntime;
let api: ApiClient;
let afsa: string;
let auditor: string;
let operator: string;
let signer: string;
const rejected: { provider: string; reason: string; transferId: string }[] = [];
const DUE = 500_000_000n; // AFSA-APP-AI: 500 USD
const ERC20 = new Interface(['event Transfer(address indexed from, address indexed to, uint256 value)']);

beforeAll(async () => {
  // A deep re-check well past finality (3): the annulment test reorgs a paid transfer before it comes.
  runtime = await startLocalRuntime({
    apiPort: 0,
    chainPort: 0,
    blockIntervalMs: 250,
    finalityDepth: 3,
    deepCheckDepth: 60,
  });
  api = apiClient(runtime.apiUrl);
  [afsa, auditor, operator] = await Promise.all([
    api.token({ role: 'ministry', ministry: 'AFSA' }),
    api.token({ role: 'auditor' }),
    api.token({ role: 'operator' }),
  ]);
  signer = (await api.call('GET', '/v1/health')).json.signer;
  // Observe (not replace) the service's warnings: a rejected hint is logged with its provider and reason.
  const warn = logger.warn.bind(logger);
  vi.spyOn(logger, 'warn').mockImplementation((message, ...rest) => {
    if (String(message).startsWith('rejected hint')) {
      const fields = rest[0] as { provider: string; reason: string; transferId: string };
      rejected.push({ provider: fields.provider, reason: fields.reason, transferId: fields.transferId });
    }
    warn(message as string, ...(rest as []));
  });
});

afterAll(async () => {
  vi.restoreAllMocks();
  destroyLedgerClients();
  await runtime?.stop();
});

async function issue() {
  const r = await api.call('POST', '/v1/invoices', {
    token: afsa,
    body: { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name: 'Test Firm LLP' } },
  });
  expect(r.status).toBe(201);
  return r.json as { id: string; depositAddress: string };
}

const invoiceOf = async (id: string) => (await api.call('GET', `/v1/invoices/${id}`, { token: auditor })).json;

const secrets = (): Record<Provider, string> => ({
  alchemy: runtime.env.WEBHOOK_SECRET_ALCHEMY as string,
  moralis: runtime.env.WEBHOOK_SECRET_MORALIS as string,
  quicknode: runtime.env.WEBHOOK_SECRET_QUICKNODE as string,
});

/** Posts a correctly signed delivery of `provider` reporting `t`; the webhook accepts it (the gate is downstream). */
async function deliver(provider: Provider, t: ReportedTransfer): Promise<void> {
  const body = deliveryBody(provider, t, runtime.provider.webhookId);
  const headers = {
    'content-type': 'application/json',
    ...signatureHeaders(provider, body, { secret: secrets()[provider] }),
  };
  const r = await api.call('POST', `/v1/webhooks/${provider}`, { rawBody: body, headers });
  expect(r.status, r.text).toBe(200);
  expect(r.json.accepted).toBe(1);
}

/** The transfer a mined token transfer emitted, as a provider would report it. */
function reported(receipt: TransactionReceipt | null): ReportedTransfer {
  const log = receipt?.logs.find((l) => l.topics[0] === ERC20.getEvent('Transfer')?.topicHash);
  if (!receipt || !log) throw new Error('no Transfer log');
  const parsed = ERC20.parseLog(log);
  return {
    token: log.address,
    txHash: receipt.hash,
    logIndex: log.index,
    blockNumber: receipt.blockNumber,
    blockHash: receipt.blockHash,
    from: parsed?.args.from,
    to: parsed?.args.to,
    amount: parsed?.args.value,
  };
}

describe('provider hints the chain contradicts', () => {
  it('credits nothing, reverts nothing, and counts each as a rejected hint, for every provider', async () => {
    const victim = await issue();
    const real = await issue();
    const paid = reported(await pay(runtime, real.depositAddress, DUE, 6));
    const latest = await runtime.chain.provider.getBlock('latest');
    if (!latest?.hash) throw new Error('no latest block');
    const cases: [string, ReportedTransfer, Provider[]][] = [
      [
        'tx_not_found',
        {
          ...paid,
          txHash: `0x${randomBytes(32).toString('hex')}`,
          logIndex: 0,
          blockNumber: latest.number,
          blockHash: latest.hash,
          to: victim.depositAddress,
        },
        ['alchemy', 'moralis', 'quicknode'],
      ],
      ['amount_mismatch', { ...paid, amount: 2n ** 256n - 1n }, ['alchemy', 'moralis', 'quicknode']],
      ['to_mismatch', { ...paid, to: victim.depositAddress }, ['alchemy', 'moralis', 'quicknode']],
      // Moralis Streams carry no removal notices.
      ['still_on_chain', { ...paid, removed: true }, ['alchemy', 'quicknode']],
    ];
    for (const [, transfer, providers] of cases) {
      for (const provider of providers) await deliver(provider, transfer);
    }
    // The real payment is credited once, at its real amount, and never reverted.
    const settled = await until(
      () => invoiceOf(real.id),
      (i) => i.status === 'paid',
    );
    expect(settled).toMatchObject({ paidMicroUsd: DUE.toString(), overpaidMicroUsd: '0', pendingMicroUsd: '0' });
    expect(settled.transfers).toHaveLength(1);
    // The victim saw nothing (before the gate, the forged delivery paid it and signed a receipt).
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await invoiceOf(victim.id)).toMatchObject({
      status: 'open',
      paidMicroUsd: '0',
      pendingMicroUsd: '0',
      receiptId: null,
      transfers: [],
    });
    expect((await invoiceOf(real.id)).transfers[0].history.map((h: { event: string }) => h.event)).not.toContain(
      'revert',
    );
    // Each delivery was a rejected hint, for the reason the chain gives; nothing forged sits in suspense.
    const expected = cases.flatMap(([reason, , providers]) => providers.map((provider) => `${provider}:${reason}`));
    const seen = await until(
      async () => rejected.map((r) => `${r.provider}:${r.reason}`).sort(),
      (list) => list.length >= expected.length,
    );
    expect(seen).toEqual(expected.sort());
    const suspense = (await api.call('GET', '/v1/transfers?match=unmatched&limit=100', { token: operator })).json;
    const forged = new Set(rejected.map((r) => r.transferId.split(':')[1]));
    expect(suspense.items.filter((t: { txHash: string }) => forged.has(t.txHash))).toEqual([]);
  }, 90_000);
});

describe('a final transfer gone at the deep re-check', () => {
  let invoiceId: string;
  let annulment: Receipt;
  let from: string;

  it('opens an incident, publishes a signed annulment in the receipt chain, and reopens the invoice', async () => {
    from = new Date(Date.now() - 1_000).toISOString();
    const invoice = await issue();
    invoiceId = invoice.id;
    const rpc = runtime.chain.provider;
    const snapshot = await rpc.send('evm_snapshot', []);
    await pay(runtime, invoice.depositAddress, DUE, 7);
    const paid = await until(
      () => invoiceOf(invoice.id),
      (i) => i.status === 'paid' && i.receiptId,
    );
    const receiptId = paid.receiptId as string;
    await until(
      async () => runtime.registry.received.has(receiptId),
      (delivered) => delivered,
    );
    // The chain forgets the payment after it was final, and goes on well past the deep re-check.
    await rpc.send('evm_revert', [snapshot]);
    await rpc.send('hardhat_mine', ['0x50']);

    const reopened = await until(
      () => invoiceOf(invoice.id),
      (i) => i.status !== 'paid',
      60_000,
    );
    expect(reopened).toMatchObject({ status: 'open', paidMicroUsd: '0', receiptId: null });
    expect(Date.parse(reopened.expiresAt)).toBeGreaterThan(Date.now());
    expect(reopened.transfers[0]).toMatchObject({ state: 'reverted' });

    const ledger = await readLedger();
    expect(ledger.incidents.filter((i) => i.kind === 'final-transfer-gone')).toHaveLength(1);
    const stored = ledger.receipts.find((r) => r.receipt.kind === 'annulment' && r.receipt.annuls === receiptId);
    if (!stored) throw new Error('no annulment stored');
    annulment = stored.receipt;
    expect(annulment).toMatchObject({ invoiceId: invoice.id, paidMicroUsd: '0', kind: 'annulment' });
    expect(verifyReceipt(annulment, signer)).toEqual({ ok: true });
    const chain = ledger.receipts.map((r) => r.receipt).filter((r) => r.ministry === 'AFSA');
    expect(verifyReceiptChain(chain, { expectedSigner: signer })).toEqual([]);
    // The registry got the annulment, signed and byte-exact.
    const delivered = await until(
      async () => runtime.registry.received.get(annulment.receiptId),
      (r) => r !== undefined,
    );
    expect(delivered?.body).toBe(JSON.stringify(annulment));
  }, 120_000);

  it('exports the period, and the offline verifier accepts the annulment and flags nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sf-e2e-trust-'));
    try {
      const started = await api.call('POST', '/v1/exports', {
        token: auditor,
        body: { from, to: new Date().toISOString() },
      });
      expect(started.status).toBe(202);
      const done = await until(
        async () => (await api.call('GET', `/v1/exports/${started.json.id}`, { token: auditor })).json,
        (e) => e.status === 'done' || e.status === 'failed',
        60_000,
      );
      expect(done.status).toBe('done');
      for (const file of done.files) {
        const response = await fetch(file.url);
        await writeFile(join(dir, file.name), Buffer.from(await response.arrayBuffer()));
      }
      const report = await verifyExportDir(dir, { expectedSigner: signer });
      expect(report.problems).toEqual([]);
      expect(await readFile(join(dir, 'receipts.csv'), 'utf8')).toContain(annulment.receiptId);
      expect((await invoiceOf(invoiceId)).status).toBe('open');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
