/**
 * Paged, newest-first queries over an index, so the cursor rules live here once. `queryNewestFirst` walks
 * partitions in order (the suspense list): a page ends after `limit` items; the cursor names the partition and
 * index key of the LAST item returned, so the next page resumes right after it. `queryMergedNewestFirst` reads
 * several partitions side by side and merges them (invoice and receipt lists: per ministry, per status).
 */
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { cursorStartKey, decodeCursor, encodeCursor, invalidCursor } from './cursor';
import { fullItems } from './index-items';

export interface NewestFirstQuery {
  index: 'gsi1' | 'gsi2' | 'gsi3' | 'gsi4';
  /** Partition key values to walk, in order. */
  partitions: string[];
  /** Inclusive bounds on the index sort key; absent: the whole partition. */
  sortKeyBetween?: { from: string; to: string };
  filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
  limit: number;
  cursor?: string;
}

/** A page of raw items and the cursor of the next page (null when this is the last). */
export async function queryNewestFirst(
  q: NewestFirstQuery,
): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
  const cursor = decodeCursor(q.cursor);
  const pk = `${q.index}pk`;
  const sk = `${q.index}sk`;
  let p = cursor?.p ? Math.max(0, q.partitions.indexOf(cursor.p)) : 0;
  let startKey: Record<string, unknown> | undefined = cursorStartKey(cursor, {
    index: q.index,
    partition: q.partitions[p],
    ...(q.sortKeyBetween ?? {}),
  });
  const items: Record<string, unknown>[] = [];
  const filter = q.filter?.expression ? q.filter : undefined;
  for (; p < q.partitions.length; p++) {
    const pages = paginateQuery(
      { client: ddb, startingToken: startKey },
      {
        TableName: tableName(),
        IndexName: q.index,
        KeyConditionExpression: q.sortKeyBetween ? `${pk} = :pk AND ${sk} BETWEEN :from AND :to` : `${pk} = :pk`,
        ExpressionAttributeValues: {
          ':pk': q.partitions[p],
          ...(q.sortKeyBetween ? { ':from': q.sortKeyBetween.from, ':to': q.sortKeyBetween.to } : {}),
          ...filter?.values,
        },
        ...(filter ? { FilterExpression: filter.expression } : {}),
        ...(filter && Object.keys(filter.names).length ? { ExpressionAttributeNames: filter.names } : {}),
        ScanIndexForward: false,
        // One more than a page: seeing it tells whether a next page exists.
        Limit: q.limit + 1,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if (items.length === q.limit) {
          const last = items[items.length - 1] as Record<string, unknown>;
          const key = Object.fromEntries(['pk', 'sk', pk, sk].map((name) => [name, String(last[name])]));
          return { items: await fullItems(q.index, items), nextCursor: encodeCursor({ p: String(last[pk]), k: key }) };
        }
        items.push(item);
      }
    }
    // The cursor's start key belongs to its own partition; the next ones are read from their start.
    startKey = undefined;
  }
  return { items: await fullItems(q.index, items), nextCursor: null };
}

/** Several partitions of one index that share a sort-key space (`<ISO time>#<id>`), read as one newest-first list. */
export interface MergedNewestFirstQuery {
  index: 'gsi1' | 'gsi2' | 'gsi3' | 'gsi4';
  /** Partition key values, each read with its own Query per page. */
  partitions: string[];
  /** Inclusive bounds on the index sort key. */
  sortKeyBetween: { from: string; to: string };
  filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
  /** Items found another way (they carry the index's sort key attribute), merged in by sort key. */
  extra?: () => Promise<Record<string, unknown>[]>;
  limit: number;
  cursor?: string;
}

/**
 * A page newest first across `partitions`, read side by side: each partition gives at most one page more than the
 * limit, the pages are merged by sort key and cut at `limit`. The cursor is the sort key of the last item returned,
 * so the next page reads every partition below it: a page costs one Query per partition (more only where a filter
 * drops items), however the items are spread, and no partition is walked just to find it empty.
 */
export async function queryMergedNewestFirst(
  q: MergedNewestFirstQuery,
): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
  const sk = `${q.index}sk`;
  const before = cursorBefore(q.cursor, q.sortKeyBetween);
  const upper = before ?? q.sortKeyBetween.to;
  const inRange = (item: Record<string, unknown>) => {
    const key = String(item[sk]);
    return key >= q.sortKeyBetween.from && key <= upper && key !== before;
  };
  const [extra, ...pages] = await Promise.all([
    q.extra ? q.extra() : Promise.resolve([]),
    ...q.partitions.map((partition) =>
      newestInPartition(q, partition, { from: q.sortKeyBetween.from, to: upper }, before),
    ),
  ]);
  const merged = [...pages.flat(), ...extra.filter(inRange)].sort((a, b) =>
    String(a[sk]) < String(b[sk]) ? 1 : String(a[sk]) > String(b[sk]) ? -1 : 0,
  );
  const items = merged.slice(0, q.limit);
  const last = items[items.length - 1];
  return {
    // The cursor is the index's sort key of the last item, taken before the items are read back.
    items: await fullItems(q.index, items),
    nextCursor: merged.length > q.limit && last ? encodeCursor({ k: { before: String(last[sk]) } }) : null,
  };
}

/** The sort key a merged list's cursor resumes below; a cursor of another shape or out of bounds is a 400. */
function cursorBefore(text: string | undefined, bounds: { from: string; to: string }): string | undefined {
  const cursor = decodeCursor(text);
  if (!cursor) return undefined;
  const before = cursor.k?.before;
  if (cursor.p !== undefined || before === undefined || Object.keys(cursor.k ?? {}).length !== 1) {
    throw invalidCursor();
  }
  if (before < bounds.from || before > bounds.to) throw invalidCursor();
  return before;
}

/** Up to `limit + 1` items of one partition within `bounds`, newest first, skipping the cursor's own item. */
async function newestInPartition(
  q: MergedNewestFirstQuery,
  partition: string,
  bounds: { from: string; to: string },
  before: string | undefined,
): Promise<Record<string, unknown>[]> {
  const filter = q.filter?.expression ? q.filter : undefined;
  const pages = paginateQuery(
    { client: ddb },
    {
      TableName: tableName(),
      IndexName: q.index,
      KeyConditionExpression: `${q.index}pk = :pk AND ${q.index}sk BETWEEN :from AND :to`,
      ExpressionAttributeValues: { ':pk': partition, ':from': bounds.from, ':to': bounds.to, ...filter?.values },
      ...(filter ? { FilterExpression: filter.expression } : {}),
      ...(filter && Object.keys(filter.names).length ? { ExpressionAttributeNames: filter.names } : {}),
      ScanIndexForward: false,
      // A page, one more to tell whether a next page exists, and the cursor's own item (the bound is inclusive).
      Limit: q.limit + 2,
    },
  );
  const items: Record<string, unknown>[] = [];
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      if (item[`${q.index}sk`] === before) continue;
      items.push(item);
      if (items.length > q.limit) return items;
    }
  }
  return items;
}
