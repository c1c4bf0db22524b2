/**
 * The chain scanner, for one chain: reads ERC-20 `Transfer` logs of any token contract to watched deposit addresses
 * (a token off the allowlist goes to suspense as `token_not_accepted`; zero values are counted and dropped) from its
 * checkpoint on (block ranges halve when the node refuses a range), detects reorgs by the hash
 * continuity of its checkpoint and rewinds, and re-checks every `seen` transfer: final when the chain's finality rule
 * holds and its block is still canonical, moved or removed when it is not. Everything it learns goes to the
 * transfers queue as `TransferObserved`; reconciliation decides what it means. Alone it gets every payment paid.
 */
import { getAddress } from 'ethers';
import type { ChainRpc, RawLog, TxReceipt } from '../adapters/chain/rpc';
import { tableName } from '../adapters/config';
import { getCheckpoint, saveCheckpoint } from '../adapters/dynamo/checkpoints';
import { type WatchedAddress, watchedAddressEntries } from '../adapters/dynamo/invoices';
import { type StoredTransfer, seenTransfers, unsettledTransfers } from '../adapters/dynamo/transfers';
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { type ChainConfig, isDeeplyFinal, isFinal } from '../domain/chains';
import {
  decodeTransferLog,
  ERC20_TRANSFER_TOPIC,
  isZeroValue,
  type TransferObserved,
  type TransferObservedInput,
} from '../domain/transfers';
import { checkSighting } from '../domain/verify-sighting';

export interface ScanDeps {
  rpc: ChainRpc;
  now: () => Date;
  send: (messages: TransferObservedInput[]) => Promise<void>;
  /** At most this many blocks per run, so a run ends well inside its timeout. */
  maxBlocksPerRun?: number;
  /** Where a chain without checkpoint starts: this many blocks before the head. */
  initialLookback?: number;
  /** How far back a detected reorg rewinds. */
  rewindBlocks?: number;
  /**
   * Reuse this container's list of watched addresses for up to this many ms (default 0: read it every run). A
   * cached list misses addresses issued since it was read; the checkpoint's `addressesAsOf` makes up for that, so no
   * payment is lost, but the scanner then sees a payment to a new address up to this much later.
   */
  addressListMaxAgeMs?: number;
}

export interface ScanReport {
  chainId: number;
  head: number;
  from?: number;
  to?: number;
  logs: number;
  reorgDetected: boolean;
  /** Blocks between the head and the checkpoint after this run (scanner lag). */
  lagBlocks: number;
  /** Addresses issued since the list behind the checkpoint was read, re-scanned over the blocks already scanned. */
  lateAddresses?: number;
  /** Zero-value transfers found and not sent (also counted as `ZeroValueTransfersIgnored`). */
  zeroValueIgnored: number;
}

const ADDRESS_CHUNK = 200;

/**
 * Lists of watched addresses per table and chain in this container, each with when it was read and the chain's
 * head read just before (so every block after `head` was mined after the list was read).
 */
const addressLists = new Map<string, { loadedAt: Date; head: number; entries: WatchedAddress[] }>();

/**
 * An address issued this long before a list was read may still be missing from it (the index is eventually
 * consistent; the issuing function's clock is not the scanner's): such addresses count as late too.
 */
const LATE_MARGIN_MS = 60_000;

async function addressList(chainId: number, head: number, at: Date, maxAgeMs: number) {
  const key = `${tableName()}#${chainId}`;
  const cached = addressLists.get(key);
  if (cached && maxAgeMs > 0 && at.getTime() - cached.loadedAt.getTime() < maxAgeMs) return cached;
  const list = { loadedAt: at, head, entries: await watchedAddressEntries(at) };
  if (maxAgeMs > 0) addressLists.set(key, list);
  return list;
}

/** One scanner run over `chain`. */
export async function scanChain(chain: ChainConfig, deps: ScanDeps): Promise<ScanReport> {
  const { rpc } = deps;
  const at = deps.now();
  const head = await rpc.blockNumber();
  const finalizedBlock =
    chain.finality.kind === 'tag' ? ((await rpc.getBlock(chain.finality.tag))?.number ?? null) : undefined;
  const report: ScanReport = {
    chainId: chain.chainId,
    head,
    logs: 0,
    reorgDetected: false,
    lagBlocks: 0,
    zeroValueIgnored: 0,
  };

  const checkpoint = await getCheckpoint(chain.chainId);
  let start: number;
  if (!checkpoint) start = Math.max(0, head - (deps.initialLookback ?? 1_000));
  else {
    const block = checkpoint.blockNumber <= head ? await rpc.getBlock(checkpoint.blockNumber) : null;
    if (block?.hash === checkpoint.blockHash) start = checkpoint.blockNumber + 1;
    else {
      report.reorgDetected = true;
      start = Math.max(0, checkpoint.blockNumber - (deps.rewindBlocks ?? 64));
      logger.warn('reorg detected at checkpoint; rewinding', { chainId: chain.chainId, checkpoint, start });
    }
  }
  const end = Math.min(head, start + (deps.maxBlocksPerRun ?? 5_000) - 1);
  const finalAt = (blockNumber: number) => isFinal(chain, blockNumber, { head, finalizedBlock });

  if (start <= end) {
    report.from = start;
    report.to = end;
    const list = await addressList(chain.chainId, head, at, deps.addressListMaxAgeMs ?? 0);
    const watchedNow = list.entries.filter((e) => e.watchUntil > at.toISOString());
    const messages: TransferObservedInput[] = [];
    const scan = async (addresses: string[], from: number, to: number) => {
      const found = await transfersTo(rpc, addresses, from, to, (log) =>
        toObserved(chain.chainId, log, finalAt(log.blockNumber), at),
      );
      messages.push(...found.messages);
      report.zeroValueIgnored += found.zeroValue;
    };
    // Late addresses. The blocks up to the checkpoint were scanned for every address issued before
    // `addressesAsOf.at` (when the list then used was read), and blocks up to `addressesAsOf.block` were mined before
    // that. An address issued later (or just before, see LATE_MARGIN_MS) can only have been paid in a block after
    // `addressesAsOf.block`, which may have been scanned without it: scan those blocks again for such addresses.
    // With a list read in the run that saved the checkpoint (no cache), `block` is that run's head, at or past the
    // checkpoint, and there is nothing to re-scan. The obligation lives in the checkpoint, not in this container,
    // so it survives the container. Checkpoints without `addressesAsOf` predate caching: nothing to re-scan either.
    const asOf = checkpoint?.addressesAsOf;
    if (asOf && asOf.block + 1 <= start - 1) {
      const since = Date.parse(asOf.at) - LATE_MARGIN_MS;
      const late = watchedNow.filter((e) => !e.createdAt || Date.parse(e.createdAt) >= since).map((e) => e.address);
      report.lateAddresses = late.length;
      await scan(late, asOf.block + 1, start - 1);
    }
    await scan(
      watchedNow.map((e) => e.address),
      start,
      end,
    );
    report.logs = messages.length;
    await deps.send(messages);
    if (report.zeroValueIgnored) countMetric('ZeroValueTransfersIgnored', report.zeroValueIgnored);
    const endBlock = await rpc.getBlock(end);
    if (endBlock) {
      const addressesAsOf = { at: list.loadedAt.toISOString(), block: list.head };
      await saveCheckpoint(
        chain.chainId,
        { blockNumber: end, blockHash: endBlock.hash, addressesAsOf },
        checkpoint,
        at.toISOString(),
      );
    }
    report.lagBlocks = head - end;
  }

  return report;
}

/**
 * What this container already reported, by transfer and block: a transfer stays `seen` in the table until its
 * report is reconciled, and re-sending the same report every run only adds duplicates to the queue. Reports are
 * re-sent after a while in case one was lost.
 */
const reported = new Map<string, number>();
const RESEND_AFTER_MS = 30_000;

/** The dedupe key of a report: what it says of which transfer in which block. */
function reportKey(m: TransferObservedInput): string {
  return `${m.chainId}:${m.txHash}:${m.logIndex}:${m.blockHash}:${m.removed}:${m.final}:${m.deep}`;
}

/** Whether this container sent `key` within the resend interval (without recording anything). */
function reportedRecently(key: string, now: number): boolean {
  const at = reported.get(key);
  return at !== undefined && now - at < RESEND_AFTER_MS;
}

function alreadyReported(key: string, now: number): boolean {
  if (reportedRecently(key, now)) return true;
  reported.set(key, now);
  if (reported.size > 10_000) {
    for (const [k, t] of reported) if (now - t >= RESEND_AFTER_MS) reported.delete(k);
  }
  return false;
}

export interface ConfirmReport {
  chainId: number;
  head: number;
  checked: number;
  finalized: number;
  removed: number;
  moved: number;
  /** Final transfers re-checked at the deeper depth: still there (settled) or gone (to be annulled). */
  settled: number;
  gone: number;
  /** `eth_getTransactionReceipt` calls this run (one per transaction at most). */
  receiptReads: number;
  /** Transfers whose block is still canonical but whose receipt our node did not give as recorded: left for later. */
  unsure: number;
}

/**
 * Re-checks every `seen` transfer of a chain, whoever reported it, and every final one not yet re-checked deeper.
 * A `seen` transfer whose block is still canonical but not yet final costs one cached block read. One that is
 * final by the chain's rule, or whose block is gone, is checked against our node's transaction receipt (DESIGN.md,
 * Trust): final when its log is there as recorded, moved when the same log now sits in another block, removed
 * otherwise. At the deeper depth ({@link isDeeplyFinal}) a final transfer is read once more: still there → settled;
 * gone → reported removed with `deep`, and reconciliation annuls its receipt. This runs apart from log discovery,
 * so webhook-reported payments reach finality with the scanner paused.
 */
export async function confirmTransfers(
  chain: ChainConfig,
  deps: Omit<ScanDeps, 'maxBlocksPerRun' | 'initialLookback' | 'rewindBlocks'>,
): Promise<ConfirmReport> {
  const { rpc } = deps;
  const at = deps.now();
  const head = await rpc.blockNumber();
  const finalizedBlock =
    chain.finality.kind === 'tag' ? ((await rpc.getBlock(chain.finality.tag))?.number ?? null) : undefined;
  const tip = { head, finalizedBlock };
  const report: ConfirmReport = {
    chainId: chain.chainId,
    head,
    checked: 0,
    finalized: 0,
    removed: 0,
    moved: 0,
    settled: 0,
    gone: 0,
    receiptReads: 0,
    unsure: 0,
  };
  const blockAt = memo((n: number) => rpc.getBlock(n));
  const receiptOf = memo((txHash: string) => {
    report.receiptReads++;
    return rpc.getTransactionReceipt(txHash);
  });
  const recheck: TransferObservedInput[] = [];
  const canonical = async (t: StoredTransfer) =>
    t.blockNumber <= head && (await blockAt(t.blockNumber))?.hash === t.blockHash;
  for (const t of await seenTransfers(chain.chainId)) {
    report.checked++;
    const inBlock = await canonical(t);
    if (inBlock && !isFinal(chain, t.blockNumber, tip)) continue;
    // Reported final moments ago and still in its block: reconciliation has not caught up yet; no need to read again.
    if (inBlock && reportedRecently(reportKey({ ...sightingOf(t, at), final: true }), at.getTime())) continue;
    const reading = readTransfer(t, inBlock, await receiptOf(t.txHash), at);
    const message = seenMessage(chain, reading, tip);
    if (!message) {
      if (reading.kind === 'unsure') report.unsure++;
      continue;
    }
    recheck.push(message);
    if (message.removed) report.removed++;
    else if (reading.kind === 'moved') report.moved++;
    else report.finalized++;
  }
  for (const t of await unsettledTransfers(chain.chainId)) {
    if (!isDeeplyFinal(chain, t.blockNumber, tip)) break; // lowest block first: the rest are shallower still
    if (reportedRecently(reportKey({ ...sightingOf(t, at), deep: true, final: true }), at.getTime())) continue;
    const reading = readTransfer(t, await canonical(t), await receiptOf(t.txHash), at);
    if (reading.kind === 'unsure') {
      report.unsure++;
      continue;
    }
    const gone = reading.kind === 'gone';
    recheck.push({ ...reading.sighting, removed: gone, deep: true, ...(gone ? {} : { final: true }) });
    if (gone) report.gone++;
    else report.settled++;
  }
  const nowMs = at.getTime();
  await deps.send(recheck.filter((m) => !alreadyReported(reportKey(m), nowMs)));
  return report;
}

/** A stored transfer as the sighting the confirmer reports (its recorded block, not removed). */
function sightingOf(t: StoredTransfer, at: Date): TransferObserved {
  return {
    chainId: t.chainId,
    token: t.token,
    txHash: t.txHash,
    logIndex: t.logIndex,
    blockNumber: t.blockNumber,
    blockHash: t.blockHash,
    from: t.from,
    to: t.to,
    amount: t.amount.toString(),
    removed: false,
    source: 'confirmer',
    observedAt: at.toISOString(),
  };
}

/**
 * What our node says of a recorded transfer: its log is there as recorded (`holds`); the same log now sits in
 * another block (`moved`); it is gone. One empty or different receipt read while the recorded block is still
 * canonical proves nothing (a lagging or load-balanced node, a pruned transaction index): `unsure`, read again next
 * run. A receipt in the recorded block that contradicts the record is definitive.
 */
type Reading =
  | { kind: 'holds' | 'moved' | 'gone'; sighting: TransferObserved }
  | { kind: 'unsure'; sighting: TransferObserved };

function readTransfer(t: StoredTransfer, blockCanonical: boolean, receipt: TxReceipt | null, at: Date): Reading {
  const recorded = sightingOf(t, at);
  if (checkSighting(recorded, receipt).ok) return { kind: 'holds', sighting: recorded };
  if (receipt && receipt.blockHash !== t.blockHash) {
    const elsewhere = { ...recorded, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash };
    if (blockCanonical) return { kind: 'unsure', sighting: recorded };
    return checkSighting(elsewhere, receipt).ok
      ? { kind: 'moved', sighting: elsewhere }
      : { kind: 'gone', sighting: recorded };
  }
  if (!receipt && blockCanonical) return { kind: 'unsure', sighting: recorded };
  return { kind: 'gone', sighting: recorded };
}

/** The confirmer's report of a `seen` transfer from what the node says, or nothing (not final yet, or unsure). */
function seenMessage(
  chain: ChainConfig,
  reading: Reading,
  tip: { head: number; finalizedBlock?: number | null },
): TransferObservedInput | undefined {
  const { sighting } = reading;
  switch (reading.kind) {
    case 'holds':
      return isFinal(chain, sighting.blockNumber, tip) ? { ...sighting, final: true } : undefined;
    case 'moved':
      return { ...sighting, final: isFinal(chain, sighting.blockNumber, tip) };
    case 'gone':
      return { ...sighting, removed: true };
    case 'unsure':
      logger.warn('our node has no receipt as recorded for a transfer in a canonical block; re-checked later', {
        txHash: sighting.txHash,
        blockNumber: sighting.blockNumber,
      });
      return undefined;
  }
}

/** Memoizes an async read for one run, so each block or transaction is read once. */
function memo<K, V>(read: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const cache = new Map<K, Promise<V>>();
  return (key) => {
    let value = cache.get(key);
    if (!value) {
      value = read(key);
      cache.set(key, value);
    }
    return value;
  };
}

/**
 * The ERC-20 Transfers to `addresses` over [from, to] as messages, whatever the token contract (no `address` filter:
 * a token off the allowlist paid to a deposit address must reach suspense). Logs that are not ERC-20 Transfers are
 * skipped (an ERC-721 Transfer has the same topic0 and a 4th topic); zero values are counted, not kept.
 */
async function transfersTo(
  rpc: ChainRpc,
  addresses: string[],
  from: number,
  to: number,
  observe: (log: RawLog) => TransferObservedInput | undefined,
): Promise<{ messages: TransferObservedInput[]; zeroValue: number }> {
  const messages: TransferObservedInput[] = [];
  let zeroValue = 0;
  for (let i = 0; i < addresses.length; i += ADDRESS_CHUNK) {
    const topics = [ERC20_TRANSFER_TOPIC, null, addresses.slice(i, i + ADDRESS_CHUNK).map(toTopic)];
    for (const log of await logsInRange(rpc, topics, from, to)) {
      const observed = observe(log);
      if (!observed) continue;
      if (isZeroValue(observed.amount)) zeroValue++;
      else messages.push(observed);
    }
  }
  return { messages, zeroValue };
}

/** Logs of one address chunk over [from, to], from any contract, halving the range when the node refuses it. */
async function logsInRange(
  rpc: ChainRpc,
  topics: (string | string[] | null)[],
  from: number,
  to: number,
): Promise<RawLog[]> {
  try {
    return await rpc.getLogs({ topics, fromBlock: from, toBlock: to });
  } catch (error) {
    if (from === to) throw error;
    const mid = from + Math.floor((to - from) / 2);
    logger.info('getLogs refused a range; halving', { from, to, error: (error as Error).message });
    return [...(await logsInRange(rpc, topics, from, mid)), ...(await logsInRange(rpc, topics, mid + 1, to))];
  }
}

function toTopic(address: string): string {
  return `0x${address.toLowerCase().replace(/^0x/, '').padStart(64, '0')}`;
}

/** The message for a log, or undefined when the log is not an ERC-20 Transfer. */
function toObserved(chainId: number, log: RawLog, final: boolean, at: Date): TransferObservedInput | undefined {
  const decoded = decodeTransferLog(log);
  if (!decoded) return undefined;
  return {
    chainId,
    token: getAddress(log.address),
    txHash: log.transactionHash,
    logIndex: log.logIndex,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    from: getAddress(decoded.from),
    to: getAddress(decoded.to),
    amount: decoded.amount.toString(),
    removed: log.removed,
    source: 'scanner',
    observedAt: at.toISOString(),
    ...(final && !log.removed ? { final: true } : {}),
  };
}
