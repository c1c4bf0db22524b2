/**
 * Fault suite against moto (and a Hardhat chain for the RPC part). The fault hooks (shared/adapters/faults.ts, active only
 * with STAGE=local and FAULTS set) make
 * - reconcile fail before its transaction commits, after it commits, and after the outbox message is sent, on every
 *   sighting of a scripted sequence, each failed record redelivered (the handler called again with the same record);
 * - the registry publisher crash after its HTTP request went out;
 * - the chain RPC refuse every call for a while, under the scanner and the confirmer;
 * - the scanner's warm container fail after reading the watches written since its previous run, before using them
 *   (its address set and watermark must not move: no address issued meanwhile is ever missed).
 * After redelivery the table must be exactly what a clean run of the same sequence gives in a fresh prefix: no
 * transfer credited twice, no receipt missing or duplicated, the journal balanced, every receipt delivered once.
 */
import { randomBytes } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { Contract, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChain } from '../../infra/local/chain';
import { startMockRegistry } from '../../infra/local/mock-registry';
import { DEV_ACCOUNT_XPUB } from '../../shared/domain/deposit-address';
import type { TransferObservedInput } from '../../shared/domain/transfers';
import {
  destroyLedgerClients,
  drainQueue,
  type Ledger,
  lambdaContext,
  ledgerProblems,
  pumpSightings,
  queueDepth,
  readLedger,
  redelivered,
  sqsEvent,
  sqsRecord,
} from '../helpers/ledger';
import { useMoto } from '../helpers/moto';
import { MemoryLicenceRegister } from '../support/memory-compliance';
import { memoryReferenceData } from '../support/memory-reference-data';

const REGISTRY_SECRET = randomBytes(32).toString('hex');
const SIGNER_KEY = `0x${randomBytes(32).toString('hex')}`;
const SIGNER = new Wallet(SIGNER_KEY).address;

const registry = await startMockRegistry({ secretFor: () => REGISTRY_SECRET });
// Blocks only when asked (each transaction mines one; `hardhat_mine` adds more).
const chain = await startChain({ port: 0, blockIntervalMs: 3_600_000 });
await chain.provider.send('evm_setIntervalMining', [0]);
let resources = await useMoto();
Object.assign(process.env, {
  STAGE: 'local',
  CHAINS: JSON.stringify([{ chainId: chain.chainId, rpcUrl: chain.rpcUrl }]),
  LOCAL_CHAIN_TOKENS: JSON.stringify(chain.tokens),
  LOCAL_FINALITY_DEPTH: '3',
  RECEIPT_SIGNER_PRIVATE_KEY: SIGNER_KEY,
  DEPOSIT_XPUB: DEV_ACCOUNT_XPUB,
  PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
  REGISTRIES: JSON.stringify({ AFSA: { url: `${registry.url}/registries/AFSA/receipts`, timeoutMs: 2_000 } }),
  REGISTRY_SECRET,
  FAULTS: '',
});
delete process.env.WEBHOOK_SECRETS_ARN;

const { handler: reconcileHandler } = await import('../../functions/reconcile-transfers/handler');
const { handler: publishHandler } = await import('../../functions/publish-receipts/handler');
const { handler: scanHandler } = await import('../../functions/scan-chain/handler');
const { handler: confirmHandler } = await import('../../functions/confirm-transfers/handler');
const { resetFaults } = await import('../../shared/adapters/faults');
const { REPLAYED_ATTRIBUTE } = await import('../../shared/resources');
const { issueInvoice } = await import('../../shared/app/issue-invoice');
const { dynamoInvoiceStore } = await import('../../shared/adapters/dynamo/invoices');
const { dynamoRateStore } = await import('../../shared/adapters/dynamo/rates');
const { enabledChains } = await import('../../shared/adapters/chain/enabled-chains');
const { getCheckpoint } = await import('../../shared/adapters/dynamo/checkpoints');
const { getReceipt } = await import('../../shared/adapters/dynamo/receipts');

const token = (symbol: string) => {
  const t = chain.tokens.find((x) => x.symbol === symbol);
  if (!t) throw new Error(`no token ${symbol}`);
  return t.address;
};
const USDT = token('USDT');
const USDC = token('USDC');
const USD18 = token('USD18');
const NOT_ACCEPTED = '0x00000000000000000000000000000000DeaDBeef';
const UNKNOWN_ADDRESS = '0x1111111111111111111111111111111111111111';
const ACCEPTED = chain.tokens.map((t) => t.address.toLowerCase());
const OBSERVED_AT = new Date().toISOString();
const USD = 1_000_000n;

afterAll(async () => {
  setFaults('');
  destroyLedgerClients();
  await registry.close();
  await chain.close();
});

function setFaults(spec: string): void {
  process.env.FAULTS = spec;
  resetFaults();
}

/** A fresh table, queues and bucket: the next run starts from nothing. */
async function freshPrefix(): Promise<void> {
  resources = await useMoto();
}

async function issue(n: number): Promise<{ id: string; depositAddress: string }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const { invoice } = await issueInvoice(
      'AFSA',
      { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name: `Firm ${i}` } },
      undefined,
      {
        reference: memoryReferenceData(),
        chains: enabledChains,
        accountXpub: DEV_ACCOUNT_XPUB,
        now: () => new Date(),
        invoices: dynamoInvoiceStore,
        rates: dynamoRateStore,
        register: MemoryLicenceRegister.with(),
      },
    );
    expect(invoice.dueMicroUsd).toBe(500n * USD);
    out.push({ id: invoice.id, depositAddress: invoice.depositAddress });
  }
  return out;
}

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const blockHash = (block: number, fork = 0) => hash(0xb10c_0000 + block * 16 + fork);

function sighting(
  tx: number,
  to: string,
  tokenAddress: string,
  amount: bigint,
  block: number,
  opts: { fork?: number; removed?: boolean; final?: boolean; source?: TransferObservedInput['source'] } = {},
): TransferObservedInput {
  return {
    chainId: chain.chainId,
    token: tokenAddress,
    txHash: hash(0x7000 + tx),
    logIndex: 0,
    blockNumber: block,
    blockHash: blockHash(block, opts.fork),
    from: '0x2222222222222222222222222222222222222222',
    to,
    amount: amount.toString(),
    removed: opts.removed ?? false,
    source: opts.source ?? 'scanner',
    observedAt: OBSERVED_AT,
    ...(opts.final ? { final: true } : {}),
  };
}

/**
 * The scripted sequence: duplicates, a reorg with re-inclusion, suspense, 18 decimals, over- and late money. Its
 * transactions are made up, so every sighting comes from our own readers (scanner, confirmer): a provider's hint of
 * a made-up transaction is rejected before reconciliation (test/e2e/trust.test.ts).
 */
function script(inv: { depositAddress: string }[]): TransferObservedInput[] {
  const [a, b, c] = inv.map((i) => i.depositAddress) as [string, string, string];
  const usd18 = 250n * 10n ** 18n + 7n; // 250 USD and 7 base units below a micro-USD
  return [
    sighting(1, a, USDT, 500n * USD, 10, { source: 'scanner' }),
    sighting(1, a, USDT, 500n * USD, 10, { source: 'scanner' }),
    sighting(2, b, USDT, 250n * USD, 11, { source: 'scanner' }),
    sighting(3, UNKNOWN_ADDRESS, USDC, 100n * USD, 11),
    sighting(4, c, USDT, 600n * USD, 12, { source: 'scanner' }),
    sighting(1, a, USDT, 500n * USD, 10, { final: true, source: 'confirmer' }), // a paid: receipt 1
    sighting(2, b, USDT, 250n * USD, 11, { removed: true, source: 'confirmer' }), // reorged out
    sighting(2, b, USDT, 250n * USD, 13, { fork: 1 }), // mined again elsewhere
    sighting(2, b, USDT, 250n * USD, 13, { fork: 1, final: true, source: 'confirmer' }),
    sighting(5, b, USD18, usd18, 14, { final: true }), // b paid: receipt 2
    sighting(3, UNKNOWN_ADDRESS, USDC, 100n * USD, 11, { final: true, source: 'confirmer' }), // suspense
    sighting(4, c, USDT, 600n * USD, 12, { final: true, source: 'confirmer' }), // c overpaid: receipt 3
    sighting(1, a, USDT, 500n * USD, 10, { final: true, source: 'confirmer' }), // repeat
    sighting(6, a, USDT, 10n * USD, 15, { source: 'scanner' }), // after paid: an overpayment
    sighting(6, a, USDT, 10n * USD, 15, { final: true, source: 'confirmer' }),
    sighting(7, c, NOT_ACCEPTED, 5n * USD, 15, { source: 'scanner' }),
    sighting(7, c, NOT_ACCEPTED, 5n * USD, 15, { final: true }),
  ];
}

type Step = 'before-commit' | 'after-commit' | 'after-outbox';

interface RunOptions {
  /** Fault steps armed (once each) before every record's first delivery. */
  steps?: Step[];
  /** Redeliver failed records only after the whole sequence (otherwise right away). */
  redeliverAtEnd?: boolean;
}

const context = lambdaContext('test');

/** Delivers one record until the handler accepts it; how many deliveries failed. */
async function deliver(record: SQSRecord, handler: typeof reconcileHandler): Promise<number> {
  let failures = 0;
  let current = record;
  for (;;) {
    const result = await handler(sqsEvent([current]), context);
    if (!result.batchItemFailures.length) {
      // What it handed to its ministry's receipt sequence (finals) is committed there.
      for (const body of await drainQueue(resources.queueUrls.finals)) {
        failures += await deliver(sqsRecord(body, { fifo: true }), handler);
      }
      return failures;
    }
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    failures++;
    if (failures > 5) throw new Error(`record ${record.messageId} keeps failing`);
    current = redelivered(current);
  }
}

interface RunOutcome {
  ledger: Ledger;
  invoiceIds: string[];
  failures: number;
  outbox: { receiptId: string }[];
  addressWatchDepth: number;
}

/** Runs the script in a fresh prefix with the given faults, then publishes every outbox message. */
async function run(options: RunOptions = {}): Promise<RunOutcome> {
  await freshPrefix();
  const invoices = await issue(3);
  const records = script(invoices).map((body) => sqsRecord(body));
  let failures = 0;
  const failed: SQSRecord[] = [];
  const arm = () => setFaults((options.steps ?? []).map((s) => `reconcile:${s}*1`).join(','));
  const handle = async (record: SQSRecord) => {
    arm();
    if (options.redeliverAtEnd) {
      const result = await reconcileHandler(sqsEvent([record]), context);
      if (result.batchItemFailures.length) failed.push(record);
    } else failures += await deliver(record, reconcileHandler);
    setFaults('');
  };
  for (const record of records) {
    await handle(record);
    // A sighting that would issue a receipt went to its ministry's sequence (finals): its consumer commits it, with
    // the same faults armed.
    for (const body of await drainQueue(resources.queueUrls.finals)) await handle(sqsRecord(body, { fifo: true }));
  }
  for (const record of failed) failures += 1 + (await deliver(redelivered(record), reconcileHandler));

  const outbox = (await drainQueue(resources.queueUrls.outbox)) as { receiptId: string }[];
  const addressWatchDepth = await queueDepth(resources.queueUrls.addressWatch);
  // Every outbox message, duplicates included, goes through the publisher.
  if (outbox.length) {
    const result = await publishHandler(sqsEvent(outbox.map((m) => sqsRecord(m))), context);
    expect(result.batchItemFailures).toEqual([]);
  }
  return { ledger: await readLedger(), invoiceIds: invoices.map((i) => i.id), failures, outbox, addressWatchDepth };
}

/** The comparable state of a run (JSON: money as decimal strings, ids as labels), as far as tests read it. */
interface Normalized {
  invoices: { status: string; exception: string; paid: string }[];
  transfers: { state: string; unmatchedReason: string | null }[];
  receipts: { receiptNo: string; invoiceId: string; deliveryState: string }[];
  heads: Record<string, number>;
  journal: { entryId: string }[];
  outboxReceipts: string[];
  addressWatchDepth: number;
}

/** What must be equal between two runs of the same sequence, with invoice and receipt ids replaced by labels. */
function normalize(outcome: RunOutcome): Normalized {
  const { ledger } = outcome;
  const projection = {
    invoices: outcome.invoiceIds.map((id) => {
      const i = ledger.invoices.find((x) => x.id === id);
      return (
        i && {
          id: i.id,
          status: i.status,
          exception: i.exception,
          due: i.dueMicroUsd,
          paid: i.paidMicroUsd,
          pending: i.pendingMicroUsd,
          overpaid: i.overpaidMicroUsd,
          payments: i.payments.map((p) => [p.transferId, p.microUsd, p.blockNumber]),
          receiptId: i.receiptId ?? null,
          version: i.version,
        }
      );
    }),
    transfers: [...ledger.transfers]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((t) => ({
        id: t.id,
        state: t.state,
        invoiceId: t.invoiceId ?? null,
        unmatchedReason: t.unmatchedReason ?? null,
        blockNumber: t.blockNumber,
        blockHash: t.blockHash,
        removedBlockHashes: t.removedBlockHashes,
        microUsd: t.microUsd,
        remainderUnits: t.remainderUnits,
        sources: t.sources,
        history: t.history.map((h) => [h.event, h.detail]),
        version: t.version,
      })),
    receipts: ledger.receipts
      .map((r) => ({
        receiptId: r.receipt.receiptId,
        receiptNo: r.receipt.receiptNo,
        invoiceId: r.receipt.invoiceId,
        paid: r.receipt.paidMicroUsd,
        overpaid: r.receipt.overpaidMicroUsd,
        exception: r.receipt.exception,
        payments: r.receipt.payments.map((p) => [p.txHash, p.logIndex, p.blockNumber, p.amount, p.microUsd]),
        deliveryState: r.deliveryState,
        // Publishing attempts are not compared: duplicate outbox messages in one batch are published in parallel,
        // and both may reach the registry before either records the delivery (it keeps one; see registryCopies).
        registryCopies: registry.received.has(r.receipt.receiptId) ? 1 : 0,
        registryBodyIsTheSignedReceipt: registry.received.get(r.receipt.receiptId)?.body === JSON.stringify(r.receipt),
      }))
      .sort((a, b) => Number(a.receiptNo) - Number(b.receiptNo)),
    heads: Object.fromEntries([...ledger.heads].map(([m, h]) => [m, h.lastNo])),
    journal: ledger.journal.map((e) => ({
      entryId: e.entryId,
      kind: e.kind,
      lines: e.lines.map((l) => [l.account, l.debit, l.credit]).sort(),
    })),
    incidents: ledger.incidents.length,
    outboxReceipts: [...new Set(outcome.outbox.map((m) => m.receiptId))],
    addressWatchDepth: outcome.addressWatchDepth,
  };
  let text = JSON.stringify(projection, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  outcome.invoiceIds.forEach((id, i) => {
    text = text.replaceAll(id.slice(4), `I${i}`);
  });
  // Sorted only now: the order of random ids says nothing.
  const normalized = JSON.parse(text) as Normalized;
  normalized.journal.sort((a, b) => (a.entryId < b.entryId ? -1 : 1));
  normalized.outboxReceipts.sort();
  return normalized;
}

describe('reconcile faults: every step, every record, redelivered', () => {
  let clean: RunOutcome;
  let expected: Normalized;

  beforeAll(async () => {
    clean = await run();
    expected = normalize(clean);
  }, 60_000);

  it('the clean run is itself right', async () => {
    expect(clean.failures).toBe(0);
    expect(await ledgerProblems(clean.ledger, { signer: SIGNER, acceptedTokens: ACCEPTED })).toEqual([]);
    expect(expected.invoices.map((i) => [i.status, i.exception])).toEqual([
      ['paid', 'overpaid'],
      ['paid', 'none'],
      ['paid', 'overpaid'],
    ]);
    expect(expected.invoices.map((i) => i.paid)).toEqual(['510000000', '500000000', '600000000']);
    expect(expected.receipts.map((r) => [r.receiptNo, r.invoiceId])).toEqual([
      ['1', 'inv_I0'],
      ['2', 'inv_I1'],
      ['3', 'inv_I2'],
    ]);
    expect(expected.receipts.every((r) => r.deliveryState === 'delivered')).toBe(true);
    expect(clean.outbox).toHaveLength(3);
    expect(expected.heads).toEqual({ AFSA: 3 });
    expect(expected.addressWatchDepth).toBe(3);
    const t3 = expected.transfers.find((t) => t.unmatchedReason === 'unknown_address');
    expect(t3?.state).toBe('final');
  });

  const cases: [string, RunOptions, number][] = [
    // [name, faults, failed deliveries expected]
    ['before-commit', { steps: ['before-commit'] }, 15], // every record that writes
    ['after-commit', { steps: ['after-commit'] }, 15],
    ['after-outbox', { steps: ['after-outbox'] }, 3], // only records that issue a receipt get there
    ['each step in turn on every record', { steps: ['before-commit', 'after-commit', 'after-outbox'] }, 30],
    ['after-commit, redelivered after the rest of the sequence', { steps: ['after-commit'], redeliverAtEnd: true }, 15],
    ['after-outbox, redelivered after the rest of the sequence', { steps: ['after-outbox'], redeliverAtEnd: true }, 3],
  ];

  for (const [name, options, failures] of cases) {
    it(`${name}: the state after redelivery is the clean run's`, async () => {
      const faulty = await run(options);
      expect(faulty.failures).toBe(failures);
      expect(await ledgerProblems(faulty.ledger, { signer: SIGNER, acceptedTokens: ACCEPTED })).toEqual([]);
      expect(normalize(faulty)).toEqual(expected);
      // The outbox is at-least-once: a crash between sending and recording the send sends once more on
      // redelivery (the publisher and the registry's Idempotency-Key absorb it; `registryCopies` above is 1).
      const duplicates = options.steps?.includes('after-outbox') && !options.steps.includes('after-commit') ? 3 : 0;
      expect(faulty.outbox).toHaveLength(clean.outbox.length + duplicates);
    }, 30_000);
  }
});

describe('publisher crash after sending', () => {
  it('the redelivery delivers; the registry stores the receipt once; the receipt reads delivered', async () => {
    await freshPrefix();
    const [invoice] = await issue(1);
    if (!invoice) throw new Error('no invoice');
    const paying = sighting(100, invoice.depositAddress, USDT, 500n * USD, 20, { final: true });
    expect(await deliver(sqsRecord(paying), reconcileHandler)).toBe(0);
    const [message] = (await drainQueue(resources.queueUrls.outbox)) as { receiptId: string }[];
    if (!message) throw new Error('no outbox message');
    const { receiptId } = message;
    const attemptsBefore = registry.attempts;

    const record = sqsRecord(message);
    setFaults('publish:after-send*1');
    const first = await publishHandler(sqsEvent([record]), context);
    setFaults('');
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(registry.received.has(receiptId)).toBe(true); // it did go out
    expect((await getReceipt(receiptId))?.deliveryState).toBe('pending');

    const second = await publishHandler(sqsEvent([redelivered(record)]), context);
    expect(second.batchItemFailures).toEqual([]);
    expect(registry.attempts - attemptsBefore).toBe(2);
    const stored = await getReceipt(receiptId);
    expect(stored).toMatchObject({ deliveryState: 'delivered', attempts: 1 });
    const copies = [...registry.received.values()].filter((r) => r.idempotencyKey === receiptId);
    expect(copies).toHaveLength(1);
    expect(copies[0]?.body).toBe(JSON.stringify(stored?.receipt));

    // A duplicate outbox message later carries the document, so the publisher does not read the record: it sends
    // once more under the same key and bytes (the registry stores nothing new), and the record stays as it was.
    const third = await publishHandler(sqsEvent([sqsRecord(message)]), context);
    expect(third.batchItemFailures).toEqual([]);
    expect(registry.attempts - attemptsBefore).toBe(3);
    expect([...registry.received.values()].filter((r) => r.idempotencyKey === receiptId)).toEqual(copies);
    expect(await getReceipt(receiptId)).toEqual(stored);
    // A duplicate of a message from before documents were carried reads the record: nothing is sent again.
    const { document: _carried, ...legacy } = message as { receiptId: string; document?: unknown };
    const fourth = await publishHandler(sqsEvent([sqsRecord(legacy)]), context);
    expect(fourth.batchItemFailures).toEqual([]);
    expect(registry.attempts - attemptsBefore).toBe(3);
    expect(await ledgerProblems(await readLedger(), { signer: SIGNER, acceptedTokens: ACCEPTED })).toEqual([]);
  });
});

describe('chain RPC refusing for a while', () => {
  const ERC20 = ['function transfer(address to, uint256 amount) returns (bool)'];

  async function pay(to: string, amount: bigint, payer: number, symbol = 'USDT') {
    const wallet = await chain.provider.getSigner(chain.payers[payer]);
    const tx = await new Contract(token(symbol), ERC20, wallet).getFunction('transfer')(to, amount);
    return tx.wait();
  }
  const mine = (blocks: number) => chain.provider.send('hardhat_mine', [`0x${blocks.toString(16)}`]);

  /** Feeds what the scanner and confirmer queued (transfers, and the ministries' sequences) to the reconciler. */
  async function pump(): Promise<number> {
    const { handled, failed } = await pumpSightings(reconcileHandler, resources.queueUrls, context);
    expect(failed).toEqual([]);
    return handled;
  }

  it('scanner and confirmer runs fail during the refusal, leave the checkpoint, and catch up after it', async () => {
    await freshPrefix();
    const [a, b, c] = (await issue(3)) as [
      { id: string; depositAddress: string },
      ...{ id: string; depositAddress: string }[],
    ];
    if (!b || !c) throw new Error('no invoices');
    await scanHandler({}, context);
    await confirmHandler({}, context);
    expect(await pump()).toBe(0);
    const checkpoint = await getCheckpoint(chain.chainId);
    expect(checkpoint).toBeDefined();

    // Paid before the refusal starts; nothing has been scanned yet.
    await pay(a.depositAddress, 500n * USD, 0);
    await pay(b.depositAddress, 200n * USD, 1, 'USDC');

    setFaults('rpc:call*1000');
    for (let i = 0; i < 3; i++) {
      await expect(scanHandler({}, context)).rejects.toThrow(/chain scan failed/);
      await expect(confirmHandler({}, context)).rejects.toThrow(/transfer confirmation failed/);
      // The chain moves on during the refusal, with payments in it.
      if (i === 0) await pay(b.depositAddress, 300n * USD, 2);
      if (i === 1) await pay(c.depositAddress, 700n * USD, 3);
      await mine(2);
    }
    expect(await getCheckpoint(chain.chainId)).toEqual(checkpoint);
    expect(await queueDepth(resources.queueUrls.transfers)).toBe(0);
    // A refusal that ends by itself: one call refused fails one run; the next runs go through.
    setFaults('rpc:call*1');
    await expect(scanHandler({}, context)).rejects.toThrow(/chain scan failed/);
    setFaults('');

    // Catch up: a few scheduled rounds until nothing new comes.
    for (let round = 0; round < 4; round++) {
      await scanHandler({}, context);
      await pump();
      await confirmHandler({}, context);
      await pump();
      await mine(3);
    }
    const after = await getCheckpoint(chain.chainId);
    expect(after?.blockNumber).toBeGreaterThan(checkpoint?.blockNumber ?? Number.POSITIVE_INFINITY);

    const ledger = await readLedger();
    expect(await ledgerProblems(ledger, { signer: SIGNER, acceptedTokens: ACCEPTED })).toEqual([]);
    const byId = new Map(ledger.invoices.map((i) => [i.id, i]));
    expect(byId.get(a.id)).toMatchObject({ status: 'paid', exception: 'none', paidMicroUsd: 500n * USD });
    expect(byId.get(b.id)).toMatchObject({ status: 'paid', exception: 'none', paidMicroUsd: 500n * USD });
    expect(byId.get(c.id)).toMatchObject({ status: 'paid', exception: 'overpaid', paidMicroUsd: 700n * USD });
    // Every payment reconciled once: four transfers, all final, each credited once and journaled once.
    expect(ledger.transfers).toHaveLength(4);
    expect(ledger.transfers.every((t) => t.state === 'final' && t.sources.join() === 'scanner')).toBe(true);
    for (const t of ledger.transfers) {
      // `settle`: the confirmer's deeper re-check found it still there.
      expect(['record', 'record,finalize', 'record,settle', 'record,finalize,settle']).toContain(
        t.history.map((h) => h.event).join(),
      );
    }
    expect(ledger.journal.filter((e) => e.kind === 'transfer-final')).toHaveLength(4);
    expect(ledger.receipts).toHaveLength(3);
    expect(ledger.incidents).toEqual([]);
    expect(await queueDepth(resources.queueUrls.outbox)).toBe(3);
  }, 60_000);

  it('a node that gives no receipt for a transfer in a canonical block reverts and annuls nothing', async () => {
    await freshPrefix();
    const [invoice] = await issue(1);
    if (!invoice) throw new Error('no invoice');
    await scanHandler({}, context);
    const paid = await pay(invoice.depositAddress, 500n * USD, 4);
    await scanHandler({}, context);
    await pump();
    const { confirmTransfers, RecentReports } = await import('../../shared/app/confirm-transfers');
    const { dynamoTransfersToRecheck } = await import('../../shared/adapters/dynamo/transfers');
    const { jsonRpcChain } = await import('../../shared/adapters/chain/json-rpc-chain');
    const real = jsonRpcChain(chain.rpcUrl, chain.chainId);
    // A lagging or load-balanced node (or a pruned transaction index): the one answer Hardhat cannot give.
    const lagging = { ...real, getTransactionReceipt: async () => null };
    const sent: unknown[] = [];
    const confirmWith = (rpc: typeof real) =>
      confirmTransfers(enabledChains[0] as (typeof enabledChains)[number], {
        rpc,
        transfers: dynamoTransfersToRecheck,
        reported: new RecentReports(),
        now: () => new Date(),
        send: async (messages) => {
          sent.push(...messages);
        },
      });

    // (A fresh table reuses deposit index 0: earlier tests' payments to that address are found too.)
    await mine(3); // final by the rule (depth 3)
    const first = await confirmWith(lagging);
    expect(first).toMatchObject({ removed: 0, finalized: 0, moved: 0 });
    expect(first.unsure).toBeGreaterThan(0);
    expect(sent).toEqual([]);
    await confirmHandler({}, context);
    await pump();
    await mine(6); // past the deep re-check (twice the depth)
    const deep = await confirmWith(lagging);
    expect(deep).toMatchObject({ gone: 0, settled: 0 });
    expect(deep.unsure).toBe(first.unsure);
    expect(sent).toEqual([]);
    await confirmHandler({}, context);
    await pump();

    const ledger = await readLedger();
    expect(ledger.invoices[0]).toMatchObject({ status: 'paid' });
    // This test's payment (earlier tests' transfers to the same address may be settled by then or not).
    const ours = ledger.transfers.find((t) => t.txHash === paid?.hash.toLowerCase());
    expect(ours).toMatchObject({ state: 'final' });
    expect(ours?.history.map((h) => h.event)).toEqual(['record', 'finalize', 'settle']);
    expect(ledger.incidents).toEqual([]);
    expect(ledger.receipts.filter((r) => r.receipt.kind === 'annulment')).toEqual([]);
  }, 60_000);

  it('an overpayment gone after finality comes off the invoice; the receipt that did not list it stands', async () => {
    await freshPrefix();
    // A fresh table reuses deposit indexes 0..2, which earlier tests paid: the fourth address is untouched.
    const invoice = (await issue(4))[3];
    if (!invoice) throw new Error('no invoice');
    await scanHandler({}, context);
    const round = async () => {
      await scanHandler({}, context);
      await pump();
      await confirmHandler({}, context);
      await pump();
    };
    await pay(invoice.depositAddress, 500n * USD, 5);
    await mine(3);
    await round();
    const paid = (await readLedger()).invoices.find((i) => i.id === invoice.id);
    expect(paid).toMatchObject({ status: 'paid', paidMicroUsd: 500n * USD });
    const receiptId = paid?.receiptId;

    const snapshot = await chain.provider.send('evm_snapshot', []);
    await pay(invoice.depositAddress, 100n * USD, 6);
    await mine(3);
    await round();
    expect((await readLedger()).invoices.find((i) => i.id === invoice.id)).toMatchObject({
      overpaidMicroUsd: 100n * USD,
    });
    await chain.provider.send('evm_revert', [snapshot]); // the overpayment is gone, the payment stays
    await mine(12);
    await round();
    await round();

    const ledger = await readLedger();
    expect(await ledgerProblems(ledger, { signer: SIGNER, acceptedTokens: ACCEPTED })).toEqual([]);
    expect(ledger.invoices.find((i) => i.id === invoice.id)).toMatchObject({
      status: 'paid',
      paidMicroUsd: 500n * USD,
      overpaidMicroUsd: 0n,
      receiptId,
    });
    expect(ledger.incidents.filter((i) => i.kind === 'final-transfer-gone')).toHaveLength(1);
    expect(ledger.receipts.filter((r) => r.receipt.kind === 'annulment')).toEqual([]);
    expect(ledger.journal.filter((e) => e.kind === 'transfer-annulled')).toHaveLength(1);
  }, 60_000);

  it('a warm scanner failing between reading the new watches and using them misses no address issued meanwhile', async () => {
    await freshPrefix();
    const { scanChain } = await import('../../shared/app/scan-chain');
    const { WatchedAddressSet } = await import('../../shared/app/watched-address-set');
    const { dynamoScanCheckpoints } = await import('../../shared/adapters/dynamo/checkpoints');
    const { dynamoWatchedAddresses } = await import('../../shared/adapters/dynamo/invoices');
    const { jsonRpcChain } = await import('../../shared/adapters/chain/json-rpc-chain');
    const { sendMessages } = await import('../../shared/adapters/queue');
    // The container's set, its runs minutes apart (the scanner's clock), so the overlap alone would not cover a
    // watermark moved by the failed run.
    const set = new WatchedAddressSet();
    const t0 = Date.now();
    const scanAt = (offsetMs: number) =>
      scanChain(enabledChains[0] as (typeof enabledChains)[number], {
        rpc: jsonRpcChain(chain.rpcUrl, chain.chainId),
        checkpoints: dynamoScanCheckpoints,
        watchedAddresses: dynamoWatchedAddresses,
        watchedSet: set,
        now: () => new Date(t0 + offsetMs),
        send: (m) => sendMessages('transfers', m),
      });

    const [a] = await issue(1);
    if (!a) throw new Error('no invoice');
    expect((await scanAt(0)).addressRead?.kind).toBe('full');
    // The cold run's lookback also finds what earlier tests paid to the same addresses (derived again from index 0
    // in this fresh table): not this test's payments.
    await drainQueue(resources.queueUrls.transfers);
    const checkpoint = await getCheckpoint(chain.chainId);

    // Issued after the container's read, and paid at once; the next run reads it, then fails before using it.
    const [b] = await issue(1);
    if (!b) throw new Error('no invoice');
    await pay(b.depositAddress, 500n * USD, 5);
    setFaults('watch:after-read*1');
    await expect(scanAt(5 * 60_000)).rejects.toThrow(/injected fault at watch:after-read/);
    setFaults('');
    expect(await getCheckpoint(chain.chainId)).toEqual(checkpoint);
    expect(await queueDepth(resources.queueUrls.transfers)).toBe(0);

    // Issued after the failed run, and paid. The next run reads from where the failed one started: both are found.
    const [c] = await issue(1);
    if (!c) throw new Error('no invoice');
    await pay(c.depositAddress, 500n * USD, 6);
    const warm = await scanAt(10 * 60_000);
    expect(warm).toMatchObject({ addressRead: { kind: 'increment' }, watchedAddresses: 3, logs: 2 });
    for (let round = 0; round < 3; round++) {
      await pump();
      await mine(3);
      await scanHandler({}, context);
      await confirmHandler({}, context);
    }
    await pump();
    const ledger = await readLedger();
    expect(await ledgerProblems(ledger, { signer: SIGNER, acceptedTokens: ACCEPTED })).toEqual([]);
    const byId = new Map(ledger.invoices.map((i) => [i.id, i]));
    expect(byId.get(a.id)).toMatchObject({ status: 'open' });
    expect(byId.get(b.id)).toMatchObject({ status: 'paid', paidMicroUsd: 500n * USD });
    expect(byId.get(c.id)).toMatchObject({ status: 'paid', paidMicroUsd: 500n * USD });
  }, 60_000);
});

describe('money that is neither ours nor accepted', () => {
  it('ignores a token off the allowlist sent to an address that is not ours; keeps one sent to ours in suspense', async () => {
    await freshPrefix();
    const [invoice] = await issue(1);
    if (!invoice) throw new Error('no invoice');
    for (const body of [
      sighting(20, UNKNOWN_ADDRESS, NOT_ACCEPTED, 5n * USD, 30),
      sighting(21, invoice.depositAddress, NOT_ACCEPTED, 5n * USD, 30),
    ]) {
      expect(await deliver(sqsRecord(body), reconcileHandler)).toBe(0);
    }
    const ledger = await readLedger();
    expect(ledger.transfers.map((t) => [t.to.toLowerCase(), t.unmatchedReason])).toEqual([
      [invoice.depositAddress.toLowerCase(), 'token_not_accepted'],
    ]);
  });
});

describe('two invocations at once in one process', () => {
  it("reports each batch's own failures: the local runtime runs several poll loops on one module", async () => {
    await freshPrefix();
    const [invoice] = await issue(1);
    if (!invoice) throw new Error('no invoice');
    const malformed = sqsRecord({ not: 'a sighting' });
    const first = [malformed, sqsRecord(sighting(30, invoice.depositAddress, USDT, 100n * USD, 40))];
    const second = [31, 32, 33].map((tx) => sqsRecord(sighting(tx, UNKNOWN_ADDRESS, USDC, 5n * USD, 40)));
    const [a, b] = await Promise.all([
      reconcileHandler(sqsEvent(first), context),
      reconcileHandler(sqsEvent(second), context),
    ]);
    expect(a.batchItemFailures).toEqual([{ itemIdentifier: malformed.messageId }]);
    expect(b.batchItemFailures).toEqual([]);
    expect((await readLedger()).transfers).toHaveLength(4);
  });
});

describe('a receipt whose outbox send failed until the sighting dead-lettered', () => {
  it('is sent when the operator replays the dead letter (a fresh message, marked replayed)', async () => {
    await freshPrefix();
    const [invoice] = await issue(1);
    if (!invoice) throw new Error('no invoice');
    const paying = sighting(40, invoice.depositAddress, USDT, 500n * USD, 50, { final: true, source: 'confirmer' });
    // The commit happens; every try after it fails before the outbox send, until the message dead-letters.
    setFaults('reconcile:after-commit*1');
    const first = await reconcileHandler(sqsEvent([sqsRecord(paying, { fifo: true })]), context);
    setFaults('');
    expect(first.batchItemFailures).toHaveLength(1);
    const [receipt] = (await readLedger()).receipts;
    expect(receipt?.deliveryState).toBe('pending');
    expect(await drainQueue(resources.queueUrls.outbox)).toEqual([]);

    // Without the mark, a fresh copy of the message is a first delivery: it follows no crash of its own.
    await reconcileHandler(sqsEvent([sqsRecord(paying, { fifo: true })]), context);
    expect(await drainQueue(resources.queueUrls.outbox)).toEqual([]);
    // The replay's copy carries the mark: the receipt goes to the outbox.
    const replay = sqsRecord(paying, { fifo: true, attributes: { [REPLAYED_ATTRIBUTE]: new Date().toISOString() } });
    expect((await reconcileHandler(sqsEvent([replay]), context)).batchItemFailures).toEqual([]);
    expect(await drainQueue(resources.queueUrls.outbox)).toEqual([
      expect.objectContaining({ receiptId: receipt?.receipt.receiptId }),
    ]);
  });
});
