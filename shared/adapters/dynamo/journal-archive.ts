/**
 * The journal archiver's store (the JournalArchiveStore port): journal entries by instant, read from the month
 * partitions of gsi2 (shared/adapters/dynamo/journal.ts), and the archiver's checkpoint, one item moved only over the
 * day it was read at.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { JournalArchiveStore } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { journalEntriesBetween } from './journal';

/** The checkpoint item: the last Kazakhstan day whose journal is archived. */
export const journalArchiveCheckpointKey = { pk: 'ARCHIVE#JOURNAL', sk: 'CHECKPOINT' } as const;

async function lastArchivedDay(): Promise<string | undefined> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: journalArchiveCheckpointKey, ConsistentRead: true }),
  );
  return Item?.day as string | undefined;
}

async function markArchived(day: string, previous: string | undefined, at: Date): Promise<boolean> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...journalArchiveCheckpointKey, type: 'archive-checkpoint', day, updatedAt: at.toISOString() },
        ConditionExpression: previous === undefined ? 'attribute_not_exists(pk)' : '#day = :previous',
        ...(previous === undefined
          ? {}
          : { ExpressionAttributeNames: { '#day': 'day' }, ExpressionAttributeValues: { ':previous': previous } }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** The journal and the archiver's checkpoint in the table. */
export const dynamoJournalArchiveStore: JournalArchiveStore = {
  entriesBetween: journalEntriesBetween,
  lastArchivedDay,
  markArchived,
};
