/**
 * The chain scanner against an in-memory node and in-memory checkpoints and watched addresses: what it sends, what it
 * drops, how it walks ranges the node refuses, how it notices a reorg at its checkpoint, and how a warm container's
 * watched-address set reads only what was written since its previous run yet finds an address issued a moment ago.
 */
import { getAddress } from 'ethers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { metrics } from '../../shared/adapters/observability';
import { type ScanDeps, scanChain } from '../../shared/app/scan-chain';
import { WatchedAddressSet } from '../../shared/app/watched-address-set';
import { localChain, token } from '../../shared/domain/chains';
import { ERC20_TRANSFER_TOPIC, type TransferObservedInput } from '../../shared/domain/transfers';
import { MemoryChain } from '../support/memory-chain';
import { MemoryScanCheckpoints, MemoryWatchedAddresses } from '../support/memory-scan-stores';

const USDT = getAddress('0x5fbdb2315678afecb367f032d93f642f64180aa3');
const UNLISTED = getAddress('0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0');
const PAYER = getAddress('0x70997970c51812dc3a010c7d01b50e0d17dc79c8');
const DEPOSIT = getAddress('0x0a8431caf3f8634aeeca5a6909cc39dc33145e2c');
const LATE_DEPOSIT = getAddress('0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc');
const STRANGER = getAddress('0x90f79bf6eb2c4f870365e785982e1f101e93b906');
const USD = 1_000_000n;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const WATCH_UNTIL = '2026-12-02T10:00:00.000Z';

/** Depth 3: a block is final once it has 2 blocks on top of it. */
const chainConfig = localChain([token(USDT, 'USDT', 6)], 3);

let chain: MemoryChain;
let checkpoints: MemoryScanCheckpoints;
let watched: MemoryWatchedAddresses;
let sent: TransferObservedInput[];

beforeEach(() => {
  chain = new MemoryChain(10);
  checkpoints = new MemoryScanCheckpoints();
  watched = new MemoryWatchedAddresses();
  watched.watch(DEPOSIT, new Date(T0 - 3_600_000).toISOString(), WATCH_UNTIL);
  sent = [];
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** One scanner run at `T0 + offsetMs`. */
function scan(offsetMs = 0, options: Partial<ScanDeps> = {}) {
  return scanChain(chainConfig, {
    rpc: chain,
    checkpoints,
    watchedAddresses: watched,
    now: () => new Date(T0 + offsetMs),
    send: async (messages) => {
      sent.push(...messages);
    },
    initialLookback: chain.head,
    ...options,
  });
}

describe('scanChain: what it sends', () => {
  it('sends Transfer logs to watched addresses as TransferObserved, from any token contract, final at depth', async () => {
    const paid = chain.transfer(USDT, PAYER, DEPOSIT, 500n * USD);
    const unlisted = chain.transfer(UNLISTED, PAYER, DEPOSIT, 5n * USD);
    chain.transfer(USDT, PAYER, STRANGER, 7n * USD);
    chain.mine(1);

    const report = await scan();

    expect(report).toMatchObject({ head: 14, from: 0, to: 14, logs: 2, reorgDetected: false, lagBlocks: 0 });
    const observedAt = new Date(T0).toISOString();
    expect(sent).toEqual([
      {
        chainId: chainConfig.chainId,
        token: USDT,
        txHash: paid.transactionHash,
        logIndex: 0,
        blockNumber: 11,
        blockHash: chain.hashOf(11),
        from: PAYER,
        to: DEPOSIT,
        amount: (500n * USD).toString(),
        removed: false,
        source: 'scanner',
        observedAt,
        final: true, // blocks 12..14 on top
      },
      // Off the allowlist: sent all the same, so reconciliation puts it in suspense as token_not_accepted.
      expect.objectContaining({ token: UNLISTED, txHash: unlisted.transactionHash, amount: (5n * USD).toString() }),
    ]);
    expect(sent[1]?.final).toBe(true);
    expect(checkpoints.byChain.get(chainConfig.chainId)).toMatchObject({
      blockNumber: 14,
      blockHash: chain.hashOf(14),
      addressesAsOf: { at: observedAt, block: 14 },
      version: 1,
    });
  });

  it('claims finality only for logs deep enough', async () => {
    chain.transfer(USDT, PAYER, DEPOSIT, 1n * USD); // block 11, the head: 1 confirmation
    await scan();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.final).toBeUndefined();
  });

  it('drops and counts zero values, and skips logs that are not ERC-20 Transfers (4-topic ERC-721 shape)', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    chain.transfer(USDT, PAYER, DEPOSIT, 0n);
    chain.transfer(UNLISTED, PAYER, DEPOSIT, 0n);
    const nftTopics = [ERC20_TRANSFER_TOPIC, PAYER, DEPOSIT, '0x01'].map((t) => `0x${t.slice(2).padStart(64, '0')}`);
    chain.send([{ address: UNLISTED, topics: nftTopics, data: '0x' }]);
    chain.transfer(USDT, PAYER, DEPOSIT, 1n);

    const report = await scan();

    expect(report).toMatchObject({ logs: 1, zeroValueIgnored: 2 });
    expect(sent.map((m) => m.amount)).toEqual(['1']);
    expect(addMetric).toHaveBeenCalledWith('ZeroValueTransfersIgnored', 'Count', 2);
  });

  it('moves on from its checkpoint: the next run reads only the blocks mined since', async () => {
    await scan();
    expect(await scan()).toMatchObject({ head: 10, logs: 0, lagBlocks: 0 });
    expect(chain.asked.getLogs.map((r) => [r.fromBlock, r.toBlock])).toEqual([[0, 10]]);

    chain.transfer(USDT, PAYER, DEPOSIT, 2n * USD);
    chain.mine(2);
    const report = await scan();

    expect(report).toMatchObject({ from: 11, to: 13, logs: 1 });
    expect(chain.asked.getLogs.at(-1)).toMatchObject({ fromBlock: 11, toBlock: 13 });
    expect(checkpoints.saves).toBe(2);
  });

  it('starts a chain without checkpoint initialLookback blocks before the head, and covers at most maxBlocksPerRun', async () => {
    chain.mine(20); // head 30
    const first = await scan(0, { initialLookback: 10, maxBlocksPerRun: 6 });
    expect(first).toMatchObject({ from: 20, to: 25, lagBlocks: 5 });
    const second = await scan(0, { maxBlocksPerRun: 6 });
    expect(second).toMatchObject({ from: 26, to: 30, lagBlocks: 0 });
  });

  it('does not look for addresses whose watch has ended', async () => {
    watched.watch(LATE_DEPOSIT, new Date(T0 - 3_600_000).toISOString(), new Date(T0 - 1).toISOString());
    chain.transfer(USDT, PAYER, LATE_DEPOSIT, 3n * USD);
    await scan();
    expect(sent).toEqual([]);
  });
});

describe('scanChain: ranges the node refuses', () => {
  it('halves a refused range until the node answers, and finds every log once', async () => {
    for (let i = 0; i < 6; i++) {
      chain.transfer(USDT, PAYER, DEPOSIT, BigInt(i + 1) * USD);
      chain.mine(2);
    }
    chain.maxLogRange = 5;

    const report = await scan();

    expect(report).toMatchObject({ from: 0, to: 28, logs: 6 });
    expect(sent.map((m) => m.amount)).toEqual([1n, 2n, 3n, 4n, 5n, 6n].map((n) => (n * USD).toString()));
    const answered = chain.asked.getLogs.filter((r) => !r.refused);
    expect(chain.asked.getLogs.some((r) => r.refused)).toBe(true);
    expect(answered.every((r) => r.toBlock - r.fromBlock + 1 <= 5)).toBe(true);
    // The answered ranges tile [0, 28] exactly: nothing read twice, nothing skipped.
    answered.forEach((r, i) => {
      expect(r.fromBlock).toBe(i === 0 ? 0 : (answered[i - 1]?.toBlock ?? Number.NaN) + 1);
    });
    expect(answered.at(-1)?.toBlock).toBe(28);
  });

  it('fails the run, checkpoint unmoved and nothing sent, when the node refuses even one block', async () => {
    await scan();
    chain.transfer(USDT, PAYER, DEPOSIT, 1n * USD);
    chain.maxLogRange = 0;
    await expect(scan()).rejects.toThrow(/max block range/);
    expect(sent).toEqual([]);
    expect(checkpoints.byChain.get(chainConfig.chainId)).toMatchObject({ blockNumber: 10, version: 1 });
  });
});

describe('scanChain: reorgs', () => {
  it('rewinds when the checkpoint block no longer has the recorded hash, and reports the transfer in its new block', async () => {
    chain.mine(5); // head 15
    const paid = chain.transfer(USDT, PAYER, DEPOSIT, 500n * USD); // block 16
    chain.mine(2); // head 18
    await scan();
    expect(sent.map((m) => m.blockHash)).toEqual([chain.hashOf(16)]);
    const oldHash = chain.hashOf(16);

    chain.reorg(16, { reinclude: [paid.transactionHash] }); // blocks 16..18 replaced, the payment mined again in 16
    sent = [];
    const report = await scan(0, { rewindBlocks: 4 });

    expect(report).toMatchObject({ reorgDetected: true, from: 14, to: 18, logs: 1 });
    expect(sent).toEqual([
      expect.objectContaining({ txHash: paid.transactionHash, blockNumber: 16, blockHash: chain.hashOf(16) }),
    ]);
    expect(chain.hashOf(16)).not.toBe(oldHash);
    expect(checkpoints.byChain.get(chainConfig.chainId)).toMatchObject({
      blockNumber: 18,
      blockHash: chain.hashOf(18),
    });
  });

  it('sees no reorg while the checkpoint block keeps its hash, even when later blocks changed', async () => {
    await scan(); // checkpoint at 10
    chain.mine(3);
    chain.reorg(12);
    expect(await scan()).toMatchObject({ reorgDetected: false, from: 11, to: 13 });
  });
});

describe("scanChain: the container's watched-address set", () => {
  it('reads the whole active range on a cold run, then only the watches written since the previous run', async () => {
    const set = new WatchedAddressSet();
    const cold = await scan(0, { watchedSet: set });
    expect(cold.addressRead).toEqual({ kind: 'full', itemsRead: 1 });
    chain.mine(1);
    const warm = await scan(60_000, { watchedSet: set });
    expect(warm.addressRead).toEqual({ kind: 'increment', itemsRead: 0 });
    expect(warm.watchedAddresses).toBe(1);
    expect([watched.reads, watched.incrementReads, watched.itemsRead]).toEqual([1, 1, 1]);
  });

  it('finds a payment to an address issued a moment after the previous run, in the next run', async () => {
    const set = new WatchedAddressSet();
    await scan(0, { watchedSet: set });
    watched.watch(LATE_DEPOSIT, new Date(T0 + 1_000).toISOString(), WATCH_UNTIL);
    const paid = chain.transfer(USDT, PAYER, LATE_DEPOSIT, 9n * USD); // block 11
    const report = await scan(2_000, { watchedSet: set });
    expect(report).toMatchObject({ from: 11, to: 11, logs: 1, addressRead: { kind: 'increment', itemsRead: 1 } });
    expect(sent).toEqual([expect.objectContaining({ txHash: paid.transactionHash, to: LATE_DEPOSIT })]);
  });

  it('looks for an expired address again once its watch is extended, and no longer once it ends', async () => {
    const set = new WatchedAddressSet();
    watched.watch(LATE_DEPOSIT, new Date(T0 - 86_400_000).toISOString(), new Date(T0 - 1).toISOString());
    await scan(0, { watchedSet: set });
    const reopenedUntil = new Date(T0 + 120_000).toISOString();
    watched.extend(LATE_DEPOSIT, reopenedUntil, new Date(T0 + 1_000).toISOString());
    const paid = chain.transfer(USDT, PAYER, LATE_DEPOSIT, 9n * USD);
    expect(await scan(2_000, { watchedSet: set })).toMatchObject({ logs: 1, watchedAddresses: 2 });
    expect(sent).toEqual([expect.objectContaining({ txHash: paid.transactionHash })]);
    chain.transfer(USDT, PAYER, LATE_DEPOSIT, 1n * USD);
    expect(await scan(120_000, { watchedSet: set })).toMatchObject({ logs: 0, watchedAddresses: 1 });
  });

  it('without a set of the container, reads the whole range every run', async () => {
    await scan();
    watched.watch(LATE_DEPOSIT, new Date(T0 + 1_000).toISOString(), WATCH_UNTIL);
    chain.transfer(USDT, PAYER, LATE_DEPOSIT, 9n * USD);
    const report = await scan(2_000);
    expect(report).toMatchObject({ from: 11, to: 11, logs: 1, addressRead: { kind: 'full', itemsRead: 2 } });
    expect(watched.reads).toBe(2);
  });
});
