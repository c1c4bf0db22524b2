/**
 * The watched-address store against moto (shared/adapters/dynamo/invoices.ts): the scanner's read is one gsi3 range
 * from `now` on, so an expired address is not even read, an address whose watch an annulment extends
 * (`extendWatchItem`) is re-keyed into the range, and address items written before that key (in gsi2's
 * `WATCHED_ADDRESSES`) are still honoured and moved into it by the reads (gsi3 keys first, then gsi2 keys removed).
 * The write-time key (gsi1 `WATCH_WRITES`): a read of the watches written since a moment returns the issues and
 * extensions since then, as they stand, and reads nothing older, so a warm container's set reads nothing when
 * nothing was written. Items read are counted from each Query's `ScannedCount`.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { LATE_WINDOW_MINUTES } from '../../shared/domain/invoices';
import { useMoto } from '../helpers/moto';
import { anInvoice } from '../support/invoices';

await useMoto();
const { dynamodb, ddb } = await import('../../shared/adapters/aws/dynamodb');
const { tableName } = await import('../../shared/adapters/config');
const { commit } = await import('../../shared/adapters/dynamo/transact');
const { createInvoice, dynamoWatchedAddresses, extendWatchItem, invoiceKeys } = await import(
  '../../shared/adapters/dynamo/invoices'
);
const { WatchedAddressSet } = await import('../../shared/app/watched-address-set');
const { GetCommand, PutCommand } = await import('@aws-sdk/lib-dynamodb');

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const LATE_MS = LATE_WINDOW_MINUTES * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

let itemsRead = 0;
dynamodb.middlewareStack.add(
  (next) => async (args) => {
    const result = await next(args);
    const scanned = (result.output as { ScannedCount?: number }).ScannedCount;
    if (typeof scanned === 'number') itemsRead += scanned;
    return result;
  },
  { step: 'initialize', name: 'countItemsRead' },
);
beforeEach(() => {
  itemsRead = 0;
});

/** What the scanner gets at `at`: addresses and their watch ends. */
async function watched(at: number): Promise<Record<string, string>> {
  const entries = await dynamoWatchedAddresses.watchedAt(new Date(at));
  return Object.fromEntries(entries.map((e) => [e.address, e.watchUntil]));
}

describe('watched addresses in the table', () => {
  it('reads only the addresses still watched; an extended one is read again until its new end', async () => {
    const expired = anInvoice({ createdAt: iso(NOW - 5 * HOUR), expiresAt: iso(NOW - LATE_MS - HOUR) });
    const reopened = anInvoice({ createdAt: iso(NOW - 5 * HOUR), expiresAt: iso(NOW - LATE_MS - HOUR) });
    const active = anInvoice({ createdAt: iso(NOW - HOUR), expiresAt: iso(NOW + HOUR) });
    for (const invoice of [expired, reopened, active]) expect(await createInvoice(invoice)).toBe(true);

    expect(await watched(NOW)).toEqual({ [active.depositAddress]: iso(NOW + HOUR + LATE_MS) });
    expect(itemsRead).toBe(1); // the active address; the legacy partition is empty

    await commit([extendWatchItem(reopened.depositAddress, iso(NOW + 2 * HOUR))]);
    itemsRead = 0;
    expect(await watched(NOW)).toEqual({
      [active.depositAddress]: iso(NOW + HOUR + LATE_MS),
      [reopened.depositAddress]: iso(NOW + 2 * HOUR + LATE_MS),
    });
    expect(itemsRead).toBe(2);

    // Watched until exactly then: out, as before the key; the reopened one stays until its own end.
    itemsRead = 0;
    expect(await watched(NOW + HOUR + LATE_MS)).toEqual({ [reopened.depositAddress]: iso(NOW + 2 * HOUR + LATE_MS) });
    expect(itemsRead).toBe(1);
    expect(await watched(NOW + 2 * HOUR + LATE_MS)).toEqual({});
  });

  it('honours address items written before the key, moves them into it in two steps, and re-keys a legacy one on extension', async () => {
    const later = NOW + 2 * HOUR + LATE_MS + HOUR; // after every watch of the test above
    const legacy = (address: string, watchUntil: string) =>
      ddb.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...invoiceKeys.address(address),
            gsi2pk: invoiceKeys.legacyWatched.gsi2pk,
            gsi2sk: address,
            watchUntil,
            type: 'address',
            address,
            invoiceId: 'inv_legacy',
            ministry: 'AFSA',
            depositIndex: 0,
            createdAt: iso(later - 2 * HOUR),
          },
        }),
      );
    const [live, gone, revived] = [anInvoice(), anInvoice(), anInvoice()].map((i) => i.depositAddress) as [
      string,
      string,
      string,
    ];
    await legacy(live, iso(later + HOUR));
    await legacy(gone, iso(later - HOUR));
    await legacy(revived, iso(later - HOUR));
    await commit([extendWatchItem(revived, iso(later + 2 * HOUR))]);

    const both = { [live]: iso(later + HOUR), [revived]: iso(later + 2 * HOUR + LATE_MS) };
    const stored = (address: string) =>
      ddb.send(new GetCommand({ TableName: tableName(), Key: invoiceKeys.address(address) })).then((r) => r.Item);
    const ends = [
      [live, iso(later + HOUR)],
      [gone, iso(later - HOUR)],
      [revived, iso(later + 2 * HOUR + LATE_MS)],
    ] as const;

    // First read: the legacy ones honoured, and given their gsi3 keys beside the gsi2 ones.
    expect(await watched(later)).toEqual(both);
    for (const [address, until] of ends) {
      expect(await stored(address)).toMatchObject({ ...invoiceKeys.watched(address, until), watchUntil: until });
    }
    expect((await stored(live))?.gsi2pk).toBe(invoiceKeys.legacyWatched.gsi2pk);
    expect((await stored(revived))?.gsi2pk).toBeUndefined(); // the extension moved it at once

    // Second read: now in gsi3, they leave gsi2.
    expect(await watched(later)).toEqual(both);
    for (const [address, until] of ends) {
      const item = await stored(address);
      expect(item).toMatchObject({ ...invoiceKeys.watched(address, until), watchUntil: until });
      expect(item?.gsi2pk).toBeUndefined();
    }
    const legacyLeft = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': invoiceKeys.legacyWatched.gsi2pk },
      }),
    );
    expect(legacyLeft.Count).toBe(0);

    itemsRead = 0;
    expect(await watched(later)).toEqual(both);
    expect(itemsRead).toBe(2); // moved: read from the range alone, the expired one not at all
  });

  it('reads the watches written since a moment, issued or extended, as they stand; a warm set reads nothing more', async () => {
    const t = NOW + 240 * HOUR; // after every write of the tests above
    const issued = anInvoice({ createdAt: iso(t), expiresAt: iso(t + HOUR) });
    const older = anInvoice({ createdAt: iso(t - 2 * HOUR), expiresAt: iso(t - LATE_MS - HOUR) });
    for (const invoice of [issued, older]) expect(await createInvoice(invoice)).toBe(true);
    const set = new WatchedAddressSet();
    const cold = await set.refresh(dynamoWatchedAddresses, new Date(t + 1_000));
    expect(cold.entries.map((e) => e.address)).toEqual([issued.depositAddress.toLowerCase()]);

    itemsRead = 0;
    expect(await dynamoWatchedAddresses.writtenSince(new Date(t - HOUR))).toEqual([
      {
        address: issued.depositAddress.toLowerCase(),
        createdAt: iso(t),
        watchUntil: iso(t + HOUR + LATE_MS),
        writtenAt: iso(t),
      },
    ]);
    expect(itemsRead).toBe(1); // the older issue is below the range, unread

    // An annulment reopens the older (expired) invoice at t + 90 s: the extension is a write since t.
    await commit([extendWatchItem(older.depositAddress, iso(t + 2 * HOUR), iso(t + 90_000))]);
    itemsRead = 0;
    const warm = await set.refresh(dynamoWatchedAddresses, new Date(t + 120_000));
    // From 60 s before the previous read (the overlap): the issue at t is read again beside the extension.
    expect(warm.read).toEqual({ kind: 'increment', itemsRead: 2 });
    expect(Object.fromEntries(warm.entries.map((e) => [e.address, e.watchUntil]))).toEqual({
      [issued.depositAddress.toLowerCase()]: iso(t + HOUR + LATE_MS),
      [older.depositAddress.toLowerCase()]: iso(t + 2 * HOUR + LATE_MS),
    });
    expect(itemsRead).toBe(2);

    await set.refresh(dynamoWatchedAddresses, new Date(t + 300_000)); // the overlap re-reads the extension once more
    itemsRead = 0;
    const idle = await set.refresh(dynamoWatchedAddresses, new Date(t + 600_000));
    expect(idle.read).toEqual({ kind: 'increment', itemsRead: 0 });
    expect(idle.entries).toHaveLength(2);
    expect(itemsRead).toBe(0);
  });
});
