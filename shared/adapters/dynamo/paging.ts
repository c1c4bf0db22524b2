/**
 * One paged, newest-first query over an index, walking several partitions in order (a ministry's one, or one per
 * month). Lists of invoices, receipts and transfers all page this way, so the cursor rules live here once: a page
 * ends after `limit` items; the cursor names the partition and index key of the LAST item returned, so the next page
 * resumes right after it — also when that item came from an earlier partition than the one being read.
 */
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { cursorStartKey, decodeCursor, encodeCursor } from './cursor';

export interface NewestFirstQuery {
  index: 'gsi1' | 'gsi2' | 'gsi3';
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
          return { items, nextCursor: encodeCursor({ p: String(last[pk]), k: key }) };
        }
        items.push(item);
      }
    }
    // The cursor's start key belongs to its own partition; the next ones are read from their start.
    startKey = undefined;
  }
  return { items, nextCursor: null };
}
