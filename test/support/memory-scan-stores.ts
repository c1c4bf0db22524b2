/**
 * In-memory stores behind the chain scanner's and the confirmer's ports: the scan checkpoints (saved only over the
 * version they were read at, as the table does), the watched deposit addresses, and the transfers to re-check.
 */
import { getAddress } from 'ethers';
import type { StoredTransfer, TransferState } from '../../shared/domain/reconcile';
import { decodeTransferLog, type TransferSource, transferId } from '../../shared/domain/transfers';
import type {
  AddressesAsOf,
  RawLog,
  ScanCheckpoint,
  ScanCheckpoints,
  TransfersToRecheck,
  WatchedAddress,
  WatchedAddresses,
} from '../../shared/ports';

/** Checkpoints per chain; `saves` counts the ones written. */
export class MemoryScanCheckpoints implements ScanCheckpoints {
  readonly byChain = new Map<number, ScanCheckpoint>();
  saves = 0;

  async get(chainId: number): Promise<ScanCheckpoint | undefined> {
    const checkpoint = this.byChain.get(chainId);
    return checkpoint && structuredClone(checkpoint);
  }

  async save(
    chainId: number,
    next: { blockNumber: number; blockHash: string; addressesAsOf?: AddressesAsOf },
    previous: ScanCheckpoint | undefined,
    at: string,
  ): Promise<boolean> {
    if (this.byChain.get(chainId)?.version !== previous?.version) return false;
    this.byChain.set(chainId, { ...next, version: (previous?.version ?? 0) + 1, updatedAt: at });
    this.saves++;
    return true;
  }
}

/**
 * Watched deposit addresses, kept in `watchUntil` order as the table's key does: a read walks only the entries
 * after `now` (`itemsRead` adds them up, as the table's read units would); `reads` counts the list reads.
 */
export class MemoryWatchedAddresses implements WatchedAddresses {
  readonly entries: WatchedAddress[] = [];
  reads = 0;
  itemsRead = 0;

  /** Watches `address` (stored lower-case, as the table does) from `createdAt` until `watchUntil`. */
  watch(address: string, createdAt: string, watchUntil: string): void {
    this.insert({ address: address.toLowerCase(), createdAt, watchUntil });
  }

  /** Moves the end of `address`'s watch (an annulment reopening its invoice), re-keying it as the table does. */
  extend(address: string, watchUntil: string): void {
    const index = this.entries.findIndex((e) => e.address === address.toLowerCase());
    const [entry] = index < 0 ? [] : this.entries.splice(index, 1);
    if (!entry) throw new Error(`no watch for ${address}`);
    this.insert({ ...entry, watchUntil });
  }

  /** Keeps `entries` in `watchUntil` order (binary search for the place). */
  private insert(entry: WatchedAddress): void {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.entries[mid] as WatchedAddress).watchUntil <= entry.watchUntil) low = mid + 1;
      else high = mid;
    }
    this.entries.splice(low, 0, entry);
  }

  async watchedAt(now: Date): Promise<WatchedAddress[]> {
    this.reads++;
    const at = now.toISOString();
    // The key range `watchUntil > now`: everything before its first entry is never touched.
    let first = this.entries.length;
    while (first > 0 && (this.entries[first - 1] as WatchedAddress).watchUntil > at) first--;
    const active = this.entries.slice(first);
    this.itemsRead += active.length;
    return active.map((e) => ({ ...e }));
  }
}

/** Stored transfers; the re-check lists are derived from their state, lowest block first, as the table's index. */
export class MemoryTransfersToRecheck implements TransfersToRecheck {
  readonly transfers: StoredTransfer[] = [];

  async seen(chainId: number): Promise<StoredTransfer[]> {
    return this.list(chainId, (t) => t.state === 'seen');
  }

  async finalUnsettled(chainId: number): Promise<StoredTransfer[]> {
    return this.list(chainId, (t) => t.state === 'final' && !t.deepCheckedAt);
  }

  private list(chainId: number, on: (t: StoredTransfer) => boolean): StoredTransfer[] {
    return this.transfers
      .filter((t) => t.chainId === chainId && on(t))
      .sort((a, b) => a.blockNumber - b.blockNumber)
      .map((t) => structuredClone(t));
  }
}

/** A transfer as reconciliation would have stored it from an ERC-20 Transfer log (worth its amount in micro-USD). */
export function storedTransfer(
  chainId: number,
  log: RawLog,
  state: TransferState,
  options: { source?: TransferSource; at?: string; deepCheckedAt?: string } = {},
): StoredTransfer {
  const decoded = decodeTransferLog(log);
  if (!decoded) throw new Error('not an ERC-20 Transfer log');
  const at = options.at ?? '2026-12-01T10:00:00.000Z';
  return {
    id: transferId({ chainId, txHash: log.transactionHash, logIndex: log.logIndex }),
    chainId,
    token: getAddress(log.address),
    txHash: log.transactionHash,
    logIndex: log.logIndex,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    from: getAddress(decoded.from),
    to: getAddress(decoded.to),
    amount: decoded.amount,
    microUsd: decoded.amount,
    remainderUnits: 0n,
    state,
    removedBlockHashes: [],
    sources: [options.source ?? 'scanner'],
    history: [{ at, event: 'record' }],
    firstSeenAt: at,
    ...(options.deepCheckedAt ? { deepCheckedAt: options.deepCheckedAt } : {}),
    version: 1,
  };
}
