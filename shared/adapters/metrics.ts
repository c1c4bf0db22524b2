/**
 * The service's business metrics, one name per stage of the money path (the stack's dashboard and alarms read
 * these names): invoices issued; transfers seen, credited, unmatched, ignored as zero-value; receipts issued,
 * delivered, failed; reorg incidents; scanner lag.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from './observability';

export type StageMetric =
  | 'InvoicesIssued'
  | 'TransfersSeen'
  | 'TransfersCredited'
  | 'TransfersUnmatched'
  | 'ReceiptsIssued'
  | 'ReceiptsDelivered'
  | 'ReceiptDeliveryFailures'
  | 'ReorgIncidents'
  /** A provider's sighting that our own node contradicts: nothing recorded, nothing credited. */
  | 'RejectedHints'
  /** A final transfer gone at the deeper re-check: its receipt annulled, the invoice reopened. */
  | 'Annulments'
  /** Zero-value transfers dropped at intake (webhooks, scanner): they move no money and are not worth a look. */
  | 'ZeroValueTransfersIgnored'
  /** Refunds: requested, their orders delivered to the custodian, completed from the chain. */
  | 'RefundsRequested'
  | 'RefundOrdersDelivered'
  | 'RefundOrderFailures'
  | 'RefundsCompleted'
  /** Sweeps signed, recorded and broadcast; recorded final; recorded failed (reverted, replaced, all addresses failed). */
  | 'SweepsSubmitted'
  | 'SweepsFinal'
  | 'SweepsFailed'
  /** Addresses a final sweep could not move (`SweepFailed`: e.g. frozen by the token issuer). */
  | 'SweepAddressesFailed';

/** Counts `n` occurrences of a stage event in this invocation. */
export function countMetric(name: StageMetric, n = 1): void {
  metrics.addMetric(name, MetricUnit.Count, n);
}

/** Blocks between a chain's head and the scanner's checkpoint after a run, per chain. */
export function scannerLag(chainId: number, blocks: number): void {
  const single = metrics.singleMetric();
  single.addDimension('chainId', String(chainId));
  single.addMetric('ScannerLagBlocks', MetricUnit.Count, blocks);
}

/**
 * The sweeper's gauges per chain after a run: its gas key's balance in native units (an alarm fires below a
 * threshold, before sweeps stop) and how long the oldest sweep still submitted has waited (stalled sweeps alarm).
 */
export function sweeperGauges(chainId: number, gauges: { gasBalance: number; oldestSubmittedSeconds: number }): void {
  const gas = metrics.singleMetric();
  gas.addDimension('chainId', String(chainId));
  gas.addMetric('SweeperGasBalance', MetricUnit.NoUnit, gauges.gasBalance);
  const age = metrics.singleMetric();
  age.addDimension('chainId', String(chainId));
  age.addMetric('OldestSubmittedSweepSeconds', MetricUnit.Seconds, gauges.oldestSubmittedSeconds);
}
