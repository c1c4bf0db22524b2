/**
 * Polls one queue and invokes its consumer with real SQS event shapes, as Lambda's event source mapping does:
 * up to `batchSize` messages a batch; messages the handler reports in `batchItemFailures` (or all of them when
 * it throws) are left for the visibility timeout to return; the queue's redrive policy moves a message to its
 * dead-letter queue after `maxReceiveCount` receives.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { FunctionSpec } from '../topology';
import { invoke } from './lambda';

/** A running poller; `stop` aborts the receive under way and waits for the batch being processed. */
export interface QueuePoller {
  stop(): Promise<void>;
}

/** What a poller needs: the queue, its consumer, and where to report failures. */
export interface QueuePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  fn: FunctionSpec;
  batchSize: number;
  region: string;
  onError?: (error: unknown) => void;
}

/** Starts polling `queueUrl` for `fn`. */
export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  let running = true;
  let queueArn: string | undefined;
  const abort = new AbortController();

  const loop = (async () => {
    while (running) {
      try {
        queueArn ??= await queueArnOf(options.sqs, options.queueUrl);
        const messages = await receiveBatch(options, abort.signal);
        if (!messages.length || !running) continue;
        const failed = await invokeConsumer(options, toSqsEvent(messages, queueArn ?? '', options.region));
        await deleteMessages(options, messages, failed);
      } catch (error) {
        if (!running) break;
        options.onError?.(error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();

  return {
    async stop() {
      running = false;
      abort.abort();
      await loop;
    },
  };
}

async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string | undefined> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn;
}

/** One long poll (1 second: `stop` aborts it anyway) for up to a batch, at most the 10 SQS returns at once. */
async function receiveBatch(options: QueuePollerOptions, signal: AbortSignal): Promise<Message[]> {
  const { Messages = [] } = await options.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: options.queueUrl,
      MaxNumberOfMessages: Math.min(options.batchSize, 10),
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
    { abortSignal: signal },
  );
  return Messages;
}

/** The event Lambda's SQS event source mapping would hand the function for these messages. */
function toSqsEvent(messages: Message[], queueArn: string, region: string): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: m.Attributes as SQSEvent['Records'][number]['attributes'],
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          { stringValue: v.StringValue, dataType: v.DataType ?? 'String', stringListValues: [], binaryListValues: [] },
        ]),
      ),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}

/** Invokes the consumer; the ids of the messages that failed (all of them when it throws). */
async function invokeConsumer(options: QueuePollerOptions, event: SQSEvent): Promise<Set<string>> {
  try {
    const response = (await invoke(options.fn, event)) as SQSBatchResponse | undefined;
    return new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch (error) {
    options.onError?.(error);
    return new Set(event.Records.map((r) => r.messageId));
  }
}

/** Deletes the messages that were processed; the failed ones come back after the visibility timeout. */
async function deleteMessages(options: QueuePollerOptions, messages: Message[], failed: Set<string>): Promise<void> {
  const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
  if (!done.length) return;
  await options.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: options.queueUrl,
      Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
    }),
  );
}
