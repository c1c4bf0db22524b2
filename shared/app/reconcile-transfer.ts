/**
 * Reconciling one transfer sighting: read the transfer and its invoice, plan the change
 * (shared/domain/transfer-change.ts), sign the receipt when the invoice becomes paid, and commit transfer, invoice,
 * journal entry, receipt and the ministry's chain head in ONE transaction through the store port, every write
 * conditioned on what was read. A lost race reads and decides again; a repeat sighting changes nothing. After a
 * receipt is issued, a message goes to the outbox queue for the registry publisher; a crash before that is mended by
 * the next sighting of any of the invoice's transfers (the receipt remembers whether its message was sent).
 */

import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { findToken } from '../domain/chains';
import { receiptFields } from '../domain/invoice-change';
import type { Invoice } from '../domain/invoices';
import { buildReceipt, GENESIS_PREV_HASH, type Receipt } from '../domain/receipts';
import type { StoredTransfer, TransferChange } from '../domain/reconcile';
import { planTransferChange, type ReconcileState, type TransferPlan } from '../domain/transfer-change';
import { type TransferObserved, transferId } from '../domain/transfers';
import { ConcurrentChangeError, type ReceiptChainHead, type ReconcileCommit } from '../ports';
import { annulPayment } from './annul-payment';
import {
  ensureOutbox,
  noteSource,
  queuePaidMail,
  type ReconcileDeps,
  requestWatch,
  sendToOutbox,
} from './reconcile-outbox';
import type { GateAnswer } from './screen-sender';

export type { ReceiptIssued, ReconcileDeps } from './reconcile-outbox';

export interface ReconcileResult {
  transferId: string;
  /**
   * `sequenced`: handed, unchanged, to its ministry's receipt sequence (see ReconcileDeps.sequence). `held`: its
   * sender's screening holds it (nothing recorded on the transfer or the invoice: see ReconcileDeps.screening).
   */
  change: TransferChange['kind'] | 'sequenced' | 'held';
  invoiceId?: string;
  receiptId?: string;
}

const MAX_ATTEMPTS = 10;

/** Reconciles one sighting; retries itself when it loses a race on the same transfer or invoice. */
export async function reconcileTransfer(seen: TransferObserved, deps: ReconcileDeps): Promise<ReconcileResult> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await reconcileOnce(seen, deps);
    } catch (error) {
      if (!(error instanceof ConcurrentChangeError) || attempt >= MAX_ATTEMPTS) throw error;
      // Another writer changed the transfer, invoice or receipt chain since we read it: read again.
      await sleep(Math.min(500, 25 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}

/** What one attempt read: the state the plan is made from, and the chain head when it was read with it. */
interface Read {
  state: ReconcileState;
  head?: ReceiptChainHead;
}

/**
 * Reads what the sighting concerns, in one request when its hint names the invoice (and the ministry, whose chain
 * head comes along); undefined when it is neither to our address nor of a token we accept. A hint is checked against
 * what is read (the stored transfer's invoice, else the invoice's deposit address) and ignored when it disagrees.
 */
async function readState(seen: TransferObserved, deps: ReconcileDeps): Promise<Read | undefined> {
  const { hint } = seen;
  const read = await deps.store.readSighting({
    transferId: transferId(seen),
    address: seen.to,
    ...(hint ? { invoiceId: hint.invoiceId, ministry: hint.ministry } : {}),
  });
  const existing = read.transfer;
  const chain = deps.chains.find((c) => c.chainId === seen.chainId);
  const token = chain ? findToken(chain, seen.token) : undefined;
  const hinted = read.invoice && agrees(read.invoice, existing, seen) ? read.invoice : undefined;
  const invoiceId = existing
    ? existing.invoiceId
    : (hinted?.id ?? read.invoiceIdByAddress ?? (hint ? await deps.store.findInvoiceIdByAddress(seen.to) : undefined));
  // Neither our address nor a token we accept (an unfiltered provider stream, a spam token): not our money.
  if (!existing && !token && !invoiceId) return undefined;
  // Money leaving one of our forwarder deposit addresses (a sweep to custody, reported by a provider watching the
  // address): already counted when it arrived, and moved by the sweeper's own records; never new money.
  if (!existing && !invoiceId && chain?.depositFactory && (await deps.store.findInvoiceIdByAddress(seen.from))) {
    return undefined;
  }
  const invoice = !invoiceId ? undefined : hinted?.id === invoiceId ? hinted : await deps.store.getInvoice(invoiceId);
  const state = { ...(existing ? { existing } : {}), ...(invoice ? { invoice } : {}), ...(token ? { token } : {}) };
  return { state, ...(read.head && invoice?.ministry === hint?.ministry ? { head: read.head } : {}) };
}

/** Whether a hinted invoice is the sighting's: the stored transfer's invoice, or (new) the one the address is for. */
function agrees(invoice: Invoice, existing: StoredTransfer | undefined, seen: TransferObserved): boolean {
  return existing ? existing.invoiceId === invoice.id : invoice.depositAddress.toLowerCase() === seen.to.toLowerCase();
}

async function reconcileOnce(seen: TransferObserved, deps: ReconcileDeps): Promise<ReconcileResult> {
  const id = transferId(seen);
  const read = await readState(seen, deps);
  if (!read) {
    logger.info('ignored: a token not accepted, to an address that is not ours', { transferId: id });
    return { transferId: id, change: 'none' };
  }
  const { state } = read;
  const { existing, invoice } = state;
  const screened = await screenSender(state, seen, deps);
  if (screened === 'held') return { transferId: id, change: 'held', ...(invoice ? { invoiceId: invoice.id } : {}) };
  if (screened === 'rejected') state.senderRejected = true;
  const plan = planTransferChange(state, seen, deps.now());
  const result: ReconcileResult = {
    transferId: id,
    change: plan.change.kind,
    ...(invoice ? { invoiceId: invoice.id } : {}),
  };
  if (deps.sequence && invoice && issuesDocument(plan)) {
    // Numbering a ministry's chain is one writer's job: this consumer would only race the sequence's for the head.
    await deps.sequence({ ...seen, hint: { invoiceId: invoice.id, ministry: invoice.ministry } }, invoice.ministry);
    return { ...result, change: 'sequenced' };
  }
  if (!('commit' in plan)) {
    if (plan.change.kind === 'annul' && existing) {
      const { token } = state;
      const annulled = await annulPayment(
        { transfer: existing, invoice, token, seen, detail: plan.change.detail },
        deps,
      );
      return { ...result, ...(annulled.annulmentId ? { receiptId: annulled.annulmentId } : {}) };
    }
    await noteSource(existing, seen, deps.store);
    if (invoice?.receiptId || invoice?.annulments?.length) await ensureOutbox(invoice, existing, seen, deps);
    return { ...result, ...(invoice?.receiptId ? { receiptId: invoice.receiptId } : {}) };
  }
  const receipt = plan.receiptDue && invoice ? await signReceipt(plan, deps, read.head) : undefined;
  deps.fault?.('before-commit');
  await deps.store.commit(plan.commit);
  deps.fault?.('after-commit');
  report(plan, seen, receipt);
  if (receipt && invoice) {
    await sendToOutbox(receipt, deps, seen.correlationId);
    await requestWatch(deps.unwatchAddress, invoice);
    await queuePaidMail(invoice, receipt.receiptId, deps);
  }
  return { ...result, ...(receipt ? { receiptId: receipt.receiptId } : {}) };
}

/**
 * The sender screening's answer for a sighting that would record a new transfer crediting an invoice (docs/compliance.md);
 * `clear` for every other sighting (a known transfer, a removal, money that credits nothing), which it never delays.
 */
async function screenSender(state: ReconcileState, seen: TransferObserved, deps: ReconcileDeps): Promise<GateAnswer> {
  const { existing, invoice, token } = state;
  if (!deps.screening || existing || !invoice || !token || seen.removed) return 'clear';
  return deps.screening.gate(seen, invoice, token);
}

/** Whether committing the plan adds a document to the ministry's chain (a receipt, or an annulment). */
function issuesDocument(plan: TransferPlan): boolean {
  return plan.change.kind === 'annul' || ('commit' in plan && plan.receiptDue !== undefined);
}

/** Signs the receipt a plan says is due, linked to the ministry's chain head, and adds it to the plan's commit. */
async function signReceipt(
  plan: Extract<TransferPlan, { commit: ReconcileCommit }>,
  deps: ReconcileDeps,
  headRead?: ReceiptChainHead,
) {
  const part = plan.commit.invoice;
  if (!part || !plan.receiptDue || !plan.outcome) return undefined;
  const at = part.at;
  const head = headRead ?? (await deps.store.receiptChainHead(part.read.ministry));
  const receipt: Receipt = await buildReceipt(
    receiptFields(part.read, plan.outcome, plan.receiptDue.payments, head.lastNo + 1, at),
    head.lastHash ?? GENESIS_PREV_HASH,
    deps.signer,
  );
  part.changes.receipt = receipt;
  plan.commit.documents = { ministry: part.read.ministry, items: [receipt], afterNo: head.lastNo };
  return receipt;
}

/** The metrics and the log line of a committed change. */
function report(plan: Extract<TransferPlan, { commit: ReconcileCommit }>, seen: TransferObserved, receipt?: Receipt) {
  const { change, commit } = plan;
  const transfer: StoredTransfer = commit.transfer;
  if (change.kind === 'record') {
    countMetric('TransfersSeen');
    if (!transfer.invoiceId) countMetric('TransfersUnmatched');
  }
  if (plan.becomesFinal && transfer.invoiceId) countMetric('TransfersCredited');
  if (receipt) countMetric('ReceiptsIssued');
  if (change.kind === 'incident') {
    countMetric('ReorgIncidents');
    logger.error('reorg after finality', { transferId: transfer.id, detail: change.detail });
  }
  logger.info('transfer reconciled', {
    transferId: transfer.id,
    change: change.kind,
    state: transfer.state,
    invoiceId: transfer.invoiceId,
    unmatchedReason: transfer.unmatchedReason,
    invoiceStatus: plan.outcome?.status,
    correlationId: seen.correlationId,
  });
}
