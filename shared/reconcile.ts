/**
 * Reconciliation rules, pure: what one `TransferObserved` sighting does to the transfer it identifies and to the
 * invoice its deposit address belongs to. The use case (shared/use-cases/reconcile-transfer.ts) loads the state,
 * asks `decide`, and writes the outcome in one DynamoDB transaction.
 */
import { type InvoiceException, type InvoiceStatus, LATE_WINDOW_MINUTES } from './invoices';
import type { TransferObserved } from './transfers';

export type TransferState = 'seen' | 'final' | 'reverted';
export type UnmatchedReason =
  | 'unknown_address'
  | 'token_not_accepted'
  | 'invoice_cancelled'
  | 'invoice_expired'
  | 'chain_not_enabled';

/** What the store holds of a transfer, as far as the rules care. */
export interface TransferRecord {
  state: TransferState;
  blockHash: string;
  blockNumber: number;
  /** Block hashes this transfer was reported removed from: a late "added" sighting in one of them is stale. */
  removedBlockHashes: string[];
  /**
   * Other blocks this `seen` transfer was reported in before it moved to `blockHash` (sightings arrive in any order:
   * a stale one can move it back to a block a reorg is about to remove). When its block is removed it falls back on
   * the latest of these not removed, instead of reverting a payment that is still on chain.
   */
  previousBlocks?: { blockHash: string; blockNumber: number }[];
  invoiceId?: string;
  unmatchedReason?: UnmatchedReason;
  /** Micro-USD the transfer is worth (0 when its token is not accepted). */
  microUsd: bigint;
  firstSeenAt: string;
}

/** The invoice fields the rules read. */
export interface InvoiceBalance {
  status: InvoiceStatus;
  exception: InvoiceException;
  dueMicroUsd: bigint;
  paidMicroUsd: bigint;
  pendingMicroUsd: bigint;
  expiresAt: string;
  receiptId?: string;
}

/** How a sighting changes a transfer. */
export type TransferChange =
  /** Nothing to do (a repeat, or a stale sighting). */
  | { kind: 'none'; why: string }
  /** First sighting: record it as `state`, matched or not. */
  | { kind: 'record'; state: TransferState; creditPending: boolean; creditFinal: boolean }
  /** A `seen` transfer became final on the same block. */
  | { kind: 'finalize' }
  /** A `seen` transfer's block left the canonical chain: undo its pending credit. */
  | { kind: 'revert' }
  /**
   * A `seen` transfer's block left the canonical chain, but it was also reported in another block not removed: it
   * stays seen there (pending credit kept), and the confirmer checks that block against the chain.
   */
  | { kind: 'fall-back'; blockHash: string; blockNumber: number }
  /** A reverted transfer was mined again (possibly in another block). */
  | { kind: 'reinclude'; state: TransferState }
  /** A `seen` transfer moved to another block; still not final (or final now). */
  | { kind: 'move'; finalNow: boolean }
  /** A removal notice for a block this transfer is not (or no longer) in: remember it, change nothing else. */
  | { kind: 'note-removed' }
  /** A final transfer was reported removed or moved: never rewritten, an incident is raised. */
  | { kind: 'incident'; detail: string };

/**
 * The change one sighting makes. `existing` is the stored transfer or undefined; `matched` says whether a new
 * transfer credits an invoice (decided by {@link matchTransfer}).
 */
export function decide(existing: TransferRecord | undefined, seen: TransferObserved, matched: boolean): TransferChange {
  const blockHash = seen.blockHash.toLowerCase();
  if (!existing) {
    if (seen.removed) return { kind: 'record', state: 'reverted', creditPending: false, creditFinal: false };
    const state: TransferState = seen.final ? 'final' : 'seen';
    return {
      kind: 'record',
      state,
      creditPending: matched && state === 'seen',
      creditFinal: matched && state === 'final',
    };
  }
  const sameBlock = existing.blockHash === blockHash;
  if (seen.removed) {
    if (!sameBlock) {
      return existing.removedBlockHashes.includes(blockHash)
        ? { kind: 'none', why: 'removal already noted' }
        : { kind: 'note-removed' };
    }
    if (existing.state === 'seen') {
      const fallback = (existing.previousBlocks ?? [])
        .filter((b) => b.blockHash !== blockHash && !existing.removedBlockHashes.includes(b.blockHash))
        .at(-1);
      return fallback ? { kind: 'fall-back', ...fallback } : { kind: 'revert' };
    }
    if (existing.state === 'final') {
      return { kind: 'incident', detail: `final transfer reported removed from block ${blockHash}` };
    }
    return { kind: 'none', why: 'already reverted' };
  }
  if (existing.removedBlockHashes.includes(blockHash)) return { kind: 'none', why: 'stale: its block was removed' };
  switch (existing.state) {
    case 'reverted':
      return { kind: 'reinclude', state: seen.final ? 'final' : 'seen' };
    case 'seen':
      if (!sameBlock) return { kind: 'move', finalNow: Boolean(seen.final) };
      return seen.final ? { kind: 'finalize' } : { kind: 'none', why: 'repeat sighting' };
    case 'final':
      if (sameBlock) return { kind: 'none', why: 'already final' };
      // A transaction sits in one canonical block. A plain sighting of another block after finality is a late
      // report from a fork; only a finality claim for another block contradicts what we made final.
      return seen.final
        ? { kind: 'incident', detail: `final transfer reported final in another block ${blockHash}` }
        : { kind: 'none', why: 'stale: another block of a final transfer' };
  }
}

/**
 * Whether a new transfer to an invoice's deposit address counts for it: not after cancellation, and not after the
 * late-payment window (judged by when the transfer was first seen).
 */
export function matchTransfer(
  invoice: Pick<InvoiceBalance, 'status' | 'expiresAt'> | undefined,
  tokenAccepted: boolean,
  firstSeenAt: string,
): { matched: true } | { matched: false; reason: UnmatchedReason } {
  if (!tokenAccepted) return { matched: false, reason: 'token_not_accepted' };
  if (!invoice) return { matched: false, reason: 'unknown_address' };
  if (invoice.status === 'cancelled') return { matched: false, reason: 'invoice_cancelled' };
  const lateUntil = Date.parse(invoice.expiresAt) + LATE_WINDOW_MINUTES * 60_000;
  if (Date.parse(firstSeenAt) > lateUntil) return { matched: false, reason: 'invoice_expired' };
  return { matched: true };
}

/** New balances and state of an invoice after a pending/paid change. */
export interface InvoiceOutcome {
  paidMicroUsd: bigint;
  pendingMicroUsd: bigint;
  overpaidMicroUsd: bigint;
  status: InvoiceStatus;
  exception: InvoiceException;
  /** True when this change completes the invoice: a receipt is due. */
  becamePaid: boolean;
}

/**
 * Applies `pendingDelta` and `paidDelta` (micro-USD) at `now`. `paid` is reached only on final money; once paid,
 * an invoice stays paid (its receipt stands) and later money only adds to the overpayment.
 */
export function applyToInvoice(
  invoice: InvoiceBalance,
  change: { pendingDelta: bigint; paidDelta: bigint; firstSeenAt: string },
  now: Date,
): InvoiceOutcome {
  const paid = invoice.paidMicroUsd + change.paidDelta;
  const pending = invoice.pendingMicroUsd + change.pendingDelta;
  if (pending < 0n || paid < 0n) throw new Error('reconciliation would make an invoice balance negative');
  const overpaid = paid > invoice.dueMicroUsd ? paid - invoice.dueMicroUsd : 0n;
  const expired = now.getTime() >= Date.parse(invoice.expiresAt);
  if (invoice.status === 'paid') {
    return {
      paidMicroUsd: paid,
      pendingMicroUsd: pending,
      overpaidMicroUsd: overpaid,
      status: 'paid',
      exception: overpaid > 0n ? 'overpaid' : invoice.exception,
      becamePaid: false,
    };
  }
  if (paid >= invoice.dueMicroUsd) {
    const late = Date.parse(change.firstSeenAt) > Date.parse(invoice.expiresAt);
    return {
      paidMicroUsd: paid,
      pendingMicroUsd: pending,
      overpaidMicroUsd: overpaid,
      status: 'paid',
      // Overpaid wins: it needs an action (a refund); lateness is on the record through the dates.
      exception: overpaid > 0n ? 'overpaid' : late ? 'late' : 'none',
      becamePaid: true,
    };
  }
  let status: InvoiceStatus;
  let exception: InvoiceException = 'none';
  if (pending > 0n || (paid > 0n && !expired)) status = 'processing';
  else if (expired || invoice.status === 'expired') {
    status = 'expired';
    exception = paid > 0n ? 'underpaid' : 'none';
  } else status = 'open';
  return { paidMicroUsd: paid, pendingMicroUsd: pending, overpaidMicroUsd: 0n, status, exception, becamePaid: false };
}
