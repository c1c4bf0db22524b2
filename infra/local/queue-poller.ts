/**
 * Polls one queue and invokes its consumer with real SQS event shapes, as Lambda's event source mapping does:
 * up to `batchSize` messages a batch; messages the handler reports in `batchItemFailures` (or all of them when
 * it throws) are left for the visibility timeout to return; the queue's redrive policy moves a message to its
 * dead-letter queue after `maxReceiveCount` receives. With `maxConcurrency`, that many loops poll and invoke
 * independently, as Lambda scales a queue's consumers; on a FIFO queue the queue itself keeps a message group's
 * messages from two loops at once, and from a loop before the group's earlier messages are deleted.
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

/** A running poller; `stop` aborts the receives under way and waits for the batches being processed. */
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
  /** Independent receive-and-invoke loops, as Lambda scales a queue's consumers up to its maximum concurrency. */
  maxConcurrency?: number;
  /** What handles a batch; the function's handler (`fn`) when omitted. */
  consume?: (event: SQSEvent) => Promise<unknown>;
  onError?: (error: unknown) => void;
}

/** The queue's ARN (the events' `eventSourceARN`) and whether it is FIFO, read once for all loops. */
interface QueueFacts {
  arn: string;
  fifo: boolean;
}

/** Starts polling `queueUrl` for `fn` with `maxConcurrency` loops (one when omitted). */
export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  let running = true;
  const abort = new AbortController();
  let facts: Promise<QueueFacts> | undefined;
  const queueFacts = () => {
    facts ??= queueFactsOf(options.sqs, options.queueUrl).catch((error) => {
      facts = undefined;
      throw error;
    });
    return facts;
  };
  const receiveTurn = serializer();

  const loop = async () => {
    while (running) {
      try {
        const { arn, fifo } = await queueFacts();
        // moto decides which FIFO groups are in flight once per receive call, when it starts: two receives that
        // overlap, or a long poll that began before another receive took a group, can hand one group's messages to
        // two consumers at once, which SQS never does. Short receives, one at a time, keep moto's group lock exact.
        const messages = fifo
          ? await receiveTurn(() => receiveBatch(options, 0, abort.signal))
          : await receiveBatch(options, 1, abort.signal);
        if (!messages.length && fifo && running) await new Promise((r) => setTimeout(r, FIFO_IDLE_MS));
        if (!messages.length || !running) continue;
        const failed = await invokeConsumer(options, toSqsEvent(messages, arn, options.region));
        await deleteMessages(options, messages, failed);
      } catch (error) {
        if (!running) break;
        options.onError?.(error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  const loops = Array.from({ length: Math.max(1, options.maxConcurrency ?? 1) }, loop);

  return {
    async stop() {
      running = false;
      abort.abort();
      await Promise.all(loops);
    },
  };
}

/** Runs the functions it is given one after another, in the order given. */
function serializer(): <T>(run: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return (run) => {
    const next = last.then(run, run);
    last = next.catch(() => {});
    return next;
  };
}

async function queueFactsOf(sqs: SQSClient, queueUrl: string): Promise<QueueFacts> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'FifoQueue'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`no QueueArn for ${queueUrl}`);
  return { arn: Attributes.QueueArn, fifo: Attributes.FifoQueue === 'true' };
}

/** How long a FIFO loop rests after an empty (short) receive. */
const FIFO_IDLE_MS = 100;

/**
 * One receive of up to a batch (at most the 10 SQS returns at once), waiting up to `waitSeconds` for messages (a long
 * poll of 1 second at most: `stop` aborts it anyway).
 */
async function receiveBatch(options: QueuePollerOptions, waitSeconds: number, signal: AbortSignal): Promise<Message[]> {
  const { Messages = [] } = await options.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: options.queueUrl,
      MaxNumberOfMessages: Math.min(options.batchSize, 10),
      WaitTimeSeconds: waitSeconds,
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
    const consume = options.consume ?? ((e: SQSEvent) => invoke(options.fn, e));
    const response = (await consume(event)) as SQSBatchResponse | undefined;
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
