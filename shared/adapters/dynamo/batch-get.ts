/**
 * BatchGetItem on the service's table with DynamoDB's contract honoured: keys it leaves unprocessed (throttling,
 * the 16 MB answer limit) are asked for again with backoff, so a caller gets every item that exists or an error.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

/** What a batch read may add to the keys: a projection (with its names) or a consistent read. */
export interface BatchGetOptions {
  projection?: string;
  names?: Record<string, string>;
  consistent?: boolean;
}

const MAX_ATTEMPTS = 9;

/** The items that exist among `keys` (at most 100 per call; in no particular order). */
export async function batchGetItems(keys: readonly Key[], options: BatchGetOptions = {}): Promise<Item[]> {
  if (keys.length > 100) throw new Error('BatchGetItem takes at most 100 keys');
  const table = tableName();
  const items: Item[] = [];
  let pending: Key[] | undefined = [...keys];
  for (let attempt = 0; pending?.length; attempt++) {
    if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchGet left keys unprocessed after ${MAX_ATTEMPTS} attempts`);
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
    const result = await ddb.send(
      new BatchGetCommand({
        RequestItems: {
          [table]: {
            Keys: pending,
            ...(options.projection ? { ProjectionExpression: options.projection } : {}),
            ...(options.names ? { ExpressionAttributeNames: options.names } : {}),
            ...(options.consistent ? { ConsistentRead: true } : {}),
          },
        },
      }),
    );
    items.push(...(result.Responses?.[table] ?? []));
    pending = result.UnprocessedKeys?.[table]?.Keys as Key[] | undefined;
  }
  return items;
}
