/**
 * Committing a plan of writes as ONE DynamoDB transaction (every invariant of a change in one TransactWriteItems).
 * A cancelled transaction means a condition another writer broke since we read: it surfaces as the port's
 * ConcurrentChangeError, so use cases retry without knowing DynamoDB.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConcurrentChangeError } from '../../ports';
import { ddb } from '../aws/dynamodb';

/** The items of one transaction (Put, Update, ConditionCheck, Delete), as the entity modules build them. */
export type TransactionItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Writes all `items` or none; a broken condition is a {@link ConcurrentChangeError}. */
export async function commit(items: TransactionItems): Promise<void> {
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      throw new ConcurrentChangeError(`transaction cancelled: ${reasons(error)}`, { cause: error });
    }
    throw error;
  }
}

function reasons(error: TransactionCanceledException): string {
  return (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None').join(',');
}
