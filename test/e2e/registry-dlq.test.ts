/**
 * A registry that refuses everything: the receipt's message ends in the outbox dead-letter queue, marked failed
 * with its last error; an operator's replay after the registry recovers delivers it once.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { type ApiClient, apiClient } from '../helpers/api';
import { pay, until } from '../helpers/runtime';

let runtime: LocalRuntime;
let api: ApiClient;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    apiPort: 0,
    chainPort: 0,
    blockIntervalMs: 250,
    finalityDepth: 2,
    queueOverrides: { outbox: { maxReceiveCount: 3 } },
  });
  api = apiClient(runtime.apiUrl);
});

afterAll(async () => {
  await runtime?.stop();
});

describe('dead letters and replay', () => {
  it('parks an undeliverable receipt in the DLQ and delivers it once after a replay', {
    timeout: 120_000,
  }, async () => {
    runtime.registry.setFaults({ status: 503, rate: 1 });
    const ministry = await api.token({ role: 'ministry', ministry: 'AFSA' });
    const invoice = (
      await api.call('POST', '/v1/invoices', {
        token: ministry,
        body: { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name: 'Firm' } },
      })
    ).json;
    await pay(runtime, invoice.depositAddress, 500_000_000n);
    const paid = await until(
      async () => (await api.call('GET', `/v1/invoices/${invoice.id}`, { token: ministry })).json,
      (i) => i.status === 'paid',
    );

    const sqs = new SQSClient({ endpoint: runtime.aws.endpoint });
    const dlqDepth = async () =>
      Number(
        (
          await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: runtime.resources.dlqUrls.outbox,
              AttributeNames: ['ApproximateNumberOfMessages'],
            }),
          )
        ).Attributes?.ApproximateNumberOfMessages,
      );
    await until(dlqDepth, (d) => d === 1, 90_000);
    const failed = (await api.call('GET', `/v1/receipts/${paid.receiptId}`, { token: ministry })).json;
    expect(failed.delivery).toMatchObject({ state: 'failed', lastError: 'registry answered HTTP 503' });
    expect(failed.delivery.attempts).toBe(3);
    expect(runtime.registry.received.size).toBe(0);

    runtime.registry.setFaults({ rate: 0 });
    const operator = await api.token({ role: 'operator' });
    expect((await api.call('POST', '/v1/ops/replay', { token: ministry, body: { queue: 'outbox' } })).status).toBe(403);
    const replay = await api.call('POST', '/v1/ops/replay', { token: operator, body: { queue: 'outbox' } });
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual({ queue: 'outbox', moved: 1 });
    const delivered = await until(
      async () => (await api.call('GET', `/v1/receipts/${paid.receiptId}`, { token: ministry })).json,
      (r) => r.delivery.state === 'delivered',
    );
    expect(delivered.delivery.deliveredAt).toBeTruthy();
    expect(await dlqDepth()).toBe(0);
    expect([...runtime.registry.received.keys()]).toEqual([paid.receiptId]);
    const bad = await api.call('POST', '/v1/ops/replay', { token: operator, body: { queue: 'nope' } });
    expect(bad.status).toBe(400);
    sqs.destroy();
  });
});
