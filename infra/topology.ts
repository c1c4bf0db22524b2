/**
 * The one declaration of stablefee's runtime shape: functions and their triggers, queues with their dead-letter
 * queues, the table and its indexes, buckets and schedules. The CDK stack (infra/stack.ts) and the local runtime
 * (infra/local/) both read this file, so what runs on a laptop is what deploys.
 *
 * Adding a function: create functions/<name>/handler.ts exporting `handler`, then add one entry to `functions`.
 */

/** Who may call an HTTP route. `jwt` routes carry the authorizer; the handler still checks the role. */
export type RouteAuth = 'jwt' | 'public';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRoute {
  method: HttpMethod;
  /** API Gateway route path, with `{param}` placeholders. */
  path: string;
  auth: RouteAuth;
}

export type QueueName = keyof typeof queues;
export type BucketName = keyof typeof buckets;

export type Trigger =
  | { kind: 'http'; routes: HttpRoute[] }
  | { kind: 'queue'; queue: QueueName; batchSize: number; maxBatchingWindowSeconds?: number }
  | {
      kind: 'schedule';
      /** EventBridge expression used in the cloud, e.g. `rate(1 minute)`. */
      expression: string;
      /** How often the local runtime runs it. */
      localEverySeconds: number;
    }
  | { kind: 'stream'; batchSize: number };

/** What a function may touch. The stack turns this into least-privilege grants; nothing else is granted. */
export interface FunctionAccess {
  table?: 'read' | 'readwrite';
  /** Queues the function sends to. */
  sendTo?: QueueName[];
  /** Queues whose attributes the function reads (health checks, metrics). */
  inspect?: QueueName[];
  /** Dead-letter queues the function may move messages out of (replay). */
  redrive?: QueueName[];
  buckets?: Partial<Record<BucketName, 'read' | 'readwrite'>>;
}

export interface FunctionSpec {
  /** kebab-case; also the folder under functions/. */
  name: string;
  description: string;
  triggers: Trigger[];
  access: FunctionAccess;
  memoryMb?: number;
  timeoutSeconds?: number;
}

/** The single DynamoDB table (single-table design; see docs/data-model.md). */
export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Overloaded global secondary indexes; entity modules in shared/ build their keys. */
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
  timeToLiveAttribute: 'ttl',
} as const;

/** Queues. Every queue gets a dead-letter queue after `maxReceiveCount` receives and an alarm on the DLQ depth. */
export const queues = {
  transfers: { visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
  outbox: { visibilityTimeoutSeconds: 60, maxReceiveCount: 10 },
} as const satisfies Record<string, { visibilityTimeoutSeconds: number; maxReceiveCount: number }>;

/** S3 buckets. */
export const buckets = {
  exports: { expireAfterDays: 30 },
} as const satisfies Record<string, { expireAfterDays: number }>;

/** Every Lambda function of the service. */
export const functions: FunctionSpec[] = [
  {
    name: 'health',
    description: 'Liveness and dependency checks: table, queues, chain RPC; publishes the receipt signer.',
    triggers: [{ kind: 'http', routes: [{ method: 'GET', path: '/v1/health', auth: 'public' }] }],
    access: { table: 'read', inspect: ['transfers', 'outbox'] },
  },
  {
    name: 'list-fees',
    description: 'The fee catalog.',
    triggers: [{ kind: 'http', routes: [{ method: 'GET', path: '/v1/fees', auth: 'public' }] }],
    access: {},
  },
];

/** Environment variable names through which the deployment tells a function where its resources are. */
export const resourceEnv = {
  table: 'TABLE_NAME',
  queueUrl: (q: QueueName) => `QUEUE_URL_${q.toUpperCase()}`,
  dlqUrl: (q: QueueName) => `DLQ_URL_${q.toUpperCase()}`,
  bucket: (b: BucketName) => `BUCKET_${b.toUpperCase()}`,
} as const;

export const topology = { table, queues, buckets, functions } as const;
export type Topology = typeof topology;
