/**
 * Consumer of the `refunds` queue: sends each approved refund's signed order to the custodian
 * (shared/app/instruct-refund.ts). An order the custodian did not take fails its record and stretches the message's
 * visibility timeout exponentially (with jitter), like the outbox; after the queue's maxReceiveCount the message goes
 * to the dead-letter queue, whose alarm calls an operator, who replays it with POST /v1/ops/replay.
 */
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { sqs } from '../../shared/adapters/aws/sqs';
import { rpcUrlOf } from '../../shared/adapters/chain/enabled-chains';
import { jsonRpcChain } from '../../shared/adapters/chain/json-rpc-chain';
import { queueUrl } from '../../shared/adapters/config';
import { configuredCustodian } from '../../shared/adapters/custodian';
import { dynamoRefundStore } from '../../shared/adapters/dynamo/refunds';
import { faultHook } from '../../shared/adapters/faults';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { backoffSeconds } from '../../shared/adapters/registry';
import { receiptSigner } from '../../shared/adapters/signing/receipt-signer';
import { type ParsedSqsRecord, SqsMessageProcessor } from '../../shared/adapters/sqs-batch';
import { instructRefundOrder } from '../../shared/app/instruct-refund';
import { REFUND_ID_PATTERN } from '../../shared/domain/refunds';

const messageSchema = z.object({ refundId: z.string().regex(REFUND_ID_PATTERN) });
/** A processor per invocation: a batch's failures are its own (see SqsMessageProcessor). */
const newProcessor = () => new SqsMessageProcessor(messageSchema, 'refunds');
const BACKOFF_BASE = Number(process.env.PUBLISH_BACKOFF_BASE_SECONDS ?? 60);
const BACKOFF_CAP = Number(process.env.PUBLISH_BACKOFF_MAX_SECONDS ?? 2 * 3600);

async function instructRecord(record: ParsedSqsRecord<typeof messageSchema>): Promise<void> {
  const tries = Number(record.attributes.ApproximateReceiveCount ?? 1);
  const outcome = await instructRefundOrder(record.body.refundId, {
    refunds: dynamoRefundStore,
    signer: receiptSigner(),
    custodian: configuredCustodian,
    headOf: (chainId) => jsonRpcChain(rpcUrlOf(chainId), chainId).blockNumber(),
    now: () => new Date(),
    fault: faultHook('instruct'),
  });
  if (outcome.result !== 'retry') return;
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl('refunds'),
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: backoffSeconds(tries, BACKOFF_BASE, BACKOFF_CAP),
    }),
  );
  throw new Error(outcome.error);
}

export const handler = lambdaHandler((event: SQSEvent) =>
  processPartialResponse(event, instructRecord, newProcessor(), { throwOnFullBatchFailure: false }),
);
