/**
 * The dead-letters port (shared/ports.ts) on SQS: each queue's dead-letter queue (`dlqUrl`) and the queue itself
 * (`queueUrl`). Bodies and message attributes are carried back as received. A FIFO queue's letters go back in their
 * message group, deduplicated by the dead letter's message id (a fresh id: the original one may still be inside SQS's
 * five-minute deduplication window, which would drop the replay while the replay deletes the dead letter).
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetters, MessageAttribute } from '../../ports';
import { isFifoQueue } from '../../resources';
import { dlqUrl, queueUrl } from '../config';
import { sqs } from './sqs';

/** How long a received dead letter stays hidden: long enough to send it back and delete it. */
const RECEIVE_VISIBILITY_SECONDS = 60;
/**
 * Long polling: a receive asks every SQS server holding the queue (a short poll asks a sample, and can answer empty
 * while messages remain, ending a replay early with `moved: 0`). It returns as soon as there are messages; only the
 * last, empty receive of a replay waits this long, and then the queue really has no visible message.
 */
const LONG_POLL_SECONDS = 2;

function toPort(attributes: Record<string, MessageAttributeValue> | undefined) {
  if (!attributes) return undefined;
  return Object.fromEntries(
    Object.entries(attributes).map(([name, a]): [string, MessageAttribute] => [
      name,
      {
        dataType: a.DataType ?? 'String',
        ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
        ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
      },
    ]),
  );
}

function toSqs(attributes: Record<string, MessageAttribute> | undefined) {
  if (!attributes) return undefined;
  return Object.fromEntries(
    Object.entries(attributes).map(([name, a]): [string, MessageAttributeValue] => [
      name,
      { DataType: a.dataType, StringValue: a.stringValue, BinaryValue: a.binaryValue },
    ]),
  );
}

/** A FIFO dead letter's group, and the deduplication id of its replay. */
function fifoOf(message: Message): NonNullable<DeadLetter['fifo']> {
  const groupId = message.Attributes?.MessageGroupId;
  if (!groupId) throw new Error(`FIFO dead letter ${message.MessageId} has no MessageGroupId`);
  return { groupId, deduplicationId: `replay-${message.MessageId}` };
}

export const sqsDeadLetters: DeadLetters = {
  async receive(queue, max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl(queue),
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: LONG_POLL_SECONDS,
        VisibilityTimeout: RECEIVE_VISIBILITY_SECONDS,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    return Messages.map(
      (m): DeadLetter => ({
        body: m.Body ?? '',
        handle: m.ReceiptHandle ?? '',
        ...(m.MessageAttributes ? { attributes: toPort(m.MessageAttributes) } : {}),
        ...(isFifoQueue(queue) ? { fifo: fifoOf(m) } : {}),
      }),
    );
  },

  async sendToSource(queue, letters) {
    if (!letters.length) return [];
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl(queue),
        Entries: letters.map((l, i) => ({
          Id: String(i),
          MessageBody: l.body,
          MessageAttributes: toSqs(l.attributes),
          ...(l.fifo ? { MessageGroupId: l.fifo.groupId, MessageDeduplicationId: l.fifo.deduplicationId } : {}),
        })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    return letters.filter((_, i) => ok.has(String(i)));
  },

  async delete(queue, letters) {
    if (!letters.length) return;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlqUrl(queue),
        Entries: letters.map((l, i) => ({ Id: String(i), ReceiptHandle: l.handle })),
      }),
    );
  },
};
