/** POST /v1/ops/replay {queue} — an operator replays a queue's dead letters (shared/app/replay-dead-letters.ts). */
import { replayBody } from '../../shared/adapters/api/requests';
import { sqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters';
import { httpRoute } from '../../shared/adapters/http';
import { replayDeadLetters } from '../../shared/app/replay-dead-letters';

export const handler = httpRoute({ auth: ['operator'], body: replayBody }, async (req) => {
  const result = await replayDeadLetters(req.body.queue, { deadLetters: sqsDeadLetters, operator: req.caller.subject });
  return { status: 200, body: result };
});
