/**
 * Consumer of the outbox queue: publishes each issued receipt to its ministry's registry
 * (shared/app/publish-receipt.ts). A failed delivery fails its record and stretches the message's visibility
 * timeout exponentially (with jitter), so tries spread over about twenty hours; after the queue's maxReceiveCount
 * the message goes to the dead-letter queue, whose alarm calls an operator, who replays it with POST /v1/ops/replay.
 */
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { sqs } from '../../shared/adapters/aws/sqs';
import { queueUrl } from '../../shared/adapters/config';
import { CHAIN_DOCUMENT_ID_PATTERN, dynamoReceiptDeliveries } from '../../shared/adapters/dynamo/receipts';
import { faultHook } from '../../shared/adapters/faults';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { backoffSeconds, ministryRegistries } from '../../shared/adapters/registry';
import { type ParsedSqsRecord, SqsMessageProcessor } from '../../shared/adapters/sqs-batch';
import { publishReceipt } from '../../shared/app/publish-receipt';
import { queues } from '../../shared/resources';

const messageSchema = z
  .object({ receiptId: z.string().regex(CHAIN_DOCUMENT_ID_PATTERN), correlationId: z.string().max(128).optional() })
  .loose();
const processor = new SqsMessageProcessor(messageSchema, 'outbox');
const BACKOFF_BASE = Number(process.env.PUBLISH_BACKOFF_BASE_SECONDS ?? 60);
const BACKOFF_CAP = Number(process.env.PUBLISH_BACKOFF_MAX_SECONDS ?? 2 * 3600);
/** The queue's redrive limit: the topology's, unless the local runtime set another for a test. */
const MAX_TRIES = Number(process.env.MAX_RECEIVE_COUNT_OUTBOX ?? queues.outbox.maxReceiveCount);

async function publishRecord(record: ParsedSqsRecord<typeof messageSchema>): Promise<void> {
  const message = record.body;
  const tries = Number(record.attributes.ApproximateReceiveCount ?? 1);
  const outcome = await publishReceipt(message.receiptId, {
    receipts: dynamoReceiptDeliveries,
    registry: ministryRegistries,
    now: () => new Date(),
    lastTry: tries >= MAX_TRIES,
    correlationId: message.correlationId ?? message.receiptId,
    fault: faultHook('publish'),
  });
  if (outcome.result !== 'retry') return;
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl('outbox'),
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: backoffSeconds(tries, BACKOFF_BASE, BACKOFF_CAP),
    }),
  );
  throw new Error(outcome.error);
}

export const handler = lambdaHandler((event: SQSEvent) =>
  processPartialResponse(event, publishRecord, processor, { throwOnFullBatchFailure: false }),
);
