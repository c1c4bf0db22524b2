/** DynamoDB form of journal entries: one item per entry, put once (`attribute_not_exists`), listed by month. */
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { JournalEntry } from '../../domain/journal';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';

export const journalKeys = {
  entry: (entryId: string) => ({ pk: `JOURNAL#${entryId}`, sk: 'JOURNAL' }),
  /** The gsi2 partition of a month's entries (`YYYY-MM`). */
  month: (month: string) => `JOURNAL#${month}`,
  byMonth: (at: string, entryId: string) => ({ gsi2pk: journalKeys.month(at.slice(0, 7)), gsi2sk: `${at}#${entryId}` }),
};

/** A transaction item that writes `entry` exactly once. */
export function putJournalEntry(entry: JournalEntry) {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...journalKeys.entry(entry.entryId),
        ...journalKeys.byMonth(entry.at, entry.entryId),
        type: 'journal',
        ...entry,
        lines: entry.lines.map((l) => ({ account: l.account, debit: l.debit.toString(), credit: l.credit.toString() })),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Journal entries of one month (`YYYY-MM`), oldest first, page by page. */
export async function* journalEntriesOfMonth(month: string): AsyncGenerator<JournalEntry> {
  yield* monthEntries(month, 'gsi2pk = :pk', {});
}

/**
 * Journal entries whose `at` is in `[from, to)` (ISO instants as the service writes them), oldest first: a range of
 * each month partition the interval touches (a Kazakhstan day may start in the previous UTC month).
 */
export async function* journalEntriesBetween(from: string, to: string): AsyncGenerator<JournalEntry> {
  // `at#entryId` sorts after `at`: BETWEEN from AND to takes every entry at `from` and none at `to`.
  const range = { ':from': from, ':to': to };
  for (const month of monthsBetween(from, to)) {
    for await (const entry of monthEntries(month, 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to', range)) {
      if (entry.at >= from && entry.at < to) yield entry;
    }
  }
}

async function* monthEntries(
  month: string,
  keyCondition: string,
  values: Record<string, string>,
): AsyncGenerator<JournalEntry> {
  const pages = paginateQuery(
    { client: ddb },
    {
      TableName: tableName(),
      IndexName: 'gsi2',
      KeyConditionExpression: keyCondition,
      ExpressionAttributeValues: { ':pk': journalKeys.month(month), ...values },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) yield journalEntryFromItem(item);
  }
}

/** The months (`YYYY-MM`) from `from`'s to `to`'s, both ISO instants. */
function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  const cursor = new Date(`${from.slice(0, 7)}-01T00:00:00Z`);
  while (cursor.toISOString().slice(0, 7) <= to.slice(0, 7)) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

/** A stored journal item as the entry it holds (the journal day archive and the period export read it alike). */
export function journalEntryFromItem(item: Record<string, unknown>): JournalEntry {
  return {
    entryId: item.entryId as string,
    at: item.at as string,
    kind: item.kind as JournalEntry['kind'],
    ...(item.invoiceId ? { invoiceId: item.invoiceId as string } : {}),
    ...(item.transferId ? { transferId: item.transferId as string } : {}),
    ...(item.ministry ? { ministry: item.ministry as string } : {}),
    lines: (item.lines as { account: string; debit: string; credit: string }[]).map((l) => ({
      account: l.account,
      debit: BigInt(l.debit),
      credit: BigInt(l.credit),
    })),
  };
}
