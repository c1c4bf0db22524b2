/**
 * Consumer of the outbox queue: publishes each issued receipt (and each completed refund's receipt,
 * shared/app/publish-refund-receipt.ts) to its ministry's registry
 * (shared/app/publish-receipt.ts), normally from the document the message carries (no read) after checking it; a
 * carried document that is not what the service issued fails its record, is never sent, and ends in the DLQ. A failed delivery fails its record and stretches the message's visibility
 * timeout exponentially (with jitter), so tries spread over about twenty hours; after the queue's maxReceiveCount
 * the message goes to the dead-letter queue, whose alarm calls an operator, who replays it with POST /v1/ops/replay.
 * Every document is written to the write-once archive bucket before it is sent (shared/app/archive-document.ts).
 */
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { s3 } from '../../shared/adapters/aws/s3';
import { s3WriteOnceArchive } from '../../shared/adapters/aws/s3-archive';
import { sqs } from '../../shared/adapters/aws/sqs';
import { bucketName, publicBaseUrl, queueUrl } from '../../shared/adapters/config';
import { dynamoInvoiceStore } from '../../shared/adapters/dynamo/invoices';
import { dynamoPayerMailLog } from '../../shared/adapters/dynamo/payer-mail';
import { CHAIN_DOCUMENT_ID_PATTERN, dynamoReceiptDeliveries } from '../../shared/adapters/dynamo/receipts';
import { dynamoReferenceData } from '../../shared/adapters/dynamo/reference-data';
import { dynamoRefundReceiptDeliveries } from '../../shared/adapters/dynamo/refunds';
import { faultHook } from '../../shared/adapters/faults';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { configuredMailer } from '../../shared/adapters/mail';
import { countMetric } from '../../shared/adapters/metrics';
import { logger } from '../../shared/adapters/observability';
import { backoffSeconds, ministryRegistriesWith } from '../../shared/adapters/registry';
import { type ParsedSqsRecord, SqsMessageProcessor } from '../../shared/adapters/sqs-batch';
import { notifyPayer } from '../../shared/app/notify-payer';
import { publishReceipt } from '../../shared/app/publish-receipt';
import { publishRefundReceipt } from '../../shared/app/publish-refund-receipt';
import { fitsOutboxMessage, MAX_CARRIED_DOCUMENT_BYTES } from '../../shared/app/reconcile-outbox';
import { registryInForce } from '../../shared/app/reference-data';
import { type PayerMailRequest, payerMailRequestSchema } from '../../shared/domain/payer-mail';
import { REFUND_ID_PATTERN } from '../../shared/domain/refunds';
import { queues } from '../../shared/resources';

/**
 * The outbox message (`ReceiptIssued`). The carried document is only bounded here, as a plain JSON object no larger
 * than a message may carry; the use case checks its content and signature. It is kept as parsed (a record keeps its
 * keys in order), so the bytes sent are the bytes stored.
 */
/** Approved registry URLs (reference data), read at most once a minute per ministry and container. */
const approvedUrls = new Map<string, { url: string | undefined; until: number }>();
async function approvedRegistryUrl(ministry: string): Promise<string | undefined> {
  const cached = approvedUrls.get(ministry);
  if (cached && cached.until > Date.now()) return cached.url;
  const url = (await registryInForce(dynamoReferenceData, ministry, new Date()))?.value.url;
  approvedUrls.set(ministry, { url, until: Date.now() + 60_000 });
  return url;
}
const ministryRegistries = ministryRegistriesWith(approvedRegistryUrl);

const messageSchema = z
  .object({
    receiptId: z.string().regex(CHAIN_DOCUMENT_ID_PATTERN),
    invoiceId: z.string().max(64).optional(),
    ministry: z.string().max(64).optional(),
    document: z
      .record(z.string(), z.unknown())
      .refine((document) => fitsOutboxMessage(document), {
        message: `must be at most ${MAX_CARRIED_DOCUMENT_BYTES} bytes of JSON`,
      })
      .optional(),
    correlationId: z.string().max(128).optional(),
  })
  .loose();
/** A completed refund's receipt (`RefundReceiptIssued`): the message names the refund; its stored receipt is sent. */
const refundReceiptSchema = z.strictObject({
  kind: z.literal('refund-receipt'),
  refundId: z.string().regex(REFUND_ID_PATTERN),
});
const outboxMessageSchema = z.union([refundReceiptSchema, payerMailRequestSchema, messageSchema]);
/** A processor per invocation: a batch's failures are its own (see SqsMessageProcessor). */
const newProcessor = () => new SqsMessageProcessor(outboxMessageSchema, 'outbox');
const BACKOFF_BASE = Number(process.env.PUBLISH_BACKOFF_BASE_SECONDS ?? 60);
const BACKOFF_CAP = Number(process.env.PUBLISH_BACKOFF_MAX_SECONDS ?? 2 * 3600);
/** The queue's redrive limit: the topology's, unless the local runtime set another for a test. */
const MAX_TRIES = Number(process.env.MAX_RECEIVE_COUNT_OUTBOX ?? queues.outbox.maxReceiveCount);
/** The write-once archive (read lazily: a payer's mail never needs it). */
const archive = () => s3WriteOnceArchive(s3, bucketName('archive'));
/** The service's signer addresses this container has proven against the store (see publishReceipt). */
const trustedSigners = new Set<string>();

async function publishRecord(record: ParsedSqsRecord<typeof outboxMessageSchema>): Promise<void> {
  const message = record.body;
  const tries = Number(record.attributes.ApproximateReceiveCount ?? 1);
  const refundReceipt = refundReceiptSchema.safeParse(message);
  const payerMail = payerMailRequestSchema.safeParse(message);
  const receiptMessage = message as z.output<typeof messageSchema>;
  const outcome = payerMail.success
    ? await sendPayerMail(payerMail.data)
    : refundReceipt.success
      ? await publishRefundReceipt(refundReceipt.data.refundId, {
          deliveries: dynamoRefundReceiptDeliveries,
          registry: ministryRegistries,
          archive: archive(),
          now: () => new Date(),
        })
      : await publishReceipt(receiptMessage, {
          receipts: dynamoReceiptDeliveries,
          trustedSigners,
          registry: ministryRegistries,
          archive: archive(),
          now: () => new Date(),
          lastTry: tries >= MAX_TRIES,
          correlationId: receiptMessage.correlationId ?? receiptMessage.receiptId,
          fault: faultHook('publish'),
        });
  if (outcome.result !== 'retry') return;
  const error = 'error' in outcome ? outcome.error : 'retry';
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl('outbox'),
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: backoffSeconds(tries, BACKOFF_BASE, BACKOFF_CAP),
    }),
  );
  throw new Error(error);
}

/** A payer's mail, beside the receipts: its failure is its own record's (it never holds a receipt back). */
async function sendPayerMail(request: PayerMailRequest): Promise<{ result: string; error?: string }> {
  const mailer = configuredMailer();
  if (!mailer) return { result: 'skipped' };
  const outcome = await notifyPayer(request, {
    invoices: dynamoInvoiceStore,
    mailLog: dynamoPayerMailLog,
    mailer,
    publicBaseUrl: publicBaseUrl(),
    now: () => new Date(),
  });
  if (outcome.result === 'sent') countMetric('PayerMailsSent');
  if (outcome.result === 'rejected') countMetric('PayerMailsRejected');
  if (outcome.result === 'retry') {
    // The error's name only: a mail service's message may quote the address.
    logger.warn('payer mail failed; the queue retries it', {
      invoiceId: request.invoiceId,
      template: request.template,
      error: outcome.error,
    });
    countMetric('PayerMailFailures');
  }
  return outcome;
}

export const handler = lambdaHandler((event: SQSEvent) =>
  processPartialResponse(event, publishRecord, newProcessor(), { throwOnFullBatchFailure: false }),
);
