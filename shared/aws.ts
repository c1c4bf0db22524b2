/**
 * The one module that owns the AWS SDK clients. Clients are created once per Lambda container at module scope with
 * explicit timeouts. `AWS_ENDPOINT_URL` points every client at an emulator (moto, LocalStack) when set.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const endpoint = process.env.AWS_ENDPOINT_URL || undefined;

function requestHandler() {
  return new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 5_000 });
}

const common = { endpoint, maxAttempts: 3, requestHandler: requestHandler() } as const;

/** Low-level DynamoDB client (table-level calls such as DescribeTable). */
export const dynamodb = new DynamoDBClient({ ...common });

/** Document client: plain JS values in and out; numbers never carry money (money is stored as strings). */
export const ddb = DynamoDBDocumentClient.from(dynamodb, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export const sqs = new SQSClient({ ...common, requestHandler: requestHandler() });

/** Path-style addressing keeps S3 working against emulators on plain localhost ports. */
export const s3 = new S3Client({ ...common, requestHandler: requestHandler(), forcePathStyle: Boolean(endpoint) });
