/**
 * What the reconciliation use cases (reconcile-transfer.ts, annul-payment.ts) write, and the steps after a commit:
 * the invoice's conditional update, a receipt's fields, the outbox message of a chain document, and mending an
 * outbox send a crash left undone.
 */

import { tableName } from '../adapters/config';
import { invoiceKeys, paymentToItem, tokenUnitsToItem } from '../adapters/dynamo/invoices';
import { getReceipt, markOutboxEnqueued, receiptIdFor } from '../adapters/dynamo/receipts';
import { addTransferSource, type StoredTransfer, transferItem } from '../adapters/dynamo/transfers';
import { logger } from '../adapters/observability';
import type { ReceiptSigner } from '../adapters/signing/signer';
import type { ChainConfig } from '../domain/chains';
import { feeAmountToJson } from '../domain/fees';
import type { FinalPayment, Invoice, InvoiceAnnulment } from '../domain/invoices';
import { tokenUnitsToMicroUsd } from '../domain/money';
import type { Receipt, ReceiptException, UnsignedReceipt } from '../domain/receipts';
import { applyUnits, type InvoiceOutcome, type TokenUnits, tokenUnitsKey } from '../domain/reconcile';
import type { TransferObserved } from '../domain/transfers';

/** The message the registry publisher consumes: one document of a ministry's receipt chain. */
export interface ReceiptIssued {
  receiptId: string;
  invoiceId: string;
  ministry: string;
  correlationId?: string;
}

export interface ReconcileDeps {
  chains: readonly ChainConfig[];
  signer: ReceiptSigner;
  now: () => Date;
  enqueueReceipt: (message: ReceiptIssued) => Promise<void>;
  /** Asks the webhook providers to stop watching a settled invoice's address (best effort). */
  unwatchAddress?: (address: string, invoiceId: string) => Promise<void>;
  /** Asks the webhook providers to watch a reopened invoice's address again (best effort). */
  watchAddress?: (address: string, invoiceId: string) => Promise<void>;
  /** Test-only fault injection between steps (see test/fault); absent in production. */
  fault?: (step: 'before-commit' | 'after-commit' | 'after-outbox') => void;
}

/** What an invoice update writes besides the outcome's balances and state. */
export interface InvoiceChanges {
  /** A payment that became final: appended. */
  payment?: FinalPayment;
  /** The whole payment list, when a payment is taken off (annulment). */
  payments?: FinalPayment[];
  /** The receipt issued by this change. */
  receipt?: Receipt;
  /** The receipt standing is annulled: the invoice names none until a new one is issued. */
  receiptAnnulled?: InvoiceAnnulment;
  tokenUnits?: TokenUnits;
  expiresAt?: string;
}

/** The invoice's update item: balances, state and `changes`, conditioned on the version read. */
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

/** The fields of the receipt an invoice gets on reaching `paid` with `payments`. */
export function receiptFields(
  invoice: Invoice,
  outcome: InvoiceOutcome,
  payments: FinalPayment[],
  receiptNo: number,
  at: string,
): UnsignedReceipt {
  return {
    receiptId: receiptIdFor(invoice.id, (invoice.annulments?.length ?? 0) + 1),
    receiptNo: String(receiptNo),
    invoiceId: invoice.id,
    ministry: invoice.ministry,
    feeCode: invoice.feeCode,
    feeTitle: invoice.feeTitle.en,
    payer: invoice.payer,
    fee: feeAmountToJson(invoice.fee),
    ...(invoice.budget ? { budget: invoice.budget } : {}),
    quote: invoice.quote,
    dueMicroUsd: invoice.dueMicroUsd.toString(),
    paidMicroUsd: outcome.paidMicroUsd.toString(),
    overpaidMicroUsd: outcome.overpaidMicroUsd.toString(),
    // A receipt is issued only on reaching `paid`, whose exception is never `underpaid`.
    exception: outcome.exception as ReceiptException,
    payments: payments.map((p) => ({
      chainId: p.chainId,
      token: p.token,
      txHash: p.txHash,
      logIndex: p.logIndex,
      blockNumber: p.blockNumber,
      amount: p.amount.toString(),
      decimals: p.decimals,
      microUsd: p.microUsd.toString(),
    })),
    paidAt: at,
    issuedAt: at,
  };
}

/** Adds a newly reporting source to a transfer without touching anything else (best effort: it is bookkeeping). */
export async function noteSource(
  existing: { id: string; sources: readonly string[] } | undefined,
  seen: TransferObserved,
): Promise<void> {
  if (!existing || existing.sources.includes(seen.source) || seen.source === 'confirmer') return;
  await addTransferSource(existing.id, seen.source);
}

/** Sends a committed chain document to the outbox and records the send. */
export async function sendToOutbox(
  document: Pick<Receipt, 'receiptId' | 'invoiceId' | 'ministry'>,
  deps: ReconcileDeps,
  correlationId?: string,
  mending = false,
): Promise<void> {
  await deps.enqueueReceipt({
    receiptId: document.receiptId,
    invoiceId: document.invoiceId,
    ministry: document.ministry,
    ...(correlationId ? { correlationId } : {}),
  });
  if (!mending) deps.fault?.('after-outbox');
  await markOutboxEnqueued(document.receiptId, deps.now().toISOString());
}

/** Best-effort request to the providers about an invoice's address; a failure is logged, never thrown. */
export async function requestWatch(
  request: ((address: string, invoiceId: string) => Promise<void>) | undefined,
  invoice: Invoice,
): Promise<void> {
  await request?.(invoice.depositAddress, invoice.id).catch((error: unknown) => {
    logger.warn('address watch request failed', { invoiceId: invoice.id, error: (error as Error).message });
  });
}

/**
 * Finishes what an earlier run left undone when it crashed after its commit but before recording the outbox send:
 * the outbox message of the invoice's receipt and of its latest annulment, and the watch request that goes with it.
 */
export async function ensureOutbox(invoice: Invoice, deps: ReconcileDeps, correlationId?: string): Promise<void> {
  const latestAnnulment = invoice.annulments?.at(-1)?.annulmentId;
  for (const id of [latestAnnulment, invoice.receiptId]) {
    if (!id) continue;
    const stored = await getReceipt(id);
    if (!stored || stored.outboxEnqueuedAt) continue;
    await sendToOutbox(stored.receipt, deps, correlationId, true);
    const settled = id === invoice.receiptId;
    await requestWatch(settled ? deps.unwatchAddress : deps.watchAddress, invoice);
  }
}

/** The transfer's put, conditioned on the version read (or on being new). */
export function putTransferItem(transfer: StoredTransfer, previousVersion: number | undefined) {
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
export function incidentItem(transferId: string, blockHash: string, kind: string, detail: string, at: string) {
  const sk = kind === 'reorg-after-final' ? `REORG#${blockHash}` : `${kind.toUpperCase()}#${blockHash}`;
  return {
    Put: {
      TableName: tableName(),
      Item: { pk: `INCIDENT#${transferId}`, sk, type: 'incident', kind, transferId, detail, at },
    },
  };
}

/** The line a change adds to a transfer's history. */
export function historyEntry(kind: string, seen: TransferObserved, at: string) {
  return {
    at,
    event: kind,
    detail: `${seen.source}: block ${seen.blockNumber} ${seen.blockHash}${seen.removed ? ' removed' : ''}`,
  };
}

/**
 * The change in an invoice's balances when `pending`/`paid` base units of `transfer`'s token come or go: summed per
 * token in base units first, then converted (DESIGN.md, Trust). An invoice stored before per-token sums existed has
 * none: its transfers are converted one by one, as they were when its balances were written.
 */
export function unitChange(
  invoice: Invoice,
  transfer: Pick<StoredTransfer, 'chainId' | 'amount'>,
  token: { address: string; decimals: number },
  change: { pending: bigint; paid: bigint },
): { pendingDelta: bigint; paidDelta: bigint; tokenUnits?: TokenUnits } {
  if (!invoice.tokenUnits) {
    const micro = tokenUnitsToMicroUsd(transfer.amount, token.decimals).microUsd;
    const part = (units: bigint) => (units === 0n ? 0n : units > 0n ? micro : -micro);
    return { pendingDelta: part(change.pending), paidDelta: part(change.paid) };
  }
  const key = tokenUnitsKey(transfer.chainId, token.address);
  const applied = applyUnits(invoice.tokenUnits, key, token.decimals, change);
  return { pendingDelta: applied.pendingDelta, paidDelta: applied.paidDelta, tokenUnits: applied.units };
}
