/**
 * The watched deposit addresses a warm scanner container keeps between runs, so that a run reads from the store only
 * what changed since the previous one instead of every active address: the first read (cold container) is the whole
 * active range (`WatchedAddresses.watchedAt`); each later one reads the watches written (issued or extended) since
 * the previous read, less an overlap that covers index propagation and the writers' clocks
 * (`WatchedAddresses.writtenSince`), applies them, and drops the addresses whose watch has ended. So a warm run
 * reads about nothing when nothing was issued, and an address issued a moment ago is in the very next run's set, as
 * with a full read: there is no staleness window.
 *
 * The set moves on only once a read has come back whole: its read time (the watermark of the next increment) and
 * its entries change together, after the read, so a read that fails or is cut short leaves the set as it was and the
 * next run reads again from the same place. A whole read every `fullReadEveryMs` bounds what a write lagging longer
 * than the overlap could hide, and drains the legacy items that only a whole read sees.
 */
import type { WatchedAddress, WatchedAddresses } from '../ports';

/** How far before the previous read an increment starts: index propagation, and the issuing functions' clocks. */
export const WRITE_OVERLAP_MS = 60_000;

/** A warm set is still read whole this often. */
export const FULL_READ_EVERY_MS = 3_600_000;

/** What one refresh read: the whole active range, or the writes since the previous read. */
export interface WatchedSetRead {
  kind: 'full' | 'increment';
  /** Entries the store returned for it. */
  itemsRead: number;
}

/** Options of a {@link WatchedAddressSet}. */
export interface WatchedSetOptions {
  overlapMs?: number;
  fullReadEveryMs?: number;
}

/** The watched addresses of one store, kept in memory and refreshed incrementally (one per container and store). */
export class WatchedAddressSet {
  private readonly byAddress = new Map<string, WatchedAddress>();
  /** When the last whole or incremental read was taken (scanner clock, ms); undefined until the first. */
  private readAt: number | undefined;
  private fullReadAt: number | undefined;
  /** Refreshes run one after the other, even when several chains' scans ask at once. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly overlapMs: number;
  private readonly fullReadEveryMs: number;

  constructor(options: WatchedSetOptions = {}) {
    this.overlapMs = options.overlapMs ?? WRITE_OVERLAP_MS;
    this.fullReadEveryMs = options.fullReadEveryMs ?? FULL_READ_EVERY_MS;
  }

  /**
   * Brings the set up to `now` from `source` and returns the addresses watched at `now`. A caller that must not miss
   * an address issued before some moment (the scanner: before it read the chain's head) calls this after it.
   */
  refresh(source: WatchedAddresses, now: Date): Promise<{ entries: WatchedAddress[]; read: WatchedSetRead }> {
    const next = this.queue.then(() => this.refreshNow(source, now));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The addresses watched at `now` as the set stands (no read). */
  watchedAt(now: Date): WatchedAddress[] {
    const at = now.toISOString();
    return [...this.byAddress.values()].filter((e) => e.watchUntil > at).map((e) => ({ ...e }));
  }

  private async refreshNow(
    source: WatchedAddresses,
    now: Date,
  ): Promise<{ entries: WatchedAddress[]; read: WatchedSetRead }> {
    const t = now.getTime();
    const whole =
      this.readAt === undefined ||
      this.fullReadAt === undefined ||
      t < this.readAt || // a clock that went back: the watermark means nothing any more
      t - this.fullReadAt >= this.fullReadEveryMs;
    if (whole) {
      const entries = await source.watchedAt(now);
      // Nothing above changed the set: a failed read leaves it, and its watermark, as they were.
      this.byAddress.clear();
      for (const entry of entries) this.byAddress.set(entry.address, entry);
      this.readAt = t;
      this.fullReadAt = t;
      return { entries: this.watchedAt(now), read: { kind: 'full', itemsRead: entries.length } };
    }
    const since = new Date((this.readAt as number) - this.overlapMs);
    const written = await source.writtenSince(since);
    for (const entry of written) this.apply(entry);
    this.dropEnded(now);
    this.readAt = t;
    return { entries: this.watchedAt(now), read: { kind: 'increment', itemsRead: written.length } };
  }

  /** Takes a watch as read, unless the set already holds a later write of it (an overlap re-reads some writes). */
  private apply(entry: WatchedAddress): void {
    const held = this.byAddress.get(entry.address);
    if (held?.writtenAt && entry.writtenAt && held.writtenAt > entry.writtenAt) return;
    this.byAddress.set(entry.address, entry);
  }

  private dropEnded(now: Date): void {
    const at = now.toISOString();
    for (const [address, entry] of this.byAddress) if (entry.watchUntil <= at) this.byAddress.delete(address);
  }
}
