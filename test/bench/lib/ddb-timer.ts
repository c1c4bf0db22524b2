/**
 * Times every DynamoDB request of a client through SDK middleware: the span from the command entering the client's
 * stack to its response (serialization, signing, HTTP round trip, parsing), per command name. The handlers run in
 * this process and use the clients of shared/aws.ts, so a timer on `dynamodb` (whose stack the document client
 * shares) sees every request they make.
 *
 * With `serialize`, requests go to the emulator one at a time (a queue in this process; the time spent waiting in
 * it is not request time). moto cannot take concurrent transactions: TransactWriteItems deep-copies the table
 * first and, when cancelled, puts that copy back, erasing whatever other requests wrote meanwhile. Real DynamoDB
 * has no such problem, and moto runs one request at a time anyway (Python's GIL), so this only keeps the runs
 * correct.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { nowMs, unionLength } from './stats';

export interface DdbCall {
  command: string;
  start: number;
  end: number;
  ok: boolean;
  input: unknown;
}

export interface DdbTimer {
  /** Starts recording (clears what was recorded). */
  start(): void;
  stop(): void;
  calls(): readonly DdbCall[];
  /** Total time requests waited for their turn (serialize only), while recording. */
  waitedMs(): number;
  /** Called after each successful request, with its input (marshalled) and output. */
  onSuccess(listener: (command: string, input: unknown, output: unknown, end: number) => void): void;
}

export interface DdbSummary {
  requests: number;
  /** Sum of request latencies (ms). */
  sumMs: number;
  /** Wall time during which at least one request was in flight (ms). */
  busyMs: number;
  byCommand: Record<string, { requests: number; sumMs: number }>;
}

export function summarize(calls: readonly DdbCall[]): DdbSummary {
  const byCommand: DdbSummary['byCommand'] = {};
  let sumMs = 0;
  for (const c of calls) {
    const d = c.end - c.start;
    sumMs += d;
    const entry = byCommand[c.command] ?? { requests: 0, sumMs: 0 };
    byCommand[c.command] = entry;
    entry.requests++;
    entry.sumMs += d;
  }
  return { requests: calls.length, sumMs, busyMs: unionLength(calls.map((c) => [c.start, c.end] as const)), byCommand };
}

/** Adds the timing middleware to `client` (once). */
export function timeDynamoDb(client: DynamoDBClient, options: { serialize?: boolean } = {}): DdbTimer {
  let recording = false;
  let calls: DdbCall[] = [];
  let waited = 0;
  let turn: Promise<void> = Promise.resolve();
  const listeners: ((command: string, input: unknown, output: unknown, end: number) => void)[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      let release = () => {};
      if (options.serialize) {
        const previous = turn;
        turn = new Promise<void>((resolve) => {
          release = resolve;
        });
        const queued = nowMs();
        await previous;
        if (recording) waited += nowMs() - queued;
      }
      const start = nowMs();
      const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      let ok = false;
      try {
        const result = await next(args);
        ok = true;
        const end = nowMs();
        for (const l of listeners) l(command, args.input, result.output, end);
        return result;
      } finally {
        if (recording) calls.push({ command, start, end: nowMs(), ok, input: args.input });
        release();
      }
    },
    { step: 'initialize', name: 'benchDynamoDbTimer', priority: 'high', override: true },
  );
  return {
    start() {
      calls = [];
      waited = 0;
      recording = true;
    },
    stop() {
      recording = false;
    },
    calls: () => calls,
    waitedMs: () => waited,
    onSuccess(listener) {
      listeners.push(listener);
    },
  };
}
