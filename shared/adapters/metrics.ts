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
  /** A sweep the node refused to sign for or take (e.g. too little gas): retried next run, the others go on. */
  | 'SweepSendFailures'
  /** Addresses a final sweep could not move (`SweepFailed`: e.g. frozen by the token issuer). */
  | 'SweepAddressesFailed'
  /** Mails to payers handed to the mail service; refused by it for good; failed for now (retried by the queue). */
  | 'PayerMailsSent'
  | 'PayerMailsRejected'
  | 'PayerMailFailures'
  /** Compliance (docs/compliance.md): register snapshots, screening lists, transfers held, released, rejected. */
  | 'RegisterSnapshotsUploaded'
  | 'ScreeningListsChanged'
  | 'TransfersHeld'
  | 'HoldsReleased'
  | 'HoldsRejected'
  /** A token issuer's blacklist event naming one of our deposit or custody addresses (alarmed). */
  | 'FreezeIncidents'
  /** Reference data (docs/reference-data.md): changes proposed and approved (four eyes). */
  | 'ReferenceChangesProposed'
  | 'ReferenceChangesApproved'
  /** The write-once archive: documents and journal days written; a key holding other bytes (alarmed, never overwritten). */
  | 'DocumentsArchived'
  | 'JournalDaysArchived'
  | 'ArchiveMismatches';

/** Counts `n` occurrences of a stage event in this invocation. */
export function countMetric(name: StageMetric, n = 1): void {
  metrics.addMetric(name, MetricUnit.Count, n);
}

/**
 * 1 when no MRP is approved for the Kazakhstan year 30 days ahead, else 0, published by every run of refresh-rates:
 * the `MrpMissingAhead` alarm fires on 1 (and when the metric is missing), a month before MRP fees would fail.
 */
export function mrpMissingAheadGauge(missing: boolean): void {
  metrics.singleMetric().addMetric('MrpMissingAhead', MetricUnit.Count, missing ? 1 : 0);
}

/** Blocks between a chain's head and the scanner's checkpoint after a run, per chain. */
export function scannerLag(chainId: number, blocks: number): void {
  const single = metrics.singleMetric();
  single.addDimension('chainId', String(chainId));
  single.addMetric('ScannerLagBlocks', MetricUnit.Count, blocks);
}

/**
 * The sweeper's gas key's balance on a chain, in native units, published at the start of every run (before anything
 * can fail): the `SweeperGasLow` alarm fires below its threshold, before sweeps stop, and when it is missing.
 */
export function sweeperGasGauge(chainId: number, gasBalance: number): void {
  const gas = metrics.singleMetric();
  gas.addDimension('chainId', String(chainId));
  gas.addMetric('SweeperGasBalance', MetricUnit.NoUnit, gasBalance);
}

/**
 * How long the oldest sweep still submitted on a chain has waited, published at the end of every run, failed or
 * not: the `SweepStalled` alarm fires above its threshold and when it is missing.
 */
export function oldestSubmittedSweepGauge(chainId: number, seconds: number): void {
  const age = metrics.singleMetric();
  age.addDimension('chainId', String(chainId));
  age.addMetric('OldestSubmittedSweepSeconds', MetricUnit.Seconds, seconds);
}
