/**
 * The local queue poller (infra/local/queue-poller.ts) on moto, emulating Lambda's scaling of a queue's consumers:
 * with `maxConcurrency` loops, a FIFO queue's message group is never handled by two invocations at once and is
 * handled in order, while two groups are handled in parallel; a standard queue's messages are handled concurrently
 * up to `maxConcurrency`, and one at a time when the trigger declares none. The consumer is a recorder standing in
 * for the function: it notes which groups are in flight and holds each batch until the overlap the test looks for
 * happens (or a generous bound passes, which the assertions then catch).
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type QueuePoller, startQueuePoller } from '../../infra/local/queue-poller';
import type { FunctionSpec } from '../../infra/topology';
import { isFifoQueueArn } from '../../shared/resources';
import { useMoto } from '../helpers/moto';
import { until } from '../helpers/runtime';

const resources = await useMoto();
const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION });
const fn: FunctionSpec = { name: 'recorder', description: 'test consumer', triggers: [], access: {} };

interface Body {
  group: string;
  n: number;
}

/** Records batches as a function would see them, and how many invocations hold each group at once. */
class Recorder {
  readonly handled: Body[] = [];
  readonly eventSourceArns = new Set<string>();
  readonly groupIds = new Set<string | undefined>();
  /** The most invocations in flight at once, overall and per group. */
  maxInFlight = 0;
  readonly maxInFlightPerGroup = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private invocations = 0;

  /**
   * `holdUntil` decides, once a batch is marked in flight, when it may finish (asked every 20 ms, for at most
   * `holdMs`; `since` is when the batch started).
   */
  constructor(
    private readonly holdUntil: (recorder: Recorder, since: number) => boolean,
    private readonly holdMs = 5_000,
  ) {}

  /** Groups held by at least one invocation right now. */
  get groupsInFlight(): string[] {
    return [...this.inFlight].filter(([, n]) => n > 0).map(([g]) => g);
  }

  get invocationsInFlight(): number {
    return this.invocations;
  }

  readonly consume = async (event: SQSEvent): Promise<{ batchItemFailures: [] }> => {
    const bodies = event.Records.map((r) => JSON.parse(r.body) as Body);
    for (const r of event.Records) {
      this.eventSourceArns.add(r.eventSourceARN);
      this.groupIds.add(r.attributes.MessageGroupId);
    }
    const groups = [...new Set(bodies.map((b) => b.group))];
    this.invocations++;
    this.maxInFlight = Math.max(this.maxInFlight, this.invocations);
    for (const g of groups) {
      const n = (this.inFlight.get(g) ?? 0) + 1;
      this.inFlight.set(g, n);
      this.maxInFlightPerGroup.set(g, Math.max(this.maxInFlightPerGroup.get(g) ?? 0, n));
    }
    const since = Date.now();
    while (!this.holdUntil(this, since) && Date.now() < since + this.holdMs)
      await new Promise((r) => setTimeout(r, 20));
    this.handled.push(...bodies);
    for (const g of groups) this.inFlight.set(g, (this.inFlight.get(g) ?? 1) - 1);
    this.invocations--;
    return { batchItemFailures: [] };
  };

  /** The `n`s handled of `group`, in the order handled. */
  order(group: string): number[] {
    return this.handled.filter((b) => b.group === group).map((b) => b.n);
  }
}

const pollers: QueuePoller[] = [];
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

function poll(queueUrl: string, recorder: Recorder, batchSize: number, maxConcurrency?: number): void {
  pollers.push(
    startQueuePoller({ sqs, queueUrl, fn, batchSize, maxConcurrency, region: 'us-east-1', consume: recorder.consume }),
  );
}

/** Sends `bodies` in one batch; on a FIFO queue each in its `group`, deduplicated by group and number. */
async function send(queueUrl: string, bodies: Body[], fifo: boolean): Promise<void> {
  const tag = Math.random().toString(36).slice(2);
  const result = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((b, i) => ({
        Id: String(i),
        MessageBody: JSON.stringify(b),
        ...(fifo ? { MessageGroupId: b.group, MessageDeduplicationId: `${tag}-${b.group}-${b.n}` } : {}),
      })),
    }),
  );
  expect(result.Failed ?? []).toEqual([]);
}

const range = (group: string, count: number): Body[] => Array.from({ length: count }, (_, n) => ({ group, n }));

describe('queue poller with maxConcurrency', () => {
  it('hands a FIFO group to one invocation at a time, in order, whatever the concurrency', async () => {
    // Each batch lingers a moment, so that another loop would have the chance to take the group's next messages.
    const recorder = new Recorder((_, since) => Date.now() - since > 150);
    poll(resources.queueUrls.finals, recorder, 2, 3);
    await send(resources.queueUrls.finals, range('AFSA', 9), true);
    await until(
      async () => recorder.handled.length,
      (n) => n === 9,
      30_000,
    );
    expect(recorder.maxInFlightPerGroup.get('AFSA')).toBe(1);
    expect(recorder.order('AFSA')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    // The event names the queue as Lambda's does, so a handler can tell the FIFO queue by its ARN.
    expect([...recorder.eventSourceArns]).toEqual([expect.stringMatching(/:[^:]+-finals\.fifo$/)]);
    expect([...recorder.eventSourceArns].map(isFifoQueueArn)).toEqual([true]);
    expect([...recorder.groupIds]).toEqual(['AFSA']);
  });

  it('hands two FIFO groups to two invocations at once', async () => {
    // A batch of one group finishes only once the other group is in flight too (or after 5 s, which fails below).
    let overlapped = false;
    const recorder = new Recorder((r) => {
      overlapped ||= r.groupsInFlight.length === 2;
      return overlapped;
    });
    poll(resources.queueUrls.finals, recorder, 1, 3);
    await send(resources.queueUrls.finals, [...range('AFSA', 3), ...range('MINFIN', 3)], true);
    await until(
      async () => recorder.handled.length,
      (n) => n === 6,
      30_000,
    );
    expect(overlapped).toBe(true);
    expect(recorder.maxInFlightPerGroup).toEqual(
      new Map([
        ['AFSA', 1],
        ['MINFIN', 1],
      ]),
    );
    expect(recorder.order('AFSA')).toEqual([0, 1, 2]);
    expect(recorder.order('MINFIN')).toEqual([0, 1, 2]);
  });

  it('hands a standard queue to up to maxConcurrency invocations at once', async () => {
    const recorder = new Recorder((r) => r.maxInFlight === 3);
    poll(resources.queueUrls.transfers, recorder, 1, 3);
    await send(resources.queueUrls.transfers, range('any', 6), false);
    await until(
      async () => recorder.handled.length,
      (n) => n === 6,
      30_000,
    );
    expect(recorder.maxInFlight).toBe(3);
    expect([...recorder.eventSourceArns]).toEqual([expect.stringMatching(/:[^:]+-transfers$/)]);
    expect([...recorder.eventSourceArns].map(isFifoQueueArn)).toEqual([false]);
  });

  it('invokes one batch at a time when the trigger declares no maxConcurrency', async () => {
    const recorder = new Recorder((_, since) => Date.now() - since > 150);
    poll(resources.queueUrls.outbox, recorder, 1);
    await send(resources.queueUrls.outbox, range('any', 4), false);
    await until(
      async () => recorder.handled.length,
      (n) => n === 4,
      30_000,
    );
    expect(recorder.maxInFlight).toBe(1);
  });
});
