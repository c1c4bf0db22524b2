/**
 * The confirmer against an in-memory node and in-memory re-check lists: final only when the block is canonical at
 * finality and our own receipt confirms the log; unsure (nothing reported) while the block stands but the receipt
 * does not; moved or removed when the block left; at the deeper depth settled or gone; and each report sent once
 * within the resend interval.
 */
import { getAddress } from 'ethers';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ConfirmDeps, confirmTransfers, RecentReports } from '../../shared/app/confirm-transfers';
import { type ChainConfig, localChain, mainnetChains, token } from '../../shared/domain/chains';
import type { TransferState } from '../../shared/domain/reconcile';
import type { TransferObservedInput } from '../../shared/domain/transfers';
import type { RawLog } from '../../shared/ports';
import { erc20Transfer, MemoryChain } from '../support/memory-chain';
import { MemoryTransfersToRecheck, storedTransfer } from '../support/memory-scan-stores';

const USDT = getAddress('0x5fbdb2315678afecb367f032d93f642f64180aa3');
const PAYER = getAddress('0x70997970c51812dc3a010c7d01b50e0d17dc79c8');
const DEPOSIT = getAddress('0x0a8431caf3f8634aeeca5a6909cc39dc33145e2c');
const USD = 1_000_000n;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');

/** Depth 3 (final with 2 blocks on top), deep re-check at 6. */
const depthChain = localChain([token(USDT, 'USDT', 6)], 3);

let chain: MemoryChain;
let stored: MemoryTransfersToRecheck;
let reported: RecentReports;
let sent: TransferObservedInput[];

beforeEach(() => {
  chain = new MemoryChain(10);
  stored = new MemoryTransfersToRecheck();
  reported = new RecentReports();
  sent = [];
});

/** One confirmer run at `T0 + offsetMs`. */
function confirm(offsetMs = 0, config: ChainConfig = depthChain, deps: Partial<ConfirmDeps> = {}) {
  return confirmTransfers(config, {
    rpc: chain,
    transfers: stored,
    reported,
    now: () => new Date(T0 + offsetMs),
    send: async (messages) => {
      sent.push(...messages);
    },
    ...deps,
  });
}

/** A payment mined in a new block and stored by reconciliation in `state`. */
function paid(state: TransferState, config: ChainConfig = depthChain): RawLog {
  const log = chain.transfer(USDT, PAYER, DEPOSIT, 500n * USD);
  stored.transfers.push(storedTransfer(config.chainId, log, state));
  return log;
}

/** The confirmer's sighting of `log` as recorded. */
function sightingOf(log: RawLog, config: ChainConfig = depthChain) {
  return {
    chainId: config.chainId,
    token: USDT,
    txHash: log.transactionHash,
    logIndex: log.logIndex,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    from: PAYER,
    to: DEPOSIT,
    amount: (500n * USD).toString(),
    removed: false,
    source: 'confirmer',
    observedAt: new Date(T0).toISOString(),
  };
}

describe('confirmTransfers: a seen transfer at finality', () => {
  it('waits below finality with a block read only, then reports final when our receipt confirms the log', async () => {
    const log = paid('seen'); // block 11, the head
    chain.mine(1);
    const early = await confirm();
    expect(early).toMatchObject({ checked: 1, finalized: 0, receiptReads: 0, unsure: 0 });
    expect(sent).toEqual([]);

    chain.mine(1); // 3 confirmations
    const report = await confirm();

    expect(report).toMatchObject({ checked: 1, finalized: 1, removed: 0, moved: 0, receiptReads: 1 });
    expect(sent).toEqual([{ ...sightingOf(log), final: true }]);
  });

  it('follows the finality tag on a tag chain: final only once `finalized` covers the block', async () => {
    const ethereum = mainnetChains.find((c) => c.finality.kind === 'tag') as ChainConfig;
    const log = paid('seen', ethereum);
    chain.mine(20);
    expect(await confirm(0, ethereum)).toMatchObject({ finalized: 0, receiptReads: 0 });

    chain.tags.finalized = log.blockNumber;
    expect(await confirm(0, ethereum)).toMatchObject({ finalized: 1 });
    expect(sent).toEqual([{ ...sightingOf(log, ethereum), final: true }]);
  });

  it('is unsure, and reports nothing, while the block is canonical but our node gives no receipt', async () => {
    const log = paid('seen');
    chain.mine(5);
    chain.withheld.add(log.transactionHash);

    const report = await confirm();

    expect(report).toMatchObject({ unsure: 1, finalized: 0, removed: 0, moved: 0, receiptReads: 1 });
    expect(sent).toEqual([]);
  });

  it('is unsure, and reports nothing, while the block is canonical but our receipt places it elsewhere', async () => {
    const log = paid('seen');
    chain.mine(5);
    const receipt = await chain.getTransactionReceipt(log.transactionHash);
    chain.addReceipt({ ...(receipt as NonNullable<typeof receipt>), blockHash: `0x${'e'.repeat(64)}` });

    expect(await confirm()).toMatchObject({ unsure: 1, finalized: 0, removed: 0, moved: 0 });
    expect(sent).toEqual([]);
  });

  it('reports removed a transfer our receipt contradicts in its recorded, canonical block (reverted)', async () => {
    const receipt = chain.send([erc20Transfer(USDT, PAYER, DEPOSIT, 500n * USD)], { reverted: true });
    const log = receipt.logs[0] as RawLog;
    stored.transfers.push(storedTransfer(depthChain.chainId, log, 'seen'));
    chain.mine(2);

    expect(await confirm()).toMatchObject({ removed: 1, finalized: 0, unsure: 0 });
    expect(sent).toEqual([{ ...sightingOf(log), removed: true }]);
  });
});

describe('confirmTransfers: a seen transfer whose block left the chain', () => {
  it('reports it removed when the reorg dropped its transaction', async () => {
    const log = paid('seen');
    chain.reorg(log.blockNumber, { length: 2 });

    const report = await confirm();

    expect(report).toMatchObject({ removed: 1, finalized: 0, moved: 0 });
    expect(sent).toEqual([{ ...sightingOf(log), removed: true }]);
  });

  it('reports it moved, with its new block, when the reorg mined it again elsewhere; final there at depth', async () => {
    const log = paid('seen');
    chain.reorg(log.blockNumber, { reinclude: [log.transactionHash] });
    const block = { blockNumber: log.blockNumber, blockHash: chain.hashOf(log.blockNumber) };

    expect(await confirm()).toMatchObject({ moved: 1, removed: 0, finalized: 0 });
    expect(sent).toEqual([{ ...sightingOf(log), ...block, final: false }]);

    chain.mine(2);
    sent = [];
    expect(await confirm()).toMatchObject({ moved: 1 });
    expect(sent).toEqual([{ ...sightingOf(log), ...block, final: true }]);
  });
});

describe('confirmTransfers: the deep re-check of final transfers', () => {
  it('reports the one still there settled and the one gone removed with `deep`, and leaves shallower ones unread', async () => {
    const kept = paid('final'); // block 11
    chain.mine(1);
    const lost = paid('final'); // block 13
    chain.mine(5); // head 18: 13 has 6 confirmations (deep), and so has 11
    const shallow = paid('final'); // block 19
    chain.reorg(lost.blockNumber, { length: 7 }); // 13..19 replaced: `lost` (and `shallow`) dropped; head 19

    const report = await confirm();

    expect(report).toMatchObject({ settled: 1, gone: 1, receiptReads: 2 });
    expect(sent).toEqual([
      { ...sightingOf(kept), deep: true, final: true },
      { ...sightingOf(lost), removed: true, deep: true },
    ]);
    expect(chain.asked.receipts).not.toContain(shallow.transactionHash);
  });

  it('is unsure, and reports nothing, when the block stands but our node gives no receipt', async () => {
    const log = paid('final');
    chain.mine(10);
    chain.withheld.add(log.transactionHash);

    expect(await confirm()).toMatchObject({ unsure: 1, settled: 0, gone: 0 });
    expect(sent).toEqual([]);
  });

  it('skips transfers already re-checked deeper', async () => {
    const log = chain.transfer(USDT, PAYER, DEPOSIT, 500n * USD);
    stored.transfers.push(
      storedTransfer(depthChain.chainId, log, 'final', { deepCheckedAt: new Date(T0).toISOString() }),
    );
    chain.mine(10);
    expect(await confirm()).toMatchObject({ checked: 0, settled: 0, gone: 0, receiptReads: 0 });
  });
});

describe('confirmTransfers: each report once within the resend interval', () => {
  it('neither reads nor sends again a report sent moments ago, and re-sends it after the interval', async () => {
    const log = paid('seen');
    chain.mine(2);
    await confirm();
    expect(sent).toHaveLength(1);

    const again = await confirm(1_000);
    expect(again).toMatchObject({ checked: 1, finalized: 0, receiptReads: 0 });
    expect(sent).toHaveLength(1);

    const later = await confirm(31_000);
    expect(later).toMatchObject({ finalized: 1, receiptReads: 1 });
    expect(sent).toEqual([
      { ...sightingOf(log), final: true },
      { ...sightingOf(log), final: true, observedAt: new Date(T0 + 31_000).toISOString() },
    ]);
  });

  it('keeps what was sent in the RecentReports it is given: a fresh one sends again', async () => {
    paid('seen');
    chain.mine(2);
    await confirm();
    await confirm(1_000, depthChain, { reported: new RecentReports() });
    expect(sent).toHaveLength(2);
  });
});
