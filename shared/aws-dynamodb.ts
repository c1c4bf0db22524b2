/** The DynamoDB clients (see shared/aws-config.ts). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientConfig } from './aws-config';

/** Low-level DynamoDB client (table-level calls such as DescribeTable). */
export const dynamodb = new DynamoDBClient(clientConfig());

/** Document client: plain JS values in and out; numbers never carry money (money is stored as strings). */
export const ddb = DynamoDBDocumentClient.from(dynamodb, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
