/**
 * Replaying a queue's dead letters: after an operator fixed what made them fail, every message parked in the
 * queue's dead-letter queue goes back to the queue. Each batch is sent to the queue before it is deleted from the
 * dead-letter queue, so a crash half-way can duplicate a message but never lose one (the consumers are idempotent).
 * A batch the queue took only in part stops the replay: the rest stay parked, visible again after a minute. A FIFO
 * queue's letters go back in their message group (the port carries it with each letter), in the order parked.
 */
import { logger } from '../adapters/observability';
import type { DeadLetters } from '../ports';
import { type QueueName, REPLAYED_ATTRIBUTE } from '../resources';

/** At most this many messages per call, so a call ends well within its timeout; call again for more. */
export const MAX_PER_CALL = 1_000;

/** SQS's batch limit. */
const BATCH = 10;

export interface ReplayDeps {
  deadLetters: DeadLetters;
  /** Who asked (for the log). */
  operator: string;
  maxPerCall?: number;
  now?: () => Date;
}

/** Moves up to `maxPerCall` dead letters of `queue` back to it; returns how many moved. */
export async function replayDeadLetters(
  queue: QueueName,
  deps: ReplayDeps,
): Promise<{ queue: QueueName; moved: number }> {
  const max = deps.maxPerCall ?? MAX_PER_CALL;
  let moved = 0;
  while (moved < max) {
    const letters = await deps.deadLetters.receive(queue, Math.min(BATCH, max - moved));
    if (!letters.length) break;
    // Marked as replayed: the consumer may owe the work of a run that crashed before the message dead-lettered.
    const replayedAt = { dataType: 'String', stringValue: (deps.now?.() ?? new Date()).toISOString() };
    const marked = letters.map((l) => ({ ...l, attributes: { ...l.attributes, [REPLAYED_ATTRIBUTE]: replayedAt } }));
    const sent = await deps.deadLetters.sendToSource(queue, marked);
    if (sent.length) await deps.deadLetters.delete(queue, sent);
    moved += sent.length;
    if (sent.length < letters.length) break;
  }
  logger.info('dead letters replayed', { queue, moved, operator: deps.operator });
  return { queue, moved };
}
