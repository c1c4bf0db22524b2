/**
 * Reconciliation rules, pure: what one `TransferObserved` sighting does to the transfer it identifies and to the
 * invoice its deposit address belongs to. The use case (shared/app/reconcile-transfer.ts) loads the state,
 * asks `decide`, and writes the outcome in one DynamoDB transaction.
 */
import { type InvoiceException, type InvoiceStatus, LATE_WINDOW_MINUTES } from './invoices';
import { tokenUnitsToMicroUsd } from './money';
import type { TransferObserved, TransferSource } from './transfers';

export type TransferState = 'seen' | 'final' | 'reverted';
export type UnmatchedReason =
  | 'unknown_address'
  | 'token_not_accepted'
  | 'invoice_cancelled'
  | 'invoice_expired'
  | 'chain_not_enabled'
  /** Screening held it and the compliance officer rejected its sender (docs/compliance.md): never revenue. */
  | 'sender_rejected';

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
  /**
   * The invoice whose forwarder deposit address received it (matched to it or not: a payment to a cancelled
   * invoice's address is swept too); the sweeper needs the invoice id for the forwarder's salt.
   */
  forwarderInvoiceId?: string;
  /** Micro-USD the transfer is worth (0 when its token is not accepted). */
  microUsd: bigint;
  firstSeenAt: string;
  /** When the deeper re-check after finality found it still on chain (absent: not yet re-checked). */
  deepCheckedAt?: string;
}

/** A transfer as stored and as the API shows it (money as decimal strings on the wire). */
export interface StoredTransfer extends TransferRecord {
  id: string;
  chainId: number;
  token: string;
  txHash: string;
  logIndex: number;
  from: string;
  to: string;
  /** Base units. */
  amount: bigint;
  /** Token base units below one micro-USD (18-decimal tokens), kept, never rounded away. */
  remainderUnits: bigint;
  sources: TransferSource[];
  /**
   * The ministry of the invoice it is matched to (with `invoiceId`): lets the confirmer route the transfer's final
   * sighting to its ministry's receipt sequence and name the ministry's chain head among the keys read with it.
   */
  ministry?: string;
  /** Receipts annulled because this transfer was gone at the deep re-check (it may be mined again later). */
  annulments?: { at: string; blockHash: string; receiptId?: string; annulmentId?: string }[];
  history: { at: string; event: string; detail?: string }[];
  version: number;
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
  | { kind: 'incident'; detail: string }
  /**
   * The deeper re-check found a final transfer still on chain (in another block when `moved`): it is settled and no
   * longer re-checked.
   */
  | { kind: 'settle'; moved?: { blockHash: string; blockNumber: number } }
  /** The deeper re-check found a final transfer gone: its credit is annulled and the invoice reopened. */
  | { kind: 'annul'; detail: string };

/**
 * The change one sighting makes. `existing` is the stored transfer or undefined; `matched` says whether a new
 * transfer credits an invoice (decided by {@link matchTransfer}).
 */
export function decide(existing: TransferRecord | undefined, seen: TransferObserved, matched: boolean): TransferChange {
  const blockHash = seen.blockHash.toLowerCase();
  if (!existing) {
    if (seen.deep) return { kind: 'none', why: 'a deep re-check of a transfer not on record' };
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
  if (seen.deep) return decideDeep(existing, seen, sameBlock);
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
 * The deeper re-check of a final transfer, which only our confirmer makes (a provider's `deep` is never honoured):
 * still there → settled; gone → annulled. Any other state has nothing to settle or annul.
 */
function decideDeep(existing: TransferRecord, seen: TransferObserved, sameBlock: boolean): TransferChange {
  if (seen.source !== 'confirmer') return { kind: 'none', why: 'only our confirmer makes the deep re-check' };
  if (existing.state !== 'final' || existing.deepCheckedAt) return { kind: 'none', why: 'nothing to re-check' };
  if (seen.removed) {
    return sameBlock
      ? { kind: 'annul', detail: `final transfer gone from block ${existing.blockNumber} at the deep re-check` }
      : { kind: 'none', why: 'stale: another block of a final transfer' };
  }
  return sameBlock
    ? { kind: 'settle' }
    : { kind: 'settle', moved: { blockHash: seen.blockHash.toLowerCase(), blockNumber: seen.blockNumber } };
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
  return {
    paidMicroUsd: paid,
    pendingMicroUsd: pending,
    overpaidMicroUsd: 0n,
    ...unpaidState(paid, pending, expired, invoice.status),
    becamePaid: false,
  };
}

/** The state of an invoice that is not (or no longer) paid, from its balances. */
function unpaidState(
  paid: bigint,
  pending: bigint,
  expired: boolean,
  status: InvoiceStatus,
): { status: InvoiceStatus; exception: InvoiceException } {
  if (pending > 0n || (paid > 0n && !expired)) return { status: 'processing', exception: 'none' };
  if (expired || status === 'expired') return { status: 'expired', exception: paid > 0n ? 'underpaid' : 'none' };
  return { status: 'open', exception: 'none' };
}

/**
 * An invoice after a final payment of it was annulled (gone at the deep re-check): `paidDelta` (negative) comes off
 * the paid balance. Still covered by what remains → `paid` (a replacement receipt is due: `becamePaid`); otherwise
 * the invoice reopens for the missing amount, its expiry moved to `reopenUntil` when it has passed, so the payer
 * can pay again.
 */
export function reopenAfterAnnulment(
  invoice: InvoiceBalance,
  paidDelta: bigint,
  now: Date,
  reopenUntil: string,
): InvoiceOutcome & { expiresAt: string } {
  const paid = invoice.paidMicroUsd + paidDelta;
  if (paidDelta > 0n || paid < 0n) throw new Error('an annulment can only take off what was paid');
  const overpaid = paid > invoice.dueMicroUsd ? paid - invoice.dueMicroUsd : 0n;
  const balances = { paidMicroUsd: paid, pendingMicroUsd: invoice.pendingMicroUsd, overpaidMicroUsd: overpaid };
  if (paid >= invoice.dueMicroUsd) {
    const exception = overpaid > 0n ? 'overpaid' : invoice.exception === 'overpaid' ? 'none' : invoice.exception;
    return { ...balances, status: 'paid', exception, becamePaid: true, expiresAt: invoice.expiresAt };
  }
  const expiresAt = Date.parse(invoice.expiresAt) > now.getTime() ? invoice.expiresAt : reopenUntil;
  const state = unpaidState(paid, invoice.pendingMicroUsd, false, 'open');
  return { ...balances, ...state, becamePaid: false, expiresAt };
}

/**
 * Base units an invoice has received per token (`chainId:token`, token lower-case), pending and final. Money is
 * summed here, in base units, before it is converted: two 18-decimal parts that add up to the due amount pay it
 * exactly, where converting each part first would lose up to one micro-USD per part.
 */
export type TokenUnits = Record<string, { pending: bigint; paid: bigint }>;

/** The key of a token in {@link TokenUnits}. */
export function tokenUnitsKey(chainId: number, token: string): string {
  return `${chainId}:${token.toLowerCase()}`;
}

/**
 * Applies a change in base units of one token to an invoice's sums and answers the micro-USD deltas of its pending
 * and paid balances: each balance is the sum over tokens of the conversion of that token's summed units, so the
 * deltas are differences of conversions of sums (for 6-decimal tokens, exactly the units).
 */
export function applyUnits(
  units: TokenUnits,
  key: string,
  decimals: number,
  change: { pending: bigint; paid: bigint },
): { units: TokenUnits; pendingDelta: bigint; paidDelta: bigint } {
  const before = units[key] ?? { pending: 0n, paid: 0n };
  const after = { pending: before.pending + change.pending, paid: before.paid + change.paid };
  if (after.pending < 0n || after.paid < 0n) throw new Error(`token units of ${key} would become negative`);
  const micro = (u: bigint) => tokenUnitsToMicroUsd(u, decimals).microUsd;
  return {
    units: { ...units, [key]: after },
    pendingDelta: micro(after.pending) - micro(before.pending),
    paidDelta: micro(after.paid) - micro(before.paid),
  };
}
