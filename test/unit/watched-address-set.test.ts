/**
 * The container's watched-address set (shared/app/watched-address-set.ts) against the in-memory store twin: a cold
 * set reads the whole active range, a warm one only the watches written since its previous read (less the overlap),
 * so a warm read costs the new writes and nothing when nothing was written; an issue or an extension shows up in the
 * next read, an ended watch leaves; a failed read moves nothing (the next one reads from the same place); an index
 * lagging less than the overlap hides nothing for longer than the lag, and a longer lag is healed by the periodic
 * whole read. The property: after any interleaving of issues, extensions, clock moves, failed reads and refreshes,
 * the set is what a whole read at the same moment returns.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WatchedAddressSet, WRITE_OVERLAP_MS } from '../../shared/app/watched-address-set';
import type { WatchedAddress } from '../../shared/ports';
import { MemoryWatchedAddresses } from '../support/memory-scan-stores';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Address → watch end, for comparing sets whatever their order. */
const ends = (entries: WatchedAddress[]) =>
  Object.fromEntries(
    [...entries].sort((a, b) => (a.address < b.address ? -1 : 1)).map((e) => [e.address, e.watchUntil]),
  );

describe('WatchedAddressSet', () => {
  it('reads the whole active range cold, then only what was written since: nothing when nothing was', async () => {
    const store = new MemoryWatchedAddresses();
    for (let i = 0; i < 100; i++) store.watch(address(i), iso(T0 - HOUR), iso(T0 + HOUR));
    for (let i = 100; i < 1_100; i++) store.watch(address(i), iso(T0 - 48 * HOUR), iso(T0 - HOUR));
    const set = new WatchedAddressSet();

    const cold = await set.refresh(store, new Date(T0));
    expect(cold.read).toEqual({ kind: 'full', itemsRead: 100 });
    expect(cold.entries).toHaveLength(100);

    const warm = await set.refresh(store, new Date(T0 + MINUTE));
    expect(warm.read).toEqual({ kind: 'increment', itemsRead: 0 });
    expect(warm.entries).toHaveLength(100);
    expect(store.itemsRead).toBe(100);
  });

  it('takes an address issued or extended since the previous read, and drops one whose watch ended', async () => {
    const store = new MemoryWatchedAddresses();
    store.watch(address(1), iso(T0 - HOUR), iso(T0 + 2 * MINUTE)); // ends between the reads
    store.watch(address(2), iso(T0 - 48 * HOUR), iso(T0 - HOUR)); // ended; extended below
    const set = new WatchedAddressSet();
    expect(ends((await set.refresh(store, new Date(T0))).entries)).toEqual({ [address(1)]: iso(T0 + 2 * MINUTE) });

    store.watch(address(3), iso(T0 + 1_000), iso(T0 + HOUR));
    store.extend(address(2), iso(T0 + 2 * HOUR), iso(T0 + 2_000));
    const next = await set.refresh(store, new Date(T0 + 3 * MINUTE));
    expect(next.read).toEqual({ kind: 'increment', itemsRead: 2 });
    expect(ends(next.entries)).toEqual({ [address(2)]: iso(T0 + 2 * HOUR), [address(3)]: iso(T0 + HOUR) });
  });

  it('moves nothing when a read fails: the next read starts where the failed one would have', async () => {
    const store = new MemoryWatchedAddresses();
    const set = new WatchedAddressSet();
    await set.refresh(store, new Date(T0));
    store.watch(address(1), iso(T0 + 10_000), iso(T0 + HOUR));
    store.failReads = 1;
    await expect(set.refresh(store, new Date(T0 + 5 * MINUTE))).rejects.toThrow(/read failed/);
    // Had the failed read moved the watermark to T0 + 5 min, this read would start after the address was issued.
    const next = await set.refresh(store, new Date(T0 + 10 * MINUTE));
    expect(ends(next.entries)).toEqual({ [address(1)]: iso(T0 + HOUR) });
  });

  it('misses nothing while the index lags less than the overlap', async () => {
    const store = new MemoryWatchedAddresses();
    let now = T0;
    store.lag = { ms: WRITE_OVERLAP_MS - 1_000, clock: () => new Date(now) };
    const set = new WatchedAddressSet();
    await set.refresh(store, new Date(now));
    store.watch(address(1), iso(T0 + 500), iso(T0 + HOUR)); // just after the read, visible only 59 s later
    now = T0 + 2_000;
    expect((await set.refresh(store, new Date(now))).entries).toEqual([]); // not in the index yet
    now = T0 + 30_000;
    expect((await set.refresh(store, new Date(now))).entries).toEqual([]);
    now = T0 + 60_000;
    expect(ends((await set.refresh(store, new Date(now))).entries)).toEqual({ [address(1)]: iso(T0 + HOUR) });
  });

  it('heals a lag longer than the overlap at the next whole read', async () => {
    const store = new MemoryWatchedAddresses();
    let now = T0;
    store.lag = { ms: 5 * MINUTE, clock: () => new Date(now) };
    const set = new WatchedAddressSet({ fullReadEveryMs: 15 * MINUTE });
    await set.refresh(store, new Date(now));
    store.watch(address(1), iso(T0 + 500), iso(T0 + HOUR));
    for (now = T0 + MINUTE; now < T0 + 15 * MINUTE; now += MINUTE) {
      expect((await set.refresh(store, new Date(now))).entries).toEqual([]);
    }
    const whole = await set.refresh(store, new Date(now));
    expect(whole.read.kind).toBe('full');
    expect(ends(whole.entries)).toEqual({ [address(1)]: iso(T0 + HOUR) });
  });

  it('runs refreshes asked at once one after the other, so chains scanned side by side share one set', async () => {
    const store = new MemoryWatchedAddresses();
    store.watch(address(1), iso(T0 - HOUR), iso(T0 + HOUR));
    const set = new WatchedAddressSet();
    const [a, b] = await Promise.all([set.refresh(store, new Date(T0)), set.refresh(store, new Date(T0))]);
    expect([a.read.kind, b.read.kind]).toEqual(['full', 'increment']);
    expect(ends(b.entries)).toEqual(ends(a.entries));
    expect(store.reads).toBe(1);
  });
});

/** One step of the property's history. */
type Step =
  | { kind: 'issue'; lifetimeMs: number }
  | { kind: 'extend'; which: number; untilOffsetMs: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'fail' }
  | { kind: 'refresh' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('issue'), lifetimeMs: fc.integer({ min: 0, max: 3 * HOUR }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('extend'),
      which: fc.nat(),
      // Mostly forward, as an annulment moves an expiry; sometimes earlier, even already past.
      untilOffsetMs: fc.integer({ min: -HOUR, max: 4 * HOUR }),
    }),
  },
  // Seconds (within the index lag and the overlap) as often as minutes (past them).
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance'),
      ms: fc.oneof(fc.integer({ min: 0, max: 90_000 }), fc.integer({ min: 0, max: 20 * MINUTE })),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'fail' as const }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'refresh' as const }) },
);

/**
 * Plays `steps` on a store and a set; after every refresh that went through, the set must hold exactly what a whole
 * read at that moment returns (the same index view, lag included).
 */
async function play(steps: Step[], options: { lagMs: number; fullReadEveryMs: number }): Promise<void> {
  const store = new MemoryWatchedAddresses();
  let now = T0;
  if (options.lagMs) store.lag = { ms: options.lagMs, clock: () => new Date(now) };
  const set = new WatchedAddressSet({ fullReadEveryMs: options.fullReadEveryMs });
  const issued: string[] = [];
  for (const step of steps) {
    if (step.kind === 'issue') {
      const a = address(issued.length + 1);
      issued.push(a);
      store.watch(a, iso(now), iso(now + step.lifetimeMs));
    } else if (step.kind === 'extend' && issued.length) {
      store.extend(issued[step.which % issued.length] as string, iso(now + step.untilOffsetMs), iso(now));
    } else if (step.kind === 'advance') {
      now += step.ms;
    } else if (step.kind === 'fail') {
      store.failReads = 1;
      await expect(set.refresh(store, new Date(now))).rejects.toThrow();
    } else if (step.kind === 'refresh') {
      const { entries } = await set.refresh(store, new Date(now));
      const whole = await store.watchedAt(new Date(now));
      expect(ends(entries)).toEqual(ends(whole));
    }
  }
}

describe('WatchedAddressSet: property', () => {
  it('after any history of issues, extensions, failed reads and refreshes, the set is a whole read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 10, maxLength: 80, size: 'max' }), (steps) =>
        play(steps, { lagMs: 0, fullReadEveryMs: Number.POSITIVE_INFINITY }),
      ),
      { numRuns: 300 },
    );
  });

  it('the same with an index lagging up to the overlap, and with the periodic whole read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 10, maxLength: 80, size: 'max' }),
        fc.integer({ min: 0, max: WRITE_OVERLAP_MS }),
        fc.constantFrom(Number.POSITIVE_INFINITY, 30 * MINUTE),
        (steps, lagMs, fullReadEveryMs) => play(steps, { lagMs, fullReadEveryMs }),
      ),
      { numRuns: 300 },
    );
  });
});
