/**
 * POST /v1/webhooks/{provider} — a provider (alchemy, moralis, quicknode) tells us of on-chain activity. Public
 * route: the signature over the raw body is the authentication. Verified deliveries become `TransferObserved`
 * messages on the transfers queue (shared/app/accept-webhook.ts) and are answered 200 at once; reconciliation
 * happens downstream.
 *
 * 404 unknown (or unconfigured) provider · 413 body over 256 KB · 401 missing/invalid signature, or a QuickNode nonce
 * seen in the last ten minutes (nothing enqueued) · 400 verified body that is not the provider's JSON ·
 * 200 `{accepted: n}`. A failure to enqueue is a 500 (and forgets the nonce), so the provider retries the delivery.
 */
import { gunzipSync } from 'node:zlib';
import { enabledChains } from '../../shared/adapters/chain/enabled-chains';
import { dynamoNonceStore } from '../../shared/adapters/dynamo/nonces';
import { httpRoute } from '../../shared/adapters/http';
import { findWebhookProvider } from '../../shared/adapters/providers/index';
import { webhookSecret } from '../../shared/adapters/providers/secrets';
import { sendMessages } from '../../shared/adapters/queue';
import { acceptWebhook } from '../../shared/app/accept-webhook';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../../shared/domain/errors';

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

export const handler = httpRoute({ auth: 'public' }, async (req) => {
  const name = req.params.provider ?? '';
  const found = findWebhookProvider(name);
  if (!found) throw new NotFoundError(`No webhook provider ${JSON.stringify(name.slice(0, 40))}.`);
  const body = signedBytes(req.rawBody ?? Buffer.alloc(0), req.headers);
  const result = await acceptWebhook(
    { provider: found.name, body, headers: req.headers, correlationId: req.requestId },
    {
      format: found.provider,
      secret: await webhookSecret(found.name),
      chains: enabledChains,
      nonces: dynamoNonceStore,
      sendTransfers: (messages) => sendMessages('transfers', messages),
      now: () => new Date(),
    },
  );
  return { status: 200, body: result };
});
