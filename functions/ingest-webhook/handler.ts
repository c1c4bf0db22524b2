/**
 * POST /v1/webhooks/{provider} — a provider (alchemy, moralis, quicknode) tells us of on-chain activity. Public
 * route: the signature over the raw body is the authentication. Verified deliveries become `TransferObserved`
 * messages on the transfers queue and are answered 200 at once; reconciliation happens downstream.
 *
 * 404 unknown (or unconfigured) provider · 413 body over 256 KB · 401 missing/invalid signature, or a QuickNode nonce
 * seen in the last ten minutes (nothing enqueued) · 400 verified body that is not the provider's JSON ·
 * 200 `{accepted: n}`. A failure to enqueue is a 500 (and forgets the nonce), so the provider retries the delivery.
 */
import { gunzipSync } from 'node:zlib';
import { enabledChains } from '../../shared/adapters/chain/enabled-chains';
import { claimNonce, releaseNonce } from '../../shared/adapters/dynamo/nonces';
import { httpRoute } from '../../shared/adapters/http';
import { countMetric } from '../../shared/adapters/metrics';
import { logger } from '../../shared/adapters/observability';
import {
  type Drop,
  type DropReason,
  findWebhookProvider,
  WebhookPayloadError,
  type WebhookProvider,
  type WebhookProviderName,
} from '../../shared/adapters/providers/index';
import { webhookSecret } from '../../shared/adapters/providers/secrets';
import { sendMessages } from '../../shared/adapters/queue';
import { NotFoundError, PayloadTooLargeError, UnauthorizedError, ValidationError } from '../../shared/domain/errors';
import { isZeroValue, type TransferObserved } from '../../shared/domain/transfers';

/** Largest accepted body, compressed or not. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

/** The bytes the provider signed: the raw body, inflated when sent with `Content-Encoding: gzip`. */
function signedBytes(raw: Buffer, headers: Record<string, string>): Buffer {
  if (raw.length > MAX_WEBHOOK_BYTES) {
    throw new PayloadTooLargeError(`The body is ${raw.length} bytes; at most ${MAX_WEBHOOK_BYTES}.`);
  }
  if ((headers['content-encoding'] ?? '').trim().toLowerCase() !== 'gzip') return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_WEBHOOK_BYTES });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PayloadTooLargeError(`The inflated body exceeds ${MAX_WEBHOOK_BYTES} bytes.`);
    }
    throw new ValidationError([{ field: '(body)', message: 'The body is not valid gzip.' }]);
  }
}

/**
 * Enqueues a verified delivery's transfers, once per nonce where the provider signs one: a nonce seen within its
 * window is a replay (401). If enqueueing fails the nonce is forgotten again, so the provider's retry gets through.
 */
async function enqueueOnce(
  name: WebhookProviderName,
  provider: WebhookProvider,
  headers: Record<string, string>,
  now: Date,
  messages: TransferObserved[],
): Promise<void> {
  const nonce = provider.replay?.nonce(headers);
  if (provider.replay && nonce && !(await claimNonce(name, nonce, now, provider.replay.windowSeconds))) {
    logger.warn('webhook replay refused', { provider: name, transfers: messages.length });
    throw new UnauthorizedError('This delivery was already received (its nonce was seen).');
  }
  try {
    if (messages.length) await sendMessages('transfers', messages);
  } catch (error) {
    if (nonce) await releaseNonce(name, nonce).catch(() => {});
    throw error;
  }
}

export const handler = httpRoute({ auth: 'public' }, async (req) => {
  const name = req.params.provider ?? '';
  const found = findWebhookProvider(name);
  if (!found) throw new NotFoundError(`No webhook provider ${JSON.stringify(name.slice(0, 40))}.`);
  const raw = signedBytes(req.rawBody ?? Buffer.alloc(0), req.headers);
  const secret = await webhookSecret(found.name);
  if (!secret) {
    logger.warn('webhook for a provider without a configured secret', { provider: found.name });
    throw new NotFoundError(`Webhook provider ${found.name} is not enabled.`);
  }
  const now = new Date();
  if (!found.provider.verify(raw, req.headers, secret, now)) {
    logger.warn('webhook signature rejected', { provider: found.name, bytes: raw.length });
    throw new UnauthorizedError('The webhook signature is missing or does not verify.');
  }

  const dropped: Partial<Record<DropReason, number>> = {};
  const samples: Drop[] = [];
  const onDrop = (drop: Drop) => {
    dropped[drop.reason] = (dropped[drop.reason] ?? 0) + 1;
    if (samples.length < 10) samples.push(drop);
  };
  let transfers: ReturnType<typeof found.provider.parse>;
  try {
    transfers = found.provider.parse(raw, enabledChains, { now, onDrop });
  } catch (error) {
    if (error instanceof WebhookPayloadError) {
      throw new ValidationError([{ field: '(body)', message: error.message }]);
    }
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
  if (samples.length) logger.info('webhook entries dropped', { provider: found.name, dropped, samples });

  const messages = kept.map((t) => ({ ...t, correlationId: req.requestId }));
  await enqueueOnce(found.name, found.provider, req.headers, now, messages);
  logger.info('webhook accepted', { provider: found.name, accepted: messages.length });
  return { status: 200, body: { accepted: messages.length } };
});
