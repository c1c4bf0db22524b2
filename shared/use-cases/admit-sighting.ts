/**
 * The gate in front of reconciliation: a sighting from a provider is a hint, reconciled only when our own node's
 * transaction receipt confirms it (shared/verify-sighting.ts); one that disagrees is a rejected hint — counted,
 * logged with the provider and the delivery that carried it, and nothing is recorded. Sightings our own scanner and
 * confirmer produced come from our own reads and pass. Only those readers may claim finality.
 */
import type { TxReceipt } from '../chain-rpc';
import { countMetric } from '../metrics';
import { logger } from '../observability';
import { type TransferObserved, transferId } from '../transfers';
import { checkSighting, needsVerification } from '../verify-sighting';

export interface AdmitDeps {
  /** Our node's receipt of a transaction (null when not mined); the caller reads each transaction once. */
  receiptOf: (chainId: number, txHash: string) => Promise<TxReceipt | null>;
}

/** The sighting to reconcile, or undefined when the chain contradicts it. RPC failures propagate (retry later). */
export async function admitSighting(seen: TransferObserved, deps: AdmitDeps): Promise<TransferObserved | undefined> {
  if (!needsVerification(seen)) return seen;
  const verdict = checkSighting(seen, await deps.receiptOf(seen.chainId, seen.txHash));
  if (!verdict.ok) {
    countMetric('RejectedHints');
    logger.warn('rejected hint: the chain contradicts the sighting', {
      provider: seen.source,
      deliveryId: seen.correlationId,
      transferId: transferId(seen),
      removed: seen.removed,
      reason: verdict.reason,
      detail: verdict.detail,
    });
    return undefined;
  }
  // Finality is decided by our own readers against the chain's rule, never by a provider's word.
  const { final: _claimed, ...hint } = seen;
  return hint;
}
