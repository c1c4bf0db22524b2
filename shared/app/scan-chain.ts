/**
 * The chain scanner, for one chain: reads ERC-20 `Transfer` logs of any token contract to watched deposit addresses
 * (a token off the allowlist goes to suspense as `token_not_accepted`; zero values are counted and dropped) from its
 * checkpoint on (block ranges halve when the node refuses a range), and detects reorgs by the hash continuity of its
 * checkpoint and rewinds. The addresses come from the container's {@link WatchedAddressSet}, brought up to date after
 * the head is read (a warm run reads only the watches written since its previous run). Everything it finds goes to the transfers queue as `TransferObserved`; reconciliation
 * decides what it means, and the confirmer (shared/app/confirm-transfers.ts) re-checks it at finality. Alone, the
 * two get every payment paid.
 */
import { getAddress } from 'ethers';
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { type ChainConfig, isFinal } from '../domain/chains';
import { decodeTransferLog, ERC20_TRANSFER_TOPIC, isZeroValue, type TransferObservedInput } from '../domain/transfers';
import type { ChainRpc, RawLog, ScanCheckpoint, ScanCheckpoints, WatchedAddresses } from '../ports';
import { readTip } from './chain-tip';
import { type FreezeWatchDeps, watchFreezes } from './freeze-watch';
import { WatchedAddressSet, type WatchedSetRead } from './watched-address-set';

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
  /**
   * The container's watched-address set, kept across runs and refreshed incrementally (see
   * shared/app/watched-address-set.ts); absent: a set of this run's own, read whole.
   */
  watchedSet?: WatchedAddressSet;
  /** The freeze watch over the same ranges (shared/app/freeze-watch.ts); absent: not watched. */
  freezeWatch?: FreezeWatchDeps;
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
  /** How this run read the watched addresses (whole, or the writes since the container's previous read). */
  addressRead?: WatchedSetRead;
  /** Addresses looked for. */
  watchedAddresses?: number;
  /** Zero-value transfers found and not sent (also counted as `ZeroValueTransfersIgnored`). */
  zeroValueIgnored: number;
  /** Freeze incidents the freeze watch recorded over this run's range. */
  freezeIncidents?: number;
}

/** Watched addresses per `eth_getLogs` call (one topic list). */
export const ADDRESS_CHUNK = 200;

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
  // After the head was read: an address issued after this read cannot have been paid in a block up to `head`.
  const { entries, read } = await (deps.watchedSet ?? new WatchedAddressSet()).refresh(deps.watchedAddresses, at);
  report.addressRead = read;
  report.watchedAddresses = entries.length;
  const found = await transfersTo(
    rpc,
    entries.map((e) => e.address),
    start,
    end,
    (log) => toObserved(chain.chainId, log, isFinal(chain, log.blockNumber, tip), at),
  );
  const messages = found.messages;
  report.zeroValueIgnored = found.zeroValue;
  report.logs = messages.length;
  await deps.send(messages);
  if (report.zeroValueIgnored) countMetric('ZeroValueTransfersIgnored', report.zeroValueIgnored);
  // Before the checkpoint moves: a failed watch reads the range again next run.
  if (deps.freezeWatch) {
    report.freezeIncidents = (await watchFreezes(chain, rpc, { from: start, to: end }, deps.freezeWatch)).incidents;
  }
  const endBlock = await rpc.getBlock(end);
  if (endBlock) {
    const addressesAsOf = { at: at.toISOString(), block: head };
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
