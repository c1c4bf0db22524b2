/** Atomic counters (deposit-address index). One item per counter; ADD is atomic, so no two callers get the same value. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';

export const counterKey = (name: string) => ({ pk: `COUNTER#${name}`, sk: 'COUNTER' });

/**
 * The next value of counter `name`, starting at 0. A value taken by a request that then fails is never reused;
 * for deposit addresses that only leaves an unused address.
 */
export async function takeNext(name: string): Promise<number> {
  const { Attributes } = await ddb.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: counterKey(name),
      UpdateExpression: 'ADD #next :one',
      ExpressionAttributeNames: { '#next': 'next' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(Attributes?.next) - 1;
}
