/**
 * Consumer of the transfers queue: each record is one `TransferObserved` sighting. A provider's sighting is first
 * checked against our own node (shared/app/admit-sighting.ts; the batch's transactions are read once each, in
 * parallel, before the records are processed); then each is reconciled on its own
 * (shared/app/reconcile-transfer.ts). Failed records are reported as partial batch failures, so only they
 * come back after the visibility timeout (and go to the DLQ after the queue's maxReceiveCount).
 */
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { sqs } from '../../shared/adapters/aws/sqs';
import { enabledChains, rpcUrlOf } from '../../shared/adapters/chain/enabled-chains';
import { jsonRpcChain, type TxReceipt } from '../../shared/adapters/chain/json-rpc-chain';
import { jsonRpcTokenBlacklist } from '../../shared/adapters/chain/token-blacklist';
import { queueUrl, tableName } from '../../shared/adapters/config';
import { dynamoComplianceLog } from '../../shared/adapters/dynamo/compliance-log';
import { dynamoReconcileStore } from '../../shared/adapters/dynamo/reconcile-store';
import { dynamoHoldStore, dynamoScreeningLists } from '../../shared/adapters/dynamo/screening';
import { faultHook } from '../../shared/adapters/faults';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { logger } from '../../shared/adapters/observability';
import { sendMessages } from '../../shared/adapters/queue';
import { backoffSeconds } from '../../shared/adapters/registry';
import { receiptSigner } from '../../shared/adapters/signing/receipt-signer';
import { type ParsedSqsRecord, SqsMessageProcessor } from '../../shared/adapters/sqs-batch';
import { payerMailQueue, sendSightings } from '../../shared/adapters/work-queues';
import { admitSighting } from '../../shared/app/admit-sighting';
import { BatchReadStore } from '../../shared/app/reconcile-batch';
import { type ReceiptIssued, reconcileTransfer } from '../../shared/app/reconcile-transfer';
import { SenderScreening } from '../../shared/app/screen-sender';
import { findChain } from '../../shared/domain/chains';
import { type TransferObserved, transferId, transferObservedSchema } from '../../shared/domain/transfers';
import { needsVerification } from '../../shared/domain/verify-sighting';
import { isFifoQueueArn, REPLAYED_ATTRIBUTE } from '../../shared/resources';

/**
 * A batch processor per invocation: it keeps the batch's record handler and outcomes on itself, and two invocations
 * in one process (the local runtime's poll loops, one module) must not share them.
 */
const newProcessor = () => new SqsMessageProcessor(transferObservedSchema, 'transfer');
/**
 * A failed record is tried again after 2 s, then twice as long each receive (with jitter), up to 5 minutes: a lost
 * race is retried at once, while the queue's ten receives (shared/resources.ts) span a DynamoDB or KMS outage of
 * about ten minutes before the sighting is dead-lettered.
 */
const RETRY_BACKOFF_BASE_SECONDS = 2;
const RETRY_BACKOFF_CAP_SECONDS = 300;
const notifyPayer = payerMailQueue();
/** SQS's longest delivery delay. */
const UNWATCH_DELAY_SECONDS = 900;

/** What one invocation read ahead for its batch (kept per invocation: a container may run one at a time, but the
 * local runtime runs several in one process). */
interface BatchReads {
  /** Receipts by `chainId:txHash`: one RPC read per transaction, however many logs. */
  receiptOf: (chainId: number, txHash: string) => Promise<TxReceipt | null>;
  /** Every record's state, read up front in two requests (a failed read leaves it to each record). */
  store: BatchReadStore;
}

function receiptReader(): BatchReads['receiptOf'] {
  const receipts = new Map<string, Promise<TxReceipt | null>>();
  return (chainId, txHash) => {
    const key = `${chainId}:${txHash}`;
    let read = receipts.get(key);
    if (!read) {
      read = (async () => jsonRpcChain(rpcUrlOf(chainId), chainId).getTransactionReceipt(txHash))();
      receipts.set(key, read);
    }
    return read;
  };
}

/**
 * The container's sender screening, one per table (tests switch tables): its short cache of what each sender's check
 * found is what keeps screening off the pipeline's critical path (shared/app/screen-sender.ts).
 */
const screenings = new Map<string, SenderScreening>();

function screeningOf(table: string): SenderScreening {
  let screening = screenings.get(table);
  if (!screening) {
    screening = new SenderScreening({
      lists: dynamoScreeningLists,
      blacklist: jsonRpcTokenBlacklist(),
      holds: dynamoHoldStore,
      log: dynamoComplianceLog,
      chains: enabledChains,
      now: () => new Date(),
    });
    screenings.set(table, screening);
  }
  return screening;
}

const chainEnabled = (chainId: number) => findChain(enabledChains, chainId) !== undefined;

/** A hint our node cannot see yet: read again after a while (not a failure of ours). */
class HintNotYetOnChain extends Error {}
/** Receives of a hint before a `tx_not_found`/`block_mismatch` is final (below the queue's redrive limit of 10). */
const HINT_TRIES = 3;
const HINT_RETRY_AFTER_SECONDS = 10;

/**
 * Starts reading the receipts every hint of the batch needs, side by side (failures surface per record), and reads
 * the batch's state.
 */
async function readAhead(
  records: SQSRecord[],
  processor: SqsMessageProcessor<typeof transferObservedSchema>,
): Promise<BatchReads> {
  const reads: BatchReads = { receiptOf: receiptReader(), store: new BatchReadStore(dynamoReconcileStore) };
  const sightings = records.flatMap((record) => {
    const seen = processor.messageOf(record);
    return seen ? [seen] : [];
  });
  for (const seen of sightings) {
    if (needsVerification(seen) && chainEnabled(seen.chainId)) {
      reads.receiptOf(seen.chainId, seen.txHash).catch(() => {});
    }
  }
  const keys = sightings.map((seen) => ({ transferId: transferId(seen), address: seen.to, ...(seen.hint ?? {}) }));
  await reads.store.prefetch(keys).catch((error: unknown) => {
    logger.warn('batch read failed: each record reads its own state', { error: (error as Error).message });
  });
  return reads;
}

async function reconcileRecord(
  record: ParsedSqsRecord<typeof transferObservedSchema>,
  { receiptOf, store }: BatchReads,
): Promise<void> {
  const seen = record.body;
  // One id follows a transfer from its first sighting (a webhook's request id, else its identity) to the registry.
  const correlationId = seen.correlationId ?? transferId(seen);
  logger.appendKeys({ correlationId });
  const tries = Number(record.attributes?.ApproximateReceiveCount ?? 1);
  try {
    const admission = await admitSighting(
      { ...seen, correlationId },
      { receiptOf, chainEnabled, mayRetry: tries < HINT_TRIES },
    );
    if ('retry' in admission) throw new HintNotYetOnChain(`hint not (yet) on our node: ${admission.retry}`);
    if ('rejected' in admission) return;
    await reconcileTransfer(admission.admit, {
      store,
      chains: enabledChains,
      signer: receiptSigner(),
      now: () => new Date(),
      enqueueReceipt: (message: ReceiptIssued) => sendMessages('outbox', [message]),
      // Delayed so that a duplicate payment sent right after settling is still reported by the providers.
      unwatchAddress: (address, invoiceId) =>
        sendMessages('addressWatch', [{ action: 'unwatch', addresses: [address], invoiceId }], UNWATCH_DELAY_SECONDS),
      // A reopened invoice (its payment annulled) is watched again, so the payer's new payment is reported.
      watchAddress: (address, invoiceId) =>
        sendMessages('addressWatch', [{ action: 'watch', addresses: [address], invoiceId }]),
      notifyPayer,
      fault: faultHook('reconcile'),
      screening: screeningOf(tableName()),
      // Received before, or replayed from the dead-letter queue: an earlier run of it may have crashed half-way.
      redelivered: tries > 1 || record.messageAttributes?.[REPLAYED_ATTRIBUTE] !== undefined,
      // The finals consumer numbers its ministry's receipts itself; the transfers consumer hands such sightings to it.
      ...(isFifoQueueArn(record.eventSourceARN) ? {} : { sequence: (s: TransferObserved) => sendSightings([s]) }),
    });
  } catch (error) {
    // Retry soon rather than after the full visibility timeout (most failures here are lost races or a blip), and
    // later each time: a longer outage is ridden out rather than dead-lettered.
    await sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl(isFifoQueueArn(record.eventSourceARN) ? 'finals' : 'transfers'),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout:
            error instanceof HintNotYetOnChain
              ? HINT_RETRY_AFTER_SECONDS
              : backoffSeconds(tries, RETRY_BACKOFF_BASE_SECONDS, RETRY_BACKOFF_CAP_SECONDS),
        }),
      )
      .catch(() => {});
    throw error;
  } finally {
    logger.removeKeys(['correlationId']);
  }
}

export const handler = lambdaHandler(async (event: SQSEvent) => {
  const processor = newProcessor();
  const reads = await readAhead(event.Records, processor);
  // One record at a time: records of one batch often touch the same invoice or receipt chain, and in parallel they
  // would only lose races against each other. A finals batch (one ministry's group) needs no more than that: its
  // records are independent sightings, numbered in the order they commit, so a failed one may be retried after the
  // others (the group's mutual exclusion is what matters, not the order within it).
  return processPartialResponse(
    event,
    (record: ParsedSqsRecord<typeof transferObservedSchema>) => reconcileRecord(record, reads),
    processor,
    {
      throwOnFullBatchFailure: false,
      processInParallel: false,
    },
  );
});
