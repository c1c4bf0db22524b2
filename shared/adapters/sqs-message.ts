/**
 * Reading a queue message's body: JSON, then the queue's zod schema. One definition for every SQS consumer.
 */
import type { SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { logger } from './observability';

/** The body of `record` parsed with `schema`, or the failed parse (not JSON counts as a failed parse). */
export function safeParseRecordBody<S extends z.ZodType>(record: SQSRecord, schema: S) {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    json = undefined;
  }
  return schema.safeParse(json);
}

/**
 * The body of `record` parsed with `schema`. A malformed message never becomes valid by retrying: it is logged
 * (what, message id, issues) and thrown, so the batch reports it failed and it reaches the dead-letter queue.
 */
export function parseRecordBody<S extends z.ZodType>(record: SQSRecord, schema: S, what: string): z.output<S> {
  const parsed = safeParseRecordBody(record, schema);
  if (!parsed.success) {
    logger.error(`malformed ${what} message`, { messageId: record.messageId, issues: parsed.error.issues });
    throw new Error(`malformed ${what} message`);
  }
  return parsed.data;
}
