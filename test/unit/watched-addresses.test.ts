/**
 * The `WatchedAddresses` port's contract, on its in-memory twin: an address is watched while `watchUntil > now`, an
 * extended watch (an annulment reopening the invoice) is watched again until its new end, a read costs the
 * addresses still watched, not the history, and a read of the writes since a moment returns each watch issued or
 * extended since then, as it now stands, and nothing older. The table's adapter is held to the same in
 * test/integration/watched-addresses-store.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MemoryWatchedAddresses } from '../support/memory-scan-stores';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();
const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

describe('WatchedAddresses (in-memory twin)', () => {
  it('returns only addresses watched past now; one watched until exactly now is out', async () => {
    const store = new MemoryWatchedAddresses();
    store.watch(address(1), at(-7_200_000), at(-1));
    store.watch(address(2), at(-7_200_000), at(0));
    store.watch(address(3), at(-3_600_000), at(1));
    const entries = await store.watchedAt(NOW);
    expect(entries).toEqual([
      { address: address(3), createdAt: at(-3_600_000), watchUntil: at(1), writtenAt: at(-3_600_000) },
    ]);
  });

  it('watches an expired address again once extended, until its new end', async () => {
    const store = new MemoryWatchedAddresses();
    store.watch(address(1), at(-7_200_000), at(-60_000));
    expect(await store.watchedAt(NOW)).toEqual([]);
    store.extend(address(1), at(3_600_000), at(0));
    expect((await store.watchedAt(NOW)).map((e) => e.address)).toEqual([address(1)]);
    expect(await store.watchedAt(new Date(Date.parse(at(3_600_000))))).toEqual([]);
  });

  it('reads as many items with 10,000 expired addresses as without them', async () => {
    const store = new MemoryWatchedAddresses();
    for (let i = 0; i < 100; i++) store.watch(address(i), at(-60_000), at(86_400_000));
    await store.watchedAt(NOW);
    const withoutHistory = store.itemsRead;
    for (let i = 100; i < 10_100; i++) store.watch(address(i), at(-86_400_000), at(-60_000 - i));
    store.itemsRead = 0;
    const active = await store.watchedAt(NOW);
    expect(active).toHaveLength(100);
    expect(store.itemsRead).toBe(withoutHistory);
    expect(withoutHistory).toBe(100);
  });

  it('returns the watches written since a moment, issued or extended, as they now stand; nothing older', async () => {
    const store = new MemoryWatchedAddresses();
    store.watch(address(1), at(-7_200_000), at(86_400_000)); // issued long before
    store.watch(address(2), at(-7_200_000), at(-60_000)); // expired, then extended just now
    store.watch(address(3), at(-1_000), at(86_400_000)); // issued just now
    store.extend(address(2), at(3_600_000), at(-500));
    store.itemsRead = 0;
    const written = await store.writtenSince(new Date(at(-60_000)));
    expect(written.map((e) => [e.address, e.watchUntil]).sort()).toEqual([
      [address(2), at(3_600_000)],
      [address(3), at(86_400_000)],
    ]);
    expect(store.itemsRead).toBe(2);
    expect(await store.writtenSince(NOW)).toEqual([]);
  });
});
