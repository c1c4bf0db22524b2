/**
 * A queue consumer's invocations never share a batch's state. Locally, a queue's receive loops call one loaded module
 * at once (Lambda runs one invocation per container at a time); a batch processor kept in module scope let one
 * invocation's start clear another's failures, so a failed message was reported done and deleted: a receipt stayed
 * `pending` with its outbox message gone (CI, test/e2e/registry-faults.test.ts). Each invocation must answer with
 * exactly its own failed records.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { functions } from '../../infra/topology';

process.env.CHAINS ??= '[]';

const consumers = functions.filter((f) => f.triggers.some((t) => t.kind === 'queue'));

/** A batch of `n` messages no consumer accepts (not JSON), so each fails in the parser without touching a store. */
function malformedBatch(tag: string, n: number): SQSEvent {
  return {
    Records: Array.from({ length: n }, (_, i) => ({
      messageId: `${tag}-${i}`,
      receiptHandle: `handle-${tag}-${i}`,
      body: 'not json',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
    })),
  };
}

describe('queue consumers', () => {
  it.each(consumers.map((f) => [f.name] as const))(
    '%s answers each concurrent invocation with its own failures',
    async (name) => {
      const { handler } = (await import(`../../functions/${name}/handler.ts`)) as {
        handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
      };
      const batches = ['a', 'b', 'c'].map((tag, i) => malformedBatch(tag, i + 2));
      const answers = await Promise.all(batches.map((b) => handler(b, {} as Context)));
      answers.forEach((answer, i) => {
        const failed = answer.batchItemFailures.map((f) => f.itemIdentifier).sort();
        expect(failed).toEqual((batches[i] as SQSEvent).Records.map((r) => r.messageId).sort());
      });
    },
  );
});
