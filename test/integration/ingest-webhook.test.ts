/**
 * POST /v1/webhooks/{provider} against moto: each sample delivery, verified on its raw body, lands on the transfers
 * queue as exact `TransferObserved` messages (tokens off the allowlist too: they go to suspense); zero-value transfers
 * are dropped and counted; a bad signature is a 401 and leaves the queue empty.
 */

import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { useMoto } from '../helpers/moto';
import { eventBody, loadEvent, signedEvent, TEST_WEBHOOK_SECRET_ENV } from '../helpers/webhooks';

const resources = await useMoto();
Object.assign(process.env, TEST_WEBHOOK_SECRET_ENV, {
  CHAINS: JSON.stringify([1, 137, 56].map((chainId) => ({ chainId, rpcUrl: `http://127.0.0.1:1/${chainId}` }))),
});
delete process.env.WEBHOOK_SECRETS_ARN;
const { handler } = await import('../../functions/ingest-webhook/handler');
const { transferObservedSchema } = await import('../../shared/domain/transfers');
const { metrics } = await import('../../shared/adapters/observability');

const queueUrl = resources.queueUrls.transfers;
const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION });
const context = {
  functionName: 'ingest-webhook',
  awsRequestId: 'r-1',
  getRemainingTimeInMillis: () => 10_000,
} as Context;

async function call(event: APIGatewayProxyEventV2WithJWTAuthorizer) {
  const result = await handler(event, context);
  return { status: result.statusCode, json: result.body ? JSON.parse(result.body) : undefined, result };
}

/** Drains the transfers queue (deleting nothing: messages are received once with a long visibility timeout). */
async function drain(): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 600,
        WaitTimeSeconds: 0,
      }),
    );
    if (!out.Messages?.length) return bodies;
    for (const m of out.Messages) bodies.push(JSON.parse(m.Body ?? 'null'));
  }
}

afterAll(() => sqs.destroy());

describe('ingest-webhook', () => {
  beforeEach(async () => {
    await drain();
  });

  it("Alchemy: enqueues the USDT transfer and the look-alike token's (for suspense), not the ETH transfer", async () => {
    const r = await call(loadEvent('alchemy-address-activity'));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ accepted: 2 });
    const messages = ((await drain()) as { logIndex: number }[]).sort((a, b) => a.logIndex - b.logIndex);
    expect(messages).toEqual([
      {
        chainId: 1,
        token: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
        txHash: '0x9e3c7a1f5b2d8e4c6a0b3f7d9e1c5a8b2f4d6e0a3c7b9d1f5e8a2c4b6d0e3f7a',
        logIndex: 214,
        blockNumber: 21_000_123,
        blockHash: '0x5f1d3c9a8e2b47d6a0c3e1f9b8d7a6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9',
        from: '0x28C6c06298d514Db089934071355E5743bf21d60',
        to: '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
        amount: '3000000000',
        removed: false,
        source: 'alchemy',
        observedAt: expect.any(String),
        correlationId: 'Zq3xKhAbIAMEV1Q=',
      },
      expect.objectContaining({ token: '0x3B8dbF2D4e6a1b55C7e0F2a91d6c4e5F8a7b9C10', logIndex: 230 }),
    ]);
    for (const m of messages) expect(transferObservedSchema.safeParse(m).success).toBe(true);
  });

  it('Moralis: unconfirmed then confirmed enqueue the same identities twice; the test webhook nothing', async () => {
    expect((await call(loadEvent('moralis-unconfirmed'))).json).toEqual({ accepted: 2 });
    expect((await call(loadEvent('moralis-confirmed'))).json).toEqual({ accepted: 2 });
    const messages = (await drain()) as { chainId: number; txHash: string; logIndex: number; amount: string }[];
    expect(messages).toHaveLength(4);
    expect(new Set(messages.map((m) => `${m.chainId}:${m.txHash}:${m.logIndex}`)).size).toBe(2);
    expect(messages.find((m) => m.logIndex === 41)).toMatchObject({
      chainId: 137,
      amount: '150250000',
      source: 'moralis',
    });

    const test = await call(loadEvent('moralis-test'));
    expect(test.status).toBe(200);
    expect(test.json).toEqual({ accepted: 0 });
    expect(await drain()).toEqual([]);
  });

  it('QuickNode: a fresh, base64-encoded delivery enqueues the exact 18-decimal amount', async () => {
    const r = await call(signedEvent(loadEvent('quicknode-stream'), 'quicknode', { base64: true }));
    expect(r.json).toEqual({ accepted: 2 });
    expect(await drain()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ chainId: 56, amount: '3000123456789012345678', source: 'quicknode' }),
      ]),
    );
  });

  it('QuickNode: a gzip delivery is verified on the inflated JSON', async () => {
    const event = loadEvent('quicknode-stream');
    const fresh = signedEvent(event, 'quicknode');
    const zipped = {
      ...fresh,
      headers: { ...fresh.headers, 'content-encoding': 'gzip' },
      body: gzipSync(eventBody(event)).toString('base64'),
      isBase64Encoded: true,
    };
    expect((await call(zipped)).json).toEqual({ accepted: 2 });
    expect(await drain()).toHaveLength(2);
  });

  it('a signed delivery of zero-value transfers enqueues nothing and counts them as ZeroValueTransfersIgnored', async () => {
    const base = loadEvent('alchemy-address-activity');
    const payload = JSON.parse(eventBody(base).toString());
    const zero = `0x${'0'.repeat(64)}`;
    for (const a of payload.event.activity) {
      if (a.rawContract) a.rawContract.rawValue = zero;
      if (a.log) a.log.data = zero;
    }
    const addMetric = vi.spyOn(metrics, 'addMetric');
    try {
      const r = await call(signedEvent(base, 'alchemy', { body: JSON.stringify(payload) }));
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ accepted: 0 });
      expect(addMetric).toHaveBeenCalledWith('ZeroValueTransfersIgnored', 'Count', 2);
    } finally {
      addMetric.mockRestore();
    }
    expect(await drain()).toEqual([]);
  });

  it('QuickNode: a nonce seen in the last ten minutes is a 401 with nothing enqueued, in any container', async () => {
    // The sample holds USDT and a token off the allowlist (kept for suspense): two transfers.
    const delivery = signedEvent(loadEvent('quicknode-stream'), 'quicknode');
    expect((await call(delivery)).json).toEqual({ accepted: 2 });
    expect(await drain()).toHaveLength(2);

    const replay = await call(delivery);
    expect(replay.status).toBe(401);
    expect(replay.result.headers?.['content-type']).toBe('application/problem+json');
    // Another Lambda container: a fresh instance of every module, nothing shared in memory.
    vi.resetModules();
    const other = (await import('../../functions/ingest-webhook/handler')).handler;
    expect((await other(delivery, context)).statusCode).toBe(401);
    expect(await drain()).toEqual([]);

    // The same body under a new nonce is a new delivery.
    expect((await call(signedEvent(loadEvent('quicknode-stream'), 'quicknode'))).json).toEqual({ accepted: 2 });
    expect(await drain()).toHaveLength(2);
  });

  it('401 and nothing enqueued for a bad, missing or stale signature', async () => {
    const alchemy = loadEvent('alchemy-address-activity');
    const tampered = { ...alchemy, body: (alchemy.body ?? '').replace('b2d05e00"', 'b2d05e01"') };
    const wrongSecret = signedEvent(alchemy, 'alchemy', { secret: 'not-the-secret' });
    const { 'x-alchemy-signature': _, ...unsignedHeaders } = alchemy.headers;
    const unsigned = { ...alchemy, headers: unsignedHeaders };
    const stale = loadEvent('quicknode-stream'); // signed in 2024
    const moralisTampered = loadEvent('moralis-confirmed');
    moralisTampered.body = (moralisTampered.body ?? '').replace('"150250000"', '"950250000"');
    expect(tampered.body).not.toBe(alchemy.body);
    expect(moralisTampered.body).not.toBe(loadEvent('moralis-confirmed').body);
    for (const event of [tampered, wrongSecret, unsigned, stale, moralisTampered]) {
      const r = await call(event);
      expect(r.status).toBe(401);
      expect(r.result.headers?.['content-type']).toBe('application/problem+json');
      expect(r.json.type).toBe('https://stablefee.dev/problems/unauthorized');
    }
    expect(await drain()).toEqual([]);
  });

  it('404 for an unknown provider, 413 for a body over 256 KB, 400 for a signed body that is not JSON', async () => {
    const base = loadEvent('alchemy-address-activity');
    const unknown = await call({ ...base, pathParameters: { provider: 'stripe' }, rawPath: '/v1/webhooks/stripe' });
    expect(unknown.status).toBe(404);

    const big = signedEvent(base, 'alchemy', { body: `{"pad":"${'x'.repeat(256 * 1024)}"}` });
    expect((await call(big)).status).toBe(413);

    const bomb = signedEvent(base, 'alchemy', { body: gzipSync(Buffer.alloc(300 * 1024, 0x20)), base64: true });
    expect((await call({ ...bomb, headers: { ...bomb.headers, 'content-encoding': 'gzip' } })).status).toBe(413);

    const notJson = await call(signedEvent(base, 'alchemy', { body: 'hello' }));
    expect(notJson.status).toBe(400);
    const notAlchemy = await call(signedEvent(base, 'alchemy', { body: '{"id":1}' }));
    expect(notAlchemy.status).toBe(400);
    expect(await drain()).toEqual([]);
  });

  it('404 for a provider the deployment has no secret for', async () => {
    const saved = process.env.WEBHOOK_SECRET_MORALIS;
    delete process.env.WEBHOOK_SECRET_MORALIS;
    try {
      expect((await call(loadEvent('moralis-confirmed'))).status).toBe(404);
    } finally {
      process.env.WEBHOOK_SECRET_MORALIS = saved;
    }
    expect(await drain()).toEqual([]);
  });

  it('in the cloud, reads the secrets from Secrets Manager (WEBHOOK_SECRETS_ARN) instead of the environment', async () => {
    const sm = new SecretsManagerClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION });
    const created = await sm.send(
      new CreateSecretCommand({
        Name: `stablefee/webhooks-${randomBytes(4).toString('hex')}`,
        SecretString: JSON.stringify({ alchemy: 'rotated-alchemy-key' }),
      }),
    );
    sm.destroy();
    process.env.WEBHOOK_SECRETS_ARN = created.ARN;
    try {
      const base = loadEvent('alchemy-address-activity');
      // The environment's secret no longer counts; the stored one does; a provider absent from it is disabled.
      expect((await call(base)).status).toBe(401);
      expect((await call(signedEvent(base, 'alchemy', { secret: 'rotated-alchemy-key' }))).json).toEqual({
        accepted: 2,
      });
      expect((await call(loadEvent('moralis-confirmed'))).status).toBe(404);
    } finally {
      delete process.env.WEBHOOK_SECRETS_ARN;
    }
    expect(await drain()).toHaveLength(2);
  });
});
