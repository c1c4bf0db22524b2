/**
 * DynamoDB form of receipts: the signed document kept byte-exact as JSON, beside its delivery state. The per-ministry
 * chain head (`RECEIPT_CHAIN#<ministry>`) holds the last receipt number and hash; issuing a receipt updates it in
 * the same transaction, conditioned on the number it read, so numbers are gapless and the chain never forks.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Receipt } from '../../domain/receipts';
import type { DeliveryRecord, DeliveryState, ReceiptDeliveries, StoredReceipt } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { listedMinistries } from './ministries';
import { queryMergedNewestFirst } from './paging';

export const receiptKeys = {
  receipt: (receiptId: string) => ({ pk: `RECEIPT#${receiptId}`, sk: 'RECEIPT' }),
  /** The gsi1 partition of a ministry's receipts. */
  ministry: (ministry: string) => `MINISTRY#${ministry}#RECEIPTS`,
  /** The gsi2 partition of a month's receipts (`YYYY-MM`). */
  month: (month: string) => `RECEIPTS#${month}`,
  byMinistry: (ministry: string, issuedAt: string, receiptId: string) => ({
    gsi1pk: receiptKeys.ministry(ministry),
    gsi1sk: `${issuedAt}#${receiptId}`,
  }),
  byMonth: (issuedAt: string, receiptId: string) => ({
    gsi2pk: receiptKeys.month(issuedAt.slice(0, 7)),
    gsi2sk: `${issuedAt}#${receiptId}`,
  }),
  chainHead: (ministry: string) => ({ pk: `RECEIPT_CHAIN#${ministry}`, sk: 'HEAD' }),
};

export { annulmentIdFor, CHAIN_DOCUMENT_ID_PATTERN, receiptIdFor } from '../../domain/receipts';

// The stored form's type is the ports'; re-exported for the modules that still import it from here.
export type { StoredReceipt };

/** The last receipt number and hash of a ministry's chain (0 and undefined before the first). */
export async function receiptChainHead(ministry: string): Promise<{ lastNo: number; lastHash?: string }> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: receiptKeys.chainHead(ministry), ConsistentRead: true }),
  );
  return chainHeadFromItem(Item);
}

/** A chain head item as the head it records (0 and no hash when there is no item: no document yet). */
export function chainHeadFromItem(item: Record<string, unknown> | undefined): { lastNo: number; lastHash?: string } {
  return item ? { lastNo: Number(item.lastNo), lastHash: item.lastHash as string } : { lastNo: 0 };
}

/**
 * Transaction items writing new documents of one ministry's chain (receipts or annulments, consecutive numbers) and
 * advancing its chain head from `previousNo` to the last of them.
 */
export function putReceiptItems(receipt: Receipt | readonly Receipt[], previousNo: number) {
  const documents = Array.isArray(receipt) ? receipt : [receipt as Receipt];
  const last = documents[documents.length - 1] as Receipt;
  return [...documents.map(putDocumentItem), chainHeadItem(last, previousNo)];
}

function putDocumentItem(receipt: Receipt) {
  const TableName = tableName();
  return {
    Put: {
      TableName,
      Item: {
        ...receiptKeys.receipt(receipt.receiptId),
        ...receiptKeys.byMinistry(receipt.ministry, receipt.issuedAt, receipt.receiptId),
        ...receiptKeys.byMonth(receipt.issuedAt, receipt.receiptId),
        type: 'receipt',
        receiptId: receipt.receiptId,
        invoiceId: receipt.invoiceId,
        ministry: receipt.ministry,
        feeCode: receipt.feeCode,
        payerBin: receipt.payer.bin,
        issuedAt: receipt.issuedAt,
        document: JSON.stringify(receipt),
        deliveryState: 'pending',
        attempts: 0,
        ...(receipt.kind ? { kind: receipt.kind } : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

function chainHeadItem(receipt: Receipt, previousNo: number) {
  const TableName = tableName();
  return {
    Update: {
      TableName,
      Key: receiptKeys.chainHead(receipt.ministry),
      UpdateExpression: 'SET lastNo = :no, lastHash = :hash, lastReceiptId = :id',
      ConditionExpression: previousNo === 0 ? 'attribute_not_exists(pk)' : 'lastNo = :prev',
      ExpressionAttributeValues: {
        ':no': Number(receipt.receiptNo),
        ':hash': receipt.hash,
        ':id': receipt.receiptId,
        ...(previousNo === 0 ? {} : { ':prev': previousNo }),
      },
    },
  };
}

function fromItem(item: Record<string, unknown>): StoredReceipt {
  return {
    receipt: JSON.parse(item.document as string) as Receipt,
    deliveryState: item.deliveryState as DeliveryState,
    attempts: Number(item.attempts ?? 0),
    ...(item.lastError ? { lastError: item.lastError as string } : {}),
    ...(item.deliveredAt ? { deliveredAt: item.deliveredAt as string } : {}),
  };
}

/** A stored chain document by id (consistent read), or undefined. */
export async function getReceipt(receiptId: string): Promise<StoredReceipt | undefined> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: receiptKeys.receipt(receiptId), ConsistentRead: true }),
  );
  return Item ? fromItem(Item) : undefined;
}

export interface ReceiptQuery {
  ministry?: string;
  from?: string;
  to?: string;
  feeCode?: string;
  payerBin?: string;
  limit: number;
  cursor?: string;
}

/**
 * Receipts by issue time (newest first) through gsi1: one ministry's partition, or for auditors every listed
 * ministry's partitions merged (one Query each a page; no walk through months). Fee code and payer are filters.
 */
export async function listReceipts(
  q: ReceiptQuery,
  _now: Date,
): Promise<{ items: StoredReceipt[]; nextCursor: string | null }> {
  const from = q.from ?? '2025-01-01T00:00:00.000Z';
  const to = q.to ?? '9999-12-31T23:59:59.999Z';
  const values: Record<string, string> = {};
  const filters: string[] = [];
  if (q.feeCode) {
    filters.push('feeCode = :feeCode');
    values[':feeCode'] = q.feeCode;
  }
  if (q.payerBin) {
    filters.push('payerBin = :bin');
    values[':bin'] = q.payerBin;
  }
  const page = await queryMergedNewestFirst({
    index: 'gsi1',
    partitions: (q.ministry ? [q.ministry] : await listedMinistries()).map(receiptKeys.ministry),
    sortKeyBetween: { from, to: `${to}#~` },
    filter: { expression: filters.join(' AND '), names: {}, values },
    limit: q.limit,
    cursor: q.cursor,
  });
  return { items: page.items.map(fromItem), nextCursor: page.nextCursor };
}

/**
 * Records the delivery of `document` (the exact bytes sent) with ONE conditional UpdateItem and no read: the item
 * must exist, hold that very document and not be delivered yet. When the condition fails, DynamoDB hands back the
 * item as it was (`ReturnValuesOnConditionCheckFailure`, no read capacity spent), which says why.
 */
export async function markDelivered(receiptId: string, document: string, at: string): Promise<DeliveryRecord> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: receiptKeys.receipt(receiptId),
        ConditionExpression: 'attribute_exists(pk) AND #document = :document AND deliveryState <> :delivered',
        UpdateExpression: 'SET deliveryState = :delivered, deliveredAt = :at, lastAttemptAt = :at ADD attempts :one',
        ExpressionAttributeNames: { '#document': 'document' },
        ExpressionAttributeValues: { ':document': document, ':delivered': 'delivered', ':at': at, ':one': 1 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'delivered';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The item comes back in DynamoDB's own attribute form (the document client does not convert errors).
    const old = error.Item;
    if (!old) return 'not-stored';
    if (old.document?.S !== document) return 'differs';
    return 'already-delivered';
  }
}

/** Records a failed attempt; `final` marks it `failed` (its message is on its way to the DLQ). */
export async function recordFailedAttempt(receiptId: string, error: string, at: string, final: boolean): Promise<void> {
  await ddb
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: receiptKeys.receipt(receiptId),
        // A receipt already delivered stays delivered, whatever a stale message says; an unknown id creates nothing.
        ConditionExpression: 'attribute_exists(pk) AND deliveryState <> :delivered',
        UpdateExpression: 'SET deliveryState = :state, lastError = :error, lastAttemptAt = :at ADD attempts :one',
        ExpressionAttributeValues: {
          ':delivered': 'delivered',
          ':state': final ? 'failed' : 'pending',
          ':error': error.slice(0, 300),
          ':at': at,
          ':one': 1,
        },
      }),
    )
    .catch((e: unknown) => {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    });
}

/** The receipt-delivery port (shared/ports.ts) on the table. */
export const dynamoReceiptDeliveries: ReceiptDeliveries = {
  get: getReceipt,
  markDelivered: (receiptId, document, at) => markDelivered(receiptId, document, at.toISOString()),
  recordFailedAttempt: (receiptId, { error, at, final }) =>
    recordFailedAttempt(receiptId, error, at.toISOString(), final),
};
