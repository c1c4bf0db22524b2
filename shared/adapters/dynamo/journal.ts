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
  const pages = paginateQuery(
    { client: ddb },
    {
      TableName: tableName(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': journalKeys.month(month) },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      yield {
        entryId: item.entryId,
        at: item.at,
        kind: item.kind,
        ...(item.invoiceId ? { invoiceId: item.invoiceId } : {}),
        ...(item.transferId ? { transferId: item.transferId } : {}),
        ...(item.ministry ? { ministry: item.ministry } : {}),
        lines: (item.lines as { account: string; debit: string; credit: string }[]).map((l) => ({
          account: l.account,
          debit: BigInt(l.debit),
          credit: BigInt(l.credit),
        })),
      };
    }
  }
}
