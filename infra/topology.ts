/**
 * The one declaration of stablefee's runtime shape: functions and their triggers, queues with their dead-letter
 * queues, the table and its indexes, buckets and schedules. The CDK stack (infra/stack.ts) and the local runtime
 * (infra/local/) both read this file, so what runs on a laptop is what deploys.
 *
 * Adding a function: create functions/<name>/handler.ts exporting `handler`, then add one entry to `functions`.
 */

import { DOCUMENT_ARCHIVE_FOLDERS, JOURNAL_ARCHIVE_FOLDER } from '../shared/domain/archive';
import {
  type BucketName,
  buckets,
  type QueueName,
  queues,
  resourceEnv,
  type SecretPurpose,
  table,
} from '../shared/resources';

// The named resources live in shared/resources.ts (read by the functions too); the topology declares them here.
export { type BucketName, buckets, type QueueName, queues, resourceEnv, table };

/** Who may call an HTTP route. `jwt` routes carry the authorizer; the handler still checks the role. */
export type RouteAuth = 'jwt' | 'public';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRoute {
  method: HttpMethod;
  /** API Gateway route path, with `{param}` placeholders. */
  path: string;
  auth: RouteAuth;
}

export type Trigger =
  | { kind: 'http'; routes: HttpRoute[] }
  | {
      kind: 'queue';
      queue: QueueName;
      /** At most 10 on a FIFO queue. */
      batchSize: number;
      /** Not on a FIFO queue (Lambda has no batching window for FIFO). */
      maxBatchingWindowSeconds?: number;
      /**
       * At most this many concurrent invocations from this queue (Lambda's ScalingConfig maximum concurrency, 2 to
       * 1000), so a burst cannot take the account's concurrency or a downstream's capacity. Default
       * `DEFAULT_QUEUE_MAX_CONCURRENCY` (2). Locally, as many receive loops (at most 4). The loops share one module,
       * so such a handler keeps no invocation's state in module scope (a batch processor per invocation: see
       * functions/reconcile-transfers/handler.ts).
       */
      maxConcurrency?: number;
    }
  | {
      kind: 'schedule';
      /** EventBridge expression used in the cloud, e.g. `rate(1 minute)`. */
      expression: string;
      /** How often the local runtime runs it. */
      localEverySeconds: number;
      /**
       * How long a tick may wait for the function (throttled, e.g. while the previous run holds its one reserved
       * instance) before it is dropped: the next tick comes anyway. Default `DEFAULT_SCHEDULE_MAX_EVENT_AGE_SECONDS`
       * (60, Lambda's least). A tick is never retried: a failed run is the next tick's work.
       */
      maxEventAgeSeconds?: number;
    }
  | { kind: 'stream'; batchSize: number }
  /**
   * Run once per deployment that changes the function (a CDK trigger, after the table exists; a failure fails the
   * deployment), and once at the local runtime's start. For idempotent setup, such as seeding reference data.
   */
  | { kind: 'deploy' };

/** Table actions a function must ask for by name: DeleteItem (a delete, or a transaction's Delete), DescribeTable. */
export type TableExtraAction = 'DeleteItem' | 'DescribeTable' | 'Scan';

/** What a function may touch. The stack turns this into least-privilege grants; nothing else is granted. */
export interface FunctionAccess {
  /**
   * The table and its indexes: `read` is GetItem, BatchGetItem, Query and ConditionCheckItem; `readwrite` adds
   * PutItem and UpdateItem (a transaction needs the action of each of its items). Nothing else unless `tableExtra`
   * names it: no Scan, no DeleteItem, no BatchWriteItem (which deletes too).
   */
  table?: 'read' | 'readwrite';
  /** Table actions beyond `table`'s, each one the function's code uses (a stack test lists who holds them). */
  tableExtra?: TableExtraAction[];
  /** Queues the function sends to. */
  sendTo?: QueueName[];
  /** Queues whose attributes the function reads (health checks, metrics). */
  inspect?: QueueName[];
  /** Dead-letter queues the function may move messages out of (replay). */
  redrive?: QueueName[];
  /**
   * `read`: GetObject (and ListBucket); `readwrite` adds PutObject, DeleteObject and AbortMultipartUpload;
   * `writeOnce`, the only write a write-once (locked) bucket takes: PutObject and GetObject on its objects, nothing
   * else (no delete, no retention change, no listing); the bucket's policy refuses a put that is not conditional.
   */
  buckets?: Partial<Record<BucketName, BucketAccess>>;
  /**
   * With `writeOnce`: the key folders the function may put under (required). Each writer holds its own folders only,
   * so no writer can take a key another writes first (a locked object is never replaced).
   */
  writeOnceUnder?: readonly string[];
  /**
   * Signs with the service's receipt key (KMS Sign and GetPublicKey on that key only; the key policy denies Sign to
   * every other role). `'publicKey'`: only reads its public key (the signer address), signs nothing.
   */
  signer?: boolean | 'publicKey';
  /**
   * The secrets the function reads, by purpose (shared/resources.ts `SecretPurpose`): each is its own secret, so a
   * public webhook function cannot read the registries' or the custodian's keys. Every function that reads the chain
   * names `rpcUrls` (the keyed RPC URLs; a stack test finds them by their imports).
   */
  secrets?: SecretPurpose[];
  /**
   * @deprecated Every secret (the single document of earlier releases); name `secrets` instead. A stack test flags a
   * topology function still using it.
   */
  webhookSecrets?: boolean;
  /** Signs with the sweeper's gas key (KMS Sign and GetPublicKey on that key only): pays gas, moves no funds. */
  gasSigner?: boolean;
  /** Sends mail to payers (SES SendEmail as the MailFrom address only). */
  mail?: boolean;
}

/** How a function may touch a bucket (see {@link FunctionAccess.buckets}). */
export type BucketAccess = 'read' | 'readwrite' | 'writeOnce';

export interface FunctionSpec {
  /** kebab-case; also the folder under functions/. */
  name: string;
  description: string;
  triggers: Trigger[];
  access: FunctionAccess;
  memoryMb?: number;
  timeoutSeconds?: number;
  /**
   * Reserved concurrency: `1` for a job that must never run twice at once (the chain jobs, whose runs hold a chain
   * cursor or a nonce). Omitted: none reserved (the account's unreserved pool).
   */
  reservedConcurrency?: number;
}

/** Maximum concurrency of a queue trigger that declares none. */
export const DEFAULT_QUEUE_MAX_CONCURRENCY = 2;
/** How long a scheduled tick may wait for its function, unless the trigger says otherwise (Lambda's least). */
export const DEFAULT_SCHEDULE_MAX_EVENT_AGE_SECONDS = 60;

/** Every Lambda function of the service. */
export const functions: FunctionSpec[] = [
  {
    name: 'health',
    description:
      'Public liveness and the receipt signer (cached at the edge); operators: every dependency (table, queues, RPC).',
    triggers: [
      {
        kind: 'http',
        routes: [
          { method: 'GET', path: '/v1/health', auth: 'public' },
          { method: 'GET', path: '/v1/ops/health', auth: 'jwt' },
        ],
      },
    ],
    access: {
      table: 'read',
      // The table probe reads the table's status.
      tableExtra: ['DescribeTable'],
      inspect: ['transfers', 'finals', 'outbox', 'addressWatch', 'exports', 'refunds'],
      // Publishes the signer address: the public key only, never Sign (a public function).
      signer: 'publicKey',
      // The operators' report reads each chain's head (a keyed RPC URL is in the rpcUrls secret).
      secrets: ['rpcUrls'],
    },
  },
  {
    name: 'api-docs',
    description: "The OpenAPI 3.1 document of the API, generated from the handlers' schemas, and its reference page.",
    triggers: [
      {
        kind: 'http',
        routes: [
          { method: 'GET', path: '/v1/openapi.json', auth: 'public' },
          { method: 'GET', path: '/docs', auth: 'public' },
        ],
      },
    ],
    access: {},
  },
  {
    name: 'list-fees',
    description: 'The fee catalog in force now (versioned reference data, seeded from the sample catalog).',
    triggers: [{ kind: 'http', routes: [{ method: 'GET', path: '/v1/fees', auth: 'public' }] }],
    access: { table: 'read' },
  },
  {
    name: 'issue-invoice',
    description: 'A ministry issues a fee invoice with a locked quote and its own deposit address.',
    triggers: [{ kind: 'http', routes: [{ method: 'POST', path: '/v1/invoices', auth: 'jwt' }] }],
    // outbox: the payer's mail with the invoice link.
    access: { table: 'readwrite', sendTo: ['addressWatch', 'outbox'] },
  },
  {
    name: 'read-invoices',
    description: 'Ministries read their own invoices, auditors all: one by id, or a filtered page.',
    triggers: [
      {
        kind: 'http',
        routes: [
          { method: 'GET', path: '/v1/invoices', auth: 'jwt' },
          { method: 'GET', path: '/v1/invoices/{id}', auth: 'jwt' },
        ],
      },
    ],
    access: { table: 'read' },
  },
  {
    name: 'cancel-invoice',
    description: 'A ministry cancels its own invoice while nothing is paid or pending.',
    triggers: [{ kind: 'http', routes: [{ method: 'POST', path: '/v1/invoices/{id}/cancel', auth: 'jwt' }] }],
    access: { table: 'readwrite' },
  },
  {
    name: 'pay-page',
    description: "The payer's invoice page and receipt page (HTML, kk/ru/en), their live JSON and the signed receipt.",
    triggers: [
      {
        kind: 'http',
        routes: [
          { method: 'GET', path: '/pay/{id}', auth: 'public' },
          { method: 'GET', path: '/v1/pay/{id}', auth: 'public' },
          { method: 'GET', path: '/pay/{id}/receipt', auth: 'public' },
          { method: 'GET', path: '/v1/pay/{id}/receipt', auth: 'public' },
        ],
      },
    ],
    access: { table: 'read' },
  },
  {
    name: 'ingest-webhook',
    description: 'Provider webhooks (Alchemy, Moralis, QuickNode): signature on the raw body, normalize, enqueue.',
    triggers: [{ kind: 'http', routes: [{ method: 'POST', path: '/v1/webhooks/{provider}', auth: 'public' }] }],
    // The table holds the QuickNode nonces seen (replay protection across containers); a nonce whose delivery failed
    // is deleted again, so the provider's retry is taken.
    access: { table: 'readwrite', tableExtra: ['DeleteItem'], sendTo: ['transfers'], secrets: ['webhooks'] },
  },
  {
    name: 'scan-chain',
    description: 'Discovers transfers to deposit addresses on each enabled chain, from a reorg-checked checkpoint.',
    triggers: [{ kind: 'schedule', expression: 'rate(1 minute)', localEverySeconds: 1 }],
    access: { table: 'readwrite', sendTo: ['transfers'], secrets: ['rpcUrls'] },
    timeoutSeconds: 50,
    reservedConcurrency: 1,
  },
  {
    name: 'confirm-transfers',
    description: 'Re-checks seen transfers on each chain: final, moved to another block, or removed (reorg).',
    triggers: [{ kind: 'schedule', expression: 'rate(1 minute)', localEverySeconds: 1 }],
    access: { table: 'read', sendTo: ['transfers', 'finals'], secrets: ['rpcUrls'] },
    timeoutSeconds: 50,
    reservedConcurrency: 1,
  },
  {
    name: 'reconcile-transfers',
    description: 'Reconciles each transfer sighting into transfers, invoices, journal and signed receipts.',
    triggers: [
      // Several consumers at once, as Lambda scales (locally: as many poll loops), bounded so a burst cannot take the
      // account's concurrency; finals: one ministry's group is handed to one consumer at a time whatever the number.
      { kind: 'queue', queue: 'transfers', batchSize: 10, maxConcurrency: 10 },
      { kind: 'queue', queue: 'finals', batchSize: 10, maxConcurrency: 2 },
    ],
    access: { table: 'readwrite', sendTo: ['outbox', 'addressWatch', 'finals'], signer: true, secrets: ['rpcUrls'] },
    timeoutSeconds: 30,
  },
  {
    name: 'publish-receipts',
    description:
      "Publishes each issued receipt to its ministry's registry, and mails payers; retries with backoff, then the DLQ.",
    // A few at once: the registries are ministries' servers, not built for our bursts.
    triggers: [{ kind: 'queue', queue: 'outbox', batchSize: 5, maxConcurrency: 3 }],
    // archive: every document is written once to the write-once archive before it is sent.
    access: {
      table: 'readwrite',
      secrets: ['registries'],
      mail: true,
      buckets: { archive: 'writeOnce' },
      writeOnceUnder: DOCUMENT_ARCHIVE_FOLDERS,
    },
    timeoutSeconds: 40,
  },
  {
    name: 'archive-journal',
    description:
      "Writes each closed Kazakhstan day's journal entries once to the write-once archive, catching up missed days.",
    // Hourly, so a failed run is retried within the hour; a run with nothing to do reads one checkpoint item.
    // Locally hourly too: tests run it on demand (runNow), and a local run never writes days unasked.
    triggers: [{ kind: 'schedule', expression: 'rate(1 hour)', localEverySeconds: 3600 }],
    // table: the journal (read) and the archiver's checkpoint (a conditional put).
    access: { table: 'readwrite', buckets: { archive: 'writeOnce' }, writeOnceUnder: [JOURNAL_ARCHIVE_FOLDER] },
    // A day is read and put whole: ~100k entries (1M invoices a month) is ~40 MB of JSON.
    memoryMb: 1024,
    timeoutSeconds: 300,
    // One archiver: two runs would read the same checkpoint.
    reservedConcurrency: 1,
  },
  {
    name: 'replay-dlq',
    description: "An operator moves a dead-letter queue's messages back to its queue.",
    triggers: [{ kind: 'http', routes: [{ method: 'POST', path: '/v1/ops/replay', auth: 'jwt' }] }],
    access: { redrive: ['transfers', 'finals', 'outbox', 'addressWatch', 'exports', 'refunds'] },
    timeoutSeconds: 30,
  },
  {
    name: 'watch-addresses',
    description:
      'Registers deposit addresses with the webhook providers (Alchemy, Moralis, QuickNode), or removes them.',
    triggers: [{ kind: 'queue', queue: 'addressWatch', batchSize: 10, maxConcurrency: 2 }],
    // The providers' API credentials, to edit their address lists.
    access: { secrets: ['providerApi'] },
    timeoutSeconds: 30,
  },
  {
    name: 'list-transfers',
    description: 'The suspense list of unmatched transfers, for operators and auditors.',
    triggers: [{ kind: 'http', routes: [{ method: 'GET', path: '/v1/transfers', auth: 'jwt' }] }],
    access: { table: 'read' },
  },
  {
    name: 'list-sweeps',
    description: 'Sweeps of deposit addresses to custody, for operators and auditors.',
    triggers: [{ kind: 'http', routes: [{ method: 'GET', path: '/v1/sweeps', auth: 'jwt' }] }],
    access: { table: 'read' },
  },
  {
    name: 'read-receipts',
    description: 'Signed receipts with delivery state: ministries their own, auditors all.',
    triggers: [
      {
        kind: 'http',
        routes: [
          { method: 'GET', path: '/v1/receipts', auth: 'jwt' },
          { method: 'GET', path: '/v1/receipts/{id}', auth: 'jwt' },
        ],
      },
    ],
    access: { table: 'read' },
  },
  {
    name: 'sweep-deposits',
    description: "Sweeps final deposits from forwarder addresses to each chain's custody, paying gas with its own key.",
    triggers: [{ kind: 'schedule', expression: 'rate(5 minutes)', localEverySeconds: 3 }],
    // DeleteItem: a swept address's candidate item, and a sweep's in-flight item once its outcome is recorded.
    access: { table: 'readwrite', tableExtra: ['DeleteItem'], gasSigner: true, secrets: ['rpcUrls'] },
    timeoutSeconds: 120,
    // One sender per gas key: two runs would race for its nonce.
    reservedConcurrency: 1,
  },
  {
    name: 'expire-invoices',
    description: 'Moves invoices past their expiry to expired (underpaid when partly paid).',
    triggers: [{ kind: 'schedule', expression: 'rate(1 minute)', localEverySeconds: 2 }],
    access: { table: 'readwrite', sendTo: ['addressWatch'] },
  },
  {
    name: 'refresh-rates',
    description: "Stores the National Bank of Kazakhstan's USD/KZT rate in force today.",
    triggers: [{ kind: 'schedule', expression: 'rate(1 hour)', localEverySeconds: 600 }],
    access: { table: 'readwrite' },
    timeoutSeconds: 30,
  },
  {
    name: 'request-export',
    description: 'Auditors start a reconciliation export of a period and read its status, file links and manifest.',
    triggers: [
      {
        kind: 'http',
        routes: [
          { method: 'POST', path: '/v1/exports', auth: 'jwt' },
          { method: 'GET', path: '/v1/exports/{id}', auth: 'jwt' },
        ],
      },
    ],
    access: { table: 'readwrite', sendTo: ['exports'], buckets: { exports: 'read' } },
  },
  {
    name: 'export-worker',
    description: "Streams a period's invoices, transfers, receipts and journal to S3 as CSV with a signed manifest.",
    triggers: [{ kind: 'queue', queue: 'exports', batchSize: 1, maxConcurrency: 2 }],
    // sendTo exports: a long export sends its own continuation (shared/app/export.ts).
    access: {
      table: 'readwrite',
      sendTo: ['exports'],
      buckets: { exports: 'readwrite' },
      signer: true,
      secrets: ['rpcUrls'],
    },
    memoryMb: 512,
    timeoutSeconds: 900,
  },
  {
    name: 'refunds',
    description: 'Refunds with four eyes: request, approval by another identity, rejection, reading.',
    triggers: [
      {
        kind: 'http',
        routes: [
          { method: 'POST', path: '/v1/refunds', auth: 'jwt' },
          { method: 'POST', path: '/v1/refunds/{id}/approve', auth: 'jwt' },
          { method: 'POST', path: '/v1/refunds/{id}/reject', auth: 'jwt' },
          { method: 'GET', path: '/v1/refunds', auth: 'jwt' },
          { method: 'GET', path: '/v1/refunds/{id}', auth: 'jwt' },
        ],
      },
    ],
    // DeleteItem: a rejected refund frees its transfer's open-refund item.
    access: { table: 'readwrite', tableExtra: ['DeleteItem'], sendTo: ['refunds'], secrets: ['rpcUrls'] },
  },
  {
    name: 'instruct-refunds',
    description: "Sends each approved refund's signed order to the custodian; retries with backoff, then the DLQ.",
    triggers: [{ kind: 'queue', queue: 'refunds', batchSize: 5, maxConcurrency: 2 }],
    // The custodian's HMAC secret, to sign each order's request.
    access: { table: 'readwrite', signer: true, secrets: ['custodian', 'rpcUrls'] },
    timeoutSeconds: 40,
  },
  {
    name: 'complete-refunds',
    description: "Completes instructed refunds from the chain (custody's transfer, final) and issues their receipts.",
    triggers: [{ kind: 'schedule', expression: 'rate(1 minute)', localEverySeconds: 3 }],
    // refunds: an approval whose order message was lost (a crash) is queued again.
    // DeleteItem: a completed refund frees its transfer's open-refund item.
    access: {
      table: 'readwrite',
      tableExtra: ['DeleteItem'],
      sendTo: ['outbox', 'refunds'],
      signer: true,
      secrets: ['rpcUrls'],
    },
    timeoutSeconds: 50,
  },
  {
    name: 'settlements',
    description:
      "Settlement: the custodian's reports and the bank's camt.053 statements, stored once as uploaded; three-way reconciliation.",
    triggers: [
      {
        kind: 'http',
        routes: [
          { method: 'POST', path: '/v1/settlements', auth: 'jwt' },
          { method: 'POST', path: '/v1/bank-statements', auth: 'jwt' },
          { method: 'GET', path: '/v1/reconciliation', auth: 'jwt' },
        ],
      },
    ],
    access: { table: 'readwrite', buckets: { uploads: 'readwrite' }, secrets: ['rpcUrls'] },
    // Parsing a 5 MB statement and reading a month of custody logs from the node.
    memoryMb: 512,
    timeoutSeconds: 29,
  },
  {
    name: 'reference-data',
    description:
      'Reference data with four eyes: fees, the MRP of a year and registries are proposed, approved by another identity, versioned.',
    triggers: [
      {
        kind: 'http',
        routes: [
          { method: 'POST', path: '/v1/admin/fees', auth: 'jwt' },
          { method: 'POST', path: '/v1/admin/mrp', auth: 'jwt' },
          { method: 'POST', path: '/v1/admin/registries', auth: 'jwt' },
          { method: 'POST', path: '/v1/admin/changes/{id}/approve', auth: 'jwt' },
          { method: 'POST', path: '/v1/admin/changes/{id}/reject', auth: 'jwt' },
          { method: 'GET', path: '/v1/admin/changes', auth: 'jwt' },
          { method: 'GET', path: '/v1/admin/reference/{kind}', auth: 'jwt' },
        ],
      },
    ],
    // Proposals, decisions and versions: conditional puts and one transaction, nothing else.
    access: { table: 'readwrite' },
  },
  {
    name: 'seed-reference-data',
    description:
      'Loads the seed reference data (sample fees, MRP by year, the configured registries) where none is stored yet.',
    triggers: [{ kind: 'deploy' }],
    // Conditional puts of versions only.
    access: { table: 'readwrite' },
    timeoutSeconds: 60,
  },
  {
    name: 'licence-register',
    description:
      'The licensed-firm register: compliance uploads versioned snapshots; a BIN is read in the current one.',
    triggers: [
      {
        kind: 'http',
        routes: [
          { method: 'PUT', path: '/v1/register', auth: 'jwt' },
          { method: 'GET', path: '/v1/register/{bin}', auth: 'jwt' },
        ],
      },
    ],
    access: { table: 'readwrite' },
  },
  {
    name: 'screening',
    description: 'Sender screening: compliance keeps screening lists and releases or rejects held transfers.',
    triggers: [
      {
        kind: 'http',
        routes: [
          { method: 'PUT', path: '/v1/screening-lists/{name}', auth: 'jwt' },
          { method: 'GET', path: '/v1/holds', auth: 'jwt' },
          { method: 'POST', path: '/v1/holds/{id}/release', auth: 'jwt' },
          { method: 'POST', path: '/v1/holds/{id}/reject', auth: 'jwt' },
        ],
      },
    ],
    // transfers: a decided hold's sighting goes back through reconciliation.
    access: { table: 'readwrite', sendTo: ['transfers'] },
  },
  {
    name: 'list-incidents',
    description: 'Freeze incidents (a token issuer froze one of our addresses), for operators and auditors.',
    triggers: [{ kind: 'http', routes: [{ method: 'GET', path: '/v1/incidents', auth: 'jwt' }] }],
    access: { table: 'read' },
  },
];

export const topology = { table, queues, buckets, functions } as const;
export type Topology = typeof topology;
