/**
 * DynamoDB form of settlement reports and bank statements (the SettlementStore port). A document is one header item
 * (`SETTLEMENT_BATCH#<batchId>` / `BATCH`, `BANK_STATEMENT#<messageId>` / `STATEMENT`) put with
 * `attribute_not_exists`, and one item per line or entry under the same partition, its sort key carrying the
 * document's SHA-256. The lines are written first (batch writes, any number of them), the header last: a reader
 * keeps only lines whose hash is their header's, so a document is visible whole or not at all, and the lines of an
 * upload that lost the race for its id (or crashed before its header) are never read. Lines and entries are listed
 * by value date through gsi2, one partition per month.
 */

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { BankEntry, BankStatementUpload } from '../../domain/bank-statements';
import type { FiatCurrency, SettlementBatch, SettlementLine } from '../../domain/settlements';
import type { SettlementStore } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { batchGetItems } from './batch-get';

export const settlementKeys = {
  batch: (batchId: string) => ({ pk: `SETTLEMENT_BATCH#${batchId}`, sk: 'BATCH' }),
  line: (line: SettlementLine, sha256: string) => ({
    pk: `SETTLEMENT_BATCH#${line.batchId}`,
    sk: `LINE#${sha256}#${String(line.line).padStart(7, '0')}`,
    gsi2pk: `SETTLEMENT_LINES#${line.valueDate.slice(0, 7)}`,
    gsi2sk: `${line.valueDate}#${line.batchId}#${String(line.line).padStart(7, '0')}`,
  }),
  linesOfMonth: (month: string) => `SETTLEMENT_LINES#${month}`,
  statement: (messageId: string) => ({ pk: `BANK_STATEMENT#${messageId}`, sk: 'STATEMENT' }),
  entry: (entry: BankEntry, sha256: string) => ({
    pk: `BANK_STATEMENT#${entry.messageId}`,
    sk: `ENTRY#${sha256}#${String(entry.entryNo).padStart(7, '0')}`,
    gsi2pk: `BANK_ENTRIES#${entry.valueDate.slice(0, 7)}`,
    gsi2sk: `${entry.valueDate}#${entry.messageId}#${String(entry.entryNo).padStart(7, '0')}`,
  }),
  entriesOfMonth: (month: string) => `BANK_ENTRIES#${month}`,
};

type Item = Record<string, unknown>;

async function writeAll(items: readonly Item[]): Promise<void> {
  const table = tableName();
  for (let i = 0; i < items.length; i += 25) {
    let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt >= 9) throw new Error('BatchWrite left items unprocessed after 9 attempts');
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  }
}

/** Puts a header once; false when one of that key exists. */
async function putOnce(item: Item): Promise<boolean> {
  try {
    await ddb.send(
      new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

async function getHeader(key: Item): Promise<Item | undefined> {
  const [item] = await batchGetItems([key], { consistent: true });
  return item;
}

/** The months (`YYYY-MM`) that days `from`..`to` touch. */
function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [year, month] = from.split('-').map(Number) as [number, number];
  const last = to.slice(0, 7);
  for (let m = `${from.slice(0, 7)}`; m <= last; ) {
    months.push(m);
    month = month === 12 ? 1 : month + 1;
    year = month === 1 ? year + 1 : year;
    m = `${year}-${String(month).padStart(2, '0')}`;
  }
  return months;
}

async function* byValueDate(partition: (month: string) => string, from: string, to: string): AsyncGenerator<Item> {
  for (const month of monthsBetween(from, to)) {
    const pages = paginateQuery(
      { client: ddb },
      {
        TableName: tableName(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': partition(month), ':from': `${from}#`, ':to': `${to}#\uffff` },
      },
    );
    for await (const page of pages) yield* page.Items ?? [];
  }
}

/** Keeps the items whose document header exists with the same hash (a whole, committed upload). */
async function committed(items: Item[], headerKey: (item: Item) => Item): Promise<Item[]> {
  const keys = new Map<string, Item>();
  for (const item of items) keys.set(String(item.pk), headerKey(item));
  const headers = new Map<string, string>();
  const all = [...keys.values()];
  for (let i = 0; i < all.length; i += 100) {
    for (const header of await batchGetItems(all.slice(i, i + 100)))
      headers.set(String(header.pk), String(header.sha256));
  }
  return items.filter((item) => headers.get(String(item.pk)) === item.sha256);
}

function lineFromItem(item: Item): SettlementLine {
  return {
    batchId: String(item.batchId),
    line: Number(item.line),
    chainId: Number(item.chainId),
    token: String(item.token),
    txHash: String(item.txHash),
    tokenAmount: BigInt(String(item.tokenAmount)),
    tokenDecimals: Number(item.tokenDecimals),
    fiatCurrency: item.fiatCurrency as FiatCurrency,
    fiatAmount: BigInt(String(item.fiatAmount)),
    rate: String(item.rate),
    feeAmount: BigInt(String(item.feeAmount)),
    valueDate: String(item.valueDate),
    bankReference: String(item.bankReference),
    ...(item.kbk ? { kbk: String(item.kbk) } : {}),
  };
}

function entryFromItem(item: Item): BankEntry {
  const optional = [
    'bookingDate',
    'endToEndId',
    'counterpartyName',
    'counterpartyAccount',
    'remittance',
    'kbk',
  ] as const;
  const entry: BankEntry = {
    messageId: String(item.messageId),
    statementId: String(item.statementId),
    account: String(item.account),
    entryNo: Number(item.entryNo),
    txNo: Number(item.txNo),
    direction: item.direction === 'debit' ? 'debit' : 'credit',
    currency: String(item.currency),
    amount: BigInt(String(item.amount)),
    valueDate: String(item.valueDate),
    references: (item.references as string[] | undefined) ?? [],
  };
  for (const key of optional) if (typeof item[key] === 'string') entry[key] = item[key] as string;
  return entry;
}

const stringsOfBigints = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));

/** The settlement store on the service's table. */
export const dynamoSettlementStore: SettlementStore = {
  async batch(batchId) {
    const item = await getHeader(settlementKeys.batch(batchId));
    return item ? (item.batch as SettlementBatch) : undefined;
  },
  async saveBatch(batch, lines) {
    await writeAll(
      lines.map((line) => ({
        ...settlementKeys.line(line, batch.sha256),
        type: 'settlement-line',
        sha256: batch.sha256,
        ...stringsOfBigints(line),
      })),
    );
    return putOnce({ ...settlementKeys.batch(batch.batchId), type: 'settlement-batch', sha256: batch.sha256, batch });
  },
  async linesBetween(from, to) {
    const items: Item[] = [];
    for await (const item of byValueDate(settlementKeys.linesOfMonth, from, to)) items.push(item);
    const kept = await committed(items, (item) => settlementKeys.batch(String(item.batchId)));
    return kept.map(lineFromItem);
  },
  async statement(messageId) {
    const item = await getHeader(settlementKeys.statement(messageId));
    return item ? (item.statement as BankStatementUpload) : undefined;
  },
  async saveStatement(upload, entries) {
    await writeAll(
      entries.map((entry) => ({
        ...settlementKeys.entry(entry, upload.sha256),
        type: 'bank-entry',
        sha256: upload.sha256,
        ...stringsOfBigints(entry),
      })),
    );
    return putOnce({
      ...settlementKeys.statement(upload.messageId),
      type: 'bank-statement',
      sha256: upload.sha256,
      statement: upload,
    });
  },
  async entriesBetween(from, to) {
    const items: Item[] = [];
    for await (const item of byValueDate(settlementKeys.entriesOfMonth, from, to)) items.push(item);
    const kept = await committed(items, (item) => settlementKeys.statement(String(item.messageId)));
    return kept.map(entryFromItem);
  },
};
