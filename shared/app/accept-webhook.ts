/**
 * Accepting a provider's webhook delivery: the signature over the exact bytes is the authentication; a verified body
 * becomes `TransferObserved` hints (zero values dropped and counted) sent to the transfers queue, once per nonce
 * where the provider signs one. Nothing is credited here: reconciliation checks every hint against our own node.
 */
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import type { ChainConfig } from '../domain/chains';
import { NotFoundError, UnauthorizedError, ValidationError } from '../domain/errors';
import { isZeroValue, type TransferObserved } from '../domain/transfers';
import { type Drop, type DropReason, type NonceStore, WebhookPayloadError, type WebhookProvider } from '../ports';

/** One delivery, as received: the bytes the provider signed (inflated if it was gzip) and lower-case headers. */
export interface WebhookDelivery {
  provider: string;
  body: Buffer;
  headers: Record<string, string>;
  /** Follows the hints through the pipeline. */
  correlationId?: string;
}

export interface AcceptWebhookDeps {
  format: WebhookProvider;
  /** The provider's signing secret; undefined when the deployment has not enabled it. */
  secret: string | undefined;
  chains: readonly ChainConfig[];
  nonces: NonceStore;
  sendTransfers: (messages: TransferObserved[]) => Promise<void>;
  now: () => Date;
}

/** Verifies and enqueues one delivery; answers how many transfers were accepted. */
export async function acceptWebhook(delivery: WebhookDelivery, deps: AcceptWebhookDeps): Promise<{ accepted: number }> {
  const { provider, body, headers } = delivery;
  if (!deps.secret) {
    logger.warn('webhook for a provider without a configured secret', { provider });
    throw new NotFoundError(`Webhook provider ${provider} is not enabled.`);
  }
  const now = deps.now();
  if (!deps.format.verify(body, headers, deps.secret, now)) {
    logger.warn('webhook signature rejected', { provider, bytes: body.length });
    throw new UnauthorizedError('The webhook signature is missing or does not verify.');
  }
  const kept = transfersIn(delivery, deps, now);
  const messages = kept.map((t) => ({
    ...t,
    ...(delivery.correlationId ? { correlationId: delivery.correlationId } : {}),
  }));
  await enqueueOnce(delivery, deps, now, messages);
  logger.info('webhook accepted', { provider, accepted: messages.length });
  return { accepted: messages.length };
}

/** The transfers of a verified body worth a hint; what is dropped is counted and logged (samples, no secrets). */
function transfersIn(delivery: WebhookDelivery, deps: AcceptWebhookDeps, now: Date): TransferObserved[] {
  const dropped: Partial<Record<DropReason, number>> = {};
  const samples: Drop[] = [];
  const onDrop = (drop: Drop) => {
    dropped[drop.reason] = (dropped[drop.reason] ?? 0) + 1;
    if (samples.length < 10) samples.push(drop);
  };
  let transfers: TransferObserved[];
  try {
    transfers = deps.format.parse(delivery.body, deps.chains, { now, onDrop });
  } catch (error) {
    if (error instanceof WebhookPayloadError) throw new ValidationError([{ field: '(body)', message: error.message }]);
    throw error;
  }
  // The adapters already drop zero values; checked again here because a message of nothing must never reach
  // suspense, whatever a future adapter forgets.
  const kept = transfers.filter((t) => {
    if (!isZeroValue(t.amount)) return true;
    onDrop({ reason: 'zero_value', chainId: t.chainId, token: t.token, txHash: t.txHash, logIndex: t.logIndex });
    return false;
  });
  if (dropped.zero_value) countMetric('ZeroValueTransfersIgnored', dropped.zero_value);
  if (samples.length) logger.info('webhook entries dropped', { provider: delivery.provider, dropped, samples });
  return kept;
}

/**
 * Enqueues a verified delivery's transfers, once per nonce where the provider signs one: a nonce seen within its
 * window is a replay (refused). If enqueueing fails the nonce is forgotten again, so the provider's retry gets through.
 */
async function enqueueOnce(
  delivery: WebhookDelivery,
  deps: AcceptWebhookDeps,
  now: Date,
  messages: TransferObserved[],
): Promise<void> {
  const { replay } = deps.format;
  const nonce = replay?.nonce(delivery.headers);
  if (replay && nonce && !(await deps.nonces.claim(delivery.provider, nonce, now, replay.windowSeconds))) {
    logger.warn('webhook replay refused', { provider: delivery.provider, transfers: messages.length });
    throw new UnauthorizedError('This delivery was already received (its nonce was seen).');
  }
  try {
    if (messages.length) await deps.sendTransfers(messages);
  } catch (error) {
    if (nonce) await deps.nonces.release(delivery.provider, nonce).catch(() => {});
    throw error;
  }
}
