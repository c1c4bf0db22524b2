/**
 * What the reconciliation use cases (reconcile-transfer.ts, annul-payment.ts) share: their dependencies, and the
 * steps after a commit — the outbox message of a chain document, the watch requests, and mending an outbox send a
 * crash left undone.
 */
import { logger } from '../adapters/observability';
import type { ChainConfig } from '../domain/chains';
import type { Invoice } from '../domain/invoices';
import type { Receipt } from '../domain/receipts';
import type { StoredTransfer } from '../domain/reconcile';
import { historyEntry } from '../domain/transfer-change';
import type { TransferObserved } from '../domain/transfers';
import type { PayerMailQueue, ReceiptSigner, ReconcileStore } from '../ports';
import type { SenderGate } from './screen-sender';

/** The message the registry publisher consumes: one document of a ministry's receipt chain. */
export interface ReceiptIssued {
  receiptId: string;
  invoiceId: string;
  ministry: string;
  /**
   * The signed document exactly as stored, so the publisher need not read it back (it checks it before sending).
   * Absent when it would not fit {@link MAX_CARRIED_DOCUMENT_BYTES}, and from messages sent before it was carried:
   * the publisher then reads the stored copy.
   */
  document?: Receipt;
  correlationId?: string;
}

/**
 * The largest document (UTF-8 bytes of its JSON) an outbox message carries: well inside SQS's 256 KiB message
 * limit with the rest of the message. A receipt is 3-4 KB; one listing hundreds of payments may not fit.
 */
export const MAX_CARRIED_DOCUMENT_BYTES = 200 * 1024;

/** Whether `document` fits an outbox message. */
export function fitsOutboxMessage(document: object): boolean {
  return new TextEncoder().encode(JSON.stringify(document)).byteLength <= MAX_CARRIED_DOCUMENT_BYTES;
}

export interface ReconcileDeps {
  store: ReconcileStore;
  chains: readonly ChainConfig[];
  signer: ReceiptSigner;
  now: () => Date;
  enqueueReceipt: (message: ReceiptIssued) => Promise<void>;
  /** Asks the webhook providers to stop watching a settled invoice's address (best effort). */
  unwatchAddress?: (address: string, invoiceId: string) => Promise<void>;
  /** Asks the webhook providers to watch a reopened invoice's address again (best effort). */
  watchAddress?: (address: string, invoiceId: string) => Promise<void>;
  /**
   * Hands a sighting whose change would add a document to a ministry's receipt chain to that ministry's sequence (an
   * SQS FIFO group per ministry, consumed one batch at a time), instead of committing it here and racing the other
   * consumers for the chain head. Absent in the sequence's own consumer, which commits.
   */
  sequence?: (seen: TransferObserved, ministry: string) => Promise<void>;
  /**
   * The sighting's message was received before (SQS ApproximateReceiveCount > 1): an earlier run may have crashed
   * between its commit and the outbox send, so a document the publisher never had is sent again.
   */
  redelivered?: boolean;
  /**
   * Sender screening (shared/app/screen-sender.ts): asked before a new transfer credits an invoice; a hit holds it
   * uncredited until the compliance officer decides. Absent: no screening (use-case tests of other concerns).
   */
  screening?: SenderGate;
  /** Test-only fault injection between steps (see test/fault); absent in production. */
  fault?: (step: 'before-commit' | 'after-commit' | 'after-outbox') => void;
  /** Queues mail to payers (absent when mail is off): the receipt link when an invoice with an address is paid. */
  notifyPayer?: PayerMailQueue;
  /** Waits before a retry after a lost race (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
}

/** Adds a newly reporting source to a transfer without touching anything else (best effort: it is bookkeeping). */
export async function noteSource(
  existing: { id: string; sources: readonly string[] } | undefined,
  seen: TransferObserved,
  store: ReconcileStore,
): Promise<void> {
  if (!existing || existing.sources.includes(seen.source) || seen.source === 'confirmer') return;
  await store.addTransferSource(existing.id, seen.source);
}

/**
 * Sends a committed chain document to the outbox, the document itself when it fits. Nothing records the send (that
 * would cost a write per receipt): a crash before it leaves the document never attempted, and the sighting's
 * redelivery sends it again (ensureOutbox).
 */
export async function sendToOutbox(
  document: Receipt,
  deps: ReconcileDeps,
  correlationId?: string,
  mending = false,
): Promise<void> {
  await deps.enqueueReceipt({
    receiptId: document.receiptId,
    invoiceId: document.invoiceId,
    ministry: document.ministry,
    ...(fitsOutboxMessage(document) ? { document } : {}),
    ...(correlationId ? { correlationId } : {}),
  });
  if (!mending) deps.fault?.('after-outbox');
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
 * On a redelivered sighting, finishes what an earlier run of it may have left undone when it crashed after its commit
 * but before the outbox send: the outbox messages of the invoice's receipt and latest annulment that this very
 * sighting's change issued (the transfer's history has this sighting's entry at the document's issue time), while
 * the publisher has not had them yet, and the watch request that goes with them. A message that was sent and still
 * waits in the queue is sent twice; the publisher delivers a document once.
 */
export async function ensureOutbox(
  invoice: Invoice,
  transfer: StoredTransfer | undefined,
  seen: TransferObserved,
  deps: ReconcileDeps,
): Promise<void> {
  // A first delivery of a sighting follows no crash of its own; a duplicate from another source sends nothing.
  if (!deps.redelivered || !transfer) return;
  const latestAnnulment = invoice.annulments?.at(-1)?.annulmentId;
  const sightingDetail = historyEntry('', seen, '').detail;
  for (const id of [latestAnnulment, invoice.receiptId]) {
    if (!id) continue;
    const stored = await deps.store.getChainDocument(id);
    if (!stored) continue;
    const { issuedAt } = stored.receipt;
    if (!transfer.history.some((h) => h.at === issuedAt && h.detail === sightingDetail)) continue;
    const settled = id === invoice.receiptId;
    if (stored.deliveryState !== 'delivered' && stored.attempts === 0) {
      await sendToOutbox(stored.receipt, deps, seen.correlationId, true);
      await requestWatch(settled ? deps.unwatchAddress : deps.watchAddress, invoice);
    }
    // The receipt mail whatever became of the receipt: the sender sends each mail once.
    if (settled) await queuePaidMail(invoice, id, deps);
  }
}

/**
 * Queues the payer's mail of receipt `receiptId` when the invoice names an address. Called after the receipt's outbox
 * send, so a failure here never holds the receipt back: it fails the sighting, whose redelivery (ensureOutbox) queues
 * the mail again; the sender sends each mail once.
 */
export async function queuePaidMail(
  invoice: Invoice,
  receiptId: string,
  deps: Pick<ReconcileDeps, 'notifyPayer'>,
): Promise<void> {
  if (!invoice.payer.email || !deps.notifyPayer) return;
  await deps.notifyPayer({ kind: 'payer-mail', template: 'invoice-paid', invoiceId: invoice.id, receiptId });
}
