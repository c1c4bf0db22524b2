/**
 * The gate in front of reconciliation: a sighting from a provider is a hint, reconciled only when our own node's
 * transaction receipt confirms it (shared/domain/verify-sighting.ts); one that disagrees is a rejected hint — counted,
 * logged with the provider and the delivery that carried it, and nothing is recorded. Sightings our own scanner and
 * confirmer produced come from our own reads and pass. Only those readers may claim finality.
 */

import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { type TransferObserved, transferId } from '../domain/transfers';
import { checkSighting, needsVerification, type RejectReason } from '../domain/verify-sighting';
import type { TxReceipt } from '../ports';

export interface AdmitDeps {
  /** Whether we read this chain at all (a hint of a chain we do not read cannot be checked). */
  chainEnabled: (chainId: number) => boolean;
  /** Our node's receipt of a transaction (null when not mined); the caller reads each transaction once. */
  receiptOf: (chainId: number, txHash: string) => Promise<TxReceipt | null>;
  /**
   * Whether a hint our node cannot see yet may be read again later (a provider's node can be a block ahead of ours):
   * `tx_not_found` and `block_mismatch` are then answered `retry` instead of rejected.
   */
  mayRetry: boolean;
}

/** What the gate decided: reconcile this sighting, read it again later, or nothing (rejected). */
export type Admission = { admit: TransferObserved } | { retry: RejectReason } | { rejected: RejectReason };

/** Our node may lag the provider's: these are retried (a bounded number of times) before they are rejected. */
const MAYBE_NOT_YET: readonly RejectReason[] = ['tx_not_found', 'block_mismatch'];

/** Decides on one sighting. RPC failures propagate (the message is retried). */
export async function admitSighting(seen: TransferObserved, deps: AdmitDeps): Promise<Admission> {
  if (!needsVerification(seen)) return { admit: seen };
  const verdict = deps.chainEnabled(seen.chainId)
    ? checkSighting(seen, await deps.receiptOf(seen.chainId, seen.txHash))
    : ({ ok: false, reason: 'chain_not_enabled', detail: `chain ${seen.chainId} is not read here` } as const);
  if (!verdict.ok) {
    if (deps.mayRetry && MAYBE_NOT_YET.includes(verdict.reason)) return { retry: verdict.reason };
    countMetric('RejectedHints');
    logger.warn('rejected hint: the chain contradicts the sighting', {
      provider: seen.source,
      deliveryId: seen.correlationId,
      transferId: transferId(seen),
      removed: seen.removed,
      reason: verdict.reason,
      detail: verdict.detail,
    });
    return { rejected: verdict.reason };
  }
  // Finality and the deep re-check are decided by our own readers against the chain, never by a provider's word.
  const { final: _final, deep: _deep, ...hint } = seen;
  return { admit: hint };
}
