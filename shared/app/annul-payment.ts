/**
 * Annulling a final transfer gone at the deep re-check (the rules: shared/domain/annulment.ts). Reads whether the
 * invoice's standing receipt lists the payment, plans, signs the annulment (and a replacement receipt) on the
 * ministry's chain head, and commits everything in ONE transaction through the store port. After the commit, the
 * documents go to the registry through the outbox, and a reopened invoice's address is watched again.
 */

import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { type AnnulmentPlan, type DocumentsDue, planAnnulment } from '../domain/annulment';
import type { TokenConfig } from '../domain/chains';
import type { FinalPayment, Invoice } from '../domain/invoices';
import { buildReceipt, GENESIS_PREV_HASH, type Receipt } from '../domain/receipts';
import type { StoredTransfer } from '../domain/reconcile';
import type { TransferObserved } from '../domain/transfers';
import type { ReconcileStore } from '../ports';
import { type ReconcileDeps, requestWatch, sendToOutbox } from './reconcile-outbox';

export interface AnnulInput {
  transfer: StoredTransfer;
  invoice: Invoice | undefined;
  token: TokenConfig | undefined;
  seen: TransferObserved;
  detail: string;
}

/** Annuls a final transfer that is gone; answers the annulment document's id when one was issued. */
export async function annulPayment(input: AnnulInput, deps: ReconcileDeps): Promise<{ annulmentId?: string }> {
  const { transfer, seen, detail } = input;
  const invoice = transfer.invoiceId ? input.invoice : undefined;
  const gone = invoice?.payments.find((p) => p.transferId === transfer.id);
  const listed = Boolean(
    input.token && invoice?.receiptId && gone && (await receiptLists(deps.store, invoice.receiptId, gone)),
  );
  const plan = planAnnulment({
    transfer,
    ...(invoice ? { invoice } : {}),
    ...(input.token ? { token: input.token } : {}),
    seen,
    detail,
    now: deps.now(),
    receiptListsPayment: listed,
  });
  const documents = plan.documentsDue ? await signDocuments(plan, plan.documentsDue, deps) : [];
  deps.fault?.('before-commit');
  await deps.store.commit(plan.commit);
  deps.fault?.('after-commit');
  countMetric('Annulments');
  countMetric('ReorgIncidents');
  logger.error('final transfer gone at the deep re-check: annulled', {
    transferId: transfer.id,
    invoiceId: invoice?.id,
    annulmentId: plan.annulmentId,
    annuls: plan.commit.invoice?.changes.receiptAnnulled?.receiptId,
    reopenedAs: plan.invoiceStatus,
    detail,
  });
  if (invoice && plan.invoiceStatus) {
    for (const document of documents) await sendToOutbox(document, deps, seen.correlationId);
    if (plan.invoiceStatus !== 'paid') await requestWatch(deps.watchAddress, invoice);
  }
  return plan.annulmentId ? { annulmentId: plan.annulmentId } : {};
}

/** Whether the invoice's standing receipt lists `payment` (later money shows on the invoice, not the receipt). */
async function receiptLists(store: ReconcileStore, receiptId: string, payment: FinalPayment): Promise<boolean> {
  const stored = await store.getChainDocument(receiptId);
  return Boolean(
    stored?.receipt.payments.some(
      (p) => p.chainId === payment.chainId && p.txHash === payment.txHash && p.logIndex === payment.logIndex,
    ),
  );
}

/** Signs the documents due on the ministry's chain head and adds them (and a replacement receipt) to the commit. */
async function signDocuments(plan: AnnulmentPlan, due: DocumentsDue, deps: ReconcileDeps): Promise<Receipt[]> {
  const head = await deps.store.receiptChainHead(due.ministry);
  const annulment = await buildReceipt(due.annulment(head.lastNo + 1), head.lastHash ?? GENESIS_PREV_HASH, deps.signer);
  const documents = [annulment];
  if (due.replacement) {
    const replacement = await buildReceipt(due.replacement(head.lastNo + 2), annulment.hash, deps.signer);
    documents.push(replacement);
    if (plan.commit.invoice) plan.commit.invoice.changes.receipt = replacement;
  }
  plan.commit.documents = { ministry: due.ministry, items: documents, afterNo: head.lastNo };
  return documents;
}
