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
 * Watched deposit addresses as the table holds them: every write of a watch (issue, extension) is kept, the latest
 * one is its state. A whole read returns the addresses watched past `now` (the key range `watchUntil > now`), an
 * incremental one the watches last written at or after `since` (the write-time range); `itemsRead` adds up the
 * entries returned, as the table's read units would, and `reads` / `incrementReads` count the two kinds of read.
 * With `lag`, the index is eventually consistent: a write is seen only once the `clock` is `lag.ms` past its time,
 * and until then a read sees the watch's previous write, if any. `failReads` makes the next reads throw.
 */
export class MemoryWatchedAddresses implements WatchedAddresses {
  private readonly writes: WatchedAddress[] = [];
  reads = 0;
  incrementReads = 0;
  itemsRead = 0;
  lag?: { ms: number; clock: () => Date };
  failReads = 0;

  /** Watches `address` (stored lower-case, as the table does) from `createdAt` until `watchUntil`. */
  watch(address: string, createdAt: string, watchUntil: string, writtenAt = createdAt): void {
    this.writes.push({ address: address.toLowerCase(), createdAt, watchUntil, writtenAt });
  }

  /** Moves the end of `address`'s watch (an annulment reopening its invoice) at `writtenAt`, as the table does. */
  extend(address: string, watchUntil: string, writtenAt: string): void {
    const current = this.latest(address.toLowerCase(), () => true);
    if (!current) throw new Error(`no watch for ${address}`);
    this.writes.push({ ...current, watchUntil, writtenAt });
  }

  /** Every address's watch as it stands now, ignoring any lag (what a consistent read of every item would give). */
  current(): WatchedAddress[] {
    return this.states(() => true);
  }

  async watchedAt(now: Date): Promise<WatchedAddress[]> {
    this.reads++;
    this.failIfAsked();
    const at = now.toISOString();
    const active = this.states(this.visible()).filter((e) => e.watchUntil > at);
    active.sort((a, b) => (a.watchUntil < b.watchUntil ? -1 : a.watchUntil > b.watchUntil ? 1 : 0));
    this.itemsRead += active.length;
    return active;
  }

  async writtenSince(since: Date): Promise<WatchedAddress[]> {
    this.incrementReads++;
    this.failIfAsked();
    const from = since.toISOString();
    const written = this.states(this.visible()).filter((e) => (e.writtenAt ?? '') >= from);
    this.itemsRead += written.length;
    return written;
  }

  private failIfAsked(): void {
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('watched-address read failed');
    }
  }

  /** Which writes the index shows now. */
  private visible(): (w: WatchedAddress) => boolean {
    const lag = this.lag;
    if (!lag) return () => true;
    const seenUpTo = new Date(lag.clock().getTime() - lag.ms).toISOString();
    return (w) => (w.writtenAt ?? '') <= seenUpTo;
  }

  private latest(address: string, visible: (w: WatchedAddress) => boolean): WatchedAddress | undefined {
    for (let i = this.writes.length - 1; i >= 0; i--) {
      const w = this.writes[i] as WatchedAddress;
      if (w.address === address && visible(w)) return w;
    }
    return undefined;
  }

  private states(visible: (w: WatchedAddress) => boolean): WatchedAddress[] {
    const byAddress = new Map<string, WatchedAddress>();
    for (const w of this.writes) if (visible(w)) byAddress.set(w.address, w);
    return [...byAddress.values()].map((e) => ({ ...e }));
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
