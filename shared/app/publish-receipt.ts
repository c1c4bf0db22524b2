/**
 * Publishing one receipt to its ministry's registry, exactly once in effect: a delivered receipt is not sent again;
 * a send whose outcome was lost (crash, timeout) is repeated with the same Idempotency-Key and the same bytes, so the
 * registry stores it once. The receipt records each attempt, its last error and its delivery state.
 */

import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import type { ReceiptDeliveries, Registry } from '../ports';

export type PublishOutcome = { result: 'delivered' | 'already-delivered' } | { result: 'retry'; error: string };

export interface PublishDeps {
  receipts: ReceiptDeliveries;
  registry: Registry;
  now: () => Date;
  /** True when this is the last try before the message goes to the dead-letter queue. */
  lastTry: boolean;
  /** Carried into every log line of this delivery (records of a batch are published in parallel). */
  correlationId?: string;
  fault?: (step: 'after-send') => void;
}

/** Delivers the stored document `receiptId` (a receipt or an annulment); `retry` when the registry did not take it. */
export async function publishReceipt(receiptId: string, deps: PublishDeps): Promise<PublishOutcome> {
  const stored = await deps.receipts.get(receiptId);
  if (!stored) throw new Error(`receipt ${receiptId} does not exist`);
  if (stored.deliveryState === 'delivered') return { result: 'already-delivered' };
  const { ministry } = stored.receipt;
  const at = deps.now();
  // The signed document exactly as stored: retries send the same bytes.
  const body = JSON.stringify(stored.receipt);
  const delivery = await deps.registry.deliver(ministry, receiptId, body, at);
  if (delivery.outcome === 'not-configured') {
    // Nothing was sent: the receipt waits (and the DLQ alarm tells operators) until the registry is configured.
    const error = `no registry configured for ${ministry}`;
    await deps.receipts.recordFailedAttempt(receiptId, { error, at, final: deps.lastTry });
    return { result: 'retry', error };
  }
  deps.fault?.('after-send');
  const log = { receiptId, ministry, correlationId: deps.correlationId };
  if (delivery.outcome === 'delivered') {
    await deps.receipts.markDelivered(receiptId, deps.now());
    countMetric('ReceiptsDelivered');
    logger.info('receipt delivered', { ...log, status: delivery.status });
    return { result: 'delivered' };
  }
  await deps.receipts.recordFailedAttempt(receiptId, { error: delivery.error, at, final: deps.lastTry });
  countMetric('ReceiptDeliveryFailures');
  logger.warn('receipt delivery failed', { ...log, error: delivery.error, lastTry: deps.lastTry });
  return { result: 'retry', error: delivery.error };
}
