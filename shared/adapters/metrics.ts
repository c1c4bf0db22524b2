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
  | 'RefundsCompleted';

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
