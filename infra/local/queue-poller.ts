/**
 * Polls one queue and invokes its consumer with real SQS event shapes, as Lambda's event source mapping does:
 * up to `batchSize` messages a batch; messages the handler reports in `batchItemFailures` (or all of them when
 * it throws) are left for the visibility timeout to return; the queue's redrive policy moves a message to its
 * dead-letter queue after `maxReceiveCount` receives.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { FunctionSpec } from '../topology';
import { invoke } from './lambda';

export interface QueuePoller {
  stop(): Promise<void>;
}

/** Starts polling `queueUrl` for `fn`. */
export function startQueuePoller(options: {
  sqs: SQSClient;
  queueUrl: string;
  fn: FunctionSpec;
  batchSize: number;
  region: string;
  onError?: (error: unknown) => void;
}): QueuePoller {
  const { sqs, queueUrl, fn, batchSize, region } = options;
  let running = true;
  let queueArn: string | undefined;
  const abort = new AbortController();

  const loop = (async () => {
    while (running) {
      try {
        queueArn ??= (
          await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
        ).Attributes?.QueueArn;
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(batchSize, 10),
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        if (!Messages.length || !running) continue;
        const event: SQSEvent = {
          Records: Messages.map((m) => ({
            messageId: m.MessageId ?? '',
            receiptHandle: m.ReceiptHandle ?? '',
            body: m.Body ?? '',
            attributes: m.Attributes as SQSEvent['Records'][number]['attributes'],
            messageAttributes: Object.fromEntries(
              Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
                k,
                {
                  stringValue: v.StringValue,
                  dataType: v.DataType ?? 'String',
                  stringListValues: [],
                  binaryListValues: [],
                },
              ]),
            ),
            md5OfBody: m.MD5OfBody ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: queueArn ?? '',
            awsRegion: region,
          })),
        };
        let failed: Set<string>;
        try {
          const response = (await invoke(fn, event)) as SQSBatchResponse | undefined;
          failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch (error) {
          options.onError?.(error);
          failed = new Set(event.Records.map((r) => r.messageId));
        }
        const done = Messages.filter((m) => !failed.has(m.MessageId ?? ''));
        if (done.length) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
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
