/**
 * The chain scanner's checkpoint per chain in the table: the last block scanned and its hash (to detect reorgs by
 * continuity), saved only over the version it was read at.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AddressesAsOf, ScanCheckpoint, ScanCheckpoints } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';

export const checkpointKey = (chainId: number) => ({ pk: `CHECKPOINT#${chainId}`, sk: 'SCANNER' });

/** The chain's checkpoint, read consistently. */
export async function getCheckpoint(chainId: number): Promise<ScanCheckpoint | undefined> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: checkpointKey(chainId), ConsistentRead: true }),
  );
  return Item as ScanCheckpoint | undefined;
}

/**
 * Moves the checkpoint on from `previous` (undefined for the first); false when another scanner run moved it first,
 * so two overlapping runs never both advance it.
 */
export async function saveCheckpoint(
  chainId: number,
  next: { blockNumber: number; blockHash: string; addressesAsOf?: AddressesAsOf },
  previous: ScanCheckpoint | undefined,
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

/** The scanner's checkpoints in the table (the {@link ScanCheckpoints} port). */
export const dynamoScanCheckpoints: ScanCheckpoints = { get: getCheckpoint, save: saveCheckpoint };
