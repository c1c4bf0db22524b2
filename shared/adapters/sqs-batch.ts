/**
 * The SQS consumers' batch processor: Powertools' `BatchProcessor` with a parser of our own in its parser hook.
 * Before a record handler sees a record, its body is read as JSON and checked against the queue's zod schema, so
 * `record.body` is the parsed message. A malformed message never becomes valid by retrying: its record alone fails (a
 * partial batch failure), so it returns after the visibility timeout and, after the queue's maxReceiveCount, rests in
 * the dead-letter queue. It is logged with its message id and what is wrong with it, never with its body.
 *
 * The parser is ours, not `@aws-lambda-powertools/batch/parser`: that one (with the parser package's SQS record
 * schema and JSON helper) imports `{ z } from 'zod'`, the whole zod namespace with every locale (~440 KB of bundle);
 * reading the body takes `JSON.parse` and the queue's schema. The SQS envelope itself comes from Lambda and is not
 * re-validated.
 */
import { BatchProcessor, EventType, type ParsedRecord, ParsingError } from '@aws-lambda-powertools/batch';
import type {
  BatchProcessorConfig,
  EventSourceDataClassTypes,
  FailureResponse,
} from '@aws-lambda-powertools/batch/types';
import type { SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { logger } from './observability';

/** A record as its handler gets it from an {@link SqsMessageProcessor}: `body` is the parsed message. */
export type ParsedSqsRecord<S extends z.ZodType> = ParsedRecord<SQSRecord, z.output<S>>;

/** A message body read against its schema: the message, or why it is malformed (never quoting the body). */
type BodyRead<S extends z.ZodType> = { ok: true; message: z.output<S> } | { ok: false; reason: string };

/**
 * Reads `body` as JSON matching `schema`. The JSON reader's message quotes the text around the bad character, so a
 * body that is not JSON is only "Invalid JSON"; schema issues name the path (`body.<field>`) and zod's message, which
 * states what was expected, not the value.
 */
function readBody<S extends z.ZodType>(schema: S, body: string): BodyRead<S> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body: Invalid JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issues = parsed.error.issues.map((i) => `${['body', ...i.path.map(String)].join('.')}: ${i.message}`);
  return { ok: false, reason: issues.join('; ') };
}

/**
 * The batch processor of one queue, whose messages are JSON matching `body` (`what` names them in logs). It holds
 * one batch's records and failures: create one per invocation, never in module scope (locally a queue's receive loops
 * call one module at once, and a shared processor reported another batch's failures: a failed message was deleted).
 */
export class SqsMessageProcessor<S extends z.ZodType> extends BatchProcessor {
  readonly #body: S;
  readonly #what: string;

  constructor(body: S, what: string) {
    // The hook BatchProcessor calls before each record handler; a ParsingError fails the record alone.
    const parser: BatchProcessorConfig['parser'] = async (record) => {
      const read = readBody(body, (record as SQSRecord).body);
      if (!read.ok) throw new ParsingError(read.reason);
      return { ...(record as SQSRecord), body: read.message } as unknown as EventSourceDataClassTypes;
    };
    // Debug output would carry the unredacted parse failure; warnings and errors go to the service's logger.
    const quiet = { debug: () => {}, warn: logger.warn.bind(logger), error: logger.error.bind(logger) };
    super(EventType.SQS, { parser, innerSchema: body, transformer: 'json', logger: quiet });
    this.#body = body;
    this.#what = what;
  }

  /** The message of `record`, its body parsed as the processor parses it, or undefined when it is malformed. */
  messageOf(record: SQSRecord): z.output<S> | undefined {
    const read = readBody(this.#body, record.body);
    return read.ok ? read.message : undefined;
  }

  /** Logs a malformed message (its id and what is wrong, not its body) before the record is reported failed. */
  override failureHandler(record: EventSourceDataClassTypes, error: Error): FailureResponse {
    if (error instanceof ParsingError) {
      const { messageId } = record as SQSRecord;
      logger.error(`malformed ${this.#what} message`, { messageId, reason: error.message });
    }
    return super.failureHandler(record, error);
  }
}
