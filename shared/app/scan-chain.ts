/**
 * The chain scanner, for one chain: reads ERC-20 `Transfer` logs of any token contract to watched deposit addresses
 * (a token off the allowlist goes to suspense as `token_not_accepted`; zero values are counted and dropped) from its
 * checkpoint on (block ranges halve when the node refuses a range), and detects reorgs by the hash continuity of its
 * checkpoint and rewinds. Everything it finds goes to the transfers queue as `TransferObserved`; reconciliation
 * decides what it means, and the confirmer (shared/app/confirm-transfers.ts) re-checks it at finality. Alone, the
 * two get every payment paid.
 */
import { getAddress } from 'ethers';
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { type ChainConfig, isFinal } from '../domain/chains';
import { decodeTransferLog, ERC20_TRANSFER_TOPIC, isZeroValue, type TransferObservedInput } from '../domain/transfers';
import type { ChainRpc, RawLog, ScanCheckpoint, ScanCheckpoints, WatchedAddress, WatchedAddresses } from '../ports';
import { readTip } from './chain-tip';

export interface ScanDeps {
  rpc: ChainRpc;
  checkpoints: ScanCheckpoints;
  watchedAddresses: WatchedAddresses;
  now: () => Date;
  send: (messages: TransferObservedInput[]) => Promise<void>;
  /** At most this many blocks per run, so a run ends well inside its timeout. */
  maxBlocksPerRun?: number;
  /** Where a chain without checkpoint starts: this many blocks before the head. */
  initialLookback?: number;
  /** How far back a detected reorg rewinds. */
  rewindBlocks?: number;
  /** Reuse of the watched-address list across runs (see {@link AddressListCache}); absent: read it every run. */
  addressLists?: AddressListCache;
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

/** Watched addresses per `eth_getLogs` call (one topic list). */
export const ADDRESS_CHUNK = 200;

/** A list of watched addresses, when it was read, and the chain's head read just before (its `AddressesAsOf`). */
interface AddressList {
  loadedAt: Date;
  head: number;
  entries: WatchedAddress[];
}

/**
 * Lists of watched addresses, per chain, reused for up to `maxAgeMs` (one cache per container and address source).
 * A cached list misses addresses issued since it was read; the checkpoint's `addressesAsOf` makes up for that, so no
 * payment is lost, but the scanner then sees a payment to a new address up to `maxAgeMs` later.
 */
export class AddressListCache {
  private readonly lists = new Map<number, AddressList>();

  constructor(readonly maxAgeMs: number) {}

  /** The list for `chainId` if it was read less than `maxAgeMs` before `at`. */
  fresh(chainId: number, at: Date): AddressList | undefined {
    const list = this.lists.get(chainId);
    return list && at.getTime() - list.loadedAt.getTime() < this.maxAgeMs ? list : undefined;
  }

  keep(chainId: number, list: AddressList): void {
    this.lists.set(chainId, list);
  }
}

/**
 * An address issued this long before a list was read may still be missing from it (the index is eventually
 * consistent; the issuing function's clock is not the scanner's): such addresses count as late too.
 */
const LATE_MARGIN_MS = 60_000;

async function addressList(chainId: number, head: number, at: Date, deps: ScanDeps): Promise<AddressList> {
  const cached = deps.addressLists?.fresh(chainId, at);
  if (cached) return cached;
  const list = { loadedAt: at, head, entries: await deps.watchedAddresses.watchedAt(at) };
  deps.addressLists?.keep(chainId, list);
  return list;
}

/** One scanner run over `chain`. */
export async function scanChain(chain: ChainConfig, deps: ScanDeps): Promise<ScanReport> {
  const { rpc } = deps;
  const at = deps.now();
  const tip = await readTip(chain, rpc);
  const { head } = tip;
  const report: ScanReport = {
    chainId: chain.chainId,
    head,
    logs: 0,
    reorgDetected: false,
    lagBlocks: 0,
    zeroValueIgnored: 0,
  };
  const checkpoint = await deps.checkpoints.get(chain.chainId);
  const start = await startBlock(chain, checkpoint, head, deps, report);
  const end = Math.min(head, start + (deps.maxBlocksPerRun ?? 5_000) - 1);
  if (start > end) return report;

  report.from = start;
  report.to = end;
  const list = await addressList(chain.chainId, head, at, deps);
  const watchedNow = list.entries.filter((e) => e.watchUntil > at.toISOString());
  const messages: TransferObservedInput[] = [];
  const scan = async (addresses: string[], from: number, to: number) => {
    const found = await transfersTo(rpc, addresses, from, to, (log) =>
      toObserved(chain.chainId, log, isFinal(chain, log.blockNumber, tip), at),
    );
    messages.push(...found.messages);
    report.zeroValueIgnored += found.zeroValue;
  };
  const late = lateAddresses(checkpoint?.addressesAsOf, start, watchedNow);
  if (late) {
    report.lateAddresses = late.addresses.length;
    await scan(late.addresses, late.from, late.to);
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
    const next = { blockNumber: end, blockHash: endBlock.hash, addressesAsOf };
    await deps.checkpoints.save(chain.chainId, next, checkpoint, at.toISOString());
  }
  report.lagBlocks = head - end;
  return report;
}

/**
 * The first block of this run: after the checkpoint while its block still has the recorded hash; `rewindBlocks`
 * before it when the hash changed (a reorg, noted in `report`); `initialLookback` before the head without one.
 */
async function startBlock(
  chain: ChainConfig,
  checkpoint: ScanCheckpoint | undefined,
  head: number,
  deps: ScanDeps,
  report: ScanReport,
): Promise<number> {
  if (!checkpoint) return Math.max(0, head - (deps.initialLookback ?? 1_000));
  const block = checkpoint.blockNumber <= head ? await deps.rpc.getBlock(checkpoint.blockNumber) : null;
  if (block?.hash === checkpoint.blockHash) return checkpoint.blockNumber + 1;
  report.reorgDetected = true;
  const start = Math.max(0, checkpoint.blockNumber - (deps.rewindBlocks ?? 64));
  logger.warn('reorg detected at checkpoint; rewinding', { chainId: chain.chainId, checkpoint, start });
  return start;
}

/**
 * Late addresses and the blocks to scan again for them. The blocks up to the checkpoint were scanned for every
 * address issued before `asOf.at` (when the list then used was read), and blocks up to `asOf.block` were mined before
 * that. An address issued later (or just before, see LATE_MARGIN_MS) can only have been paid in a block after
 * `asOf.block`, which may have been scanned without it: those blocks, up to the one before `start`, are scanned again
 * for such addresses. With a list read in the run that saved the checkpoint (no cache), `asOf.block` is that run's
 * head, at or past the checkpoint, and there is nothing to re-scan. The obligation lives in the checkpoint, not in
 * this container, so it survives the container. Checkpoints without `addressesAsOf` predate caching: nothing either.
 */
function lateAddresses(
  asOf: ScanCheckpoint['addressesAsOf'],
  start: number,
  watchedNow: WatchedAddress[],
): { addresses: string[]; from: number; to: number } | undefined {
  if (!asOf || asOf.block + 1 > start - 1) return undefined;
  const since = Date.parse(asOf.at) - LATE_MARGIN_MS;
  const addresses = watchedNow.filter((e) => !e.createdAt || Date.parse(e.createdAt) >= since).map((e) => e.address);
  return { addresses, from: asOf.block + 1, to: start - 1 };
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
