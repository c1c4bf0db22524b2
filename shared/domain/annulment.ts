/**
 * A final transfer gone at the deep re-check (DESIGN.md, Trust), pure: what its annulment writes. Nothing is
 * deleted:
 * - the transfer becomes `reverted`, remembering the annulment (it may be mined again, and is then credited anew);
 * - an incident is recorded;
 * - the journal reverses what the transfer added to custody;
 * - a matched transfer comes off its invoice's paid balance (base units per token, then converted). When the
 *   invoice's receipt listed it, a signed annulment naming that receipt joins the ministry's receipt chain, and the
 *   invoice reopens for the missing amount (its expiry moved forward when it has passed); when what remains still
 *   covers the due amount, a replacement receipt follows the annulment in the chain.
 * The use case (shared/app/annul-payment.ts) reads whether the receipt lists the payment and the chain head, signs
 * the documents and commits the plan in one transaction.
 */
import type { ReconcileCommit } from '../ports';
import type { TokenConfig } from './chains';
import { receiptFields, unitChange } from './invoice-change';
import { type FinalPayment, type Invoice, type InvoiceAnnulment, LATE_WINDOW_MINUTES } from './invoices';
import { transferAnnulledEntry } from './journal';
import { annulmentIdFor, type UnsignedReceipt } from './receipts';
import { type InvoiceOutcome, reopenAfterAnnulment, type StoredTransfer } from './reconcile';
import { forwarderInvoiceOf } from './sweeps';
import { historyEntry, type Incident } from './transfer-change';
import type { TransferObserved } from './transfers';

/** What the annulment of a gone final transfer starts from. */
export interface AnnulmentInput {
  transfer: StoredTransfer;
  /** The transfer's invoice (matched transfers only). */
  invoice?: Invoice;
  token?: TokenConfig;
  seen: TransferObserved;
  detail: string;
  now: Date;
  /** Whether the invoice's standing receipt lists the gone payment (later money shows on the invoice, not it). */
  receiptListsPayment: boolean;
}

/** The documents the annulment adds to the ministry's chain, by the number each gets. */
export interface DocumentsDue {
  ministry: string;
  annulment: (receiptNo: number) => UnsignedReceipt;
  /** When what remains still pays the invoice: its replacement receipt, right after the annulment. */
  replacement?: (receiptNo: number) => UnsignedReceipt;
}

export interface AnnulmentPlan {
  /** What to commit (without the documents: see `documentsDue`). */
  commit: ReconcileCommit;
  /** The invoice's state after the annulment (absent for an unmatched transfer). */
  invoiceStatus?: InvoiceOutcome['status'];
  annulmentId?: string;
  documentsDue?: DocumentsDue;
}

/** Plans the annulment of `input.transfer`. */
export function planAnnulment(input: AnnulmentInput): AnnulmentPlan {
  const { transfer: existing, token, seen, now } = input;
  const at = now.toISOString();
  const invoice = existing.invoiceId ? input.invoice : undefined;
  const part = invoice && token ? invoicePart(invoice, existing, token, input) : undefined;
  const transfer: StoredTransfer = {
    ...existing,
    state: 'reverted',
    removedBlockHashes: [...existing.removedBlockHashes, existing.blockHash],
    annulments: [
      ...(existing.annulments ?? []),
      {
        at,
        blockHash: existing.blockHash,
        ...(part?.record ? { receiptId: part.record.receiptId, annulmentId: part.record.annulmentId } : {}),
      },
    ],
    history: [...existing.history, historyEntry('annul', seen, at)],
    version: existing.version + 1,
  };
  const incident: Incident = {
    transferId: existing.id,
    blockHash: existing.blockHash,
    kind: 'final-transfer-gone',
    detail: input.detail,
    at,
  };
  const commit: ReconcileCommit = { transfer, expectedTransferVersion: existing.version, incident };
  // The journal reverses only what a final entry added (matched, or of an accepted token).
  if (existing.invoiceId || token) {
    commit.journal = transferAnnulledEntry({
      transferId: existing.id,
      chainId: existing.chainId,
      token: existing.token,
      microUsd: part ? -part.paidDelta : existing.microUsd,
      at,
      n: (existing.annulments?.length ?? 0) + 1,
      atForwarder: forwarderInvoiceOf(existing, invoice) !== undefined,
      ...(invoice
        ? { matched: { invoiceId: invoice.id, ministry: invoice.ministry, overpaidMicroUsd: invoice.overpaidMicroUsd } }
        : { unmatchedReason: existing.unmatchedReason ?? 'unknown_address' }),
    });
  }
  if (!part) return { commit };
  commit.invoice = part.invoice;
  if (part.extendWatch) commit.extendWatch = part.extendWatch;
  return {
    commit,
    invoiceStatus: part.invoice.outcome.status,
    ...(part.record ? { annulmentId: part.record.annulmentId } : {}),
    ...(part.documentsDue ? { documentsDue: part.documentsDue } : {}),
  };
}

/** What the annulment does to the invoice: balances, state, documents for its ministry's chain. */
function invoicePart(invoice: Invoice, transfer: StoredTransfer, token: TokenConfig, input: AnnulmentInput) {
  const { now } = input;
  const at = now.toISOString();
  const units = unitChange(invoice, transfer, token, { pending: 0n, paid: -transfer.amount });
  const reopenUntil = new Date(now.getTime() + LATE_WINDOW_MINUTES * 60_000).toISOString();
  const outcome = reopenAfterAnnulment(invoice, units.paidDelta, now, reopenUntil);
  const gone = invoice.payments.find((p) => p.transferId === transfer.id);
  const payments = invoice.payments.filter((p) => p.transferId !== transfer.id);
  const standingReceipt = invoice.receiptId;
  const record: InvoiceAnnulment | undefined =
    standingReceipt && gone && input.receiptListsPayment
      ? {
          annulmentId: annulmentIdFor(invoice.id, (invoice.annulments?.length ?? 0) + 1),
          receiptId: standingReceipt,
          transferId: transfer.id,
          at,
        }
      : undefined;
  const documentsDue = record && gone ? documentsFor(invoice, outcome, gone, record, payments, at) : undefined;
  // A payment the receipt did not list (money after it, an overpayment) leaves the receipt standing: what remains
  // still covers the due amount, so the invoice stays paid under it.
  const standing = standingReceipt && !record ? { ...outcome, status: 'paid' as const, becamePaid: false } : outcome;
  // A reopened invoice gets its moved expiry, and its address stays watched until that expiry's late window closes.
  const moved = outcome.expiresAt !== invoice.expiresAt && standing.status !== 'paid';
  return {
    paidDelta: units.paidDelta,
    record,
    documentsDue,
    invoice: {
      read: invoice,
      outcome: standing,
      changes: {
        payments,
        ...(units.tokenUnits ? { tokenUnits: units.tokenUnits } : {}),
        ...(record ? { receiptAnnulled: record } : {}),
        ...(moved ? { expiresAt: outcome.expiresAt } : {}),
      },
      at,
    },
    ...(moved ? { extendWatch: { address: invoice.depositAddress, expiresAt: outcome.expiresAt } } : {}),
  };
}

/** The signed documents due: the annulment of the standing receipt, and a replacement when still paid. */
function documentsFor(
  invoice: Invoice,
  outcome: ReturnType<typeof reopenAfterAnnulment>,
  gone: FinalPayment,
  record: InvoiceAnnulment,
  payments: FinalPayment[],
  at: string,
): DocumentsDue {
  const annulment = (receiptNo: number): UnsignedReceipt => ({
    ...receiptFields(invoice, outcome, [gone], receiptNo, at),
    receiptId: record.annulmentId,
    exception: 'none',
    paidAt: invoice.paidAt ?? at,
    kind: 'annulment',
    annuls: record.receiptId,
    reason: `payment ${gone.chainId}:${gone.txHash}:${gone.logIndex} is no longer on chain after finality`,
  });
  if (!outcome.becamePaid) return { ministry: invoice.ministry, annulment };
  const next = { ...invoice, annulments: [...(invoice.annulments ?? []), record] };
  return {
    ministry: invoice.ministry,
    annulment,
    replacement: (receiptNo) => receiptFields(next, outcome, payments, receiptNo, at),
  };
}
