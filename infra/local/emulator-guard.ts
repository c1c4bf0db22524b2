/**
 * An emulator workaround, local only: sends the in-process DynamoDB requests to moto one at a time. moto's
 * TransactWriteItems deep-copies the table first and, when a transaction is cancelled, puts that copy back,
 * erasing whatever concurrent requests wrote meanwhile (seen here as a lost counter increment: two invoices with
 * one deposit address). Real DynamoDB and LocalStack have no such problem, and moto serves one request at a time
 * anyway, so this costs nothing but keeps local runs and tests correct.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const installed = new WeakSet<DynamoDBClient>();

/** Makes `client` (and document clients built on it) send one request at a time. */
export function serializeRequests(client: DynamoDBClient): void {
  if (installed.has(client)) return;
  installed.add(client);
  let tail: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    (next) => async (args) => {
      const previous = tail;
      let release: () => void = () => {};
      tail = new Promise<void>((resolve) => {
        release = resolve;
      });
      await previous;
      try {
        return await next(args);
      } finally {
        release();
      }
    },
    { step: 'finalizeRequest', name: 'stablefeeSerializeForMoto', priority: 'low' },
  );
}
