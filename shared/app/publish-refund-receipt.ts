/**
 * Publishing a completed refund's signed receipt (`kind: "refund"`) to its ministry's registry, through the outbox
 * like receipts and annulments, but as a document of its own: it is not numbered in the ministry's receipt chain
 * (the chain orders what the ministry earned; a refund returns an overpayment or a stray payment, which the chain
 * never counted). The message names the refund only; the stored receipt is read (refunds are few), so only the
 * document the service committed is ever sent, byte for byte, under `Idempotency-Key: <receiptId>`. A message lost
 * between the completion's commit and the outbox is sent again by the next completion run (see `markSeen`).
 */
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import type { RefundReceiptDeliveries, Registry, WriteOnceArchive } from '../ports';
import { archiveDocument } from './archive-document';
import type { PublishOutcome } from './publish-receipt';

export interface PublishRefundReceiptDeps {
  deliveries: RefundReceiptDeliveries;
  registry: Registry;
  /** The write-once archive every document is written to before it is sent. */
  archive: WriteOnceArchive;
  now: () => Date;
}

/** Delivers refund `refundId`'s receipt; `retry` when the registry did not take it. */
export async function publishRefundReceipt(refundId: string, deps: PublishRefundReceiptDeps): Promise<PublishOutcome> {
  const stored = await deps.deliveries.get(refundId);
  if (!stored) throw new Error(`refund ${refundId} has no receipt`);
  if (stored.delivered) return { result: 'already-delivered' };
  // From here the message's retries and dead-letter queue own the receipt: no completion run sends it again.
  await deps.deliveries.markSeen(refundId);
  const { receipt, document } = stored;
  await archiveDocument(deps.archive, { kind: 'refund-receipt', id: receipt.receiptId, body: document });
  const delivery = await deps.registry.deliver(receipt.ministry, receipt.receiptId, document, deps.now());
  if (delivery.outcome !== 'delivered') {
    const error =
      delivery.outcome === 'not-configured' ? `no registry configured for ${receipt.ministry}` : delivery.error;
    countMetric('ReceiptDeliveryFailures');
    logger.warn('refund receipt delivery failed', { refundId, receiptId: receipt.receiptId, error });
    return { result: 'retry', error };
  }
  if (!(await deps.deliveries.markDelivered(refundId, deps.now()))) return { result: 'already-delivered' };
  countMetric('ReceiptsDelivered');
  logger.info('refund receipt delivered', { refundId, receiptId: receipt.receiptId, status: delivery.status });
  return { result: 'delivered' };
}
