/**
 * Refunds with four eyes (DESIGN.md, "Refunds"), pure: what may be refunded, the refund's life
 * (requested → approved → instructed → completed, or rejected), and the rules each step checks. Persistence is in
 * shared/adapters/dynamo/refunds.ts; the use cases are shared/app/refunds.ts and shared/app/instruct-refund.ts.
 *
 * - Refundable from an invoice: its overpayment, in the token of the final payment that overpaid it (the last one to
 *   become final), converted exactly from micro-USD to that token's base units (rounded down for a token with
 *   fewer than 6 decimals, so never more), and never more than the invoice received in that token. `to` defaults
 *   to that payment's sender.
 * - Refundable from a suspense transfer (final, matched to no invoice): its whole amount, to its sender.
 * - Only money that passed the deep re-check after finality ({@link deeplySettled}) is refundable: an invoice's
 *   payments all, a suspense transfer itself; before that a request is refused (it may still be annulled).
 * - Never more than the refundable amount less what completed and open refunds of the same source took (the
 *   source's {@link RefundLedger}), counted in micro-USD: refunds of one source may be in different tokens (an
 *   invoice paid in a 6- and an 18-decimal token), and base units of different tokens do not add up. A refund's
 *   micro-USD are rounded UP against the cap, so rounding dust never accumulates past it. Each refund is also
 *   capped at what the source received in its token. Never two open refunds for one source.
 * - Approved only by another identity than the requester's; approving or rejecting twice answers the refund as it is.
 */
import { randomBytes } from 'node:crypto';
import { getAddress, ZeroAddress } from 'ethers';
import { ConflictError, ForbiddenError, UnprocessableError, ValidationError } from './errors';
import type { Invoice } from './invoices';
import { type JournalEntry, refundCompletedEntry } from './journal';
import { MICRO_USD_DECIMALS, minBigInt, pow10, tokenUnitsToMicroUsd } from './money';
import type { StoredTransfer } from './reconcile';

export const refundStates = ['requested', 'approved', 'instructed', 'completed', 'rejected'] as const;
export type RefundState = (typeof refundStates)[number];
/** A refund in one of these states holds its source: no second refund of that source may be requested. */
export const OPEN_REFUND_STATES: readonly RefundState[] = ['requested', 'approved', 'instructed'];

/** What a refund returns money from. */
export type RefundSource = { kind: 'invoice'; invoiceId: string } | { kind: 'transfer'; transferId: string };

/** A refund as the domain sees it: money in bigint (token base units). */
export interface Refund {
  id: string;
  source: RefundSource;
  /** The ministry whose invoice (or whose cancelled invoice's address) the money came to; absent for a stray one. */
  ministry?: string;
  chainId: number;
  /** Token contract, EIP-55. */
  token: string;
  decimals: number;
  /** A suspense transfer's reason (its journal account, `suspense:<reason>`). */
  suspenseReason?: string;
  /** Destination, EIP-55. */
  to: string;
  /** Token base units. */
  amount: bigint;
  reason: string;
  state: RefundState;
  requestedBy: string;
  requestedAt: string;
  approvedBy?: string;
  approvedAt?: string;
  instructedAt?: string;
  /**
   * The chain's head read before the order was first sent (kept across retries: a send whose answer was lost may
   * have been executed already): the completion's search for the refund's transfer starts there.
   */
  instructedBlock?: number;
  completedAt?: string;
  /**
   * The signed order (the JSON sent to the custodian: typed data + signature), stored at the first attempt and
   * resent byte for byte on every retry: a KMS signature is randomized, so signing again would change the bytes
   * the custodian sees under the same `Idempotency-Key`. Not part of the API's refund body.
   */
  signedOrder?: string;
  /** The custody → `to` transfer that completed the refund. */
  txHash?: string;
  logIndex?: number;
  blockNumber?: number;
  rejectedBy?: string;
  rejectedAt?: string;
  /** The signed refund receipt issued on completion. */
  receiptId?: string;
  /** Optimistic-concurrency version: every write checks and bumps it. */
  version: number;
}

/** Who acts on a refund: the JWT subject, role, and a ministry caller's ministry. */
export interface RefundActor {
  subject: string;
  role: 'ministry' | 'operator' | 'auditor' | 'compliance';
  ministry?: string;
}

/**
 * Money of a sender the compliance officer rejected after screening (suspense `sender_rejected`) is refunded by the
 * compliance role alone, four eyes among its officers; every other refund is never that role's.
 * @throws ForbiddenError when `actor` may not request or decide a refund of money in suspense for `suspenseReason`.
 */
export function checkRefundRole(suspenseReason: string | undefined, actor: Pick<RefundActor, 'role'>): void {
  const rejectedSender = suspenseReason === 'sender_rejected';
  if (rejectedSender === (actor.role === 'compliance')) return;
  throw new ForbiddenError(
    rejectedSender
      ? 'Only the compliance role refunds the money of a sender it rejected.'
      : 'The compliance role refunds only the money of senders it rejected.',
  );
}

/**
 * What a source gave to refunds so far: micro-USD held by completed and open refunds (each rounded up, see
 * {@link refundMicroUsdCeil}), and the open one.
 */
export interface RefundLedger {
  reservedMicroUsd: bigint;
  openRefundId?: string;
  /**
   * Set only on a ledger stored by the older code, which kept base units (`reservedUnits`) instead of micro-USD:
   * the stored value, so the write that migrates it is conditioned on it; `reservedMicroUsd` is then recomputed
   * from the source's refunds ({@link reservedMicroUsdOf}).
   */
  legacyReservedUnits?: bigint;
}

/** The empty ledger of a source nothing was refunded from. */
export const EMPTY_LEDGER: RefundLedger = Object.freeze({ reservedMicroUsd: 0n });

/**
 * A refund's worth in micro-USD, rounded UP (an 18-decimal amount that is not a whole micro-USD counts as the next
 * micro-USD): what it takes from its source's refundable micro-USD, so dust never adds up past the cap.
 */
export function refundMicroUsdCeil(amount: bigint, decimals: number): bigint {
  const { microUsd, remainder } = tokenUnitsToMicroUsd(amount, decimals);
  return remainder > 0n ? microUsd + 1n : microUsd;
}

/** The micro-USD a source's refunds hold: completed and open ones (a rejected one holds nothing). */
export function reservedMicroUsdOf(refunds: readonly Refund[]): bigint {
  return refunds
    .filter((r) => r.state !== 'rejected')
    .reduce((sum, r) => sum + refundMicroUsdCeil(r.amount, r.decimals), 0n);
}

/** What a source allows refunding: in which token, at most how much, to whom by default. */
export interface Refundable {
  source: RefundSource;
  ministry?: string;
  chainId: number;
  token: string;
  decimals: number;
  /**
   * Micro-USD refundable from the source in all, over every token (before what refunds already took): an
   * invoice's `overpaidMicroUsd`, a suspense transfer's worth.
   */
  microUsd: bigint;
  /** At most this many base units of `token` per refund: what the source received in that token. */
  units: bigint;
  /** The sender of the money: the default destination. */
  sender: string;
  /** The deposit address the money came to: never a destination (it would be swept back to custody). */
  depositAddress: string;
  /** A suspense transfer's reason. */
  suspenseReason?: string;
}

/** A public refund id: `rfd_` and 128 random bits, base64url. */
export function newRefundId(): string {
  return `rfd_${randomBytes(16).toString('base64url')}`;
}

/** Shape check for refund ids in paths, so a malformed id is a 404 without touching the table. */
export const REFUND_ID_PATTERN = /^rfd_[A-Za-z0-9_-]{22}$/;

/** The id of a refund's signed receipt. */
export function refundReceiptIdFor(refundId: string): string {
  return `rrc_${refundId.replace(/^rfd_/, '')}`;
}

/**
 * What a refund's on-chain transfer looks like to the completion (custody → `to` of `amount` of `token` on
 * `chainId`), as one string. The completion cannot tell apart two open refunds with the same one, so at most one
 * open refund may hold it (the store keeps a uniqueness item under it while the refund is open).
 */
export function refundOrderShape(refund: Pick<Refund, 'chainId' | 'token' | 'to' | 'amount'>): string {
  return `${refund.chainId}:${refund.token.toLowerCase()}:${refund.to.toLowerCase()}:${refund.amount}`;
}

/** The refusal of a refund whose transfer would look exactly like another open refund's. */
export function sameTransferOpenError(refund: Pick<Refund, 'amount' | 'to'>): ConflictError {
  return new ConflictError(
    `Another open refund already sends exactly ${refund.amount} base units of this token to ${refund.to} on this ` +
      'chain; its transfer could not be told apart from this one. Ask again once it is completed or rejected, or ' +
      'ask for a different amount.',
  );
}

/** `invoice:<id>` or `transfer:<id>`: a source as one string (keys, orders, receipts). */
export function sourceKey(source: RefundSource): string {
  return source.kind === 'invoice' ? `invoice:${source.invoiceId}` : `transfer:${source.transferId}`;
}

/**
 * Micro-USD as base units of a token with `decimals`, never more than the micro-USD are worth: exact for 6 or more
 * decimals, rounded down below 6.
 */
export function microUsdToTokenUnitsFloor(microUsd: bigint, decimals: number): bigint {
  if (decimals >= MICRO_USD_DECIMALS) return microUsd * pow10(decimals - MICRO_USD_DECIMALS);
  return microUsd / pow10(MICRO_USD_DECIMALS - decimals);
}

/**
 * What an invoice's overpayment allows refunding: in the token of its last final payment (the one that overpaid),
 * its overpayment in that token's base units, at most what the invoice received in that token. `sender` is that
 * payment's sender, read from its transfer. Undefined when the invoice is not overpaid.
 */
export function overpaymentRefundable(
  invoice: Pick<Invoice, 'id' | 'ministry' | 'overpaidMicroUsd' | 'payments' | 'depositAddress'>,
  lastPaymentSender: string,
): Refundable | undefined {
  const last = invoice.payments.at(-1);
  if (!last || invoice.overpaidMicroUsd <= 0n) return undefined;
  const sameToken = invoice.payments.filter(
    (p) => p.chainId === last.chainId && p.token.toLowerCase() === last.token.toLowerCase(),
  );
  const received = sameToken.reduce((sum, p) => sum + p.amount, 0n);
  const overpaid = microUsdToTokenUnitsFloor(invoice.overpaidMicroUsd, last.decimals);
  return {
    source: { kind: 'invoice', invoiceId: invoice.id },
    ministry: invoice.ministry,
    chainId: last.chainId,
    token: getAddress(last.token),
    decimals: last.decimals,
    microUsd: invoice.overpaidMicroUsd,
    units: minBigInt(overpaid, received),
    sender: getAddress(lastPaymentSender),
    depositAddress: getAddress(invoice.depositAddress),
  };
}

/**
 * What a suspense transfer allows refunding: all of it, to its sender. Undefined when it is not in suspense (matched
 * to an invoice) or not final (it may still leave the chain). `decimals` is the token's when it is accepted; a
 * transfer of a token the service does not accept is refunded in base units all the same.
 */
export function suspenseRefundable(
  transfer: Pick<
    StoredTransfer,
    'id' | 'state' | 'invoiceId' | 'unmatchedReason' | 'chainId' | 'token' | 'amount' | 'from' | 'to'
  >,
  decimals: number,
  ministry?: string,
): Refundable | undefined {
  if (transfer.invoiceId || transfer.state !== 'final') return undefined;
  return {
    source: { kind: 'transfer', transferId: transfer.id },
    ...(ministry ? { ministry } : {}),
    chainId: transfer.chainId,
    token: getAddress(transfer.token),
    decimals,
    // Its whole amount, rounded up: the dust below a micro-USD of an 18-decimal transfer is refundable too.
    microUsd: refundMicroUsdCeil(transfer.amount, decimals),
    units: transfer.amount,
    sender: getAddress(transfer.from),
    depositAddress: getAddress(transfer.to),
    suspenseReason: transfer.unmatchedReason ?? 'unknown_address',
  };
}

/**
 * Whether a transfer's money may be refunded: final AND past the deeper re-check after finality (`deepCheckedAt`,
 * set by our confirmer; see shared/domain/reconcile.ts). Until then a deep reorg may still annul it, and money
 * refunded from custody would then be gone twice.
 */
export function deeplySettled(transfer: Pick<StoredTransfer, 'state' | 'deepCheckedAt'> | undefined): boolean {
  return transfer?.state === 'final' && Boolean(transfer.deepCheckedAt);
}

/** The refusal of a refund of money some of whose transfers have not passed the deep re-check yet. */
export function notYetSettledError(transferIds: readonly string[]): ConflictError {
  return new ConflictError(
    `The payment is not yet settled deeply enough to be refunded: transfer(s) ${transferIds.join(', ')} have not ` +
      'passed the re-check after finality. Ask again in a few minutes.',
  );
}

/** What a caller asks for: a destination and an amount (defaults: the sender, all that is left), and why. */
export interface RefundRequest {
  to?: string;
  amount?: bigint;
  reason: string;
}

/**
 * The refund a request makes, in state `requested`.
 * @throws ConflictError when the source has an open refund, or nothing (or less than asked) is left to refund.
 * @throws ValidationError for a zero amount or a malformed destination.
 * @throws UnprocessableError for a destination money cannot be returned to: the zero address, the chain's custody
 *   account (`custody`), or the deposit address the money came to.
 */
export function requestRefund(input: {
  id: string;
  refundable: Refundable;
  ledger: RefundLedger;
  request: RefundRequest;
  actor: RefundActor;
  now: Date;
  custody?: string;
}): Refund {
  const { refundable, ledger, request } = input;
  const to = request.to ? checksummed(request.to) : refundable.sender;
  refuseDestination(to, refundable, input.custody);
  if (ledger.openRefundId) {
    throw new ConflictError(`Refund ${ledger.openRefundId} of this source is still open.`);
  }
  const leftMicroUsd = refundable.microUsd - ledger.reservedMicroUsd;
  // Within what is left in micro-USD (over all tokens) and within what came in the refund's token.
  const left =
    leftMicroUsd > 0n ? minBigInt(refundable.units, microUsdToTokenUnitsFloor(leftMicroUsd, refundable.decimals)) : 0n;
  if (left <= 0n) throw new ConflictError('Nothing is left to refund from this source.');
  const amount = request.amount ?? left;
  if (amount <= 0n) throw new ValidationError([{ field: 'amount', message: 'must be more than 0' }]);
  if (amount > left) throw new ConflictError(`At most ${left} base units are left to refund from this source.`);
  return {
    id: input.id,
    source: refundable.source,
    ...(refundable.ministry ? { ministry: refundable.ministry } : {}),
    chainId: refundable.chainId,
    token: refundable.token,
    decimals: refundable.decimals,
    ...(refundable.suspenseReason ? { suspenseReason: refundable.suspenseReason } : {}),
    to,
    amount,
    reason: request.reason,
    state: 'requested',
    requestedBy: input.actor.subject,
    requestedAt: input.now.toISOString(),
    version: 0,
  };
}

/** Refuses a destination the money would not reach its owner at (burnt, or swept straight back to custody). */
function refuseDestination(to: string, refundable: Refundable, custody: string | undefined): void {
  const refuse = (why: string) => {
    throw new UnprocessableError(`A refund cannot be sent to ${to}: ${why}.`);
  };
  if (to === ZeroAddress) refuse('it is the zero address (the tokens would be burnt, or the transfer refused)');
  if (custody && to === getAddress(custody)) refuse("it is the chain's custody account the refund is paid from");
  if (to === refundable.depositAddress) refuse('it is the deposit address the money came to (it is swept to custody)');
}

function checksummed(address: string): string {
  try {
    return getAddress(address);
  } catch {
    throw new ValidationError([{ field: 'to', message: 'must be an address (EIP-55 checksum when mixed case)' }]);
  }
}

/** A transition's result: the refund after it, and whether anything changed (a repeat changes nothing). */
export interface Transition {
  refund: Refund;
  changed: boolean;
}

/**
 * Approval by a second identity. Approving again by the same approver answers the refund as it is.
 * @throws ForbiddenError when the approver is the requester (four eyes).
 * @throws ConflictError when the refund is past approval, or was approved by someone else, or rejected.
 */
export function approveRefund(refund: Refund, actor: RefundActor, now: Date): Transition {
  checkRefundRole(refund.suspenseReason, actor);
  if (actor.subject === refund.requestedBy) {
    throw new ForbiddenError('The requester of a refund cannot approve it: another identity must.');
  }
  if (refund.state !== 'requested') {
    if (refund.approvedBy === actor.subject) return { refund, changed: false };
    throw new ConflictError(`Refund ${refund.id} is ${refund.state}; it cannot be approved.`);
  }
  return {
    refund: { ...refund, state: 'approved', approvedBy: actor.subject, approvedAt: now.toISOString() },
    changed: true,
  };
}

/**
 * Rejection, while the refund is only requested (an approved refund is on its way to the custodian). Rejecting a
 * rejected refund again answers it as it is.
 * @throws ConflictError when the refund is past `requested`.
 */
export function rejectRefund(refund: Refund, actor: RefundActor, now: Date): Transition {
  checkRefundRole(refund.suspenseReason, actor);
  if (refund.state === 'rejected') return { refund, changed: false };
  if (refund.state !== 'requested') {
    throw new ConflictError(`Refund ${refund.id} is ${refund.state}; it can no longer be rejected.`);
  }
  return {
    refund: { ...refund, state: 'rejected', rejectedBy: actor.subject, rejectedAt: now.toISOString() },
    changed: true,
  };
}

/**
 * Before an approved refund's order is first sent: remember the chain's head, below which its transfer cannot lie.
 * A refund that has one keeps it (a retry must not move it above a transfer an earlier send caused).
 */
export function markOrderFrom(refund: Refund, headBlock: number): Transition {
  if (refund.state !== 'approved' || refund.instructedBlock !== undefined) return { refund, changed: false };
  return { refund: { ...refund, instructedBlock: headBlock }, changed: true };
}

/** Before an approved refund's order is first sent: the signed order's bytes, kept for every retry. */
export function keepSignedOrder(refund: Refund, signedOrder: string): Transition {
  if (refund.state !== 'approved' || refund.signedOrder !== undefined) return { refund, changed: false };
  return { refund: { ...refund, signedOrder }, changed: true };
}

/** The order reached the custodian: `instructed` (the completion searches from the block marked before sending). */
export function instructRefund(refund: Refund, now: Date): Transition {
  if (refund.state !== 'approved') return { refund, changed: false };
  if (refund.instructedBlock === undefined) throw new Error(`refund ${refund.id}: no block marked before sending`);
  return { refund: { ...refund, state: 'instructed', instructedAt: now.toISOString() }, changed: true };
}

/** The custody → `to` transfer the completion found on chain, final. */
export interface RefundTransfer {
  txHash: string;
  logIndex: number;
  blockNumber: number;
}

/** The refund's transfer is on chain and final: `completed`, naming it and the refund receipt. */
export function completeRefund(refund: Refund, transfer: RefundTransfer, now: Date): Transition {
  if (refund.state !== 'instructed') return { refund, changed: false };
  return {
    refund: {
      ...refund,
      state: 'completed',
      completedAt: now.toISOString(),
      txHash: transfer.txHash.toLowerCase(),
      logIndex: transfer.logIndex,
      blockNumber: transfer.blockNumber,
      receiptId: refundReceiptIdFor(refund.id),
    },
    changed: true,
  };
}

/** The journal entry of a completed refund: its amount leaves the overpayment (or suspense) account and custody. */
export function refundJournalEntry(refund: Refund): JournalEntry {
  if (!refund.completedAt) throw new Error(`refund ${refund.id} is not completed`);
  const { microUsd } = tokenUnitsToMicroUsd(refund.amount, refund.decimals);
  return refundCompletedEntry({
    refundId: refund.id,
    chainId: refund.chainId,
    token: refund.token,
    microUsd,
    at: refund.completedAt,
    source:
      refund.source.kind === 'invoice'
        ? { invoiceId: refund.source.invoiceId, ministry: refund.ministry ?? '' }
        : { transferId: refund.source.transferId, unmatchedReason: refund.suspenseReason ?? 'unknown_address' },
  });
}

/** The ledger after a refund is created (it holds the source and its micro-USD, rounded up). */
export function ledgerWith(ledger: RefundLedger, refund: Refund): RefundLedger {
  const reservedMicroUsd = ledger.reservedMicroUsd + refundMicroUsdCeil(refund.amount, refund.decimals);
  return { reservedMicroUsd, openRefundId: refund.id };
}

/** The ledger after a refund is rejected (its micro-USD are released) or completed (they stay taken). */
export function ledgerAfter(ledger: RefundLedger, refund: Refund): RefundLedger {
  const held = refundMicroUsdCeil(refund.amount, refund.decimals);
  return { reservedMicroUsd: ledger.reservedMicroUsd - (refund.state === 'rejected' ? held : 0n) };
}

/** Wire form of a refund (the API's refund body): money as decimal strings. */
export interface RefundWire extends Omit<Refund, 'amount' | 'version' | 'source' | 'signedOrder'> {
  source: RefundSource;
  amount: string;
}

/** The API body of a refund. */
export function refundToWire(refund: Refund): RefundWire {
  const { version: _version, signedOrder: _order, amount, ...rest } = refund;
  return { ...rest, amount: amount.toString() };
}
