/**
 * The compliance officer's decisions on held transfers (docs/compliance.md): release (the transfer is credited, by
 * reconciliation, as if it had just arrived) or reject (recorded in suspense as `sender_rejected`, out of revenue).
 * Either way the held sighting goes back through the transfers queue, and the decision is journaled with who, when
 * and why. Asking the same decision again re-sends the sighting (a crash after the decision is mended so); asking the
 * other one is a conflict.
 */
import { countMetric } from '../adapters/metrics';
import { ConflictError, NotFoundError } from '../domain/errors';
import { type Hold, type HoldState, sightingToReplay } from '../domain/screening';
import type { TransferObserved } from '../domain/transfers';
import type { ComplianceActor, ComplianceLog, HoldStore } from '../ports';

export interface HoldDecisionDeps {
  holds: HoldStore;
  log: ComplianceLog;
  /** Sends a sighting to the transfers queue (reconciliation). */
  requeue: (seen: TransferObserved) => Promise<void>;
  now: () => Date;
}

const STATE_OF = { release: 'released', reject: 'rejected' } as const;

/** Releases or rejects hold `id` for `reason`; answers the hold as decided. */
export async function decideHold(
  actor: ComplianceActor,
  id: string,
  decision: 'release' | 'reject',
  reason: string,
  deps: HoldDecisionDeps,
): Promise<Hold> {
  const state = STATE_OF[decision];
  const read = await deps.holds.get(id);
  if (!read) throw new NotFoundError(`No held transfer ${id}.`);
  const at = deps.now().toISOString();
  const decided =
    read.state === 'held'
      ? ((await deps.holds.decide(id, state, { by: actor.subject, role: actor.role, at, reason })) ??
        (await deps.holds.get(id)))
      : read;
  if (!decided || decided.state !== state) {
    throw new ConflictError(`Transfer ${id} was ${decided?.state ?? read.state} already.`);
  }
  const made = decided.decision ?? { by: actor.subject, role: actor.role, at, reason };
  await deps.log.record({
    id: `${decision}:${id}`,
    at: made.at,
    actor: { subject: made.by, role: made.role },
    action: decision,
    subject: id,
    reason: made.reason,
    amount: decided.amount,
    microUsd: decided.microUsd,
  });
  await deps.requeue(sightingToReplay(decided));
  if (read.state === 'held') countMetric(decision === 'release' ? 'HoldsReleased' : 'HoldsRejected');
  return decided;
}

/** Held transfers, newest first, in one state or all. */
export function listHolds(query: { state?: HoldState; limit: number; cursor?: string }, holds: HoldStore) {
  return holds.list(query);
}
