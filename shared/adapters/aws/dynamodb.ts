/** The DynamoDB clients (see shared/adapters/aws/config.ts). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientConfig, traced } from './config';

/** Low-level DynamoDB client (table-level calls such as DescribeTable). */
export const dynamodb = traced(new DynamoDBClient(clientConfig()));

/**
 * Document client: plain JS values in and out; numbers never carry money (money is stored as strings). It sends
 * through `dynamodb`'s middleware stack, so its calls are traced too.
 */
export const ddb = DynamoDBDocumentClient.from(dynamodb, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
