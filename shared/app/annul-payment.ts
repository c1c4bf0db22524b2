/**
 * A final transfer gone at the deep re-check (DESIGN.md, Trust). Nothing is deleted; in ONE transaction:
 * - the transfer becomes `reverted`, remembering the annulment (it may be mined again, and is then credited anew);
 * - an incident is recorded, and the `Annulments` metric raises the alarm;
 * - the journal reverses what the transfer added to custody;
 * - a matched transfer comes off its invoice's paid balance (base units per token, then converted). When the
 *   invoice's receipt listed it, a signed annulment naming that receipt joins the ministry's receipt chain, and the
 *   invoice reopens for the missing amount (its expiry moved forward when it has passed); when what remains still
 *   covers the due amount, a replacement receipt follows the annulment in the chain.
 * After the commit, the annulment (and a replacement receipt) go to the registry through the outbox.
 */

import { extendWatchItem } from '../adapters/dynamo/invoices';
import { putJournalEntry } from '../adapters/dynamo/journal';
import { annulmentIdFor, getReceipt, putReceiptItems, receiptChainHead } from '../adapters/dynamo/receipts';
import { commit } from '../adapters/dynamo/transact';
import type { StoredTransfer } from '../adapters/dynamo/transfers';
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import type { TokenConfig } from '../domain/chains';
import type { FinalPayment, Invoice, InvoiceAnnulment } from '../domain/invoices';
import { LATE_WINDOW_MINUTES } from '../domain/invoices';
import { transferAnnulledEntry } from '../domain/journal';
import { buildReceipt, GENESIS_PREV_HASH, type Receipt } from '../domain/receipts';
import { reopenAfterAnnulment } from '../domain/reconcile';
import type { TransferObserved } from '../domain/transfers';
import {
  historyEntry,
  incidentItem,
  invoiceUpdate,
  putTransferItem,
  type ReconcileDeps,
  receiptFields,
  requestWatch,
  sendToOutbox,
  unitChange,
} from './reconcile-writes';

export interface AnnulInput {
  transfer: StoredTransfer;
  invoice: Invoice | undefined;
  token: TokenConfig | undefined;
  seen: TransferObserved;
  detail: string;
}

/** Annuls a final transfer that is gone; answers the annulment document's id when one was issued. */
export async function annulPayment(input: AnnulInput, deps: ReconcileDeps): Promise<{ annulmentId?: string }> {
  const { transfer: existing, seen, detail } = input;
  const now = deps.now();
  const at = now.toISOString();
  const n = (existing.annulments?.length ?? 0) + 1;
  const invoice = existing.invoiceId ? input.invoice : undefined;
  const plan = invoice && input.token ? await planInvoice(invoice, existing, input.token, deps, now) : undefined;
  const transfer: StoredTransfer = {
    ...existing,
    state: 'reverted',
    removedBlockHashes: [...existing.removedBlockHashes, existing.blockHash],
    annulments: [
      ...(existing.annulments ?? []),
      {
        at,
        blockHash: existing.blockHash,
        ...(plan?.annulment ? { receiptId: plan.annulment.annuls, annulmentId: plan.annulment.receiptId } : {}),
      },
    ],
    history: [...existing.history, historyEntry('annul', seen, at)],
    version: existing.version + 1,
  };
  const removedMicroUsd = plan ? -plan.paidDelta : existing.microUsd;
  // The journal reverses only what a final entry added (matched, or of an accepted token).
  const journaled = Boolean(existing.invoiceId || input.token);
  const items = [
    putTransferItem(transfer, existing.version),
    incidentItem(existing.id, existing.blockHash, 'final-transfer-gone', detail, at),
    ...(journaled
      ? [
          putJournalEntry(
            transferAnnulledEntry({
              transferId: existing.id,
              chainId: existing.chainId,
              token: existing.token,
              microUsd: removedMicroUsd,
              at,
              n,
              ...(invoice
                ? {
                    matched: {
                      invoiceId: invoice.id,
                      ministry: invoice.ministry,
                      overpaidMicroUsd: invoice.overpaidMicroUsd,
                    },
                  }
                : { unmatchedReason: existing.unmatchedReason ?? 'unknown_address' }),
            }),
          ),
        ]
      : []),
    ...(plan?.items ?? []),
  ];
  deps.fault?.('before-commit');
  await commit(items);
  deps.fault?.('after-commit');
  countMetric('Annulments');
  countMetric('ReorgIncidents');
  logger.error('final transfer gone at the deep re-check: annulled', {
    transferId: existing.id,
    invoiceId: invoice?.id,
    annulmentId: plan?.annulment?.receiptId,
    annuls: plan?.annulment?.annuls,
    reopenedAs: plan?.status,
    detail,
  });
  if (invoice && plan) {
    for (const document of plan.documents) await sendToOutbox(document, deps, seen.correlationId);
    if (plan.status !== 'paid') await requestWatch(deps.watchAddress, invoice);
  }
  return plan?.annulment ? { annulmentId: plan.annulment.receiptId } : {};
}

/** What the annulment does to the invoice: balances, state, documents for its ministry's chain. */
async function planInvoice(
  invoice: Invoice,
  transfer: StoredTransfer,
  token: TokenConfig,
  deps: ReconcileDeps,
  now: Date,
) {
  const at = now.toISOString();
  const units = unitChange(invoice, transfer, token, { pending: 0n, paid: -transfer.amount });
  const reopenUntil = new Date(now.getTime() + LATE_WINDOW_MINUTES * 60_000).toISOString();
  const outcome = reopenAfterAnnulment(invoice, units.paidDelta, now, reopenUntil);
  const gone = invoice.payments.find((p) => p.transferId === transfer.id);
  const payments = invoice.payments.filter((p) => p.transferId !== transfer.id);
  const documents: Receipt[] = [];
  let record: InvoiceAnnulment | undefined;
  let replacement: Receipt | undefined;
  let head: { lastNo: number; lastHash?: string } | undefined;
  if (invoice.receiptId && gone && (await receiptLists(invoice.receiptId, gone))) {
    head = await receiptChainHead(invoice.ministry);
    const annulmentId = annulmentIdFor(invoice.id, (invoice.annulments?.length ?? 0) + 1);
    documents.push(await annulmentDocument(invoice, outcome, gone, annulmentId, head, deps, at));
    record = { annulmentId, receiptId: invoice.receiptId, transferId: transfer.id, at };
    if (outcome.becamePaid) {
      const next = { ...invoice, annulments: [...(invoice.annulments ?? []), record] };
      const previous = documents[0] as Receipt;
      replacement = await buildReceipt(
        receiptFields(next, outcome, payments, Number(previous.receiptNo) + 1, at),
        previous.hash,
        deps.signer,
      );
      documents.push(replacement);
    }
  }
  // A payment the receipt did not list (money after it, an overpayment) leaves the receipt standing: what remains
  // still covers the due amount, so the invoice stays paid under it.
  const standing = invoice.receiptId && !record ? { ...outcome, status: 'paid' as const, becamePaid: false } : outcome;
  // A reopened invoice gets its moved expiry, and its address stays watched until that expiry's late window closes.
  const moved = outcome.expiresAt !== invoice.expiresAt && standing.status !== 'paid';
  const update = invoiceUpdate(
    invoice,
    standing,
    {
      payments,
      ...(units.tokenUnits ? { tokenUnits: units.tokenUnits } : {}),
      ...(record ? { receiptAnnulled: record } : {}),
      ...(replacement ? { receipt: replacement } : {}),
      ...(moved ? { expiresAt: outcome.expiresAt } : {}),
    },
    at,
  );
  return {
    paidDelta: units.paidDelta,
    status: standing.status,
    annulment: documents[0],
    documents,
    items: [
      update,
      ...(head && documents.length ? putReceiptItems(documents, head.lastNo) : []),
      ...(moved ? [extendWatchItem(invoice.depositAddress, outcome.expiresAt)] : []),
    ],
  };
}

/** Whether the invoice's standing receipt lists `payment` (later money shows on the invoice, not the receipt). */
async function receiptLists(receiptId: string, payment: FinalPayment): Promise<boolean> {
  const stored = await getReceipt(receiptId);
  return Boolean(
    stored?.receipt.payments.some(
      (p) => p.chainId === payment.chainId && p.txHash === payment.txHash && p.logIndex === payment.logIndex,
    ),
  );
}

/** The signed annulment of the invoice's standing receipt: the payment gone, what the invoice still has. */
async function annulmentDocument(
  invoice: Invoice,
  outcome: ReturnType<typeof reopenAfterAnnulment>,
  gone: FinalPayment,
  annulmentId: string,
  head: { lastNo: number; lastHash?: string },
  deps: ReconcileDeps,
  at: string,
): Promise<Receipt> {
  const fields = receiptFields(invoice, outcome, [gone], head.lastNo + 1, at);
  return buildReceipt(
    {
      ...fields,
      receiptId: annulmentId,
      exception: 'none',
      paidAt: invoice.paidAt ?? at,
      kind: 'annulment',
      annuls: invoice.receiptId as string,
      reason: `payment ${gone.chainId}:${gone.txHash}:${gone.logIndex} is no longer on chain after finality`,
    },
    head.lastHash ?? GENESIS_PREV_HASH,
    deps.signer,
  );
}
