/**
 * Creates the table, queues (each with its dead-letter queue and redrive policy) and buckets that
 * infra/topology.ts declares, in whatever AWS endpoint the clients point at, and returns the environment
 * variables through which functions find them — the same names the CDK stack sets.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectLockConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type BucketSpec, FIFO_SUFFIX, type QueueSpec } from '../../shared/resources';
import { type BucketName, buckets, type QueueName, queues, resourceEnv, table } from '../topology';

export interface ProvisionedResources {
  env: Record<string, string>;
  tableName: string;
  queueUrls: Record<QueueName, string>;
  dlqUrls: Record<QueueName, string>;
  bucketNames: Record<BucketName, string>;
}

/**
 * What a test may change of a queue: its redrive limit (reach the dead-letter queue in a few tries) and its
 * visibility timeout (a crashed consumer's message comes back in seconds).
 */
export interface QueueOverride {
  maxReceiveCount?: number;
  visibilityTimeoutSeconds?: number;
}

/** Provisions every resource under `prefix`; safe to call against resources that already exist. */
export async function provision(
  endpoint: string,
  prefix = 'stablefee',
  overrides: Partial<Record<QueueName, QueueOverride>> = {},
): Promise<ProvisionedResources> {
  const clientConfig = { endpoint, region: process.env.AWS_REGION ?? 'us-east-1' };
  const dynamodb = new DynamoDBClient(clientConfig);
  const sqs = new SQSClient(clientConfig);
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  try {
    const tableName = `${prefix}-main`;
    await createTable(dynamodb, tableName);

    const queueUrls = {} as Record<QueueName, string>;
    const dlqUrls = {} as Record<QueueName, string>;
    for (const [name, spec] of Object.entries(queues) as [QueueName, QueueSpec][]) {
      const maxReceiveCount = overrides[name]?.maxReceiveCount ?? spec.maxReceiveCount;
      const visibilityTimeoutSeconds = overrides[name]?.visibilityTimeoutSeconds ?? spec.visibilityTimeoutSeconds;
      const pair = await createQueuePair(sqs, `${prefix}-${name}`, {
        ...spec,
        maxReceiveCount,
        visibilityTimeoutSeconds,
      });
      queueUrls[name] = pair.queueUrl;
      dlqUrls[name] = pair.dlqUrl;
    }

    const bucketNames = {} as Record<BucketName, string>;
    for (const [name, spec] of Object.entries(buckets) as [BucketName, BucketSpec][]) {
      bucketNames[name] = await createBucket(s3, `${prefix}-${name}`, spec);
    }

    const env: Record<string, string> = { [resourceEnv.table]: tableName };
    for (const name of Object.keys(queues) as QueueName[]) {
      env[resourceEnv.queueUrl(name)] = queueUrls[name];
      env[resourceEnv.dlqUrl(name)] = dlqUrls[name];
      const override = overrides[name]?.maxReceiveCount;
      if (override) env[`MAX_RECEIVE_COUNT_${name.toUpperCase()}`] = String(override);
    }
    for (const name of Object.keys(buckets) as BucketName[]) env[resourceEnv.bucket(name)] = bucketNames[name];
    return { env, tableName, queueUrls, dlqUrls, bucketNames };
  } finally {
    dynamodb.destroy();
    sqs.destroy();
    s3.destroy();
  }
}

/**
 * A bucket as the stack makes it: a write-once one (`lockDays`) with S3 Object Lock in compliance mode and that
 * default retention (moto keeps it, and refuses a conditional put over an existing key as S3 does).
 */
async function createBucket(s3: S3Client, bucket: string, spec: BucketSpec): Promise<string> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: spec.lockDays !== undefined }));
  } catch (error) {
    if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
  }
  if (spec.lockDays !== undefined) {
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: spec.lockDays } },
        },
      }),
    );
  }
  return bucket;
}

/**
 * A queue and its dead-letter queue, the queue's redrive policy pointing at it. A FIFO queue's dead-letter queue is
 * FIFO too (SQS refuses a standard one), and both names end in `.fifo`, as SQS requires of a FIFO queue.
 */
async function createQueuePair(
  sqs: SQSClient,
  name: string,
  spec: QueueSpec,
): Promise<{ queueUrl: string; dlqUrl: string }> {
  const kind = spec.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : undefined;
  const suffix = spec.fifo ? FIFO_SUFFIX : '';
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq${suffix}`, Attributes: kind }));
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}${suffix}`,
      Attributes: {
        ...kind,
        VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: spec.maxReceiveCount }),
      },
    }),
  );
  return { queueUrl: queue.QueueUrl as string, dlqUrl: dlq.QueueUrl as string };
}

async function createTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  const keys = new Set<string>([table.partitionKey, table.sortKey]);
  for (const index of table.indexes) {
    keys.add(index.partitionKey);
    keys.add(index.sortKey);
  }
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...keys].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: table.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection:
            index.projection === 'all'
              ? { ProjectionType: 'ALL' }
              : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.include] },
        })),
        // No stream: the local runtime runs no stream trigger, and moto copies the table once more per write for it.
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    return;
  }
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.TableStatus !== 'ACTIVE') throw new Error(`table ${tableName} is ${Table?.TableStatus}`);
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
    }),
  );
}
