/**
 * Sending to the service's queues. Batches of up to 10 (SQS's limit); a batch entry that SQS refuses is retried
 * once and then reported as an error, so a caller never believes a message was enqueued when it was not.
 *
 * A FIFO queue (shared/resources.ts `fifo`) takes each message's group id and deduplication id from the caller: the
 * group decides which messages are never handled at once, the deduplication id makes a resend within SQS's five
 * minute window (a retried batch entry, a retried invocation) a no-op. A retried entry may land after later entries
 * of its group; consumers rely on the group's mutual exclusion, not on the order of one batch's entries.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { type FifoQueueName, isFifoQueue, type QueueName, type StandardQueueName } from '../resources';
import { sqs } from './aws/sqs';
import { queueUrl } from './config';

/** How to send to a standard queue. */
export interface SendOptions {
  /** Seconds before the messages become visible (at most 900). */
  delaySeconds?: number;
}

/** How to send to a FIFO queue: each message's group and deduplication id, derived from its body. */
export interface FifoSendOptions<B> {
  /** The message group (at most 128 characters): messages of one group are handed to one consumer at a time. */
  groupId: (body: B) => string;
  /** The same id within five minutes of a first send enqueues nothing (at most 128 characters). */
  deduplicationId: (body: B) => string;
}

/** Sends `bodies` (JSON-serialized) to the FIFO `queue`, each in its group; resolves when every one is accepted. */
export function sendMessages<B>(queue: FifoQueueName, bodies: readonly B[], options: FifoSendOptions<B>): Promise<void>;
/** Sends `bodies` (JSON-serialized) to `queue`; resolves when every one is accepted. A number is `delaySeconds`. */
export function sendMessages(
  queue: StandardQueueName,
  bodies: readonly unknown[],
  options?: number | SendOptions,
): Promise<void>;
export async function sendMessages(
  queue: QueueName,
  bodies: readonly unknown[],
  options: number | SendOptions | FifoSendOptions<unknown> = {},
): Promise<void> {
  const toEntry = entryOf(queue, typeof options === 'number' ? { delaySeconds: options } : options);
  for (let i = 0; i < bodies.length; i += 10) {
    let entries = bodies.slice(i, i + 10).map((body, j) => toEntry(body, String(j)));
    for (let attempt = 0; entries.length; attempt++) {
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl(queue), Entries: entries }));
      const failed = new Set((result.Failed ?? []).map((f) => f.Id));
      if (!failed.size) break;
      if (attempt >= 1) throw new Error(`SQS refused ${failed.size} message(s) for ${queue}`);
      entries = entries.filter((e) => failed.has(e.Id));
    }
  }
}

/** How one body becomes a batch entry of `queue`; refuses options that do not fit the queue's kind. */
function entryOf(
  queue: QueueName,
  options: SendOptions | FifoSendOptions<unknown>,
): (body: unknown, id: string) => SendMessageBatchRequestEntry {
  if (isFifoQueue(queue)) {
    const fifo = options as Partial<FifoSendOptions<unknown>> & SendOptions;
    const { groupId, deduplicationId } = fifo;
    if (!groupId || !deduplicationId) throw new Error(`${queue} is FIFO: give each message a group and dedup id`);
    // SQS FIFO queues have no per-message delay.
    if (fifo.delaySeconds) throw new Error(`${queue} is FIFO: messages cannot be delayed`);
    return (body, id) => ({
      Id: id,
      MessageBody: JSON.stringify(body),
      MessageGroupId: groupId(body),
      MessageDeduplicationId: deduplicationId(body),
    });
  }
  if ('groupId' in options || 'deduplicationId' in options) {
    throw new Error(`${queue} is not FIFO: its messages have no group or dedup id`);
  }
  const { delaySeconds } = options as SendOptions;
  return (body, id) => ({
    Id: id,
    MessageBody: JSON.stringify(body),
    ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
  });
}
