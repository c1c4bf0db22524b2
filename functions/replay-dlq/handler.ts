/** POST /v1/ops/replay {queue} — an operator replays a queue's dead letters (shared/app/replay-dead-letters.ts). */
import * as z from 'zod';
import { sqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters';
import { httpRoute } from '../../shared/adapters/http';
import { replayDeadLetters } from '../../shared/app/replay-dead-letters';
import { type QueueName, queues } from '../../shared/resources';

const body = z.strictObject({ queue: z.enum(Object.keys(queues) as [QueueName, ...QueueName[]]) });

export const handler = httpRoute({ auth: ['operator'], body }, async (req) => {
  const result = await replayDeadLetters(req.body.queue, { deadLetters: sqsDeadLetters, operator: req.caller.subject });
  return { status: 200, body: result };
});
