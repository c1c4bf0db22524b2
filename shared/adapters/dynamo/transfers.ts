/**
 * DynamoDB form of transfers: one item per identity `chainId:txHash:logIndex`, with its state, its match (invoice
 * or suspense reason), every source that reported it and a history of its state changes. Keys:
 * - gsi1: `INVOICE#<id>#TRANSFERS` for matched transfers, `UNMATCHED_TRANSFERS` for the suspense list;
 * - gsi2: `TRANSFERS#<yyyy-mm>` by first sighting (exports);
 * - gsi3 (sparse, while `seen`): `SEEN_TRANSFERS#<chainId>` by block, for the confirmer's finality check; while
 *   `final` and not yet re-checked deeper: `FINAL_UNSETTLED#<chainId>` by block, for the deep re-check.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredTransfer, TransferState, UnmatchedReason } from '../../domain/reconcile';
import type { TransferSource } from '../../domain/transfers';
import type { TransfersToRecheck } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { fullItems } from './index-items';
import { queryNewestFirst } from './paging';

export type { StoredTransfer } from '../../domain/reconcile';

export const transferKeys = {
  transfer: (id: string) => ({ pk: `TRANSFER#${id}`, sk: 'TRANSFER' }),
  /** The gsi1 partition of the transfers matched to an invoice. */
  ofInvoice: (invoiceId: string) => `INVOICE#${invoiceId}#TRANSFERS`,
  matched: (invoiceId: string, firstSeenAt: string, id: string) => ({
    gsi1pk: transferKeys.ofInvoice(invoiceId),
    gsi1sk: `${firstSeenAt}#${id}`,
  }),
  /** The gsi1 partition of the suspense list (transfers matched to no invoice). */
  suspense: 'UNMATCHED_TRANSFERS',
  unmatched: (firstSeenAt: string, id: string) => ({ gsi1pk: transferKeys.suspense, gsi1sk: `${firstSeenAt}#${id}` }),
  /** The gsi2 partition of a month's transfers (`YYYY-MM`). */
  month: (month: string) => `TRANSFERS#${month}`,
  byMonth: (firstSeenAt: string, id: string) => ({
    gsi2pk: transferKeys.month(firstSeenAt.slice(0, 7)),
    gsi2sk: `${firstSeenAt}#${id}`,
  }),
  seen: (chainId: number, blockNumber: number, id: string) => ({
    gsi3pk: `SEEN_TRANSFERS#${chainId}`,
    gsi3sk: `${String(blockNumber).padStart(12, '0')}#${id}`,
  }),
  unsettled: (chainId: number, blockNumber: number, id: string) => ({
    gsi3pk: `FINAL_UNSETTLED#${chainId}`,
    gsi3sk: `${String(blockNumber).padStart(12, '0')}#${id}`,
  }),
};

/** The gsi3 keys of a transfer: which re-check list it is on, if any. */
function recheckKeys(t: StoredTransfer) {
  if (t.state === 'seen') return transferKeys.seen(t.chainId, t.blockNumber, t.id);
  if (t.state === 'final' && !t.deepCheckedAt) return transferKeys.unsettled(t.chainId, t.blockNumber, t.id);
  return {};
}

/** The full item for a transfer (keys included). */
export function transferItem(t: StoredTransfer): Record<string, unknown> {
  return {
    ...transferKeys.transfer(t.id),
    ...(t.invoiceId
      ? transferKeys.matched(t.invoiceId, t.firstSeenAt, t.id)
      : transferKeys.unmatched(t.firstSeenAt, t.id)),
    ...transferKeys.byMonth(t.firstSeenAt, t.id),
    ...recheckKeys(t),
    type: 'transfer',
    ...t,
    amount: t.amount.toString(),
    microUsd: t.microUsd.toString(),
    remainderUnits: t.remainderUnits.toString(),
  };
}

/** Reads a stored transfer item. */
export function transferFromItem(item: Record<string, unknown>): StoredTransfer {
  // biome-ignore lint/suspicious/noExplicitAny: items are written only by transferItem above
  const i = item as any;
  return {
    id: i.id,
    chainId: i.chainId,
    token: i.token,
    txHash: i.txHash,
    logIndex: i.logIndex,
    blockNumber: i.blockNumber,
    blockHash: i.blockHash,
    from: i.from,
    to: i.to,
    amount: BigInt(i.amount),
    microUsd: BigInt(i.microUsd),
    remainderUnits: BigInt(i.remainderUnits ?? '0'),
    state: i.state as TransferState,
    removedBlockHashes: i.removedBlockHashes ?? [],
    ...(i.previousBlocks?.length ? { previousBlocks: i.previousBlocks } : {}),
    ...(i.invoiceId ? { invoiceId: i.invoiceId as string } : {}),
    ...(i.ministry ? { ministry: i.ministry as string } : {}),
    ...(i.unmatchedReason ? { unmatchedReason: i.unmatchedReason as UnmatchedReason } : {}),
    ...(i.forwarderInvoiceId ? { forwarderInvoiceId: i.forwarderInvoiceId as string } : {}),
    sources: i.sources ?? [],
    history: i.history ?? [],
    firstSeenAt: i.firstSeenAt,
    ...(i.deepCheckedAt ? { deepCheckedAt: i.deepCheckedAt as string } : {}),
    ...(i.annulments?.length ? { annulments: i.annulments } : {}),
    version: i.version ?? 0,
  };
}

/** The API's transfer body. */
export function transferToWire(t: StoredTransfer) {
  return {
    id: t.id,
    chainId: t.chainId,
    token: t.token,
    txHash: t.txHash,
    logIndex: t.logIndex,
    blockNumber: t.blockNumber,
    blockHash: t.blockHash,
    from: t.from,
    to: t.to,
    amount: t.amount.toString(),
    microUsd: t.microUsd.toString(),
    state: t.state,
    invoiceId: t.invoiceId ?? null,
    unmatchedReason: t.unmatchedReason ?? null,
    sources: t.sources,
    firstSeenAt: t.firstSeenAt,
    history: t.history,
  };
}

export async function getTransfer(id: string): Promise<StoredTransfer | undefined> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: transferKeys.transfer(id), ConsistentRead: true }),
  );
  return Item ? transferFromItem(Item) : undefined;
}

/** Transfers matched to an invoice, oldest first. */
export async function transfersOfInvoice(invoiceId: string): Promise<StoredTransfer[]> {
  const { Items = [] } = await ddb.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': transferKeys.ofInvoice(invoiceId) },
    }),
  );
  return (await fullItems('gsi1', Items)).map(transferFromItem);
}

/** The suspense list, newest first, paginated. */
export async function listUnmatched(limit: number, cursor?: string) {
  const page = await queryNewestFirst({ index: 'gsi1', partitions: [transferKeys.suspense], limit, cursor });
  return { items: page.items.map(transferFromItem), nextCursor: page.nextCursor };
}

/** Transfers still `seen` on a chain, lowest block first: the confirmer checks them for finality. */
export function seenTransfers(chainId: number, limit = 500): Promise<StoredTransfer[]> {
  return recheckList(transferKeys.seen(chainId, 0, '').gsi3pk, limit);
}

/** Final transfers on a chain not yet re-checked deeper, lowest block first. */
export function unsettledTransfers(chainId: number, limit = 500): Promise<StoredTransfer[]> {
  return recheckList(transferKeys.unsettled(chainId, 0, '').gsi3pk, limit);
}

async function recheckList(partition: string, limit: number): Promise<StoredTransfer[]> {
  const { Items = [] } = await ddb.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      Limit: limit,
    }),
  );
  return Items.map(transferFromItem);
}

/** Adds `source` to a transfer's reporting sources, once (another sighting recording it first is fine). */
export async function addTransferSource(id: string, source: TransferSource): Promise<void> {
  await ddb
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: transferKeys.transfer(id),
        UpdateExpression: 'SET sources = list_append(sources, :source)',
        ConditionExpression: 'NOT contains(sources, :name)',
        ExpressionAttributeValues: { ':source': [source], ':name': source },
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

/** The confirmer's re-check lists in the table (the {@link TransfersToRecheck} port). */
export const dynamoTransfersToRecheck: TransfersToRecheck = {
  seen: (chainId) => seenTransfers(chainId),
  finalUnsettled: (chainId) => unsettledTransfers(chainId),
};
