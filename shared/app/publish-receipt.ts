/**
 * Publishing one receipt to its ministry's registry, exactly once in effect: a delivered receipt is not sent again;
 * a send whose outcome was lost (crash, timeout) is repeated with the same Idempotency-Key and the same bytes, so the
 * registry stores it once. The receipt records each attempt, its last error and its delivery state.
 */

import { getReceipt, markDelivered, recordFailedAttempt } from '../adapters/dynamo/receipts';
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { deliverReceipt, registryFor, registrySecret } from '../adapters/registry';

export type PublishOutcome = { result: 'delivered' | 'already-delivered' } | { result: 'retry'; error: string };

export interface PublishDeps {
  now: () => Date;
  /** True when this is the last try before the message goes to the dead-letter queue. */
  lastTry: boolean;
  /** Carried into every log line of this delivery (records of a batch are published in parallel). */
  correlationId?: string;
  fault?: (step: 'after-send') => void;
}

export async function publishReceipt(receiptId: string, deps: PublishDeps): Promise<PublishOutcome> {
  const stored = await getReceipt(receiptId);
  if (!stored) throw new Error(`receipt ${receiptId} does not exist`);
  if (stored.deliveryState === 'delivered') return { result: 'already-delivered' };
  const { ministry } = stored.receipt;
  const endpoint = registryFor(ministry);
  const secret = await registrySecret(ministry);
  const at = deps.now();
  if (!endpoint || !secret) {
    const error = `no registry configured for ${ministry}`;
    await recordFailedAttempt(receiptId, error, at.toISOString(), deps.lastTry);
    return { result: 'retry', error };
  }
  // The signed document exactly as stored: retries send the same bytes.
  const body = JSON.stringify(stored.receipt);
  const delivery = await deliverReceipt(endpoint, secret, receiptId, body, at);
  deps.fault?.('after-send');
  if (delivery.outcome === 'delivered') {
    await markDelivered(receiptId, deps.now().toISOString());
    countMetric('ReceiptsDelivered');
    logger.info('receipt delivered', {
      receiptId,
      ministry,
      status: delivery.status,
      correlationId: deps.correlationId,
    });
    return { result: 'delivered' };
  }
  await recordFailedAttempt(receiptId, delivery.error, at.toISOString(), deps.lastTry);
  countMetric('ReceiptDeliveryFailures');
  logger.warn('receipt delivery failed', {
    receiptId,
    ministry,
    error: delivery.error,
    lastTry: deps.lastTry,
    correlationId: deps.correlationId,
  });
  return { result: 'retry', error: delivery.error };
}
