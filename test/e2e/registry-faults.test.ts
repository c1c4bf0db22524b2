/**
 * Registry publication under faults: with the mock registry failing half of all requests and timing out on some,
 * every paid invoice's receipt is delivered, and the registry stores each exactly once.
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
    // A try whose backoff could not be set (its receipt handle went stale while three pollers share the queue) comes
    // back after the queue's visibility: 240 s in the topology (6× the publisher's timeout), past this test's wait.
    queueOverrides: { outbox: { visibilityTimeoutSeconds: 30 } },
  });
  api = apiClient(runtime.apiUrl);
});

afterAll(async () => {
  await runtime?.stop();
});

/** Where the outbox's messages are, for a failure's message: a stuck receipt is in flight, waiting, or dead-lettered. */
async function outboxDepths(): Promise<string> {
  const sqs = new SQSClient({ endpoint: runtime.aws.endpoint, region: 'us-east-1' });
  try {
    const depth = async (url: string) => {
      const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] as const;
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...names] }),
      );
      return `${Attributes.ApproximateNumberOfMessages} visible, ${Attributes.ApproximateNumberOfMessagesNotVisible} in flight`;
    };
    const { queueUrls, dlqUrls } = runtime.resources;
    return `outbox: ${await depth(queueUrls.outbox)}; its DLQ: ${await depth(dlqUrls.outbox)}`;
  } finally {
    sqs.destroy();
  }
}

describe('registry publication with a flaky registry', () => {
  it('delivers 20 receipts, each stored once, through failures and timeouts', { timeout: 180_000 }, async () => {
    runtime.registry.setFaults({ status: 503, rate: 0.5, timeoutRate: 0.1 });
    const token = await api.token({ role: 'ministry', ministry: 'AFSA' });
    const invoices = [];
    for (let i = 0; i < 20; i++) {
      const r = await api.call('POST', '/v1/invoices', {
        token,
        body: { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name: `Firm ${i}` } },
      });
      expect(r.status).toBe(201);
      invoices.push(r.json);
    }
    for (const [i, invoice] of invoices.entries()) await pay(runtime, invoice.depositAddress, 500_000_000n, i % 9);

    const auditor = await api.token({ role: 'auditor' });
    const delivered = await until(
      async () => (await api.call('GET', '/v1/receipts?limit=100', { token: auditor })).json.items,
      (items: any[]) => items.length === 20 && items.every((r) => r.delivery.state === 'delivered'),
      150_000,
    ).catch(async () => {
      const items = (await api.call('GET', '/v1/receipts?limit=100', { token: auditor })).json.items;
      const states = items
        .filter((r: { delivery: { state: string } }) => r.delivery.state !== 'delivered')
        .map((r: { receiptNo: string; delivery: object }) => [r.receiptNo, r.delivery]);
      const queues = await outboxDepths();
      throw new Error(`${items.length} receipts, not delivered: ${JSON.stringify(states)}; queues ${queues}`);
    });
    expect(new Set(delivered.map((r: { invoiceId: string }) => r.invoiceId))).toEqual(
      new Set(invoices.map((i) => i.id)),
    );
    const stored = [...runtime.registry.received.values()];
    expect(stored).toHaveLength(20);
    expect(new Set(stored.map((s) => s.idempotencyKey)).size).toBe(20);
    for (const s of stored) expect(JSON.parse(s.body).receiptId).toBe(s.idempotencyKey);
    // The faults were real: more requests reached the registry than receipts exist.
    expect(runtime.registry.attempts).toBeGreaterThan(20);
    expect(delivered.some((r: { delivery: { attempts: number } }) => r.delivery.attempts > 1)).toBe(true);
  });
});
