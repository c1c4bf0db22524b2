/**
 * The SQS consumers' batch processor: Powertools' `BatchProcessor` with its parser. Before a record handler sees a
 * record, its body is read as JSON and checked against the queue's zod schema, so `record.body` is the parsed
 * message. A malformed message never becomes valid by retrying: its record alone fails (a partial batch failure), so
 * it returns after the visibility timeout and, after the queue's maxReceiveCount, rests in the dead-letter queue. It
 * is logged with its message id and what is wrong with it, never with its body.
 */
import { BatchProcessor, EventType, type ParsedRecord, ParsingError } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import type { EventSourceDataClassTypes, FailureResponse } from '@aws-lambda-powertools/batch/types';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { logger } from './observability';

/** A record as its handler gets it from an {@link SqsMessageProcessor}: `body` is the parsed message. */
export type ParsedSqsRecord<S extends z.ZodType> = ParsedRecord<SQSRecord, z.output<S>>;

/**
 * The parse failure without the body: the JSON reader's message quotes the text around the bad character, so only
 * "Invalid JSON" is kept (it is fatal for the body, so nothing the parse found about the body follows it).
 */
const withoutBody = (reason: string) => reason.replace(/Invalid JSON - .*$/s, 'Invalid JSON');

/** The batch processor of one queue, whose messages are JSON matching `body` (`what` names them in logs). */
export class SqsMessageProcessor<S extends z.ZodType> extends BatchProcessor {
  readonly #message;
  readonly #what: string;

  constructor(body: S, what: string) {
    const message = JSONStringified(body);
    // Debug output would carry the unredacted parse failure; warnings and errors go to the service's logger.
    const quiet = { debug: () => {}, warn: logger.warn.bind(logger), error: logger.error.bind(logger) };
    super(EventType.SQS, { parser, schema: SqsRecordSchema.extend({ body: message }), logger: quiet });
    this.#message = message;
    this.#what = what;
  }

  /** The message of `record`, its body parsed as the processor parses it, or undefined when it is malformed. */
  messageOf(record: SQSRecord): z.output<S> | undefined {
    const parsed = this.#message.safeParse(record.body);
    return parsed.success ? parsed.data : undefined;
  }

  /** Logs a malformed message (its id and what is wrong, not its body) before the record is reported failed. */
  override failureHandler(record: EventSourceDataClassTypes, error: Error): FailureResponse {
    if (error instanceof ParsingError) {
      const { messageId } = record as SQSRecord;
      logger.error(`malformed ${this.#what} message`, { messageId, reason: withoutBody(error.message) });
    }
    return super.failureHandler(record, error);
  }
}
