/**
 * Consumer of the `exports` queue: runs a segment of one export job (shared/app/export.ts) from the store's period
 * reads to S3 multipart uploads, within the invocation's remaining time; a job not done by then is sent back to the
 * same queue to carry on. A failed run is reported as a batch failure, so the queue runs it again from its last
 * segment (same S3 keys) and finally parks it in the dead-letter queue.
 */
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent } from 'aws-lambda';
import { s3 } from '../../shared/adapters/aws/s3';
import { s3Sink } from '../../shared/adapters/aws/s3-objects';
import { jsonRpcBlockClock } from '../../shared/adapters/chain/block-clock';
import { enabledChains, rpcUrlOf } from '../../shared/adapters/chain/enabled-chains';
import { jsonRpcChain } from '../../shared/adapters/chain/json-rpc-chain';
import { bucketName } from '../../shared/adapters/config';
import { configuredCustodian } from '../../shared/adapters/custodian';
import { dynamoExportJobs, storeExportSources } from '../../shared/adapters/dynamo/exports';
import { dynamoRateStore } from '../../shared/adapters/dynamo/rates';
import { dynamoRefundStore } from '../../shared/adapters/dynamo/refunds';
import { dynamoSettlementStore } from '../../shared/adapters/dynamo/settlements';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { receiptSigner } from '../../shared/adapters/signing/receipt-signer';
import { type ParsedSqsRecord, SqsMessageProcessor } from '../../shared/adapters/sqs-batch';
import { exportQueue } from '../../shared/adapters/work-queues';
import { EXPORT_RESERVE_MS, runExportJob, tokenInfoFrom } from '../../shared/app/export';
import { settlementExportSource } from '../../shared/app/settlement-export';
import { exportMessageSchema } from '../../shared/domain/exports/jobs';

const message = exportMessageSchema;
/** A processor per invocation: a batch's failures are its own (see SqsMessageProcessor). */
const newProcessor = () => new SqsMessageProcessor(message, 'export');
const tokenInfo = tokenInfoFrom(enabledChains);
/** The settlement facts of a period, read as GET /v1/reconciliation reads them. */
const settlementDeps = {
  store: dynamoSettlementStore,
  rates: dynamoRateStore,
  chains: enabledChains,
  custodyAccount: (chainId: number) => configuredCustodian.custodyAccount(chainId),
  rpcFor: (chainId: number) => jsonRpcChain(rpcUrlOf(chainId), chainId),
  clockFor: (chainId: number) => jsonRpcBlockClock(rpcUrlOf(chainId), chainId),
  refunds: dynamoRefundStore,
};

/**
 * Time kept free at the end of each invocation for completing the segment's parts, recording it and sending the
 * continuation (`EXPORT_RESERVE_SECONDS`, default 60): the larger, the earlier a segment stops.
 */
function reserveMs(): number {
  const seconds = Number(process.env.EXPORT_RESERVE_SECONDS);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : EXPORT_RESERVE_MS;
}

async function exportRecord(record: ParsedSqsRecord<typeof message>, context: Context): Promise<void> {
  const { exportId } = record.body;
  const outcome = await runExportJob(exportId, {
    jobs: dynamoExportJobs,
    sourcesFor: (period, known) => {
      const settlement = settlementExportSource(period, settlementDeps);
      return {
        ...storeExportSources(period, { confirmationsAsOf: known.confirmationsAsOf }),
        ...(settlement ? { settlement } : {}),
      };
    },
    sinkFor: (job, name, contentType) =>
      s3Sink(s3, { bucket: bucketName('exports'), key: job.prefix + name, contentType }),
    queue: exportQueue,
    timeLeft: () => context.getRemainingTimeInMillis(),
    reserveMs: reserveMs(),
    tokenInfo,
    signer: receiptSigner(),
    now: () => new Date(),
  });
  // Held by another run: fail the record so the message comes back after the visibility timeout (see runExportJob).
  if (outcome.result === 'held') throw new Error(`export ${exportId} is held by another run; retried later`);
}

export const handler = lambdaHandler((event: SQSEvent, context: Context) =>
  processPartialResponse(
    event,
    (record: ParsedSqsRecord<typeof message>) => exportRecord(record, context),
    newProcessor(),
    {
      throwOnFullBatchFailure: false,
    },
  ),
);
