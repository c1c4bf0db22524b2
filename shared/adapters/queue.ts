/**
 * Sending to the service's queues. Batches of up to 10 (SQS's limit); a batch entry that SQS refuses is retried
 * once and then reported as an error, so a caller never believes a message was enqueued when it was not.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { QueueName } from '../resources';
import { sqs } from './aws/sqs';
import { queueUrl } from './config';

/** Sends `bodies` (JSON-serialized) to `queue`; resolves when every one is accepted. */
export async function sendMessages(queue: QueueName, bodies: unknown[], delaySeconds = 0): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    let entries = bodies.slice(i, i + 10).map((body, j) => ({
      Id: String(j),
      MessageBody: JSON.stringify(body),
      ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
    }));
    for (let attempt = 0; entries.length; attempt++) {
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl(queue), Entries: entries }));
      const failed = new Set((result.Failed ?? []).map((f) => f.Id));
      if (!failed.size) break;
      if (attempt >= 1) throw new Error(`SQS refused ${failed.size} message(s) for ${queue}`);
      entries = entries.filter((e) => failed.has(e.Id));
    }
  }
}
