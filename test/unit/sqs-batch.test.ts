/**
 * The SQS consumers' batch processor (shared/adapters/sqs-batch.ts): a malformed message fails its record alone (so
 * only it returns, and finally rests in the DLQ), and is logged by message id without its body.
 */
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { logger } from '../../shared/adapters/observability';
import { type ParsedSqsRecord, SqsMessageProcessor } from '../../shared/adapters/sqs-batch';
import { sqsRecord } from '../helpers/ledger';

const schema = z.strictObject({ exportId: z.string().regex(/^exp_\w+$/) });
const SECRET = 'payer-secret-4242';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('SqsMessageProcessor', () => {
  it('hands each record its parsed message; a malformed one fails alone and is logged without its body', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const seen: string[] = [];
    const processor = new SqsMessageProcessor(schema, 'export');
    const records = [
      sqsRecord({ exportId: 'exp_one' }, { messageId: 'good-1' }),
      sqsRecord(`{"exportId": ${SECRET}}`, { messageId: 'not-json' }),
      sqsRecord({ exportId: 'exp_two', note: SECRET }, { messageId: 'extra-key' }),
      sqsRecord({ exportId: SECRET }, { messageId: 'bad-id' }),
      sqsRecord({ exportId: 'exp_three' }, { messageId: 'good-2' }),
    ];
    const response = await processPartialResponse(
      { Records: records },
      async (record: ParsedSqsRecord<typeof schema>) => {
        seen.push(record.body.exportId);
      },
      processor,
      { throwOnFullBatchFailure: false },
    );

    expect(seen).toEqual(['exp_one', 'exp_three']);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['not-json', 'extra-key', 'bad-id']);
    expect(errors.mock.calls.map(([message, extra]) => [message, (extra as { messageId: string }).messageId])).toEqual([
      ['malformed export message', 'not-json'],
      ['malformed export message', 'extra-key'],
      ['malformed export message', 'bad-id'],
    ]);
    expect(errors.mock.calls[0]?.[1]).toMatchObject({ reason: 'body: Invalid JSON' });
    expect(JSON.stringify(errors.mock.calls)).not.toContain(SECRET.slice(0, 6));
  });

  it('reads a message the same way outside the batch (the prefetch), and a malformed one as nothing', () => {
    const processor = new SqsMessageProcessor(schema, 'export');
    expect(processor.messageOf(sqsRecord({ exportId: 'exp_one' }))).toEqual({ exportId: 'exp_one' });
    expect(processor.messageOf(sqsRecord('not json'))).toBeUndefined();
    expect(processor.messageOf(sqsRecord({ exportId: 'nope' }))).toBeUndefined();
  });

  it('fails a record that handled badly without logging it as malformed', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const response = await processPartialResponse(
      { Records: [sqsRecord({ exportId: 'exp_one' }, { messageId: 'boom' })] },
      async () => {
        throw new Error('store unavailable');
      },
      new SqsMessageProcessor(schema, 'export'),
      { throwOnFullBatchFailure: false },
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'boom' }]);
    expect(errors).not.toHaveBeenCalled();
  });
});
