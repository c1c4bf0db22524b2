/**
 * Webhook delivery nonces seen recently, so that a captured, correctly signed delivery cannot be replayed while its
 * timestamp is still within tolerance. Stored in the table (not in memory) so that every Lambda container sees every
 * nonce; the `ttl` attribute lets DynamoDB drop them later, and the condition ignores expired ones it has not yet.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { NonceStore } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';

/**
 * The key of one provider's nonce. The nonce is hashed: it is whatever the sender put in a header, and a key must
 * stay short and printable.
 */
export const nonceKey = (provider: string, nonce: string) => ({
  pk: `NONCE#${provider}#${createHash('sha256').update(nonce, 'utf8').digest('hex')}`,
  sk: 'NONCE',
});

/**
 * Records `nonce` as seen for `windowSeconds` from `now`. True when it was not seen in that window (the delivery may
 * proceed), false for a replay. One conditional put, so two concurrent deliveries of the same nonce cannot both win.
 */
export async function claimNonce(provider: string, nonce: string, now: Date, windowSeconds: number): Promise<boolean> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  try {
    await ddb.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...nonceKey(provider, nonce), type: 'nonce', provider, ttl: nowSeconds + windowSeconds },
        // TTL deletion lags (up to days): an item whose ttl has passed no longer counts.
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':now': nowSeconds },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Forgets a claimed nonce, so that the provider's retry of a delivery we failed to take is not refused as a replay. */
export async function releaseNonce(provider: string, nonce: string): Promise<void> {
  await ddb.send(new DeleteCommand({ TableName: tableName(), Key: nonceKey(provider, nonce) }));
}

/** The nonce store of the service's table (the NonceStore port). */
export const dynamoNonceStore: NonceStore = { claim: claimNonce, release: releaseNonce };
