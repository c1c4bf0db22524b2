/**
 * Refunds with four eyes, the API's use cases (the rules: shared/domain/refunds.ts): request, approve, reject, read.
 * - A ministry requests the refund of its own invoice's overpayment; an operator the refund of a suspense transfer.
 * - Another identity approves (an operator, or a second identity of the same ministry); the approved refund goes to
 *   the `refunds` queue, whose worker sends the custodian the signed order (shared/app/instruct-refund.ts).
 * - Every write is conditioned on what was read; a lost race reads and decides again, so a twin request, approval
 *   or rejection answers the outcome that won.
 * Another ministry's refund (or a stray one's, for a ministry caller) reads as absent, never forbidden.
 */
import { createHash } from 'node:crypto';
import { type ChainConfig, findChain, findToken, type TokenConfig } from '../domain/chains';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import {
  approveRefund,
  checkRefundRole,
  deeplySettled,
  ledgerAfter,
  ledgerWith,
  newRefundId,
  notYetSettledError,
  overpaymentRefundable,
  type Refund,
  type RefundActor,
  type Refundable,
  type RefundRequest,
  type RefundSource,
  type RefundState,
  rejectRefund,
  requestRefund,
  suspenseRefundable,
  type Transition,
} from '../domain/refunds';
import { RefundDestinationScreenedError, type ScreeningHit } from '../domain/screening';
import {
  ConcurrentChangeError,
  type Custodian,
  type RefundPage,
  type RefundQueue,
  type RefundSourceReader,
  type RefundStore,
} from '../ports';

export interface RefundDeps {
  refunds: RefundStore;
  sources: RefundSourceReader;
  chains: readonly ChainConfig[];
  queue: RefundQueue;
  /** The chain's custody account: never a refund's destination. */
  custodian: Pick<Custodian, 'custodyAccount'>;
  /**
   * What the screening lists and the token's blacklist say of an address (shared/app/screen-sender.ts): a refund is
   * never requested nor approved to an address they name.
   */
  destinations: { hitsFor(chainId: number, token: TokenConfig, address: string): Promise<ScreeningHit[]> };
  now: () => Date;
  newId?: () => string;
}

/** What a caller asks to refund: from an invoice's overpayment or from a suspense transfer. */
export type RefundRequestInput = RefundRequest & ({ invoiceId: string } | { transferId: string });

/** A request's outcome: the new refund, or the one an earlier identical request under the same key created. */
export interface RefundRequestOutcome {
  created: boolean;
  refund: Refund;
}

/** How often a use case reads and decides again after losing a race, before giving up (then 409). */
const RACE_ATTEMPTS = 3;

/** Requests a refund (201 `requested`), or answers the one an earlier request under the same key created. */
export async function requestRefundAs(
  actor: RefundActor,
  input: RefundRequestInput,
  idempotencyKey: string | undefined,
  deps: RefundDeps,
): Promise<RefundRequestOutcome> {
  const scope = actor.ministry ?? actor.role;
  const claim = idempotencyKey ? { key: idempotencyKey, requestHash: hashInput(input), scope } : undefined;
  const earlier = claim && (await earlierRefund(claim, deps.refunds));
  if (earlier) return { created: false, refund: earlier };
  const id = (deps.newId ?? newRefundId)();
  for (let attempt = 1; ; attempt++) {
    const { refundable, sourceVersion } = await refundableFor(actor, input, deps);
    const ledger = await deps.refunds.ledger(refundable.source);
    const custody = deps.custodian.custodyAccount(refundable.chainId);
    const refund = requestRefund({
      id,
      refundable,
      ledger,
      request: input,
      actor,
      now: deps.now(),
      ...(custody ? { custody } : {}),
    });
    await refuseScreenedDestination(refund, deps);
    try {
      if (await deps.refunds.create(refund, { read: ledger, next: ledgerWith(ledger, refund) }, sourceVersion, claim))
        return { created: true, refund };
      const twin = claim && (await earlierRefund(claim, deps.refunds));
      if (!twin) throw new Error(`refund ${id} was refused, and no earlier request holds its key`);
      return { created: false, refund: twin };
    } catch (error) {
      if (!(error instanceof ConcurrentChangeError) || attempt >= RACE_ATTEMPTS) throw raceLost(error);
    }
  }
}

function raceLost(error: unknown): unknown {
  return error instanceof ConcurrentChangeError
    ? new ConflictError('The source changed while the refund was requested; try again.')
    : error;
}

/** The refund an earlier request under the claim's key created; ConflictError when its body differed. */
async function earlierRefund(
  claim: { key: string; requestHash: string; scope: string },
  refunds: RefundStore,
): Promise<Refund | undefined> {
  const record = await refunds.idempotencyRecord(claim.scope, claim.key);
  if (!record) return undefined;
  if (record.requestHash !== claim.requestHash) {
    throw new ConflictError('This Idempotency-Key was used with a different request.');
  }
  return refunds.get(record.refundId);
}

/** What the caller may refund from the source named, with the source's version as read. */
async function refundableFor(
  actor: RefundActor,
  input: RefundRequestInput,
  deps: RefundDeps,
): Promise<{ refundable: Refundable; sourceVersion: number }> {
  if ('invoiceId' in input) {
    if (actor.role !== 'ministry')
      throw new ForbiddenError("A ministry requests the refund of its invoice's overpayment.");
    const invoice = await deps.sources.invoice(input.invoiceId);
    if (!invoice || invoice.ministry !== actor.ministry) throw new NotFoundError(`No invoice ${input.invoiceId}.`);
    const paid = await Promise.all(invoice.payments.map((p) => deps.sources.transfer(p.transferId)));
    const sender = paid.at(-1)?.from;
    const refundable = sender ? overpaymentRefundable(invoice, sender) : undefined;
    if (!refundable) throw new ConflictError(`Invoice ${invoice.id} is not overpaid: nothing to refund.`);
    // The overpayment is counted over all its payments: every one must be past the deep re-check.
    const unsettled = invoice.payments.filter((_, i) => !deeplySettled(paid[i])).map((p) => p.transferId);
    if (unsettled.length > 0) throw notYetSettledError(unsettled);
    return { refundable, sourceVersion: invoice.version };
  }
  if (actor.role !== 'operator' && actor.role !== 'compliance') {
    throw new ForbiddenError('An operator requests the refund of a suspense transfer.');
  }
  const transfer = await deps.sources.transfer(input.transferId);
  if (!transfer) throw new NotFoundError(`No transfer ${input.transferId}.`);
  checkRefundRole(transfer.unmatchedReason, actor);
  const chain = findChain(deps.chains, transfer.chainId);
  const token = chain && findToken(chain, transfer.token);
  if (!token) throw new ConflictError(`Transfer ${transfer.id} is of a token the service does not accept.`);
  const owner = await deps.sources.addressOwner(transfer.to);
  const refundable = suspenseRefundable(transfer, token.decimals, owner?.ministry);
  if (!refundable) throw new ConflictError(`Transfer ${transfer.id} is not a final suspense transfer.`);
  if (!deeplySettled(transfer)) throw notYetSettledError([transfer.id]);
  return { refundable, sourceVersion: transfer.version };
}

/** A refund the caller may see: a ministry caller its own ministry's only. */
export async function readRefund(actor: Pick<RefundActor, 'ministry'>, id: string, refunds: RefundStore) {
  const refund = await refunds.get(id);
  if (!refund || (actor.ministry && refund.ministry !== actor.ministry)) throw new NotFoundError(`No refund ${id}.`);
  return refund;
}

/** A page of the refunds the caller may see. */
export function listRefunds(
  actor: Pick<RefundActor, 'ministry'>,
  query: { state?: RefundState; cursor?: string; limit: number },
  refunds: RefundStore,
): Promise<RefundPage> {
  return refunds.list({ ...query, ...(actor.ministry ? { ministry: actor.ministry } : {}) });
}

/**
 * Approves a refund by a second identity; the approved refund is queued for its order to the custodian (again on
 * a repeated approval, so an approval whose message was lost is sent by approving once more).
 */
export async function approveRefundAs(actor: RefundActor, id: string, deps: RefundDeps): Promise<Refund> {
  // Screened again at approval: a list may have named the destination since the request.
  const requested = await readRefund(actor, id, deps.refunds);
  if (requested.state === 'requested') await refuseScreenedDestination(requested, deps);
  const refund = await transition(actor, id, deps, (r, now) => approveRefund(r, actor, now));
  if (refund.state === 'approved') await deps.queue.enqueue(refund.id);
  return refund;
}

/** @throws RefundDestinationScreenedError when the lists or the token's blacklist name the refund's destination. */
async function refuseScreenedDestination(
  refund: Pick<Refund, 'chainId' | 'token' | 'to'>,
  deps: RefundDeps,
): Promise<void> {
  const chain = findChain(deps.chains, refund.chainId);
  const token = chain && findToken(chain, refund.token);
  if (!token) throw new ConflictError(`Refunds of token ${refund.token} are not accepted on chain ${refund.chainId}.`);
  const hits = await deps.destinations.hitsFor(refund.chainId, token, refund.to);
  if (hits.length > 0) throw new RefundDestinationScreenedError(refund.to, hits);
}

/** Rejects a requested refund: its amount is released on its source's ledger, which takes a new request again. */
export function rejectRefundAs(actor: RefundActor, id: string, deps: RefundDeps): Promise<Refund> {
  return transition(actor, id, deps, (r, now) => rejectRefund(r, actor, now), true);
}

/** Reads, applies `step` and writes on the version read; a lost race reads and applies again. */
async function transition(
  actor: RefundActor,
  id: string,
  deps: RefundDeps,
  step: (refund: Refund, now: Date) => Transition,
  movesLedger = false,
): Promise<Refund> {
  for (let attempt = 1; ; attempt++) {
    const current = await readRefund(actor, id, deps.refunds);
    const { refund, changed } = step(current, deps.now());
    if (!changed) return refund;
    const ledger = movesLedger ? await ledgerChange(refund, deps.refunds) : undefined;
    const next = { ...refund, version: current.version + 1 };
    if (await deps.refunds.update(next, current.version, ledger)) return next;
    if (attempt >= RACE_ATTEMPTS) throw new ConflictError(`Refund ${id} changed meanwhile; try again.`);
  }
}

/** The ledger change of a refund leaving the open states (its source is free again). */
async function ledgerChange(refund: Refund, refunds: RefundStore) {
  const read = await refunds.ledger(refund.source);
  return { read, next: ledgerAfter(read, refund) };
}

/** The refunds of one source (an invoice shows its refunds). */
export function refundsOf(source: RefundSource, refunds: RefundStore): Promise<Refund[]> {
  return refunds.ofSource(source);
}

/** A stable hash of the request: the same fields in any key order hash the same. */
function hashInput(input: RefundRequestInput): string {
  const fields = Object.entries({ ...input, amount: input.amount?.toString() })
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
