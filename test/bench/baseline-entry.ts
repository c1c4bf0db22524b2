/**
 * The bench's baseline Lambda: only the DynamoDB client, created at module scope as shared/aws.ts does. Bundled
 * exactly like every function, it is the yardstick for bundle size and init time (test/bench/sections/bundles.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export const handler = async () => ({ region: await client.config.region() });
