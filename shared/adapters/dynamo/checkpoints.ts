/** The chain scanner's checkpoint per chain: the last block scanned and its hash (to detect reorgs by continuity). */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';

export const checkpointKey = (chainId: number) => ({ pk: `CHECKPOINT#${chainId}`, sk: 'SCANNER' });

/**
 * Which watched addresses the blocks up to the checkpoint were scanned for (shared/app/scan-chain.ts): every
 * address issued before `at`; and none of the blocks after `block` can hold a payment to an address issued later.
 * Absent on checkpoints written before it existed: those were scanned with a list read after their head.
 */
export interface AddressesAsOf {
  at: string;
  block: number;
}

export interface Checkpoint {
  blockNumber: number;
  blockHash: string;
  addressesAsOf?: AddressesAsOf;
  version: number;
  updatedAt: string;
}

export async function getCheckpoint(chainId: number): Promise<Checkpoint | undefined> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: checkpointKey(chainId), ConsistentRead: true }),
  );
  return Item as Checkpoint | undefined;
}

/**
 * Moves the checkpoint on from `previous` (undefined for the first); false when another scanner run moved it first,
 * so two overlapping runs never both advance it.
 */
export async function saveCheckpoint(
  chainId: number,
  next: { blockNumber: number; blockHash: string; addressesAsOf?: AddressesAsOf },
  previous: Checkpoint | undefined,
  at: string,
): Promise<boolean> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...checkpointKey(chainId),
          type: 'checkpoint',
          ...next,
          version: (previous?.version ?? 0) + 1,
          updatedAt: at,
        },
        ConditionExpression: previous ? 'version = :v' : 'attribute_not_exists(pk)',
        ...(previous ? { ExpressionAttributeValues: { ':v': previous.version } } : {}),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
