/**
 * DynamoDB form of refunds (the RefundStore port) and the items that change with them. All keys are spelled here:
 * - the refund: `REFUND#<id>`; gsi1 `MINISTRY#<m>#REFUNDS` (a ministry's), gsi2 `REFUNDS` (all), gsi4
 *   `REFUNDS_OF#<source>` (an invoice's or a transfer's), each by `<requestedAt>#<id>`; gsi3 `INSTRUCTED_REFUNDS`
 *   (sparse) `APPROVED_REFUNDS` by `<approvedAt>#<id>` while approved (a lost queue message is sent again), then
 *   `INSTRUCTED_REFUNDS` by `<instructedAt>#<id>` while instructed, for the completion, then `UNSENT_REFUND_RECEIPTS` by
 *   `<completedAt>#<id>` until the publisher has had a message of its receipt;
 * - each source's ledger `REFUND_LEDGER#<source>`: micro-USD completed and open refunds hold (`reservedMicroUsd`;
 *   a ledger the older code wrote in base units, `reservedUnits`, is recomputed from the source's refunds and
 *   migrated by its next write), and the open one;
 * - the uniqueness item `REFUND_OPEN_TRANSFER#<chainId>:<token>:<to>:<amount>` of an open refund (written with it,
 *   deleted in the transaction that completes or rejects it): the completion cannot tell two such refunds apart;
 * - an idempotency record `IDEMPOTENCY#REFUND#<scope>#<key>` (a day);
 * - the claim of an on-chain transfer that completed a refund `REFUND_TRANSFER#<chainId>:<txHash>:<logIndex>`,
 *   written with the refund's `refund-completed` journal entry.
 * Every write touching a ledger is ONE TransactWriteItems conditioned on the ledger as read, so one open refund per
 * source and "never more than refundable" hold under any race. A completed refund keeps its signed receipt (the
 * exact bytes published) and its delivery state on its item.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RefundReceipt } from '../../domain/refund-documents';
import {
  EMPTY_LEDGER,
  type Refund,
  type RefundLedger,
  type RefundSource,
  type RefundState,
  refundOrderShape,
  reservedMicroUsdOf,
  sameTransferOpenError,
  sourceKey,
} from '../../domain/refunds';
import {
  ConcurrentChangeError,
  type IdempotencyClaim,
  type RefundReceiptDeliveries,
  type RefundSourceReader,
  type RefundStore,
  type StoredRefundReceipt,
} from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { fullItems } from './index-items';
import { findInvoiceIdByAddress, getInvoice, invoiceKeys } from './invoices';
import { putJournalEntry } from './journal';
import { queryNewestFirst } from './paging';
import { getTransfer, transferKeys } from './transfers';

/** Key builders: the only place refund keys are spelled. */
export const refundKeys = {
  refund: (id: string) => ({ pk: `REFUND#${id}`, sk: 'REFUND' }),
  ministry: (ministry: string) => `MINISTRY#${ministry}#REFUNDS`,
  all: 'REFUNDS',
  instructed: 'INSTRUCTED_REFUNDS',
  /** Approved refunds not yet instructed (their order is on its way, or its queue message was lost). */
  approved: 'APPROVED_REFUNDS',
  /** Completed refunds whose receipt no outbox message has brought to the publisher yet. */
  unsentReceipts: 'UNSENT_REFUND_RECEIPTS',
  ofSource: (source: RefundSource) => `REFUNDS_OF#${sourceKey(source)}`,
  ledger: (source: RefundSource) => ({ pk: `REFUND_LEDGER#${sourceKey(source)}`, sk: 'REFUND_LEDGER' }),
  /** Held by the one open refund whose transfer has this shape (chain, token, destination, amount). */
  openTransfer: (refund: Pick<Refund, 'chainId' | 'token' | 'to' | 'amount'>) => ({
    pk: `REFUND_OPEN_TRANSFER#${refundOrderShape(refund)}`,
    sk: 'REFUND_OPEN_TRANSFER',
  }),
  idempotency: (scope: string, key: string) => ({ pk: `IDEMPOTENCY#REFUND#${scope}#${key}`, sk: 'IDEMPOTENCY' }),
  chainTransfer: (r: Pick<Refund, 'chainId' | 'txHash' | 'logIndex'>) => ({
    pk: `REFUND_TRANSFER#${r.chainId}:${r.txHash}:${r.logIndex}`,
    sk: 'REFUND_TRANSFER',
  }),
};

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** The stored item of a refund with every index key it is listed under. */
export function refundToItem(refund: Refund): Record<string, unknown> {
  const listed = `${refund.requestedAt}#${refund.id}`;
  return {
    ...refundKeys.refund(refund.id),
    ...(refund.ministry ? { gsi1pk: refundKeys.ministry(refund.ministry), gsi1sk: listed } : {}),
    gsi2pk: refundKeys.all,
    gsi2sk: listed,
    ...(refund.state === 'approved'
      ? { gsi3pk: refundKeys.approved, gsi3sk: `${refund.approvedAt}#${refund.id}` }
      : {}),
    ...(refund.state === 'instructed'
      ? { gsi3pk: refundKeys.instructed, gsi3sk: `${refund.instructedAt}#${refund.id}` }
      : {}),
    ...(refund.state === 'completed' && refund.ministry
      ? { gsi3pk: refundKeys.unsentReceipts, gsi3sk: `${refund.completedAt}#${refund.id}` }
      : {}),
    gsi4pk: refundKeys.ofSource(refund.source),
    gsi4sk: listed,
    type: 'refund',
    ...refund,
    amount: refund.amount.toString(),
  };
}

/** Reads a stored refund item (the receipt document and delivery state stay in the item). */
export function refundFromItem(item: Record<string, unknown>): Refund {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _1,
    gsi1sk: _2,
    gsi2pk: _3,
    gsi2sk: _4,
    gsi3pk: _5,
    gsi3sk: _6,
    gsi4pk: _7,
    gsi4sk: _8,
    type: _type,
    receiptDocument: _doc,
    receiptDeliveredAt: _delivered,
    amount,
    version,
    ...rest
  } = item;
  return { ...(rest as Omit<Refund, 'amount' | 'version'>), amount: BigInt(String(amount)), version: Number(version) };
}

function ledgerPut(source: RefundSource, read: RefundLedger, next: RefundLedger) {
  // A ledger the older code stored (base units in `reservedUnits`) is migrated by this write, conditioned on it.
  const legacy = read.legacyReservedUnits !== undefined;
  const values: Record<string, unknown> = {
    ':res': (legacy ? read.legacyReservedUnits : read.reservedMicroUsd)?.toString(),
  };
  let condition = legacy
    ? 'attribute_not_exists(reservedMicroUsd) AND reservedUnits = :res AND '
    : 'reservedMicroUsd = :res AND ';
  if (read.openRefundId) {
    values[':open'] = read.openRefundId;
    condition += 'openRefundId = :open';
  } else condition += 'attribute_not_exists(openRefundId)';
  if (!legacy && read.reservedMicroUsd === 0n && !read.openRefundId) {
    condition = `attribute_not_exists(pk) OR (${condition})`;
  }
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...refundKeys.ledger(source),
        type: 'refund-ledger',
        reservedMicroUsd: next.reservedMicroUsd.toString(),
        ...(next.openRefundId ? { openRefundId: next.openRefundId } : {}),
      },
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * A stored ledger. One the older code wrote (base units in `reservedUnits`, no `reservedMicroUsd`) is read as
 * its source's refunds' micro-USD, remembering the stored units for the write that migrates it.
 */
async function ledgerFromItem(source: RefundSource, item: Record<string, unknown>): Promise<RefundLedger> {
  const open = item.openRefundId ? { openRefundId: String(item.openRefundId) } : {};
  if (item.reservedMicroUsd !== undefined) return { reservedMicroUsd: BigInt(String(item.reservedMicroUsd)), ...open };
  const refunds = await queryIndex('gsi4', refundKeys.ofSource(source), undefined, true);
  return {
    reservedMicroUsd: reservedMicroUsdOf(refunds),
    ...open,
    legacyReservedUnits: BigInt(String(item.reservedUnits ?? '0')),
  };
}

function sourceVersionCheck(source: RefundSource, version: number) {
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: source.kind === 'invoice' ? invoiceKeys.invoice(source.invoiceId) : transferKeys.transfer(source.transferId),
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': version },
    },
  };
}

function refundPut(refund: Refund, readVersion: number | undefined, extra: Record<string, unknown> = {}) {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...refundToItem(refund), ...extra },
      ...(readVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': readVersion } }),
    },
  };
}

/** Takes the open-transfer uniqueness item for a new refund. */
function openTransferHold(refund: Refund) {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...refundKeys.openTransfer(refund), type: 'refund-open-transfer', refundId: refund.id },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Frees it when the refund leaves the open states (a refund created before the item existed has none). */
function openTransferRelease(refund: Refund) {
  return {
    Delete: {
      TableName: tableName(),
      Key: refundKeys.openTransfer(refund),
      ConditionExpression: 'attribute_not_exists(pk) OR refundId = :id',
      ExpressionAttributeValues: { ':id': refund.id },
    },
  };
}

/** Which items of a cancelled transaction broke their condition. */
function failedItems(error: TransactionCanceledException): number[] {
  return (error.CancellationReasons ?? []).flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
}

async function transact(items: object[]): Promise<number[] | undefined> {
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: items as never }));
    return undefined;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return failedItems(error);
    throw error;
  }
}

async function create(
  refund: Refund,
  ledger: { read: RefundLedger; next: RefundLedger },
  sourceVersion: number,
  claim?: IdempotencyClaim & { scope: string },
): Promise<boolean> {
  const items: object[] = [
    refundPut(refund, undefined),
    ledgerPut(refund.source, ledger.read, ledger.next),
    sourceVersionCheck(refund.source, sourceVersion),
    openTransferHold(refund),
  ];
  if (claim) {
    items.push({
      Put: {
        TableName: tableName(),
        Item: {
          ...refundKeys.idempotency(claim.scope, claim.key),
          type: 'idempotency',
          requestHash: claim.requestHash,
          refundId: refund.id,
          createdAt: refund.requestedAt,
          ttl: Math.floor(Date.parse(refund.requestedAt) / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  const failed = await transact(items);
  if (!failed) return true;
  if (claim && failed.includes(4)) return false;
  if (failed.includes(3) && !failed.includes(1) && !failed.includes(2)) throw sameTransferOpenError(refund);
  throw new ConcurrentChangeError(`refund ${refund.id}: ledger or source changed since read`);
}

async function list(query: { ministry?: string; state?: RefundState; cursor?: string; limit: number }) {
  const page = await queryNewestFirst({
    index: query.ministry ? 'gsi1' : 'gsi2',
    partitions: [query.ministry ? refundKeys.ministry(query.ministry) : refundKeys.all],
    ...(query.state
      ? { filter: { expression: '#state = :state', names: { '#state': 'state' }, values: { ':state': query.state } } }
      : {}),
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return { items: page.items.map(refundFromItem), nextCursor: page.nextCursor };
}

/** A page of an index (100), or with `all` every item of the partition (a source's refunds are few). */
async function queryIndex(index: 'gsi3' | 'gsi4', partition: string, below?: string, all = false): Promise<Refund[]> {
  const refunds: Refund[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const { Items = [], LastEvaluatedKey } = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index,
        KeyConditionExpression: `${index}pk = :pk${below ? ` AND ${index}sk < :below` : ''}`,
        ExpressionAttributeValues: { ':pk': partition, ...(below ? { ':below': below } : {}) },
        Limit: 100,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    refunds.push(...(await fullItems(index, Items)).map(refundFromItem));
    start = all ? LastEvaluatedKey : undefined;
  } while (start);
  return refunds;
}

/** The refund store (shared/ports.ts `RefundStore`) on the single table. */
export const dynamoRefundStore: RefundStore = {
  async get(id) {
    const { Item } = await ddb.send(
      new GetCommand({ TableName: tableName(), Key: refundKeys.refund(id), ConsistentRead: true }),
    );
    return Item ? refundFromItem(Item) : undefined;
  },
  async ledger(source) {
    const { Item } = await ddb.send(
      new GetCommand({ TableName: tableName(), Key: refundKeys.ledger(source), ConsistentRead: true }),
    );
    return Item ? ledgerFromItem(source, Item) : { ...EMPTY_LEDGER };
  },
  async idempotencyRecord(scope, key) {
    const { Item } = await ddb.send(
      new GetCommand({ TableName: tableName(), Key: refundKeys.idempotency(scope, key), ConsistentRead: true }),
    );
    return Item ? { requestHash: String(Item.requestHash), refundId: String(Item.refundId) } : undefined;
  },
  create,
  async update(refund, readVersion, ledger) {
    const items: object[] = [refundPut(refund, readVersion)];
    if (ledger) items.push(ledgerPut(refund.source, ledger.read, ledger.next));
    if (refund.state === 'rejected') items.push(openTransferRelease(refund));
    return !(await transact(items));
  },
  async complete(refund, readVersion, ledger, receipt, journal) {
    const failed = await transact([
      refundPut(refund, readVersion, { receiptDocument: JSON.stringify(receipt) }),
      ledgerPut(refund.source, ledger.read, ledger.next),
      {
        Put: {
          TableName: tableName(),
          Item: { ...refundKeys.chainTransfer(refund), type: 'refund-transfer', refundId: refund.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      putJournalEntry(journal),
      openTransferRelease(refund),
    ]);
    if (!failed) return 'completed';
    return failed.includes(2) ? 'transfer-taken' : 'changed';
  },
  list,
  ofSource: (source) => queryIndex('gsi4', refundKeys.ofSource(source)),
  instructed: () => queryIndex('gsi3', refundKeys.instructed),
  approvedBefore: (before) => queryIndex('gsi3', refundKeys.approved, before.toISOString()),
  unsentReceipts: (before) => queryIndex('gsi3', refundKeys.unsentReceipts, before.toISOString()),
};

/** A completed refund's stored receipt document (the exact bytes to publish) and whether it was delivered. */
export async function storedRefundReceipt(refundId: string): Promise<StoredRefundReceipt | undefined> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: refundKeys.refund(refundId), ConsistentRead: true }),
  );
  if (typeof Item?.receiptDocument !== 'string') return undefined;
  return {
    document: Item.receiptDocument,
    receipt: JSON.parse(Item.receiptDocument) as RefundReceipt,
    delivered: Boolean(Item.receiptDeliveredAt),
  };
}

/** Records the delivery of a refund's receipt; false when it was already recorded. */
export async function markRefundReceiptDelivered(refundId: string, at: Date): Promise<boolean> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: refundKeys.refund(refundId),
        UpdateExpression: 'SET receiptDeliveredAt = :at',
        ConditionExpression: 'attribute_exists(receiptDocument) AND attribute_not_exists(receiptDeliveredAt)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** What refunds are requested from: invoices, transfers and deposit addresses as stored. */
export const dynamoRefundSources: RefundSourceReader = {
  invoice: getInvoice,
  transfer: getTransfer,
  async addressOwner(address) {
    const invoiceId = await findInvoiceIdByAddress(address);
    const invoice = invoiceId ? await getInvoice(invoiceId) : undefined;
    return invoice ? { invoiceId: invoice.id, ministry: invoice.ministry } : undefined;
  },
};

/** Refund receipts' delivery records (shared/ports.ts `RefundReceiptDeliveries`). */
export const dynamoRefundReceiptDeliveries: RefundReceiptDeliveries = {
  get: storedRefundReceipt,
  markDelivered: markRefundReceiptDelivered,
  async markSeen(refundId) {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: refundKeys.refund(refundId),
        UpdateExpression: 'REMOVE gsi3pk, gsi3sk',
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  },
};
