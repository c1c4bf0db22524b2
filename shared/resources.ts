/**
 * The service's named resources and the configuration names through which a deployment tells a function where they
 * are: the table, the queues (each with its dead-letter queue), the buckets, and the environment variables naming
 * them. One module that both infra/ (the topology the CDK stack and the local runtime read) and shared/ (the
 * functions' configuration) read, so a name is spelled once and shared/ never imports infra/.
 */

/**
 * What a global secondary index keeps of each item: every attribute, or (`include`) only the table's and the index's
 * keys plus the named attributes, which are what its queries filter on. A reader of an `include` index fetches
 * the items themselves with BatchGetItem (shared/adapters/dynamo/index-items.ts), so the table does not store a
 * second copy of every item for that index.
 */
export type IndexProjection = 'all' | { readonly include: readonly string[] };

/** The single DynamoDB table (single-table design; see docs/data-model.md). */
export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Overloaded global secondary indexes; entity modules in shared/ build their keys. */
  indexes: [
    // A ministry's invoices, receipts and refunds, an invoice's transfers and sweeps, the suspense list, the scanner's
    // watch writes. Kept: what the lists filter on (payer, expiresAt, feeCode, payerBin, state, chainId), what the
    // scanner's warm read and an invoice's sweep links read (address, watchUntil, createdAt, watchWrittenAt,
    // sweepId), so those two hot reads need no read-back; the lists read their page back by key.
    {
      name: 'gsi1',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
      projection: {
        include: [
          'payer',
          'expiresAt',
          'feeCode',
          'payerBin',
          'state',
          'chainId',
          'address',
          'watchUntil',
          'createdAt',
          'watchWrittenAt',
          'sweepId',
        ],
      } as IndexProjection,
    },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'all' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projection: 'all' },
    // Status lists: a ministry's invoices in one status (a filtered page is one Query, whatever the mix), and a
    // source's refunds. Every invoice sits here for ever: only the list filter's attributes (the payer's BIN, the
    // open list's expiry) are kept; a page's items are then read by key.
    {
      name: 'gsi4',
      partitionKey: 'gsi4pk',
      sortKey: 'gsi4sk',
      projection: { include: ['payer', 'expiresAt'] } as IndexProjection,
    },
  ],
  timeToLiveAttribute: 'ttl',
} as const;

/** How a queue is configured. */
export interface QueueSpec {
  /**
   * At least six times the consuming function's timeout (AWS's advice for Lambda event sources: a batch that is
   * retried inside one invocation, or throttled, is not handed to a second consumer meanwhile). The stack refuses less.
   */
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  /**
   * A FIFO queue (its dead-letter queue is FIFO too, as SQS requires): every message is sent with a message group id
   * and an explicit deduplication id, and a consumer is never handed a group's next messages while earlier ones of
   * that group are in flight. Its physical name ends in `.fifo`.
   */
  fifo?: boolean;
  /**
   * The oldest message's age (seconds) past which the queue's `QueueAge` alarm fires: longer than the queue's own
   * delivery delays and retry backoff allow in normal running. Default: one hour.
   */
  maxMessageAgeSeconds?: number;
}

/**
 * Queues. Every queue gets a dead-letter queue after `maxReceiveCount` receives, an alarm on the DLQ depth and alarms
 * on the age of the oldest message in both.
 */
export const queues = {
  // reconcile-transfers (30 s) backs a failed record off exponentially (2 s … 5 min): ten receives ride out a
  // DynamoDB or KMS outage of ten minutes before a sighting is dead-lettered.
  transfers: { visibilityTimeoutSeconds: 180, maxReceiveCount: 10, maxMessageAgeSeconds: 300 },
  // Final sightings of matched transfers, grouped by the invoice's ministry: SQS FIFO with Lambda processes one
  // group's batches one after another, so a ministry's receipts are numbered without racing for its chain head.
  finals: { visibilityTimeoutSeconds: 180, maxReceiveCount: 10, fifo: true, maxMessageAgeSeconds: 300 },
  // Sixteen tries with backoff capped at two hours spread a registry outage over about twenty hours; the age alarm
  // fires well before (ReceiptDeliveryFailures earlier still).
  outbox: { visibilityTimeoutSeconds: 240, maxReceiveCount: 16, maxMessageAgeSeconds: 6 * 3600 },
  // Unwatch messages are sent with SQS's longest delay (15 minutes), which counts in their age.
  addressWatch: { visibilityTimeoutSeconds: 180, maxReceiveCount: 10, maxMessageAgeSeconds: 3600 },
  // Six times the export worker's 900 s: a running export is never handed to a second worker.
  exports: { visibilityTimeoutSeconds: 5400, maxReceiveCount: 3, maxMessageAgeSeconds: 2 * 3600 },
  // Approved refunds whose signed order goes to the custodian; tries spread like the outbox's, then the DLQ.
  refunds: { visibilityTimeoutSeconds: 240, maxReceiveCount: 16, maxMessageAgeSeconds: 6 * 3600 },
} as const satisfies Record<string, QueueSpec>;

/** How a bucket is kept. */
export interface BucketSpec {
  /** Objects are deleted this long after they are written. */
  expireAfterDays: number;
  /**
   * Write-once: S3 Object Lock in compliance mode keeps every object version this many days, undeletable and
   * unchangeable by anyone (the account root included).
   */
  lockDays?: number;
}

/** S3 buckets. */
export const buckets = {
  exports: { expireAfterDays: 30 },
  // The write-once archive of what the service signed (receipts, annulments, refund receipts) and of the journal:
  // kept ten years, locked for the first seven; written once per key (docs/operations.md, "Backups and archive").
  archive: { expireAfterDays: 3653, lockDays: 2557 },
  // Settlement reports and bank statements exactly as uploaded: accounting records, kept ten years.
  uploads: { expireAfterDays: 3650 },
} as const satisfies Record<string, BucketSpec>;

export type QueueName = keyof typeof queues;
/** The FIFO queues: sending to one takes a message group id and a deduplication id per message. */
export type FifoQueueName = { [Q in QueueName]: (typeof queues)[Q] extends { fifo: true } ? Q : never }[QueueName];
/** The standard (not FIFO) queues. */
export type StandardQueueName = Exclude<QueueName, FifoQueueName>;

/** Whether `queue` is a FIFO queue. */
export const isFifoQueue = (queue: QueueName): queue is FifoQueueName => (queues[queue] as QueueSpec).fifo === true;

/** SQS's suffix of a FIFO queue's name (and so of its URL and ARN). */
export const FIFO_SUFFIX = '.fifo';

/**
 * Whether a queue ARN (an SQS record's `eventSourceARN`, in Lambda and from the local poller alike) is a FIFO
 * queue's: how a consumer of a standard queue and a FIFO one tells their records apart, whatever the deployment
 * named the queues.
 */
export const isFifoQueueArn = (queueArn: string): boolean => queueArn.endsWith(FIFO_SUFFIX);
export type BucketName = keyof typeof buckets;

/** Environment variable names through which the deployment tells a function where its resources are. */
export const resourceEnv = {
  table: 'TABLE_NAME',
  queueUrl: (q: QueueName) => `QUEUE_URL_${q.toUpperCase()}`,
  dlqUrl: (q: QueueName) => `DLQ_URL_${q.toUpperCase()}`,
  bucket: (b: BucketName) => `BUCKET_${b.toUpperCase()}`,
} as const;

/**
 * What a secret is for: each purpose is its own Secrets Manager secret, granted only to the functions that use it
 * (shared/adapters/service-secret.ts reads them): the providers' webhook signing keys, the providers' API
 * credentials, the registries' HMAC secrets, the custodian's HMAC secret, and the keyed RPC URLs of the chains whose
 * `CHAINS` entry says `rpcUrlInSecret` (shared/adapters/chain/rpc-urls.ts reads that one).
 */
export type SecretPurpose = 'webhooks' | 'providerApi' | 'registries' | 'custodian' | 'rpcUrls';

/** The environment variable naming each purpose's secret (the stack sets it on the functions granted it). */
export const secretArnEnv = {
  webhooks: 'WEBHOOK_SECRETS_ARN',
  providerApi: 'PROVIDER_API_SECRET_ARN',
  registries: 'REGISTRY_SECRETS_ARN',
  custodian: 'CUSTODIAN_SECRET_ARN',
  rpcUrls: 'RPC_URLS_SECRET_ARN',
} as const satisfies Record<SecretPurpose, string>;

/**
 * The header CloudFront adds to every request it forwards to the API (infra/edge.ts), whose value the HTTP functions
 * check (shared/adapters/origin-guard.ts), so a request straight to the execute-api URL, around the WAF, is refused.
 */
export const EDGE_ORIGIN_HEADER = 'x-stablefee-origin';

/**
 * The environment variable naming the secret holding that header's accepted values (JSON `{"current", "previous"?}`);
 * set on the HTTP functions in the cloud, unset locally (no guard).
 */
export const EDGE_ORIGIN_SECRET_ARN_ENV = 'EDGE_ORIGIN_SECRET_ARN';

/**
 * The configuration name of the custodian that takes refund orders (its endpoint and custody accounts, JSON; read by
 * shared/adapters/custodian.ts, set by the stack's CustodianJson parameter and by the local runtime).
 */
export const CUSTODIAN_ENV = 'CUSTODIAN';

/**
 * The message attribute a replay from a dead-letter queue sets (its value: when). A replayed message is a fresh SQS
 * message (its receive count starts again at 1), yet it may follow a run that crashed half-way: a consumer that
 * mends such runs only on redelivery treats it as one (functions/reconcile-transfers/handler.ts).
 */
export const REPLAYED_ATTRIBUTE = 'stablefeeReplayedAt';

/**
 * The configuration names of the sweeper's gas key (functions/sweep-deposits): a KMS key id in the cloud (the stack
 * sets it), a private key only on a local stage (the local runtime sets Hardhat account 18's).
 */
export const sweeperKeyEnv = {
  kmsKeyId: 'SWEEPER_KMS_KEY_ID',
  privateKey: 'SWEEPER_PRIVATE_KEY',
} as const;
