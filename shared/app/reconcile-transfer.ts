/**
 * Reconciling one transfer sighting: load the transfer and its invoice, decide the change (shared/domain/reconcile.ts),
 * and write transfer, invoice, journal entry and — when the invoice becomes paid — its signed receipt and the
 * ministry's receipt-chain head in ONE DynamoDB transaction, every write conditioned on what was read. A lost race
 * re-reads and decides again; a repeat sighting changes nothing. After a receipt is issued, a message goes to the
 * outbox queue for the registry publisher; a crash before that is mended by the next sighting of any of the
 * invoice's transfers (the receipt remembers whether its message was sent).
 */

import { findInvoiceIdByAddress, getInvoice } from '../adapters/dynamo/invoices';
import { putJournalEntry } from '../adapters/dynamo/journal';
import { putReceiptItems, receiptChainHead } from '../adapters/dynamo/receipts';
import { commit, isLostRace, type TransactionItems } from '../adapters/dynamo/transact';
import { getTransfer, type StoredTransfer } from '../adapters/dynamo/transfers';
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { findToken, type TokenConfig } from '../domain/chains';
import type { FinalPayment, Invoice } from '../domain/invoices';
import { transferFinalEntry } from '../domain/journal';
import { tokenUnitsToMicroUsd } from '../domain/money';
import { buildReceipt, GENESIS_PREV_HASH, type Receipt } from '../domain/receipts';
import { applyToInvoice, decide, type InvoiceOutcome, matchTransfer, type TransferChange } from '../domain/reconcile';
import { type TransferObserved, transferId } from '../domain/transfers';
import { annulPayment } from './annul-payment';
import {
  ensureOutbox,
  historyEntry,
  incidentItem,
  invoiceUpdate,
  noteSource,
  putTransferItem,
  type ReconcileDeps,
  receiptFields,
  requestWatch,
  sendToOutbox,
  unitChange,
} from './reconcile-writes';

export type { ReceiptIssued, ReconcileDeps } from './reconcile-writes';

export interface ReconcileResult {
  transferId: string;
  change: TransferChange['kind'];
  invoiceId?: string;
  receiptId?: string;
}

const MAX_ATTEMPTS = 10;

/** Reconciles one sighting; retries itself when it loses a race on the same transfer or invoice. */
export async function reconcileTransfer(seen: TransferObserved, deps: ReconcileDeps): Promise<ReconcileResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await reconcileOnce(seen, deps);
    } catch (error) {
      if (!isLostRace(error) || attempt >= MAX_ATTEMPTS) throw error;
      // Another writer changed the transfer, invoice or receipt chain since we read it: read again.
      await new Promise((r) => setTimeout(r, Math.min(500, 25 * 2 ** attempt) * (0.5 + Math.random())));
    }
  }
}

async function reconcileOnce(seen: TransferObserved, deps: ReconcileDeps): Promise<ReconcileResult> {
  const id = transferId(seen);
  const now = deps.now();
  const at = now.toISOString();
  const existing = await getTransfer(id);
  const chain = deps.chains.find((c) => c.chainId === seen.chainId);
  const token = chain ? findToken(chain, seen.token) : undefined;

  const invoiceId = existing ? existing.invoiceId : await findInvoiceIdByAddress(seen.to);
  if (!existing && !token && !invoiceId) {
    // Neither our address nor a token we accept (an unfiltered provider stream, a spam token): not our money.
    logger.info('ignored: a token not accepted, to an address that is not ours', { transferId: id });
    return { transferId: id, change: 'none' };
  }
  const invoice = invoiceId ? await getInvoice(invoiceId) : undefined;
  const firstSeenAt = existing?.firstSeenAt ?? seen.observedAt;
  const match = existing
    ? existing.invoiceId
      ? ({ matched: true } as const)
      : ({ matched: false, reason: existing.unmatchedReason ?? 'unknown_address' } as const)
    : matchTransfer(invoice, Boolean(token), firstSeenAt);
  const change = decide(existing, seen, match.matched);
  const result: ReconcileResult = {
    transferId: id,
    change: change.kind,
    ...(invoice ? { invoiceId: invoice.id } : {}),
  };

  if (change.kind === 'none') {
    await noteSource(existing, seen);
    if (invoice?.receiptId || invoice?.annulments?.length) await ensureOutbox(invoice, deps, seen.correlationId);
    return { ...result, ...(invoice?.receiptId ? { receiptId: invoice.receiptId } : {}) };
  }
  if (change.kind === 'annul' && existing) {
    const annulled = await annulPayment({ transfer: existing, invoice, token, seen, detail: change.detail }, deps);
    return { ...result, ...(annulled.annulmentId ? { receiptId: annulled.annulmentId } : {}) };
  }

  const transfer = existing ? withSource(existing, seen) : newTransfer(seen, id, token, match, invoice, firstSeenAt);
  const effect = applyChange(transfer, change, seen, at);
  transfer.history = [...transfer.history, historyEntry(change.kind, seen, at)];
  const previousVersion = transfer.version;
  transfer.version = previousVersion + 1;

  const items: TransactionItems = [putTransferItem(transfer, existing ? previousVersion : undefined)];
  if (change.kind === 'incident') items.push(incidentItem(id, seen.blockHash, 'reorg-after-final', change.detail, at));

  const credit = invoice && transfer.invoiceId && token ? creditInvoice(invoice, transfer, token, effect) : undefined;
  const invoicePlan =
    invoice && token && credit
      ? await planInvoiceCredit({ invoice, transfer, token, credit, effect, firstSeenAt, now }, deps)
      : undefined;
  const outcome = invoicePlan?.outcome;
  const receipt = invoicePlan?.receipt;
  if (invoicePlan) items.push(...invoicePlan.items);
  if (effect.becomesFinal && (transfer.invoiceId || token)) {
    items.push(putJournalEntry(finalEntry(transfer, invoice, credit?.paidDelta, at)));
  }

  deps.fault?.('before-commit');
  await commit(items);
  deps.fault?.('after-commit');
  countChange(change, transfer, effect.becomesFinal, receipt);
  logger.info('transfer reconciled', {
    transferId: id,
    change: change.kind,
    state: transfer.state,
    invoiceId: transfer.invoiceId,
    unmatchedReason: transfer.unmatchedReason,
    invoiceStatus: outcome?.status,
    correlationId: seen.correlationId,
  });
  if (receipt && invoice) {
    await sendToOutbox(receipt, deps, seen.correlationId);
    await requestWatch(deps.unwatchAddress, invoice);
  }
  return { ...result, ...(receipt ? { receiptId: receipt.receiptId } : {}) };
}

/**
 * What a credit does to the invoice: its new balances and state, the payment that became final, and — when it
 * completes the invoice — the signed receipt linked to the ministry's chain head.
 */
async function planInvoiceCredit(
  c: {
    invoice: Invoice;
    transfer: StoredTransfer;
    token: TokenConfig;
    credit: NonNullable<ReturnType<typeof creditInvoice>>;
    effect: ChangeEffect;
    firstSeenAt: string;
    now: Date;
  },
  deps: ReconcileDeps,
): Promise<{ outcome: InvoiceOutcome; receipt?: Receipt; items: TransactionItems }> {
  const { invoice, credit } = c;
  const at = c.now.toISOString();
  const outcome = applyToInvoice(invoice, { ...credit, firstSeenAt: c.firstSeenAt }, c.now);
  const payment = c.effect.becomesFinal ? finalPayment(c.transfer, c.token, credit.paidDelta) : undefined;
  let receipt: Receipt | undefined;
  let receiptItems: ReturnType<typeof putReceiptItems> = [];
  if (outcome.becamePaid && !invoice.receiptId) {
    const head = await receiptChainHead(invoice.ministry);
    const payments = payment ? [...invoice.payments, payment] : invoice.payments;
    receipt = await buildReceipt(
      receiptFields(invoice, outcome, payments, head.lastNo + 1, at),
      head.lastHash ?? GENESIS_PREV_HASH,
      deps.signer,
    );
    receiptItems = putReceiptItems(receipt, head.lastNo);
  }
  const update = invoiceUpdate(invoice, outcome, { payment, receipt, tokenUnits: credit.tokenUnits }, at);
  return { outcome, ...(receipt ? { receipt } : {}), items: [update, ...receiptItems] };
}

/** A known transfer with the sighting's source added (the confirmer re-reports what others found: not a source). */
function withSource(existing: StoredTransfer, seen: TransferObserved): StoredTransfer {
  const known = existing.sources.includes(seen.source) || seen.source === 'confirmer';
  return { ...existing, sources: known ? existing.sources : [...existing.sources, seen.source] };
}

function newTransfer(
  seen: TransferObserved,
  id: string,
  token: TokenConfig | undefined,
  match: ReturnType<typeof matchTransfer>,
  invoice: Invoice | undefined,
  firstSeenAt: string,
): StoredTransfer {
  const conversion = token ? tokenUnitsToMicroUsd(BigInt(seen.amount), token.decimals) : undefined;
  return {
    id,
    chainId: seen.chainId,
    token: seen.token,
    txHash: seen.txHash,
    logIndex: seen.logIndex,
    blockNumber: seen.blockNumber,
    blockHash: seen.blockHash,
    from: seen.from,
    to: seen.to,
    amount: BigInt(seen.amount),
    microUsd: conversion?.microUsd ?? 0n,
    remainderUnits: conversion?.remainder ?? 0n,
    state: 'seen',
    removedBlockHashes: [],
    ...(match.matched && invoice ? { invoiceId: invoice.id } : {}),
    ...(match.matched ? {} : { unmatchedReason: match.reason }),
    sources: [seen.source],
    history: [],
    firstSeenAt,
    version: -1,
  };
}

/** How a change moves a transfer's base units between the invoice's pending and paid sums. */
interface ChangeEffect {
  pendingUnits: bigint;
  paidUnits: bigint;
  becomesFinal: boolean;
}

/** Applies `change` to `transfer` (state, blocks) and answers what it does to the invoice's sums. */
function applyChange(transfer: StoredTransfer, change: TransferChange, seen: TransferObserved, at: string) {
  const u = transfer.amount;
  const effect: ChangeEffect = { pendingUnits: 0n, paidUnits: 0n, becomesFinal: false };
  const becomeFinal = () => {
    transfer.state = 'final';
    effect.becomesFinal = true;
  };
  switch (change.kind) {
    case 'record':
      transfer.state = change.state;
      if (change.state === 'reverted') transfer.removedBlockHashes = [seen.blockHash];
      if (change.creditPending) effect.pendingUnits = u;
      if (change.state === 'final') {
        becomeFinal();
        if (change.creditFinal) effect.paidUnits = u;
      }
      break;
    case 'finalize':
      becomeFinal();
      effect.pendingUnits = -u;
      effect.paidUnits = u;
      break;
    case 'revert':
      transfer.state = 'reverted';
      transfer.removedBlockHashes = [...transfer.removedBlockHashes, seen.blockHash];
      effect.pendingUnits = -u;
      break;
    case 'reinclude':
      transfer.state = change.state;
      transfer.blockHash = seen.blockHash;
      transfer.blockNumber = seen.blockNumber;
      if (change.state === 'final') {
        becomeFinal();
        effect.paidUnits = u;
      } else effect.pendingUnits = u;
      break;
    case 'fall-back':
      transfer.removedBlockHashes = [...transfer.removedBlockHashes, seen.blockHash];
      transfer.blockHash = change.blockHash;
      transfer.blockNumber = change.blockNumber;
      break;
    case 'move':
      transfer.previousBlocks = [
        ...(transfer.previousBlocks ?? []).filter((b) => b.blockHash !== transfer.blockHash),
        { blockHash: transfer.blockHash, blockNumber: transfer.blockNumber },
      ];
      transfer.blockHash = seen.blockHash;
      transfer.blockNumber = seen.blockNumber;
      if (change.finalNow) {
        becomeFinal();
        effect.pendingUnits = -u;
        effect.paidUnits = u;
      }
      break;
    case 'note-removed':
      transfer.removedBlockHashes = [...transfer.removedBlockHashes, seen.blockHash];
      break;
    case 'settle':
      transfer.deepCheckedAt = at;
      if (change.moved) {
        // Still on chain, in another block: the money stands; the receipt keeps the block it was issued with.
        transfer.previousBlocks = [
          ...(transfer.previousBlocks ?? []),
          { blockHash: transfer.blockHash, blockNumber: transfer.blockNumber },
        ];
        transfer.blockHash = change.moved.blockHash;
        transfer.blockNumber = change.moved.blockNumber;
      }
      break;
    case 'incident':
      logger.error('reorg after finality', { transferId: transfer.id, detail: change.detail });
      break;
  }
  return effect;
}

/** The invoice's balance change for `effect`, or nothing when no units move. */
function creditInvoice(invoice: Invoice, transfer: StoredTransfer, token: TokenConfig, effect: ChangeEffect) {
  if (effect.pendingUnits === 0n && effect.paidUnits === 0n) return undefined;
  return unitChange(invoice, transfer, token, { pending: effect.pendingUnits, paid: effect.paidUnits });
}

function finalPayment(transfer: StoredTransfer, token: TokenConfig, paidDelta: bigint): FinalPayment {
  return {
    transferId: transfer.id,
    chainId: transfer.chainId,
    token: transfer.token,
    txHash: transfer.txHash,
    logIndex: transfer.logIndex,
    blockNumber: transfer.blockNumber,
    amount: transfer.amount,
    decimals: token.decimals,
    microUsd: paidDelta,
  };
}

function finalEntry(transfer: StoredTransfer, invoice: Invoice | undefined, paidDelta: bigint | undefined, at: string) {
  const matched = invoice && transfer.invoiceId;
  return transferFinalEntry({
    transferId: transfer.id,
    chainId: transfer.chainId,
    token: transfer.token,
    // A matched transfer adds what it credited to the invoice (its share of the per-token sum).
    microUsd: matched ? (paidDelta ?? transfer.microUsd) : transfer.microUsd,
    at,
    annulled: transfer.annulments?.length ?? 0,
    ...(matched
      ? {
          matched: {
            invoiceId: invoice.id,
            ministry: invoice.ministry,
            stillOwedMicroUsd: invoice.dueMicroUsd - invoice.paidMicroUsd,
          },
        }
      : { unmatchedReason: transfer.unmatchedReason ?? 'unknown_address' }),
  });
}

function countChange(change: TransferChange, transfer: StoredTransfer, final: boolean, receipt?: Receipt): void {
  if (change.kind === 'record') {
    countMetric('TransfersSeen');
    if (!transfer.invoiceId) countMetric('TransfersUnmatched');
  }
  if (final && transfer.invoiceId) countMetric('TransfersCredited');
  if (receipt) countMetric('ReceiptsIssued');
  if (change.kind === 'incident') countMetric('ReorgIncidents');
}
