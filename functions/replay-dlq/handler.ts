/**
 * POST /v1/ops/replay {queue} — an operator moves every message of a queue's dead-letter queue back to the queue,
 * after fixing what made them fail. Each message is sent to the source before it is deleted from the DLQ, so a crash
 * half-way can duplicate a message but never lose one (consumers are idempotent).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { type QueueName, queues } from '../../infra/topology';
import { sqs } from '../../shared/adapters/aws/sqs';
import { dlqUrl, queueUrl } from '../../shared/adapters/config';
import { httpRoute } from '../../shared/adapters/http';
import { logger } from '../../shared/adapters/observability';

const body = z.strictObject({ queue: z.enum(Object.keys(queues) as [QueueName, ...QueueName[]]) });

/** At most this many messages per call, so a call ends well within its timeout; call again for more. */
const MAX_PER_CALL = 1_000;

export const handler = httpRoute({ auth: ['operator'], body }, async (req) => {
  const queue = req.body.queue;
  let moved = 0;
  while (moved < MAX_PER_CALL) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl(queue),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!Messages.length) break;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl(queue),
        Entries: Messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          MessageAttributes: m.MessageAttributes,
        })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const done = Messages.filter((_, i) => ok.has(String(i)));
    if (done.length) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlqUrl(queue),
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    moved += done.length;
    if (done.length < Messages.length) break;
  }
  logger.info('dead letters replayed', { queue, moved, operator: req.caller.subject });
  return { status: 200, body: { queue, moved } };
});
