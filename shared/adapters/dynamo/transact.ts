/**
 * Committing a plan of writes as ONE DynamoDB transaction (every invariant of a change in one TransactWriteItems),
 * and telling a lost race (a condition another writer broke since we read) from a failure.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';

/** The items of one transaction (Put, Update, ConditionCheck, Delete), as the entity modules build them. */
export type TransactionItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Writes all `items` or none. */
export async function commit(items: TransactionItems): Promise<void> {
  await ddb.send(new TransactWriteCommand({ TransactItems: items }));
}

/** Whether a commit failed because another writer changed what it was conditioned on: read again and retry. */
export function isLostRace(error: unknown): boolean {
  return error instanceof TransactionCanceledException;
}
