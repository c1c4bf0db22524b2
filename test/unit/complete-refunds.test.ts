/** Completing refunds from the chain against in-memory ports: exact token and amount, final, one transfer each. */
import { randomBytes } from 'node:crypto';
import { hexlify, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { completeRefunds } from '../../shared/app/complete-refunds';
import { localChain } from '../../shared/domain/chains';
import { verifyRefundReceipt } from '../../shared/domain/refund-documents';
import { ledgerWith, type Refund } from '../../shared/domain/refunds';
import { MemoryChain } from '../support/memory-chain';
import { MemoryCustodian, MemoryRefundQueue, MemoryRefundStore } from '../support/memory-refunds';

const signer = new LocalKeySigner(hexlify(randomBytes(32)));
const USDT = Wallet.createRandom().address;
const USDC = Wallet.createRandom().address;
const custody = Wallet.createRandom().address;
const chain = localChain(
  [
    { address: USDT, symbol: 'USDT', decimals: 6 },
    { address: USDC, symbol: 'USDC', decimals: 6 },
  ],
  3,
);

function instructed(n: number, to: string, amount: bigint, instructedBlock: number): Refund {
  return {
    id: `rfd_${String(n).padStart(22, 'A')}`,
    source: { kind: 'invoice', invoiceId: `inv_${n}` },
    ministry: 'AFSA',
    chainId: chain.chainId,
    token: USDT,
    decimals: 6,
    to,
    amount,
    reason: 'overpaid',
    state: 'instructed',
    requestedBy: 'alice',
    requestedAt: '2026-03-10T08:00:00.000Z',
    approvedBy: 'bob',
    approvedAt: '2026-03-10T08:01:00.000Z',
    instructedAt: '2026-03-10T08:02:00.000Z',
    instructedBlock,
    version: 2,
  };
}

function setup(...refunds: Refund[]) {
  const store = new MemoryRefundStore();
  for (const r of refunds) {
    store.refunds.set(r.id, r);
    store.ledgers.set(
      `invoice:${(r.source as { invoiceId: string }).invoiceId}`,
      ledgerWith({ reservedMicroUsd: 0n }, r),
    );
  }
  const node = new MemoryChain(10);
  const published: Refund[] = [];
  const deps = {
    refunds: store,
    chains: [chain],
    rpcFor: () => node,
    custodian: new MemoryCustodian({ [chain.chainId]: custody }),
    signer,
    publishReceipt: async (r: Refund) => {
      published.push(r);
    },
    now: () => new Date('2026-03-10T08:05:00.000Z'),
  };
  return { store, node, published, deps };
}

describe('completeRefunds', () => {
  it('completes on a final custody → destination transfer of exactly the amount, with a signed receipt', async () => {
    const to = Wallet.createRandom().address;
    const refund = instructed(1, to, 100_000_000n, 10);
    const { store, node, published, deps } = setup(refund);
    node.transfer(USDT, custody, to, 99_999_999n); // not the amount
    node.transfer(USDC, custody, to, 100_000_000n); // not the token
    node.transfer(USDT, Wallet.createRandom().address, to, 100_000_000n); // not from custody
    const paid = node.transfer(USDT, custody, to, 100_000_000n);
    expect(await completeRefunds(deps)).toEqual([]); // not final yet
    node.mine(2);
    expect(await completeRefunds(deps)).toEqual([refund.id]);
    const done = await store.get(refund.id);
    expect(done).toMatchObject({ state: 'completed', txHash: paid.transactionHash, logIndex: paid.logIndex });
    expect(await store.ledger(refund.source)).toEqual({ reservedMicroUsd: 100_000_000n });
    const receipt = [...store.receipts.values()][0];
    if (!receipt) throw new Error('no receipt');
    expect(verifyRefundReceipt(receipt, await signer.address())).toEqual({ ok: true });
    expect(receipt).toMatchObject({ refundId: refund.id, txHash: paid.transactionHash, amount: '100000000' });
    expect(published.map((r) => r.id)).toEqual([refund.id]);
    // The journal: the overpayment is paid back out of custody, micro-USD exact.
    expect(store.journal).toEqual([
      expect.objectContaining({
        entryId: `${refund.id}:completed`,
        kind: 'refund-completed',
        invoiceId: 'inv_1',
        lines: [
          { account: 'overpayment:inv_1', debit: 100_000_000n, credit: 0n },
          { account: `custody:${chain.chainId}:${USDT.toLowerCase()}`, debit: 0n, credit: 100_000_000n },
        ],
      }),
    ]);
    expect(await completeRefunds(deps)).toEqual([]);
  });

  it('one on-chain transfer completes one refund: a twin refund waits for its own transfer', async () => {
    const to = Wallet.createRandom().address;
    const a = instructed(1, to, 5_000_000n, 10);
    const b = instructed(2, to, 5_000_000n, 10);
    const { store, node, deps } = setup(a, b);
    node.transfer(USDT, custody, to, 5_000_000n);
    node.mine(3);
    expect(await completeRefunds(deps)).toHaveLength(1);
    expect((await store.instructed()).map((r) => r.state)).toEqual(['instructed']);
    node.transfer(USDT, custody, to, 5_000_000n);
    node.mine(3);
    expect(await completeRefunds(deps)).toHaveLength(1);
    expect(store.claimedTransfers.size).toBe(2);
  });

  it('sends a receipt again when its outbox message never reached the publisher, and only then', async () => {
    const to = Wallet.createRandom().address;
    const refund = instructed(4, to, 9n, 10);
    const { store, node, published, deps } = setup(refund);
    node.transfer(USDT, custody, to, 9n);
    node.mine(3);
    expect(await completeRefunds(deps)).toEqual([refund.id]);
    expect(published).toHaveLength(1); // the message a crash may lose
    const later = { ...deps, now: () => new Date('2026-03-10T08:11:00.000Z') };
    await completeRefunds(later);
    expect(published).toHaveLength(2);
    store.receiptsSeen.add(refund.id); // the publisher had it: its retries and DLQ own it now
    await completeRefunds(later);
    expect(published).toHaveLength(2);
  });

  it("one refund's failing chain read holds up no other refund", async () => {
    const to = Wallet.createRandom().address;
    const a = instructed(5, to, 3n, 10);
    const b = instructed(6, to, 4n, 10);
    const { node, deps } = setup(a, b);
    node.transfer(USDT, custody, to, 4n);
    node.mine(3);
    const getLogs = node.getLogs.bind(node);
    let calls = 0;
    node.getLogs = async (filter) => {
      if (calls++ === 0) throw new Error('node refused the range');
      return getLogs(filter);
    };
    expect(await completeRefunds(deps)).toEqual([b.id]);
  });

  it('ignores transfers before the order was sent', async () => {
    const to = Wallet.createRandom().address;
    const { node, deps } = setup();
    node.transfer(USDT, custody, to, 7n);
    const refund = instructed(3, to, 7n, node.head + 1);
    deps.refunds.refunds.set(refund.id, refund);
    node.mine(5);
    expect(await completeRefunds(deps)).toEqual([]);
  });

  it('ignores a transfer in the block read as the head before the send: it predates the order', async () => {
    const to = Wallet.createRandom().address;
    const { node, deps } = setup();
    node.transfer(USDT, custody, to, 8n); // mined in the block that is the head when the order is sent
    const refund = instructed(7, to, 8n, node.head);
    deps.refunds.refunds.set(refund.id, refund);
    node.mine(5);
    expect(await completeRefunds(deps)).toEqual([]);
    node.transfer(USDT, custody, to, 8n);
    node.mine(3);
    expect(await completeRefunds(deps)).toEqual([refund.id]);
  });

  it('searches in windows a node accepts: bounded ranges, halved when refused', async () => {
    const to = Wallet.createRandom().address;
    const refund = instructed(8, to, 6n, 10);
    const { node, deps } = setup(refund);
    node.mine(20);
    node.transfer(USDT, custody, to, 6n);
    node.mine(3);
    const getLogs = node.getLogs.bind(node);
    const ranges: number[] = [];
    node.getLogs = async (filter) => {
      const width = filter.toBlock - filter.fromBlock + 1;
      if (width > 3) throw new Error('query exceeds max block range 3'); // as providers answer
      ranges.push(width);
      return getLogs(filter);
    };
    expect(await completeRefunds({ ...deps, maxLogRange: 5 })).toEqual([refund.id]);
    expect(Math.max(...ranges)).toBeLessThanOrEqual(3);
  });

  it('queues again the order of a refund approved long ago and still not instructed (a lost message)', async () => {
    const to = Wallet.createRandom().address;
    const fresh = { ...instructed(9, to, 1n, 10), state: 'approved' as const, approvedAt: '2026-03-10T08:01:00.000Z' };
    const stale = { ...instructed(10, to, 2n, 10), state: 'approved' as const, approvedAt: '2026-03-10T07:40:00.000Z' };
    const { deps } = setup(fresh, stale);
    const orders = new MemoryRefundQueue();
    await completeRefunds({ ...deps, orders });
    expect(orders.ids).toEqual([stale.id]);
  });
});
