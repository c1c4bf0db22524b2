/**
 * Sending an approved refund's order to the custodian, exactly once in effect: the order is signed ONCE, at the
 * first attempt, and its bytes stored on the refund (a conditional write, with the chain's head read before the
 * first send); every retry sends exactly those bytes under `Idempotency-Key: <refundId>` (a KMS signature is
 * randomized: signing again would change them). So a send whose outcome was lost (a crash after the custodian took
 * it, a timeout) is repeated and the custodian executes it once. Once delivered the refund becomes `instructed`
 * with a conditional write. The completion (shared/app/complete-refunds.ts) searches the custody's transfers after
 * the recorded head, so the refund's transfer cannot lie below it, even when a send whose answer was lost had
 * already been executed.
 */
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { type SignedRefundOrder, signRefundOrder } from '../domain/refund-documents';
import { instructRefund, keepSignedOrder, markOrderFrom, type Refund } from '../domain/refunds';
import type { Custodian, ReceiptSigner, RefundStore } from '../ports';

export interface InstructDeps {
  refunds: RefundStore;
  signer: ReceiptSigner;
  custodian: Custodian;
  /** The head block of a chain, from our own node. */
  headOf: (chainId: number) => Promise<number>;
  now: () => Date;
  fault?: (step: 'after-send') => void;
}

export type InstructOutcome = { result: 'instructed' | 'not-approved' } | { result: 'retry'; error: string };

/** Sends refund `refundId`'s order when it is approved; `retry` when the custodian did not take it. */
export async function instructRefundOrder(refundId: string, deps: InstructDeps): Promise<InstructOutcome> {
  const refund = await deps.refunds.get(refundId);
  if (refund?.state !== 'approved') {
    // Instructed by an earlier message (a redelivery), or never approved: nothing to send.
    logger.info('refund order not due', { refundId, state: refund?.state });
    return { result: 'not-approved' };
  }
  const marked = await preparedForSending(refund, deps);
  if (!marked?.signedOrder) return { result: 'retry', error: `refund ${refundId} changed meanwhile` };
  const order = JSON.parse(marked.signedOrder) as SignedRefundOrder;
  const delivery = await deps.custodian.sendOrder(order, deps.now());
  if (delivery.outcome !== 'delivered') {
    countMetric('RefundOrderFailures');
    const error = delivery.outcome === 'not-configured' ? 'no custodian is configured' : delivery.error;
    logger.warn('refund order not delivered', { refundId, error });
    return { result: 'retry', error };
  }
  deps.fault?.('after-send');
  const { refund: instructed } = instructRefund(marked, deps.now());
  const next = { ...instructed, version: marked.version + 1 };
  if (!(await deps.refunds.update(next, marked.version))) {
    const latest = await deps.refunds.get(refundId);
    if (latest?.state !== 'instructed') return { result: 'retry', error: `refund ${refundId} changed meanwhile` };
  }
  countMetric('RefundOrdersDelivered');
  logger.info('refund order delivered', { refundId, status: delivery.status, fromBlock: marked.instructedBlock });
  return { result: 'instructed' };
}

/**
 * The refund with the block its search starts from and its signed order, both recorded before its first send (one
 * conditional write; a refund that has them keeps them); undefined on a lost race (the next try reads the winner's).
 */
async function preparedForSending(refund: Refund, deps: InstructDeps): Promise<Refund | undefined> {
  if (refund.instructedBlock !== undefined && refund.signedOrder !== undefined) return refund;
  const head = refund.instructedBlock ?? (await deps.headOf(refund.chainId));
  const { refund: marked } = markOrderFrom(refund, head);
  const signed = marked.signedOrder ?? JSON.stringify(await signRefundOrder(marked, deps.signer));
  const { refund: prepared } = keepSignedOrder(marked, signed);
  const next = { ...prepared, version: refund.version + 1 };
  return (await deps.refunds.update(next, refund.version)) ? next : undefined;
}
