/**
 * The reconciliation store on DynamoDB: reads through the entity modules, and a {@link ReconcileCommit} as ONE
 * TransactWriteItems — transfer, invoice, documents with the chain head, journal entry, incident, watch extension —
 * each item conditioned on what was read, so a lost race writes nothing and surfaces as ConcurrentChangeError.
 */
import type { InvoiceChanges } from '../../domain/invoice-change';
import type { Invoice } from '../../domain/invoices';
import type { InvoiceOutcome, StoredTransfer } from '../../domain/reconcile';
import type { Incident } from '../../domain/transfer-change';
import type { ReconcileCommit, ReconcileStore, SightingKeys, SightingRead } from '../../ports';
import { tableName } from '../config';
import { batchGetItems } from './batch-get';
import { incidentKeys } from './incidents';
import {
  extendWatchItem,
  findInvoiceIdByAddress,
  getInvoice,
  invoiceFromItem,
  invoiceKeys,
  paymentToItem,
  tokenUnitsToItem,
} from './invoices';
import { putJournalEntry } from './journal';
import { chainHeadFromItem, getReceipt, putReceiptItems, receiptChainHead, receiptKeys } from './receipts';
import { putSweepCandidate } from './sweeps';
import { commit, type TransactionItems } from './transact';
import { addTransferSource, transferFromItem, transferItem, transferKeys } from './transfers';

/** The reconciliation store of the service's table. */
export const dynamoReconcileStore: ReconcileStore = {
  readSighting: async (keys) => (await readSightings([keys]))[0] as SightingRead,
  readSightings,
  getInvoices,
  findInvoiceIdByAddress,
  getInvoice,
  receiptChainHead,
  getChainDocument: getReceipt,
  addTransferSource,
  commit: (change) => commit(transactionItems(change)),
};

/**
 * One consistent BatchGetItem for the sightings of `keys`: each one's transfer, then its hinted invoice or else its
 * address's lookup item, and its hinted ministry's chain head (keys shared by several sightings asked once). Items
 * are told apart by their partition key.
 */
async function readSightings(keys: readonly SightingKeys[]): Promise<SightingRead[]> {
  const wanted = keys.map((k) => ({
    transfer: transferKeys.transfer(k.transferId),
    invoice: k.invoiceId ? invoiceKeys.invoice(k.invoiceId) : invoiceKeys.address(k.address),
    head: k.ministry ? receiptKeys.chainHead(k.ministry) : undefined,
  }));
  const unique = new Map<string, Record<string, unknown>>();
  for (const w of wanted) for (const key of [w.transfer, w.invoice, w.head]) if (key) unique.set(key.pk, key);
  const items = await batchGetItems([...unique.values()], { consistent: true });
  const byPk = new Map(items.map((item) => [item.pk as string, item]));
  return keys.map((k, i) => {
    const w = wanted[i] as (typeof wanted)[number];
    const transfer = byPk.get(w.transfer.pk);
    const invoiceItem = byPk.get(w.invoice.pk);
    return {
      ...(transfer ? { transfer: transferFromItem(transfer) } : {}),
      ...(invoiceItem && k.invoiceId ? { invoice: invoiceFromItem(invoiceItem) } : {}),
      ...(invoiceItem && !k.invoiceId ? { invoiceIdByAddress: invoiceItem.invoiceId as string } : {}),
      ...(w.head ? { head: chainHeadFromItem(byPk.get(w.head.pk)) } : {}),
    };
  });
}

/** The invoices among `ids` (one consistent BatchGetItem). */
async function getInvoices(ids: readonly string[]) {
  const items = await batchGetItems([...new Set(ids)].map(invoiceKeys.invoice), { consistent: true });
  return items.map(invoiceFromItem);
}

/** The items of one reconciliation change's transaction. */
export function transactionItems(change: ReconcileCommit): TransactionItems {
  const items: TransactionItems = [putTransferItem(change.transfer, change.expectedTransferVersion)];
  if (change.incident) items.push(incidentItem(change.incident));
  if (change.invoice) {
    const { read, outcome, changes, at } = change.invoice;
    items.push(invoiceUpdate(read, outcome, changes, at));
  }
  if (change.documents?.items.length) items.push(...putReceiptItems(change.documents.items, change.documents.afterNo));
  if (change.extendWatch) items.push(extendWatchItem(change.extendWatch.address, change.extendWatch.expiresAt));
  if (change.journal) items.push(putJournalEntry(change.journal));
  if (change.sweepCandidate) items.push(putSweepCandidate(change.sweepCandidate));
  return items;
}

/** The transfer's put, conditioned on the version read (or on being new). */
function putTransferItem(transfer: StoredTransfer, previousVersion: number | undefined) {
  return {
    Put: {
      TableName: tableName(),
      Item: transferItem(transfer),
      ConditionExpression: previousVersion !== undefined ? '#version = :version' : 'attribute_not_exists(pk)',
      ...(previousVersion !== undefined
        ? {
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': previousVersion },
          }
        : {}),
    },
  };
}

/** An incident record: kept for review, listed with the transfer's id. */
function incidentItem(incident: Incident) {
  const { kind, transferId, detail, at } = incident;
  return {
    Put: {
      TableName: tableName(),
      Item: { ...incidentKeys.incident(incident), type: 'incident', kind, transferId, detail, at },
    },
  };
}

/**
 * The invoice's update item: balances, state and `changes`, conditioned on the version read — the write form of
 * `invoiceAfter` (shared/domain/invoice-change.ts), plus the expiry index an open invoice is listed in.
 */
export function invoiceUpdate(invoice: Invoice, outcome: InvoiceOutcome, changes: InvoiceChanges, at: string) {
  const names: Record<string, string> = { '#status': 'status', '#exception': 'exception', '#version': 'version' };
  const values: Record<string, unknown> = {
    ':version': invoice.version,
    ':next': invoice.version + 1,
    ':paid': outcome.paidMicroUsd.toString(),
    ':pending': outcome.pendingMicroUsd.toString(),
    ':overpaid': outcome.overpaidMicroUsd.toString(),
    ':status': outcome.status,
    ':exception': outcome.exception,
    ':at': at,
  };
  const sets = [
    'paidMicroUsd = :paid',
    'pendingMicroUsd = :pending',
    'overpaidMicroUsd = :overpaid',
    '#status = :status',
    '#exception = :exception',
    '#version = :next',
    'updatedAt = :at',
  ];
  const removes: string[] = [];
  const set = (expression: string, name: string, value: unknown) => {
    sets.push(expression);
    values[name] = value;
  };
  if (changes.payment) {
    set('payments = list_append(if_not_exists(payments, :empty), :payment)', ':payment', [
      paymentToItem(changes.payment),
    ]);
    values[':empty'] = [];
  }
  if (changes.payments) set('payments = :payments', ':payments', changes.payments.map(paymentToItem));
  if (changes.tokenUnits) set('tokenUnits = :units', ':units', tokenUnitsToItem(changes.tokenUnits));
  if (changes.receiptAnnulled) {
    set('annulments = list_append(if_not_exists(annulments, :none), :annulment)', ':annulment', [
      changes.receiptAnnulled,
    ]);
    values[':none'] = [];
    // Without a replacement receipt in the same change, the invoice names no receipt until it is paid again.
    if (!changes.receipt) removes.push('receiptId', 'paidAt');
  }
  if (changes.receipt) {
    set('receiptId = :receiptId', ':receiptId', changes.receipt.receiptId);
    sets.push('paidAt = :at');
  }
  const expiresAt = changes.expiresAt ?? invoice.expiresAt;
  if (changes.expiresAt) set('expiresAt = :expiresAt', ':expiresAt', expiresAt);
  if (outcome.status === 'open' || outcome.status === 'processing') {
    const expiring = invoiceKeys.expiring(expiresAt, invoice.id);
    set('gsi3pk = :g3pk', ':g3pk', expiring.gsi3pk);
    set('gsi3sk = :g3sk', ':g3sk', expiring.gsi3sk);
  } else removes.push('gsi3pk', 'gsi3sk');
  // The status list the invoice is in (gsi4; its sort key, the creation time, does not change).
  set('gsi4pk = :g4pk', ':g4pk', invoiceKeys.ministryStatus(invoice.ministry, outcome.status));
  return {
    Update: {
      TableName: tableName(),
      Key: invoiceKeys.invoice(invoice.id),
      ConditionExpression: '#version = :version',
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}
