/**
 * One sighting's change, pure: from the state read (the transfer, its invoice, the token) and the sighting, what
 * the transfer becomes, what moves on the invoice, the journal entry and the incident — the plan the use case
 * (shared/app/reconcile-transfer.ts) commits in one transaction. The rules themselves (`decide`, `applyToInvoice`)
 * are in ./reconcile.ts; this module turns their answer into records.
 */
import type { ReconcileCommit } from '../ports';
import type { TokenConfig } from './chains';
import { finalPayment, unitChange } from './invoice-change';
import type { FinalPayment, Invoice } from './invoices';
import { type JournalEntry, transferFinalEntry } from './journal';
import { tokenUnitsToMicroUsd } from './money';
import {
  applyToInvoice,
  decide,
  type InvoiceOutcome,
  matchTransfer,
  type StoredTransfer,
  type TransferChange,
} from './reconcile';
import { forwarderInvoiceOf, sweepCandidateOf } from './sweeps';
import { type TransferObserved, transferId } from './transfers';

/** What reconciliation read before deciding. */
export interface ReconcileState {
  /** The transfer on record, if any. */
  existing?: StoredTransfer;
  /** The invoice of the transfer (on record) or of its deposit address (new). */
  invoice?: Invoice;
  /** The sighting's token, when the chain accepts it. */
  token?: TokenConfig;
  /**
   * The compliance officer rejected the sender of this (new) transfer after screening held it: it is recorded
   * unmatched, `sender_rejected`, in suspense and out of revenue.
   */
  senderRejected?: boolean;
}

/** A record of something that needs a person's review (kept, listed with the transfer's id). */
export interface Incident {
  transferId: string;
  blockHash: string;
  kind: 'reorg-after-final' | 'final-transfer-gone';
  detail: string;
  at: string;
}

/** The plan of one sighting. */
export type TransferPlan =
  | { change: Extract<TransferChange, { kind: 'none' | 'annul' }> }
  | {
      change: Exclude<TransferChange, { kind: 'none' | 'annul' }>;
      /** What to commit (without the receipt: see `receiptDue`). */
      commit: ReconcileCommit;
      outcome?: InvoiceOutcome;
      becomesFinal: boolean;
      /** The invoice reaches `paid` without a receipt: one listing these payments is due in the same commit. */
      receiptDue?: { payments: FinalPayment[] };
    };

/** How a change moves a transfer's base units between the invoice's pending and paid sums. */
interface ChangeEffect {
  pendingUnits: bigint;
  paidUnits: bigint;
  becomesFinal: boolean;
}

/** Plans what `seen` changes, given `state` read at `now`. */
export function planTransferChange(state: ReconcileState, seen: TransferObserved, now: Date): TransferPlan {
  const { existing, invoice, token } = state;
  const at = now.toISOString();
  const firstSeenAt = existing?.firstSeenAt ?? seen.observedAt;
  const match = existing
    ? existing.invoiceId
      ? ({ matched: true } as const)
      : ({ matched: false, reason: existing.unmatchedReason ?? 'unknown_address' } as const)
    : state.senderRejected
      ? ({ matched: false, reason: 'sender_rejected' } as const)
      : matchTransfer(invoice, Boolean(token), firstSeenAt);
  const change = decide(existing, seen, match.matched);
  if (change.kind === 'none' || change.kind === 'annul') return { change };

  const working = existing ? withSource(existing, seen) : newTransfer(seen, token, match, invoice, firstSeenAt);
  const effect = applyChange(working, change, seen, at);
  const transfer: StoredTransfer = {
    ...working,
    history: [...working.history, historyEntry(change.kind, seen, at)],
    version: working.version + 1,
  };
  const commit: ReconcileCommit = {
    transfer,
    ...(existing ? { expectedTransferVersion: existing.version } : {}),
    ...(change.kind === 'incident'
      ? {
          incident: {
            transferId: transfer.id,
            blockHash: seen.blockHash,
            kind: 'reorg-after-final',
            detail: change.detail,
            at,
          } satisfies Incident,
        }
      : {}),
  };
  const credited = invoice && token && transfer.invoiceId ? creditInvoice(invoice, transfer, token, effect) : undefined;
  let outcome: InvoiceOutcome | undefined;
  let receiptDue: { payments: FinalPayment[] } | undefined;
  if (invoice && token && credited) {
    outcome = applyToInvoice(invoice, { ...credited, firstSeenAt }, now);
    const payment = effect.becomesFinal ? finalPayment(transfer, token, credited.paidDelta) : undefined;
    commit.invoice = {
      read: invoice,
      outcome,
      changes: { ...(payment ? { payment } : {}), ...(credited.tokenUnits ? { tokenUnits: credited.tokenUnits } : {}) },
      at,
    };
    if (outcome.becamePaid && !invoice.receiptId) {
      receiptDue = { payments: payment ? [...invoice.payments, payment] : invoice.payments };
    }
  }
  if (effect.becomesFinal && (transfer.invoiceId || token)) {
    commit.journal = finalEntry(transfer, invoice, credited?.paidDelta, at);
  }
  // Final money at a forwarder deposit address is the sweeper's to move: marked in the same transaction.
  const sweepCandidate = effect.becomesFinal ? sweepCandidateOf(transfer, invoice, token, at) : undefined;
  if (sweepCandidate) commit.sweepCandidate = sweepCandidate;
  return {
    change,
    commit,
    becomesFinal: effect.becomesFinal,
    ...(outcome ? { outcome } : {}),
    ...(receiptDue ? { receiptDue } : {}),
  };
}

/** A known transfer with the sighting's source added (the confirmer re-reports what others found: not a source). */
export function withSource(existing: StoredTransfer, seen: TransferObserved): StoredTransfer {
  const known = existing.sources.includes(seen.source) || seen.source === 'confirmer';
  return { ...existing, sources: known ? existing.sources : [...existing.sources, seen.source] };
}

/** A transfer seen for the first time, before its first change is applied (version -1: the first write is 0). */
function newTransfer(
  seen: TransferObserved,
  token: TokenConfig | undefined,
  match: ReturnType<typeof matchTransfer>,
  invoice: Invoice | undefined,
  firstSeenAt: string,
): StoredTransfer {
  const conversion = token ? tokenUnitsToMicroUsd(BigInt(seen.amount), token.decimals) : undefined;
  const transfer: StoredTransfer = {
    id: transferId(seen),
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
    ...(match.matched && invoice ? { invoiceId: invoice.id, ministry: invoice.ministry } : {}),
    ...(match.matched ? {} : { unmatchedReason: match.reason }),
    sources: [seen.source],
    history: [],
    firstSeenAt,
    version: -1,
  };
  const forwarderInvoiceId = forwarderInvoiceOf(transfer, invoice);
  return forwarderInvoiceId ? { ...transfer, forwarderInvoiceId } : transfer;
}

/** Applies `change` to the working copy `transfer` (state, blocks) and answers what it does to the invoice's sums. */
function applyChange(transfer: StoredTransfer, change: TransferChange, seen: TransferObserved, at: string) {
  const u = transfer.amount;
  const effect: ChangeEffect = { pendingUnits: 0n, paidUnits: 0n, becomesFinal: false };
  const becomeFinal = (pending: bigint, paid: bigint) => {
    transfer.state = 'final';
    Object.assign(effect, { becomesFinal: true, pendingUnits: pending, paidUnits: paid });
  };
  const leaveBlock = () => {
    transfer.removedBlockHashes = [...transfer.removedBlockHashes, seen.blockHash];
  };
  const moveTo = (block: { blockHash: string; blockNumber: number }) => {
    transfer.blockHash = block.blockHash;
    transfer.blockNumber = block.blockNumber;
  };
  switch (change.kind) {
    case 'record':
      transfer.state = change.state;
      if (change.state === 'reverted') transfer.removedBlockHashes = [seen.blockHash];
      if (change.creditPending) effect.pendingUnits = u;
      if (change.state === 'final') becomeFinal(effect.pendingUnits, change.creditFinal ? u : 0n);
      break;
    case 'finalize':
      becomeFinal(-u, u);
      break;
    case 'revert':
      transfer.state = 'reverted';
      leaveBlock();
      effect.pendingUnits = -u;
      break;
    case 'reinclude':
      transfer.state = change.state;
      moveTo(seen);
      if (change.state === 'final') becomeFinal(0n, u);
      else effect.pendingUnits = u;
      break;
    case 'fall-back':
      leaveBlock();
      moveTo(change);
      break;
    case 'move':
      transfer.previousBlocks = [
        ...(transfer.previousBlocks ?? []).filter((b) => b.blockHash !== transfer.blockHash),
        currentBlock(transfer),
      ];
      moveTo(seen);
      if (change.finalNow) becomeFinal(-u, u);
      break;
    case 'note-removed':
      leaveBlock();
      break;
    case 'settle':
      transfer.deepCheckedAt = at;
      if (change.moved) {
        // Still on chain, in another block: the money stands; the receipt keeps the block it was issued with.
        transfer.previousBlocks = [...(transfer.previousBlocks ?? []), currentBlock(transfer)];
        moveTo(change.moved);
      }
      break;
    case 'incident':
    case 'none':
    case 'annul':
      break;
  }
  return effect;
}

function currentBlock(t: StoredTransfer) {
  return { blockHash: t.blockHash, blockNumber: t.blockNumber };
}

/** The invoice's balance change for `effect`, or nothing when no units move. */
function creditInvoice(invoice: Invoice, transfer: StoredTransfer, token: TokenConfig, effect: ChangeEffect) {
  if (effect.pendingUnits === 0n && effect.paidUnits === 0n) return undefined;
  return unitChange(invoice, transfer, token, { pending: effect.pendingUnits, paid: effect.paidUnits });
}

/** The line a change adds to a transfer's history. */
export function historyEntry(kind: string, seen: TransferObserved, at: string) {
  return {
    at,
    event: kind,
    detail: `${seen.source}: block ${seen.blockNumber} ${seen.blockHash}${seen.removed ? ' removed' : ''}`,
  };
}

function finalEntry(
  transfer: StoredTransfer,
  invoice: Invoice | undefined,
  paidDelta: bigint | undefined,
  at: string,
): JournalEntry {
  const matched = invoice && transfer.invoiceId;
  return transferFinalEntry({
    transferId: transfer.id,
    chainId: transfer.chainId,
    token: transfer.token,
    // A matched transfer adds what it credited to the invoice (its share of the per-token sum).
    microUsd: matched ? (paidDelta ?? transfer.microUsd) : transfer.microUsd,
    at,
    annulled: transfer.annulments?.length ?? 0,
    atForwarder: forwarderInvoiceOf(transfer, invoice) !== undefined,
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
