/**
 * The stablefee stack: everything infra/topology.ts declares, and nothing per function that the topology does not
 * say. Table, queues (each with a dead-letter queue and an alarm on it), buckets, the HTTP API (its `jwt` routes'
 * functions verify the bearer token against the user pool, or the JwtIssuer given), the receipt signing key, the webhook secrets, the deployment parameters, one Lambda function per
 * topology entry (built by FunctionDefaults), their triggers and exactly the grants their `access` names; then the
 * operations side: the alarms of `ALARMS` (all to the alarm topic) and the CloudWatch dashboard.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  type CfnParameterProps,
  CfnRule,
  Duration,
  Fn,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as triggers from 'aws-cdk-lib/triggers';
import type { Construct } from 'constructs';
import { JWT_ENV } from '../shared/adapters/bearer-token';
import { providerNames } from '../shared/domain/transfers';
import {
  type BucketSpec,
  CUSTODIAN_ENV,
  EDGE_ORIGIN_SECRET_ARN_ENV,
  type QueueSpec,
  type SecretPurpose,
  secretArnEnv,
  sweeperKeyEnv,
} from '../shared/resources';
import { CHECKED_PARAMETERS, type CheckedParameter, checkedParameterValue } from './deployment-config';
import { ApiEdge, CONSOLE_KEY_PREFIX } from './edge';
import { DEFAULT_TIMEOUT_SECONDS, FunctionDefaults, SERVICE_NAME, type ServiceFunction } from './function-defaults';
import {
  type BucketAccess,
  type BucketName,
  buckets as bucketSpecs,
  DEFAULT_QUEUE_MAX_CONCURRENCY,
  DEFAULT_SCHEDULE_MAX_EVENT_AGE_SECONDS,
  type FunctionSpec,
  functions as functionSpecs,
  type HttpRoute,
  type QueueName,
  queues as queueSpecs,
  resourceEnv,
  type Trigger,
  table as tableSpec,
} from './topology';

type QueueTrigger = Extract<Trigger, { kind: 'queue' }>;
type ScheduleTrigger = Extract<Trigger, { kind: 'schedule' }>;

/** What a writer of a write-once bucket holds on its objects (FunctionAccess `writeOnce`), and nothing more. */
export const WRITE_ONCE_ACTIONS = ['s3:PutObject', 's3:GetObject'] as const;

/** Whether the bucket is write-once (S3 Object Lock): written only through `writeOnce` access. */
const isWriteOnce = (b: BucketName): boolean => (bucketSpecs[b] as BucketSpec).lockDays !== undefined;

/**
 * A write-once bucket's policy, for every principal, the account root and the deploy role included: no delete
 * (not even the delete marker a versioned bucket takes over a locked version, which would hide it), and no put that
 * is not conditional (`If-None-Match: *`), so a key never gets a second version. The lock keeps every version for
 * its retention whatever this policy says; this keeps each key's one version the current one.
 */
function denyRewrites(bucket: s3.Bucket): void {
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyDeletes',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyUnconditionalPuts',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { Null: { 's3:if-none-match': 'true' } },
    }),
  );
}

/**
 * A queue hides a received message at least this many times its consumer's timeout (AWS's advice for Lambda event
 * sources); the stack refuses a topology that does not.
 */
export const VISIBILITY_TIMEOUT_RATIO = 6;

/** Repository root (this file lives in infra/). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Default stage throttling: steady-state requests per second and burst. */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/**
 * Route throttling of every `auth: 'public'` route (provider webhooks, the payer's page and its JSON, health, fees),
 * below the stage default: anyone on the internet can call these, so one of them being hammered leaves headroom for
 * the routes staff use. Webhook providers retry a 429, and the chain scanner finds any transfer a dropped webhook missed.
 */
export const PUBLIC_ROUTE_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

/**
 * The custom metrics the functions emit with Powertools Metrics (EMF, namespace `POWERTOOLS_METRICS_NAMESPACE`,
 * dimension `service`). The dashboard and alarms read them with exactly the dimension set {service}, except
 * ScannerLagBlocks, which carries `chainId` too and is read across every dimension set (Metrics Insights, SEARCH).
 */
export const SERVICE_METRICS = {
  namespace: SERVICE_NAME,
  dimensions: { service: SERVICE_NAME },
  invoicesIssued: 'InvoicesIssued',
  transfersSeen: 'TransfersSeen',
  /** A matched transfer became final. */
  transfersCredited: 'TransfersCredited',
  transfersUnmatched: 'TransfersUnmatched',
  receiptsIssued: 'ReceiptsIssued',
  receiptsDelivered: 'ReceiptsDelivered',
  receiptDeliveryFailures: 'ReceiptDeliveryFailures',
  /** Per scanner run and chain (dimension `chainId`). */
  scannerLagBlocks: 'ScannerLagBlocks',
  reorgIncidents: 'ReorgIncidents',
  /** A provider's sighting our own node contradicts (rejected, nothing recorded). */
  rejectedHints: 'RejectedHints',
  /** A final transfer gone at the deeper re-check: receipt annulled, invoice reopened. */
  annulments: 'Annulments',
  /** Zero-value transfers dropped at intake (webhooks and scanner); never alarmed, they move no money. */
  zeroValueTransfersIgnored: 'ZeroValueTransfersIgnored',
  /** Refunds (the DLQ alarm of the `refunds` queue covers orders the custodian never took). */
  refundsRequested: 'RefundsRequested',
  refundOrdersDelivered: 'RefundOrdersDelivered',
  refundOrderFailures: 'RefundOrderFailures',
  refundsCompleted: 'RefundsCompleted',
  /** The sweeper (functions/sweep-deposits): sweeps broadcast, recorded final, recorded failed. */
  sweepsSubmitted: 'SweepsSubmitted',
  sweepsFinal: 'SweepsFinal',
  sweepsFailed: 'SweepsFailed',
  /** Sweeps the node refused to sign for or take (e.g. too little gas): retried next run. */
  sweepSendFailures: 'SweepSendFailures',
  /** Addresses a final sweep could not move (`SweepFailed`, e.g. frozen by the token issuer). */
  sweepAddressesFailed: 'SweepAddressesFailed',
  /** Per sweeper run and chain (dimension `chainId`): the gas key's native balance, the oldest submitted sweep's age. */
  sweeperGasBalance: 'SweeperGasBalance',
  oldestSubmittedSweepSeconds: 'OldestSubmittedSweepSeconds',
  /** Mails to payers handed to SES; refused by it for good (never retried, never holding a receipt back). */
  payerMailsSent: 'PayerMailsSent',
  payerMailsRejected: 'PayerMailsRejected',
  /** Payer mails that failed for now (SES throttling, or the deployment's own fault: an unverified MailFrom). */
  payerMailFailures: 'PayerMailFailures',
  /** Compliance (docs/compliance.md): register uploads, list changes, holds and the compliance role's decisions. */
  registerSnapshotsUploaded: 'RegisterSnapshotsUploaded',
  screeningListsChanged: 'ScreeningListsChanged',
  transfersHeld: 'TransfersHeld',
  holdsReleased: 'HoldsReleased',
  holdsRejected: 'HoldsRejected',
  /** A token issuer blacklisted one of our deposit or custody addresses (alarmed). */
  freezeIncidents: 'FreezeIncidents',
  /** Reference data: changes proposed and approved (four eyes). */
  referenceChangesProposed: 'ReferenceChangesProposed',
  referenceChangesApproved: 'ReferenceChangesApproved',
  /** 1 while no MRP is approved for the Kazakhstan year 30 days ahead (every refresh-rates run publishes it). */
  mrpMissingAhead: 'MrpMissingAhead',
  /** The write-once archive: documents and journal days written; a key found holding other bytes (alarmed). */
  documentsArchived: 'DocumentsArchived',
  journalDaysArchived: 'JournalDaysArchived',
  archiveMismatches: 'ArchiveMismatches',
} as const;

/** The CloudWatch dashboard's name. */
export const DASHBOARD_NAME = 'stablefee';

/** One alarm (or family of alarms: one per queue or per function) the stack creates; all publish to the alarm topic. */
export interface AlarmSpec {
  /** CloudWatch alarm name: `<stack name>-<id>`, or `<stack name>-<id>-<queue or function name>` for a family. */
  readonly id: string;
  /** A family: one alarm per queue, per function, or per scheduled function. */
  readonly per?: 'queue' | 'function' | 'schedule';
  /** The condition: the metric's statistic over `periodMinutes` is above `threshold` for `evaluationPeriods` periods. */
  readonly threshold: number;
  /** `below`: the condition is the statistic under `threshold` instead (a balance running low). */
  readonly when?: 'below';
  readonly periodMinutes: number;
  readonly evaluationPeriods: number;
  /** How many of the evaluation periods must breach. Default: all of them. */
  readonly datapointsToAlarm?: number;
  /**
   * `breaching`: no data counts as breaching. For gauges every run publishes (the sweeper's): silence means the runs
   * fail or stopped, which must alarm rather than look healthy. Default: not breaching.
   */
  readonly missingData?: 'breaching';
  /** What it means and what the operator does; also the alarm's description. */
  readonly description: string;
}

/**
 * Every alarm of the stack, for the runbook (docs/operations.md has a row for each). Most treat missing data as not
 * breaching: their metrics are only emitted when something happens (no invoices, no transfers, no chains enabled, an
 * idle queue), so silence is health. Where silence means a job stopped, it breaches: `Heartbeat` (a schedule's
 * invocations), and the sweeper's gauges `SweeperGasLow` and `SweepStalled` (every run publishes them, failed or
 * not). A failing function shows in its FunctionErrors alarm, a consumer that stops consuming in its queue's
 * QueueAge alarm, a schedule that stops firing in its Heartbeat alarm.
 */
export const ALARMS = {
  deadLetterQueue: {
    id: 'DeadLetterQueue',
    per: 'queue',
    threshold: 0,
    periodMinutes: 1,
    evaluationPeriods: 1,
    description:
      'A message reached the dead-letter queue: its processing failed every retry. Find the cause in the consuming ' +
      "function's logs (by correlation id), fix it, then replay with POST /v1/ops/replay.",
  },
  streamFailures: {
    id: 'StreamFailures',
    threshold: 0,
    periodMinutes: 1,
    evaluationPeriods: 1,
    description:
      'Table stream records failed processing after every retry and were parked in the stream failure queue. ' +
      'Exists only while a function consumes the table stream.',
  },
  functionErrors: {
    id: 'FunctionErrors',
    per: 'function',
    threshold: 10,
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    description:
      "More than 10 % of the function's invocations failed (unhandled error, timeout or out of memory) in 2 of the " +
      "last 3 periods (5 minutes, or the schedule's interval when longer): not a blip. Read its log group for the " +
      'error; queue consumers retry on their own, scheduled ones run again at the next tick.',
  },
  heartbeat: {
    id: 'Heartbeat',
    per: 'schedule',
    when: 'below',
    threshold: 1,
    periodMinutes: 5,
    evaluationPeriods: 1,
    missingData: 'breaching',
    description:
      "The scheduled function was not invoked at all in the period (5 minutes, or twice its schedule's interval " +
      'when longer): its EventBridge rule is disabled or deleted, its reserved concurrency is 0, or the account is ' +
      'throttled. Whatever the job does (scanning, confirming, expiring, sweeping) has stopped.',
  },
  queueAge: {
    id: 'QueueAge',
    per: 'queue',
    threshold: 3600,
    periodMinutes: 1,
    evaluationPeriods: 3,
    description:
      "The queue's oldest message is older than its limit (shared/resources.ts maxMessageAgeSeconds: transfers and " +
      'finals 5 minutes, addressWatch and the default 1 hour, exports 2 hours, outbox and refunds 6 hours) for 3 ' +
      'minutes: its consumer is falling behind, failing, or stopped.',
  },
  deadLetterAge: {
    id: 'DeadLetterAge',
    per: 'queue',
    threshold: 3 * 24 * 3600,
    periodMinutes: 15,
    evaluationPeriods: 1,
    description:
      'A dead letter has waited more than 3 days (counted from when it was first sent): nobody replayed it, and SQS ' +
      'deletes it 14 days after it was first sent. Replay or archive it now.',
  },
  apiServerErrors: {
    id: 'ApiServerErrors',
    threshold: 5,
    periodMinutes: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    description:
      'More than 5 % of HTTP API requests answered 5xx in 2 of the last 3 5-minute periods (a handler failing or ' +
      'timing out, or health reporting a dependency down). The access log has the route and request id; the ' +
      'FunctionErrors alarms name the function.',
  },
  scannerLag: {
    id: 'ScannerLag',
    threshold: 100,
    periodMinutes: 5,
    evaluationPeriods: 3,
    description:
      "The chain scanner is more than 100 blocks behind a chain's head for 15 minutes (maximum over chains): " +
      'payments on that chain are not being seen. Check the RPC endpoint (ChainsJson) and scan-chain errors.',
  },
  reorgIncident: {
    id: 'ReorgIncident',
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    description:
      'A chain reorganisation removed or moved a transfer the service had seen, or the scanner found its checkpoint ' +
      'block replaced. Review the affected invoices and transfers; a credited transfer should never be reorged out.',
  },
  mrpMissingAhead: {
    id: 'MrpMissingAhead',
    threshold: 0,
    periodMinutes: 180,
    evaluationPeriods: 1,
    missingData: 'breaching',
    description:
      'No MRP is approved for the Kazakhstan year that starts within 30 days (or refresh-rates, which checks it ' +
      "hourly, stopped reporting): on 1 January every MRP fee would answer 503. An operator enters the year's MRP " +
      '(POST /v1/admin/mrp) and another approves it (docs/reference-data.md).',
  },
  freezeIncident: {
    id: 'FreezeIncident',
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    description:
      "A token issuer's blacklist event (USDT AddedBlackList, USDC Blacklisted) named one of our deposit or custody " +
      'addresses: its funds are frozen and sweeps from it are blocked. See GET /v1/incidents and docs/compliance.md.',
  },
  transfersHeld: {
    id: 'TransfersHeld',
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    description:
      "A payment's sender matched a screening list or its token's blacklist: the transfer is held, not credited. " +
      'The compliance officer reviews GET /v1/holds and releases or rejects it.',
  },
  rejectedHints: {
    id: 'RejectedHints',
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    description:
      'A webhook provider reported a transfer our own node contradicts (no such transaction, another amount, ' +
      'recipient or block, or a removal of a transfer still on chain). Nothing was credited. Read the ' +
      '"rejected hint" logs (provider, deliveryId, reason): a compromised or buggy provider, or a leaked signing key.',
  },
  annulment: {
    id: 'Annulment',
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    description:
      'A transfer credited as final was gone at the deeper re-check: its receipt was annulled by a signed ' +
      'annulment published to the registry and the invoice reopened. Review GET /v1/incidents, the chain and ' +
      'the finality configuration (a deeper depth or the finalized tag).',
  },
  receiptDeliveryFailures: {
    id: 'ReceiptDeliveryFailures',
    threshold: 20,
    periodMinutes: 60,
    evaluationPeriods: 1,
    description:
      'More than 20 failed deliveries of receipts to ministry registries in an hour: a registry is down or rejects ' +
      'our requests (URL, HMAC secret). Deliveries retry with backoff before they reach the outbox dead-letter queue.',
  },
  sweeperGasLow: {
    id: 'SweeperGasLow',
    when: 'below',
    threshold: 0.05,
    periodMinutes: 15,
    evaluationPeriods: 1,
    missingData: 'breaching',
    description:
      "The sweeper's gas key holds less than 0.05 of a chain's native coin (minimum over chains), or no sweeper run " +
      'reported it for 15 minutes (runs failing: read the sweep-deposits logs): sweeps stop when it runs out. Fund ' +
      'its address (docs/operations.md, "Funding gas"; the SweeperGasKeyArn output).',
  },
  sweepsFailed: {
    id: 'SweepsFailed',
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    description:
      'A sweep failed (its transaction reverted, another transaction took its nonce, or every address in it failed). ' +
      'GET /v1/sweeps shows it (state failed, failure); its addresses stay candidates and go into a later sweep. ' +
      'Read the sweep-deposits logs.',
  },
  archiveMismatch: {
    id: 'ArchiveMismatch',
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    description:
      'The write-once archive holds other bytes under a signed document id or a journal day than the service has ' +
      'now: nothing was overwritten, the document was not sent (its outbox message dead-letters) or the journal ' +
      'archiver stopped at that day. Read the "archive holds another document" or "journal day archived with other ' +
      'entries" log line (key), compare the archived object with the stored one; see docs/operations.md.',
  },
  sweepAddressesFailed: {
    id: 'SweepAddressesFailed',
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    description:
      'An address in a final sweep could not be moved (SweepFailed: e.g. frozen by the token issuer, or too little ' +
      'gas for its transfer). The sweep shows it (addresses[].failed); the sweeper tries it again after a day. ' +
      'A frozen deposit address needs the issuer and the custodian.',
  },
  sweepStalled: {
    id: 'SweepStalled',
    threshold: 3600,
    periodMinutes: 5,
    evaluationPeriods: 2,
    missingData: 'breaching',
    description:
      'A sweep has been submitted for over an hour without becoming final (maximum over chains): gas price too low, ' +
      'no gas (SweepSendFailures), a stuck nonce, or the node is down; or no sweeper run reported for 10 minutes. ' +
      'GET /v1/sweeps lists it (state submitted); check sweep-deposits logs and the chain.',
  },
  transfersUnmatched: {
    id: 'TransfersUnmatched',
    threshold: 0,
    periodMinutes: 5,
    evaluationPeriods: 1,
    description:
      'A transfer to a deposit address could not be matched to a payable invoice: money is in suspense and needs ' +
      'an operator (GET /v1/transfers lists the suspense items).',
  },
} as const satisfies Record<string, AlarmSpec>;

/** The longest an alarm may evaluate: its period times its evaluation periods (CloudWatch's limit, one day). */
const MAX_ALARM_WINDOW_MINUTES = 24 * 60;

/**
 * Minutes between runs of a schedule expression: `rate(N unit)`; a `cron(…)` expression counts as daily (the longest
 * the alarms can judge).
 */
export function scheduleIntervalMinutes(expression: string): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!rate) {
    if (/^cron\(.+\)$/.test(expression.trim())) return MAX_ALARM_WINDOW_MINUTES;
    throw new Error(`Unsupported schedule expression ${expression}: use rate(N unit) or cron(...)`);
  }
  const unit = (rate[2] as string).replace(/s$/, '');
  return Number(rate[1]) * (unit === 'minute' ? 1 : unit === 'hour' ? 60 : MAX_ALARM_WINDOW_MINUTES);
}

/** The backup vault's lock: no recovery point kept less than the minimum or more than the maximum; fixed after the grace. */
export const BACKUP_VAULT_LOCK = { minRetentionDays: 35, maxRetentionDays: 400, changeableForDays: 3 } as const;

/** The table's backups: when (UTC) and how long each is kept (the copy in the other region too). */
export const BACKUP_RULES = [
  { name: 'Daily', schedule: 'cron(0 3 * * ? *)', keepDays: 35 },
  { name: 'Monthly', schedule: 'cron(0 4 1 * ? *)', keepDays: 365 },
] as const;

/** How many times a failing stream batch is retried (after bisecting) before it goes to the failure queue. */
export const STREAM_RETRY_ATTEMPTS = 3;

/**
 * Key-policy actions the account keeps on the alarm topic key: everything needed to administer, rotate, tag and
 * delete it, listed one by one (no `kms:*`).
 */
const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/**
 * Environment variables the deployment sets beyond the topology's resource locations (`resourceEnv`). The names are
 * the ones shared/ reads: config.ts (STAGE, DEPOSIT_XPUB, CHAINS, PUBLIC_BASE_URL), functions/refresh-rates
 * (NBK_RATES_URL), signer.ts (RECEIPT_SIGNER_KMS_KEY_ID) and service-secret.ts (one ARN per secret purpose, `secretArnEnv`).
 */
export const DEPLOYMENT_ENV = {
  stage: 'STAGE',
  depositXpub: 'DEPOSIT_XPUB',
  chains: 'CHAINS',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  nbkRatesUrl: 'NBK_RATES_URL',
  /** Provider-side ids of the address lists the watch-addresses function maintains (shared/adapters/providers/address-watch.ts). */
  alchemyWebhookId: 'ALCHEMY_WEBHOOK_ID',
  moralisStreamId: 'MORALIS_STREAM_ID',
  quicknodeWatchList: 'QUICKNODE_WATCH_LIST',
  /** Each ministry's registry endpoint (shared/adapters/registry.ts); its HMAC secret is in the registries secret. */
  registries: 'REGISTRIES',
  /** The custodian's refund-order endpoint and custody accounts (shared/adapters/custodian.ts); its HMAC secret is in the custodian secret. */
  custodian: CUSTODIAN_ENV,
  /** The SES verified identity payers' mail comes from (shared/adapters/config.ts `mailConfig`); empty: no mail. */
  mailFrom: 'MAIL_FROM',
  /** Only on functions with `access.signer`. */
  receiptSignerKeyId: 'RECEIPT_SIGNER_KMS_KEY_ID',
  /** Only on functions whose `access.secrets` names `webhooks` (each purpose's variable: `secretArnEnv`). */
  webhookSecretsArn: secretArnEnv.webhooks,
} as const;

/** The NBK exchange-rate feed refresh-rates reads unless the NbkRatesUrl parameter says otherwise (shared/domain/fx.ts). */
export const DEFAULT_NBK_RATES_URL = 'https://nationalbank.kz/rss/get_rates.cfm';

/** Webhook providers whose signing secrets the webhook secret holds (shared/adapters/providers: webhookProviderNames). */
export const WEBHOOK_PROVIDERS = providerNames;

/**
 * The deployment parameters that stand alone (the providers' address lists are ADDRESS_WATCH_PARAMETERS), by
 * logical id. Every one has a default but DepositXpub, so a first deploy needs only the xpub.
 */
const DEPLOYMENT_PARAMETERS = {
  DepositXpub: {
    type: 'String',
    description:
      "Account-level extended PUBLIC key (m/44'/60'/0', xpub…) deposit addresses are derived from. Never an xprv: " +
      'the service only watches addresses; the private key stays offline.',
    allowedPattern: '^xpub[1-9A-HJ-NP-Za-km-z]{107}$',
    constraintDescription: 'must be a 111-character base58 xpub (account level, public key only)',
  },
  // A keyed RPC URL is never a parameter value (parameters show to anyone who can describe the stack): its entry says
  // "rpcUrlInSecret": true and the URL goes in the RpcUrlsSecret under its chain id.
  ChainsJson: {
    type: 'String',
    default: '[]',
    description:
      'Chains to watch: JSON array [{"chainId":1,"rpcUrl":"https://...","depositFactory":"0x..."}] (depositFactory ' +
      'optional; the same on every chain or on none). An RPC URL with an API key: {"chainId":1,"rpcUrlInSecret":true} ' +
      'and the URL in the RpcUrlsSecretArn secret, {"1":"https://..."}. Empty array: no chain enabled.',
    allowedPattern: '^\\s*\\[[\\s\\S]*\\]\\s*$',
    constraintDescription: 'must be a JSON array',
  },
  PublicBaseUrl: {
    type: 'String',
    default: '',
    description:
      'Payer-facing origin invoice links use, e.g. https://pay.example.kz (a custom domain in front of the API). ' +
      'Empty: the CloudFront distribution in front of the API (output EdgeUrl).',
    allowedPattern: '^(https://[^\\s/]+(/\\S*)?)?$',
    constraintDescription: 'must be empty or an https:// URL',
  },
  NbkRatesUrl: {
    type: 'String',
    default: DEFAULT_NBK_RATES_URL,
    description: "The National Bank of Kazakhstan's daily exchange-rate feed (refresh-rates).",
    allowedPattern: '^https://\\S+$',
    constraintDescription: 'must be an https:// URL',
  },
  RegistriesJson: {
    type: 'String',
    default: '{}',
    description:
      'Ministry registries, JSON {"AFSA": {"url": "https://…", "timeoutMs": 5000}}; their HMAC secrets go in the ' +
      'webhook secret under "registries".',
    allowedPattern: '^\\{.*\\}$',
  },
  CustodianJson: {
    type: 'String',
    default: '',
    description:
      'The custodian taking refund orders, JSON {"url": "https://…", "timeoutMs": 5000, "accounts": {"1": "0x…"}} ' +
      '(its custody account per chain id); its HMAC secret goes in the webhook secret under "custodian". Empty: ' +
      'approved refunds wait (the refunds DLQ alarm tells operators).',
    allowedPattern: '^(\\{.*\\})?$',
  },
  MailFrom: {
    type: 'String',
    default: '',
    description:
      'The address payers get invoice and receipt mail from, an Amazon SES verified identity (the address or its ' +
      'domain) in this account and region, out of the SES sandbox for real payers. Empty: no mail is sent.',
    allowedPattern: '^([^\\s@]+@[^\\s@]+\\.[^\\s@]+)?$',
    constraintDescription: 'must be empty or one mail address',
  },
} satisfies Record<string, CfnParameterProps>;

/** Where the alarms go: at least one of them must be given (the template's AlarmsReachSomeone rule). */
export const ALARM_SUBSCRIPTION_PARAMETERS = {
  AlarmEmail: {
    type: 'String',
    default: '',
    description: 'On-call e-mail address subscribed to the alarm topic (confirm the mail SNS sends). Empty: none.',
    allowedPattern: '^([^\\s@]+@[^\\s@]+\\.[^\\s@]+)?$',
    constraintDescription: 'must be empty or an e-mail address',
  },
  AlarmHttpsEndpoint: {
    type: 'String',
    default: '',
    description:
      'HTTPS endpoint subscribed to the alarm topic (a pager or incident tool; it must confirm the subscription). ' +
      'Empty: none.',
    allowedPattern: '^(https://\\S+)?$',
    constraintDescription: 'must be empty or an https:// URL',
  },
} satisfies Record<string, CfnParameterProps>;

/** The providers' address-list parameters: logical id, the environment variable it sets, its description. */
const ADDRESS_WATCH_PARAMETERS = [
  ['AlchemyWebhookId', DEPLOYMENT_ENV.alchemyWebhookId, 'Alchemy Address Activity webhook id (empty: Alchemy off).'],
  ['MoralisStreamId', DEPLOYMENT_ENV.moralisStreamId, 'Moralis stream id (empty: Moralis off).'],
  [
    'QuickNodeWatchList',
    DEPLOYMENT_ENV.quicknodeWatchList,
    'QuickNode key-value list the stream filter reads (empty: off).',
  ],
] as const;

/**
 * What `access.table` grants on the table and its indexes: reading by key and by query (a transaction's condition
 * checks too), and writing by Put and Update. Scan, DeleteItem and DescribeTable only through `access.tableExtra`;
 * BatchWriteItem never (it deletes too, and no function uses it).
 */
export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
] as const;
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

/** Every secret purpose, in a fixed order. */
export const SECRET_PURPOSES = Object.keys(secretArnEnv) as SecretPurpose[];

/** The secrets a function reads: its `access.secrets`; the deprecated `webhookSecrets` means every one. */
export function secretPurposesOf(spec: FunctionSpec): SecretPurpose[] {
  return spec.access.secrets ?? (spec.access.webhookSecrets ? SECRET_PURPOSES : []);
}

/** What a signer function may do with the receipt key, and all it may do. */
export const RECEIPT_SIGNER_ACTIONS = ['kms:Sign', 'kms:GetPublicKey'] as const;

const pascal = (name: string): string =>
  name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');

/** The dashboard's first row: what the pipeline is and where the alarms go. */
const dashboardHeader = (): cloudwatch.TextWidget =>
  new cloudwatch.TextWidget({
    markdown:
      '# stablefee\nInvoices → transfers seen → reconciled (credited or unmatched) → receipts issued → delivered ' +
      "to the ministries' registries. Alarms publish to the alarm topic (stack output AlarmTopicArn).",
    width: 24,
    height: 2,
  });

/** A red line on a graph at an alarm's threshold. */
/** The HTTP routes of a function. */
const httpRoutesOf = (spec: FunctionSpec): HttpRoute[] =>
  spec.triggers.flatMap((t) => (t.kind === 'http' ? t.routes : []));

const alarmThreshold = (spec: AlarmSpec, label: string): cloudwatch.HorizontalAnnotation => ({
  value: spec.threshold,
  label,
  color: cloudwatch.Color.RED,
});

interface QueuePair {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
}

export interface StablefeeStackProps extends StackProps {
  /** Repository root holding functions/ and package-lock.json. @default the directory above infra/ */
  readonly projectRoot?: string;
  /** Function specs to deploy. @default the topology's functions (tests may pass their own) */
  readonly functions?: FunctionSpec[];
  /** Dashboard names are unique per account and region: give a second stack in one region its own. @default DASHBOARD_NAME */
  readonly dashboardName?: string;
  /**
   * The built console (a directory with its index.html), uploaded to the edge's console bucket at `/console/` on
   * every deploy. @default none: the console bucket is not deployed to by this stack (infra/edge.ts `ApiEdge`)
   */
  readonly consoleAssetsDir?: string;
}

export class StablefeeStack extends Stack {
  readonly table: dynamodb.Table;
  readonly queues: Record<QueueName, QueuePair>;
  readonly buckets: Record<BucketName, s3.Bucket>;
  /** Daily and monthly backups of the table into a locked vault, copied to another region's vault when given. */
  readonly backupPlan: backup.BackupPlan;
  readonly api: apigw.HttpApi;
  readonly apiStage: apigw.HttpStage;
  /**
   * The token issuer and audience the functions of `jwt` routes verify bearer tokens against (they verify them
   * themselves, so a refusal is a problem+json like every other error: shared/adapters/bearer-token.ts).
   */
  readonly jwtTrust: { issuer: string; audience: string };
  /** CloudFront (with the WAF web ACL) in front of the API and the console (infra/edge.ts). */
  readonly edge: ApiEdge;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  /** What the console's `config.json` needs to sign in through the hosted UI: its app client and the UI's base URL. */
  readonly consoleSignIn: { clientId: string; domain: string };
  readonly alarmTopic: sns.Topic;
  /** secp256k1 signing key of the receipts (EIP-712); its public key is the `signer` every receipt names. */
  readonly receiptSigningKey: kms.CfnKey;
  /** secp256k1 key the sweeper pays gas with (only when a function has `access.gasSigner`); it moves no funds. */
  readonly sweeperGasKey?: kms.CfnKey;
  /** JSON `{alchemy, moralis, quicknode}`: the providers' webhook signing secrets, filled in by an operator. */
  readonly webhookSecrets: secretsmanager.Secret;
  /** Every secret, by purpose (the webhook secret among them); each filled in by an operator. */
  readonly secrets: Record<SecretPurpose, secretsmanager.Secret>;
  /** Deployment configuration every function receives (parameter values, resolved at deploy time). */
  readonly deploymentEnv: Readonly<Record<string, string>>;
  /** The MailFrom parameter's value (set with the deployment parameters): whom the mail grant lets functions send as. */
  private mailFrom = '';
  readonly functionDefaults: FunctionDefaults;
  readonly serviceFunctions: ServiceFunction[];
  /** Every alarm the stack creates, by CloudWatch alarm name. */
  readonly alarms: Map<string, cloudwatch.Alarm> = new Map();
  readonly dashboard: cloudwatch.Dashboard;
  private streamFailureQueue?: sqs.Queue;
  /** Functions whose asynchronous invocation (their schedules) is configured: once per function. */
  private readonly asyncConfigured = new Set<string>();
  /** The key policy of each secp256k1 key, completed once the functions (the signing roles) exist. */
  private readonly signingKeyPolicies = new Map<kms.CfnKey, iam.PolicyDocument>();
  /** Public routes, by route key (`GET /v1/fees`), for their route throttling. */
  private readonly publicRoutes: Map<string, apigw.HttpRoute[]> = new Map();

  constructor(scope: Construct, id: string, props: StablefeeStackProps = {}) {
    const {
      projectRoot = PROJECT_ROOT,
      functions = functionSpecs,
      dashboardName = DASHBOARD_NAME,
      consoleAssetsDir,
      ...stackProps
    } = props;
    super(scope, id, {
      description: 'stablefee: stablecoin government-fee collection (invoices, reconciliation, receipts)',
      ...stackProps,
    });

    this.alarmTopic = this.createAlarmTopic();
    this.subscribeOnCall();
    this.table = this.createTable(functions.some((f) => f.triggers.some((t) => t.kind === 'stream')));
    this.queues = this.createQueues();
    this.buckets = this.createBuckets();
    this.backupPlan = this.createBackupPlan();

    const auth = this.createAuth();
    this.userPool = auth.userPool;
    this.userPoolClient = auth.client;
    this.consoleSignIn = auth.consoleSignIn;
    // The console's ID tokens carry its own app client as audience: the functions accept both.
    this.jwtTrust = { issuer: auth.issuer, audience: auth.acceptedAudiences };

    const http = this.createHttpApi();
    this.api = http.api;
    this.apiStage = http.stage;
    this.edge = this.createEdge(consoleAssetsDir);

    this.receiptSigningKey = this.createReceiptSigningKey();
    if (functions.some((f) => f.access.gasSigner)) {
      this.sweeperGasKey = this.createSecp256k1Key(
        'SweeperGasKey',
        'stablefee sweeper gas key (secp256k1): pays gas for DepositFactory.sweep, can move no collected funds',
      );
    }
    this.secrets = this.createSecrets();
    this.webhookSecrets = this.secrets.webhooks;
    this.deploymentEnv = this.createDeploymentParameters();

    this.functionDefaults = new FunctionDefaults(this, 'Functions', { projectRoot });
    this.serviceFunctions = functions.map((spec) => this.createFunction(spec));
    const rolesWhere = (signs: (spec: FunctionSpec) => boolean) =>
      this.serviceFunctions.filter(({ spec }) => signs(spec)).map(({ role }) => role);
    this.restrictSigning(
      this.receiptSigningKey,
      rolesWhere((spec) => spec.access.signer === true),
    );
    if (this.sweeperGasKey)
      this.restrictSigning(
        this.sweeperGasKey,
        rolesWhere((spec) => spec.access.gasSigner === true),
      );
    this.throttlePublicRoutes();

    this.createAlarms();
    this.dashboard = this.createDashboard(dashboardName);

    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url, description: 'HTTP API base URL' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    this.outputSignIn(auth);
    new CfnOutput(this, 'ReceiptSigningKeyArn', {
      value: this.receiptSigningKey.attrArn,
      description: 'KMS key (secp256k1) that signs receipts; GET /v1/health publishes its Ethereum address',
    });
    if (this.sweeperGasKey) {
      new CfnOutput(this, 'SweeperGasKeyArn', {
        value: this.sweeperGasKey.attrArn,
        description:
          'KMS key (secp256k1) the sweeper pays gas with: fund its Ethereum address on every chain ' +
          '(docs/operations.md "Funding gas": `npx stablefee gas-address --key <this ARN>`)',
      });
    }
    this.outputSecrets();
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Subscribe on-call to this topic: every alarm (ALARMS in infra/stack.ts) publishes here',
    });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboardName });
  }

  /** CloudFront with the WAF web ACL in front of the API and the console (infra/edge.ts), and its outputs. */
  private createEdge(consoleAssetsDir: string | undefined): ApiEdge {
    const exportsBucket = this.buckets.exports;
    const edge = new ApiEdge(this, 'Edge', {
      api: this.api,
      consoleAssetsDir,
      consoleConfig: { mode: 'cognito', ...this.consoleSignIn },
      // The console posts to the hosted UI's token endpoint and downloads exports from their presigned links (the
      // region's S3 host names: naming the bucket itself would make the bucket's CORS rule and the CSP a cycle).
      consoleConnectOrigins: [this.consoleSignIn.domain, `https://*.s3.${Aws.REGION}.amazonaws.com`],
    });
    // The auditor's browser fetches an export's files from the console's origin (the in-browser verification).
    exportsBucket.addCorsRule({
      allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD],
      allowedOrigins: [`https://${edge.distribution.distributionDomainName}`],
      maxAge: 3600,
    });
    new CfnOutput(this, 'EdgeUrl', {
      value: edge.url,
      description: 'CloudFront (WAF) in front of the API and the console (/console/): the URL to give out',
    });
    new CfnOutput(this, 'EdgeOriginSecretArn', {
      value: edge.originSecret.secretArn,
      description:
        'The header CloudFront adds and the API functions require: JSON {"current":"…","previous"?:"…"} ' +
        '(rotation: docs/operations.md, Edge)',
    });
    new CfnOutput(this, 'ConsoleBucketName', {
      value: edge.consoleBucket.bucketName,
      description: `Upload the built console here under ${CONSOLE_KEY_PREFIX} (served at <EdgeUrl>/console/)`,
    });
    return edge;
  }

  /** One output per secret (its ARN), saying what JSON goes in it. */
  private outputSecrets(): void {
    const outputs: Record<SecretPurpose, [string, string]> = {
      webhooks: [
        'WebhookSecretsArn',
        'The providers\' webhook signing keys: JSON {"alchemy":"…","moralis":"…","quicknode":"…"}',
      ],
      providerApi: [
        'ProviderApiSecretArn',
        'The providers\' API credentials: JSON {"alchemyAuthToken":"…","moralisApiKey":"…","quicknodeApiKey":"…"}',
      ],
      registries: ['RegistrySecretsArn', 'The registries\' HMAC secrets: JSON {"registries":{"<MINISTRY>":"…"}}'],
      custodian: ['CustodianSecretArn', 'The custodian\'s HMAC secret: JSON {"custodian":"…"}'],
      rpcUrls: [
        'RpcUrlsSecretArn',
        'Keyed RPC URLs of the ChainsJson entries with "rpcUrlInSecret":true: JSON {"<chainId>":"https://…/<key>"}',
      ],
    };
    for (const [purpose, [id, description]] of Object.entries(outputs) as [SecretPurpose, [string, string]][]) {
      new CfnOutput(this, id, { value: this.secrets[purpose].secretArn, description });
    }
  }

  // ---------------------------------------------------------------- data

  /** The table; its stream exists only while a function consumes it (nothing pays for unread stream records). */
  private createTable(withStream: boolean): dynamodb.Table {
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: tableSpec.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableSpec.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(withStream ? { stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES } : {}),
      // AWS managed KMS key (aws/dynamodb): encrypted at rest with KMS, every use logged in CloudTrail, no
      // key policy to maintain and no kms:* grants to hand to every function and stream consumer. A customer-managed
      // key buys cross-account sharing and key-level revocation, neither of which this single-account service needs.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: tableSpec.timeToLiveAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableSpec.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        // An index keeping keys and a few attributes is not a second copy of every item (its readers BatchGet them).
        ...(index.projection === 'all'
          ? { projectionType: dynamodb.ProjectionType.ALL }
          : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection.include] }),
      });
    }
    return table;
  }

  private createQueues(): Record<QueueName, QueuePair> {
    const pairs: Partial<Record<QueueName, QueuePair>> = {};
    for (const [name, spec] of Object.entries(queueSpecs) as [QueueName, QueueSpec][]) {
      const id = `${pascal(name)}Queue`;
      // A FIFO queue needs a FIFO dead-letter queue. Messages carry explicit deduplication ids (no content-based
      // deduplication); CloudFormation names both queues, ending the generated names in `.fifo`.
      const fifo = spec.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
      const dlq = new sqs.Queue(this, `${id}Dlq`, {
        ...fifo,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      const queue = new sqs.Queue(this, id, {
        ...fifo,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
      });
      this.alarmOnDepth(`${id}DlqAlarm`, ALARMS.deadLetterQueue, name, dlq);
      pairs[name] = { queue, dlq };
    }
    return pairs as Record<QueueName, QueuePair>;
  }

  private createBuckets(): Record<BucketName, s3.Bucket> {
    const entries = Object.entries(bucketSpecs) as [BucketName, BucketSpec][];
    // Receives the server access logs of the service buckets. It is not access-logged itself (that would log its own
    // log deliveries); cdk-nag's S1 accepts a bucket that is another bucket's log destination.
    const accessLogs =
      entries.length === 0
        ? undefined
        : new s3.Bucket(this, 'AccessLogsBucket', {
            blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
            // Server access log delivery supports SSE-S3 only.
            encryption: s3.BucketEncryption.S3_MANAGED,
            enforceSSL: true,
            // Log delivery is authorized by bucket policy (cdk.json: @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy),
            // so ACLs stay disabled (bucket owner enforced, the S3 default).
            lifecycleRules: [{ expiration: Duration.days(365) }],
            removalPolicy: RemovalPolicy.RETAIN,
          });

    const result: Partial<Record<BucketName, s3.Bucket>> = {};
    for (const [name, spec] of entries) {
      result[name] = new s3.Bucket(this, `${pascal(name)}Bucket`, {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        // Write-once: in compliance mode no one, the account root included, can delete or overwrite an object version
        // before its retention ends (Object Lock needs versioning).
        ...(spec.lockDays === undefined
          ? {}
          : {
              versioned: true,
              objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(spec.lockDays)),
            }),
        lifecycleRules: [
          {
            expiration: Duration.days(spec.expireAfterDays),
            abortIncompleteMultipartUploadAfter: Duration.days(1),
            // Versioned (locked) buckets keep an expired object's version; it goes once its lock has ended.
            ...(spec.lockDays === undefined ? {} : { noncurrentVersionExpiration: Duration.days(1) }),
          },
        ],
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `${name}/`,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      if (spec.lockDays !== undefined) denyRewrites(result[name]);
    }
    return result as Record<BucketName, s3.Bucket>;
  }

  /**
   * AWS Backup of the table beside its point-in-time recovery (which lives and dies with the table and the account's
   * permissions): a daily backup kept 35 days and a monthly one kept a year, in a vault whose lock (compliance mode
   * once `BACKUP_VAULT_LOCK.changeableForDays` pass) stops anyone deleting a recovery point early or shortening its
   * retention. Each is copied to the vault named by the BackupCopyVaultArn parameter (another region's) when given.
   */
  private createBackupPlan(): backup.BackupPlan {
    const copyVaultArn = new CfnParameter(this, 'BackupCopyVaultArn', {
      type: 'String',
      default: '',
      description:
        'Backup vault in another region the table backups are copied to (arn:aws:backup:<region>:<account>:' +
        'backup-vault:<name>; needs AWS Backup advanced features for DynamoDB). Empty: no copy.',
      allowedPattern: '^(arn:aws[a-z-]*:backup:[a-z0-9-]+:\\d{12}:backup-vault:[A-Za-z0-9_.-]+)?$',
    }).valueAsString;
    const vault = new backup.BackupVault(this, 'BackupVault', {
      lockConfiguration: {
        minRetention: Duration.days(BACKUP_VAULT_LOCK.minRetentionDays),
        maxRetention: Duration.days(BACKUP_VAULT_LOCK.maxRetentionDays),
        changeableFor: Duration.days(BACKUP_VAULT_LOCK.changeableForDays),
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plan = new backup.BackupPlan(this, 'BackupPlan', { backupVault: vault });
    for (const rule of BACKUP_RULES) {
      plan.addRule(
        new backup.BackupPlanRule({
          ruleName: rule.name,
          scheduleExpression: events.Schedule.expression(rule.schedule),
          deleteAfter: Duration.days(rule.keepDays),
        }),
      );
    }
    const copy = new CfnCondition(this, 'CopyBackupsToAnotherRegion', {
      expression: Fn.conditionNot(Fn.conditionEquals(copyVaultArn, '')),
    });
    const cfnPlan = plan.node.defaultChild as backup.CfnBackupPlan;
    for (const [index, rule] of BACKUP_RULES.entries()) {
      cfnPlan.addPropertyOverride(
        `BackupPlan.BackupPlanRule.${index}.CopyActions`,
        Fn.conditionIf(
          copy.logicalId,
          [{ DestinationBackupVaultArn: copyVaultArn, Lifecycle: { DeleteAfterDays: rule.keepDays } }],
          Aws.NO_VALUE,
        ),
      );
    }
    const selection = plan.addSelection('Table', { resources: [backup.BackupResource.fromDynamoDbTable(this.table)] });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        "AWS Backup's own service-role policy, the documented role for a backup selection (restores are not " +
        'allowed to it); the role can be assumed by backup.amazonaws.com only.',
    });
    return plan;
  }

  // ---------------------------------------------------------------- alarms

  private createAlarmTopic(): sns.Topic {
    // CloudWatch cannot publish to a topic encrypted with the AWS managed aws/sns key, so the topic has its own key
    // whose policy lets CloudWatch (this account only) use it. The policy is written out because the L2 Key always
    // adds `kms:*` for the account.
    const keyPolicy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'AccountAdministersKey',
          principals: [new iam.AccountRootPrincipal()],
          actions: KEY_ADMIN_ACTIONS,
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsPublishEncrypted',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
        }),
        new iam.PolicyStatement({
          sid: 'SnsUsesKeyForTopic',
          principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
        }),
      ],
    });
    const cfnKey = new kms.CfnKey(this, 'AlarmTopicKey', {
      description: 'stablefee alarm topic encryption',
      enableKeyRotation: true,
      pendingWindowInDays: 7,
      keyPolicy,
    });
    cfnKey.applyRemovalPolicy(RemovalPolicy.DESTROY);
    const key = kms.Key.fromKeyArn(this, 'AlarmTopicKeyRef', cfnKey.attrArn);

    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'stablefee alarms',
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    return topic;
  }

  /**
   * Who the alarms reach: an e-mail address and/or an HTTPS endpoint (a pager, chat or incident tool's webhook),
   * each subscribed to the alarm topic when given. A template rule refuses a deploy that gives neither, so alarms
   * always reach someone. An e-mail subscription must be confirmed from the mail SNS sends.
   */
  private subscribeOnCall(): void {
    const email = new CfnParameter(this, 'AlarmEmail', ALARM_SUBSCRIPTION_PARAMETERS.AlarmEmail).valueAsString;
    const https = new CfnParameter(this, 'AlarmHttpsEndpoint', ALARM_SUBSCRIPTION_PARAMETERS.AlarmHttpsEndpoint)
      .valueAsString;
    const subscriptions: [string, string, string][] = [
      ['AlarmEmailSubscription', 'email', email],
      ['AlarmHttpsSubscription', 'https', https],
    ];
    for (const [id, protocol, endpoint] of subscriptions) {
      const given = new CfnCondition(this, `${id}Given`, {
        expression: Fn.conditionNot(Fn.conditionEquals(endpoint, '')),
      });
      const subscription = new sns.CfnSubscription(this, id, {
        topicArn: this.alarmTopic.topicArn,
        protocol,
        endpoint,
      });
      subscription.cfnOptions.condition = given;
    }
    new CfnRule(this, 'AlarmsReachSomeone', {
      assertions: [
        {
          assert: Fn.conditionNot(Fn.conditionAnd(Fn.conditionEquals(email, ''), Fn.conditionEquals(https, ''))),
          assertDescription: 'Give AlarmEmail or AlarmHttpsEndpoint (or both): alarms must reach someone.',
        },
      ],
    });
  }

  /** The CloudWatch alarm name of an `ALARMS` entry (and its queue or function for a family). */
  alarmName(spec: AlarmSpec, subject?: string): string {
    return [this.stackName, spec.id, subject].filter(Boolean).join('-');
  }

  /**
   * Creates the alarm of an `ALARMS` entry: the metric's statistic above the threshold for the entry's evaluation
   * periods (every one of them breaching), missing data not breaching unless the entry says `missingData: 'breaching'`;
   * alarm and OK both notify the alarm topic.
   */
  private addAlarm(
    id: string,
    spec: AlarmSpec,
    subject: string | undefined,
    metric: cloudwatch.IMetric,
    threshold = spec.threshold,
  ): cloudwatch.Alarm {
    const alarmName = this.alarmName(spec, subject);
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName,
      alarmDescription: `${subject ? `${subject}: ` : ''}${spec.description}`.slice(0, 1024),
      metric,
      threshold,
      comparisonOperator:
        spec.when === 'below'
          ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
          : cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods,
      treatMissingData:
        spec.missingData === 'breaching'
          ? cloudwatch.TreatMissingData.BREACHING
          : cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
    alarm.addOkAction(new cwActions.SnsAction(this.alarmTopic));
    this.alarms.set(alarmName, alarm);
    return alarm;
  }

  /** Alarms as soon as one message sits in the queue (used for every dead-letter queue). */
  private alarmOnDepth(id: string, spec: AlarmSpec, subject: string | undefined, queue: sqs.IQueue): cloudwatch.Alarm {
    return this.addAlarm(
      id,
      spec,
      subject,
      queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(spec.periodMinutes),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
    );
  }

  /** One of the service's Powertools metrics, with the `service` dimension. */
  private serviceMetric(metricName: string, statistic: string, period: Duration, label?: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: SERVICE_METRICS.namespace,
      metricName,
      dimensionsMap: SERVICE_METRICS.dimensions,
      statistic,
      period,
      label,
    });
  }

  /**
   * The scanner's lag, maximum over chains. It is emitted per chain (dimension `chainId` besides `service`), and an
   * alarm cannot use SEARCH, so a Metrics Insights query aggregates every dimension set the metric has: it keeps
   * working whether the functions emit it per chain, without the chain, or both.
   */
  private scannerLagMetric(period: Duration): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression:
        `SELECT MAX(${SERVICE_METRICS.scannerLagBlocks}) FROM "${SERVICE_METRICS.namespace}" ` +
        `WHERE service = '${SERVICE_METRICS.dimensions.service}'`,
      label: 'lag (max over chains)',
      period,
    });
  }

  /** The sweeper's alarms: gas running low, failed sweeps or addresses, a sweep stalled (per-chain gauges: minimum or maximum over chains). */
  private createSweeperAlarms(): void {
    const acrossChains = (fn: 'MIN' | 'MAX', metric: string, spec: AlarmSpec, label: string) =>
      new cloudwatch.MathExpression({
        expression:
          `SELECT ${fn}(${metric}) FROM "${SERVICE_METRICS.namespace}" ` +
          `WHERE service = '${SERVICE_METRICS.dimensions.service}'`,
        label,
        period: Duration.minutes(spec.periodMinutes),
      });
    const gas = ALARMS.sweeperGasLow;
    this.addAlarm(
      'SweeperGasLowAlarm',
      gas,
      undefined,
      acrossChains('MIN', SERVICE_METRICS.sweeperGasBalance, gas, 'gas (min over chains)'),
    );
    const stalled = ALARMS.sweepStalled;
    this.addAlarm(
      'SweepStalledAlarm',
      stalled,
      undefined,
      acrossChains('MAX', SERVICE_METRICS.oldestSubmittedSweepSeconds, stalled, 'oldest submitted sweep (s)'),
    );
    const failures: [string, AlarmSpec, string][] = [
      ['SweepsFailedAlarm', ALARMS.sweepsFailed, SERVICE_METRICS.sweepsFailed],
      ['SweepAddressesFailedAlarm', ALARMS.sweepAddressesFailed, SERVICE_METRICS.sweepAddressesFailed],
    ];
    for (const [id, spec, metric] of failures) {
      const period = Duration.minutes(spec.periodMinutes);
      this.addAlarm(id, spec, undefined, this.serviceMetric(metric, cloudwatch.Stats.SUM, period));
    }
  }

  /**
   * The alarms of `ALARMS` beyond the dead-letter queues (created with their queues). Function errors are one alarm
   * per function rather than one metric-math sum: an alarm's math may read at most 10 metrics (the topology has more
   * functions), and the alarm's name then says which function fails.
   */
  private createAlarms(): void {
    const minutes = (spec: AlarmSpec) => Duration.minutes(spec.periodMinutes);

    for (const created of this.serviceFunctions) this.createFunctionAlarms(created);
    this.createQueueAgeAlarms();

    const api = ALARMS.apiServerErrors;
    const apiPeriod = minutes(api);
    this.addAlarm(
      'ApiServerErrorsAlarm',
      api,
      undefined,
      new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
        usingMetrics: {
          requests: this.api.metricCount({ period: apiPeriod, statistic: cloudwatch.Stats.SUM }),
          errors: this.api.metricServerError({ period: apiPeriod, statistic: cloudwatch.Stats.SUM }),
        },
        label: '5xx (% of requests)',
        period: apiPeriod,
      }),
    );
    this.addAlarm('ScannerLagAlarm', ALARMS.scannerLag, undefined, this.scannerLagMetric(minutes(ALARMS.scannerLag)));
    if (this.sweeperGasKey) this.createSweeperAlarms();

    const sums: [string, AlarmSpec, string][] = [
      ['ReorgIncidentAlarm', ALARMS.reorgIncident, SERVICE_METRICS.reorgIncidents],
      ['RejectedHintsAlarm', ALARMS.rejectedHints, SERVICE_METRICS.rejectedHints],
      ['AnnulmentAlarm', ALARMS.annulment, SERVICE_METRICS.annulments],
      ['ReceiptDeliveryFailuresAlarm', ALARMS.receiptDeliveryFailures, SERVICE_METRICS.receiptDeliveryFailures],
      ['TransfersUnmatchedAlarm', ALARMS.transfersUnmatched, SERVICE_METRICS.transfersUnmatched],
      ['FreezeIncidentAlarm', ALARMS.freezeIncident, SERVICE_METRICS.freezeIncidents],
      ['TransfersHeldAlarm', ALARMS.transfersHeld, SERVICE_METRICS.transfersHeld],
      ['ArchiveMismatchAlarm', ALARMS.archiveMismatch, SERVICE_METRICS.archiveMismatches],
    ];
    for (const [id, spec, metricName] of sums) {
      this.addAlarm(id, spec, undefined, this.serviceMetric(metricName, cloudwatch.Stats.SUM, minutes(spec)));
    }
    const mrp = ALARMS.mrpMissingAhead;
    this.addAlarm(
      'MrpMissingAheadAlarm',
      mrp,
      undefined,
      this.serviceMetric(SERVICE_METRICS.mrpMissingAhead, cloudwatch.Stats.MAXIMUM, minutes(mrp)),
    );
  }

  /**
   * A function's error-rate alarm and, when it runs on a schedule, its heartbeat. A scheduled function's periods are
   * stretched to its schedule (an hourly job is judged per hour, its heartbeat over two hours).
   */
  private createFunctionAlarms({ spec, fn }: ServiceFunction): void {
    const interval = Math.max(
      0,
      ...spec.triggers.map((t) => (t.kind === 'schedule' ? scheduleIntervalMinutes(t.expression) : 0)),
    );
    const errors = ALARMS.functionErrors;
    // An alarm evaluates at most one day: periods × evaluation periods.
    const errorPeriod = Duration.minutes(
      Math.min(
        Math.max(errors.periodMinutes, interval),
        Math.floor(MAX_ALARM_WINDOW_MINUTES / errors.evaluationPeriods),
      ),
    );
    this.addAlarm(
      `FunctionErrorsAlarm${pascal(spec.name)}`,
      errors,
      spec.name,
      new cloudwatch.MathExpression({
        expression: 'IF(invocations > 0, 100 * FILL(errors, 0) / invocations, 0)',
        usingMetrics: {
          invocations: fn.metricInvocations({ period: errorPeriod, statistic: cloudwatch.Stats.SUM }),
          errors: fn.metricErrors({ period: errorPeriod, statistic: cloudwatch.Stats.SUM }),
        },
        label: 'errors (% of invocations)',
        period: errorPeriod,
      }),
    );
    if (interval === 0) return;
    const heartbeat = ALARMS.heartbeat;
    const heartbeatPeriod = Duration.minutes(
      Math.min(Math.max(heartbeat.periodMinutes, 2 * interval), MAX_ALARM_WINDOW_MINUTES),
    );
    this.addAlarm(
      `HeartbeatAlarm${pascal(spec.name)}`,
      heartbeat,
      spec.name,
      fn.metricInvocations({ period: heartbeatPeriod, statistic: cloudwatch.Stats.SUM }),
    );
  }

  /**
   * The age of the oldest message of every queue (against the queue's own limit) and of every dead-letter queue.
   * Together with the depth alarm on each dead-letter queue: a consumer that stopped, and dead letters nobody replayed.
   */
  private createQueueAgeAlarms(): void {
    for (const [name, { queue, dlq }] of Object.entries(this.queues) as [QueueName, QueuePair][]) {
      const spec: QueueSpec = queueSpecs[name];
      const age = ALARMS.queueAge;
      this.addAlarm(
        `${pascal(name)}QueueAgeAlarm`,
        age,
        name,
        queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(age.periodMinutes),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        spec.maxMessageAgeSeconds ?? age.threshold,
      );
      const dead = ALARMS.deadLetterAge;
      this.addAlarm(
        `${pascal(name)}DeadLetterAgeAlarm`,
        dead,
        name,
        dlq.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(dead.periodMinutes),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
      );
    }
  }

  // ---------------------------------------------------------------- dashboard

  /**
   * The `stablefee` dashboard: alarm states; the payment pipeline; registry delivery; the scanner; every queue's
   * depth and oldest message, every dead-letter queue; the HTTP API; then errors, throttles and p99 duration of every
   * function (from the functions created, so a new topology function or queue appears without editing this).
   */
  private createDashboard(dashboardName: string): cloudwatch.Dashboard {
    const period = Duration.minutes(5);
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName,
      defaultInterval: Duration.hours(6),
      widgets: [
        [dashboardHeader()],
        [this.alarmStatusWidget()],
        this.pipelineWidgets(period),
        this.chainWidgets(period),
        ...(this.sweeperGasKey ? [this.sweeperWidgets(period)] : []),
        this.queueWidgets(period),
        this.httpApiWidgets(period),
        this.functionWidgets(period),
      ],
    });
  }

  /** Every alarm's state, most recently changed first; tall enough for four alarms a line (at most 12 units). */
  private alarmStatusWidget(): cloudwatch.AlarmStatusWidget {
    return new cloudwatch.AlarmStatusWidget({
      title: 'Alarms',
      alarms: [...this.alarms.values()],
      width: 24,
      height: Math.min(2 + Math.ceil(this.alarms.size / 4), 12),
      sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
    });
  }

  /** A service metric summed over the dashboard's period, labelled with its own name. */
  private serviceSum(metricName: string, period: Duration): cloudwatch.Metric {
    return this.serviceMetric(metricName, cloudwatch.Stats.SUM, period, metricName);
  }

  /** The payment pipeline's counts, and registry delivery beside the outbox depth. */
  private pipelineWidgets(period: Duration): cloudwatch.IWidget[] {
    const sums = (metricNames: string[]) => metricNames.map((name) => this.serviceSum(name, period));
    return [
      new cloudwatch.GraphWidget({
        title: 'Pipeline (count per 5 minutes)',
        left: sums([
          SERVICE_METRICS.invoicesIssued,
          SERVICE_METRICS.transfersSeen,
          SERVICE_METRICS.transfersCredited,
          SERVICE_METRICS.transfersUnmatched,
          SERVICE_METRICS.receiptsIssued,
          SERVICE_METRICS.receiptsDelivered,
        ]),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Registry delivery',
        left: sums([SERVICE_METRICS.receiptsDelivered, SERVICE_METRICS.receiptDeliveryFailures]),
        right: [
          this.queues.outbox.queue.metricApproximateNumberOfMessagesVisible({
            period,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: 'outbox depth',
          }),
        ],
        width: 12,
      }),
    ];
  }

  /** The scanner's lag (overall and per chain), and what the chain or the providers did that needs a look. */
  /** The sweeper: its gas balance and oldest submitted sweep per chain, and its sweeps by outcome. */
  private sweeperWidgets(period: Duration): cloudwatch.IWidget[] {
    const perChain = (metric: string, statistic: string) =>
      new cloudwatch.SearchExpression({
        expression:
          `SEARCH('{${SERVICE_METRICS.namespace},chainId,service} ` +
          `MetricName="${metric}"', '${statistic}', ${period.toSeconds()})`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudWatch dynamic label, not a JS placeholder.
        label: "chain ${PROP('Dim.chainId')}",
        period,
      });
    return [
      new cloudwatch.GraphWidget({
        title: 'Sweeper gas balance (native units) and oldest submitted sweep (s)',
        left: [perChain(SERVICE_METRICS.sweeperGasBalance, 'Minimum')],
        right: [perChain(SERVICE_METRICS.oldestSubmittedSweepSeconds, 'Maximum')],
        leftAnnotations: [alarmThreshold(ALARMS.sweeperGasLow, 'gas alarm')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Sweeps submitted, final, failed; sends refused; addresses failed',
        left: [
          SERVICE_METRICS.sweepsSubmitted,
          SERVICE_METRICS.sweepsFinal,
          SERVICE_METRICS.sweepsFailed,
          SERVICE_METRICS.sweepSendFailures,
          SERVICE_METRICS.sweepAddressesFailed,
        ].map((name) => this.serviceSum(name, period)),
        width: 12,
      }),
    ];
  }

  private chainWidgets(period: Duration): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: 'Scanner lag (blocks behind head)',
        left: [
          this.scannerLagMetric(period),
          new cloudwatch.SearchExpression({
            expression:
              `SEARCH('{${SERVICE_METRICS.namespace},chainId,service} ` +
              `MetricName="${SERVICE_METRICS.scannerLagBlocks}"', 'Maximum', ${period.toSeconds()})`,
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudWatch dynamic label, not a JS placeholder.
            label: "chain ${PROP('Dim.chainId')}",
            period,
          }),
        ],
        leftAnnotations: [alarmThreshold(ALARMS.scannerLag, 'alarm')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Reorgs, annulments, rejected hints, unmatched and ignored zero-value transfers',
        left: [
          SERVICE_METRICS.reorgIncidents,
          SERVICE_METRICS.annulments,
          SERVICE_METRICS.rejectedHints,
          SERVICE_METRICS.transfersUnmatched,
          SERVICE_METRICS.zeroValueTransfersIgnored,
        ].map((name) => this.serviceSum(name, period)),
        width: 12,
      }),
    ];
  }

  /** Depth and oldest message of every queue, and the depth of every dead-letter queue (the stream's too). */
  private queueWidgets(period: Duration): cloudwatch.IWidget[] {
    const queueEntries = Object.entries(this.queues) as [QueueName, QueuePair][];
    const deadLetterQueues: [string, sqs.IQueue][] = [
      ...queueEntries.map(([name, { dlq }]): [string, sqs.IQueue] => [name, dlq]),
      ...(this.streamFailureQueue ? [['table stream failures', this.streamFailureQueue] as [string, sqs.IQueue]] : []),
    ];
    const maximum = { period, statistic: cloudwatch.Stats.MAXIMUM };
    return [
      new cloudwatch.GraphWidget({
        title: 'Queue depth (messages visible)',
        left: queueEntries.map(([name, { queue }]) =>
          queue.metricApproximateNumberOfMessagesVisible({ ...maximum, label: name }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Age of oldest message (seconds)',
        left: queueEntries.map(([name, { queue }]) =>
          queue.metricApproximateAgeOfOldestMessage({ ...maximum, label: name }),
        ),
        leftAnnotations: [
          {
            value: queueSpecs.transfers.maxMessageAgeSeconds,
            label: 'transfers age alarm',
            color: cloudwatch.Color.RED,
          },
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth',
        left: deadLetterQueues.map(([name, dlq]) =>
          dlq.metricApproximateNumberOfMessagesVisible({ ...maximum, label: name }),
        ),
        width: 8,
      }),
    ];
  }

  /** The HTTP API's responses by class, and its latency. */
  private httpApiWidgets(period: Duration): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: 'HTTP API responses',
        left: [
          this.api.metricCount({ period, statistic: cloudwatch.Stats.SUM, label: 'requests' }),
          this.api.metricClientError({ period, statistic: cloudwatch.Stats.SUM, label: '4xx' }),
          this.api.metricServerError({ period, statistic: cloudwatch.Stats.SUM, label: '5xx' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'HTTP API latency (ms)',
        left: [
          this.api.metricLatency({ period, statistic: cloudwatch.Stats.p(50), label: 'p50' }),
          this.api.metricLatency({ period, statistic: cloudwatch.Stats.p(99), label: 'p99' }),
          this.api.metricIntegrationLatency({ period, statistic: cloudwatch.Stats.p(99), label: 'integration p99' }),
        ],
        width: 12,
      }),
    ];
  }

  /** One graph per function created: errors and throttles, p99 duration on the right axis. */
  private functionWidgets(period: Duration): cloudwatch.IWidget[] {
    return this.serviceFunctions.map(
      ({ spec, fn }) =>
        new cloudwatch.GraphWidget({
          title: `${spec.name} (Lambda)`,
          left: [
            fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM, label: 'errors' }),
            fn.metricThrottles({ period, statistic: cloudwatch.Stats.SUM, label: 'throttles' }),
          ],
          right: [fn.metricDuration({ period, statistic: cloudwatch.Stats.p(99), label: 'duration p99 (ms)' })],
          width: 8,
        }),
    );
  }

  // ---------------------------------------------------------------- receipt signer and webhook secrets

  /**
   * The receipt signing key: secp256k1 in KMS, so receipts are EIP-712 signatures anyone verifies offline against
   * the signer address. Retained: deleting it would orphan every published receipt's signer. The policy is written
   * out because the L2 Key always adds `kms:*` for the account; the account may administer the key and delegate
   * GetPublicKey through IAM, and only the signing roles may Sign (`restrictSigning`).
   * AwsSolutions-KMS5 (rotation) does not apply: KMS cannot rotate asymmetric keys, and a new key would be a new
   * signer address.
   */
  private createReceiptSigningKey(): kms.CfnKey {
    return this.createSecp256k1Key('ReceiptSigningKey', 'stablefee receipt signer (EIP-712, secp256k1)');
  }

  /**
   * A retained secp256k1 SIGN_VERIFY key whose policy lets the account administer it and delegate GetPublicKey
   * through IAM; who may Sign is added once the functions exist (`restrictSigning`). Used for the receipt key and the
   * sweeper's gas key (retained too: its address holds the gas balance and is what operators fund).
   */
  private createSecp256k1Key(id: string, description: string): kms.CfnKey {
    const keyPolicy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'AccountAdministersKey',
          principals: [new iam.AccountRootPrincipal()],
          // Rotation actions are meaningless for an asymmetric key.
          actions: KEY_ADMIN_ACTIONS.filter((action) => !/Rotat/.test(action)),
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'AccountDelegatesPublicKeyToIam',
          principals: [new iam.AccountRootPrincipal()],
          actions: ['kms:GetPublicKey'],
          resources: ['*'],
        }),
      ],
    });
    const key = new kms.CfnKey(this, id, {
      description,
      keySpec: kms.KeySpec.ECC_SECG_P256K1,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      enableKeyRotation: false,
      pendingWindowInDays: 30,
      keyPolicy,
    });
    key.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.signingKeyPolicies.set(key, keyPolicy);
    return key;
  }

  /**
   * Lets exactly `signers` (the roles of the functions whose `access` signs with `key`) use kms:Sign, and denies it to
   * every other principal of any account: an IAM administrator, the deploy role or a grant cannot sign a receipt.
   * Both name the roles by `aws:PrincipalArn` conditions rather than as principals, so a replaced role (a new unique
   * id) keeps working and a role created in the same deployment is not refused by KMS's principal check. Changing
   * this takes kms:PutKeyPolicy, which CloudTrail records.
   */
  private restrictSigning(key: kms.CfnKey, signers: iam.IRole[]): void {
    const policy = this.signingKeyPolicies.get(key);
    if (!policy) throw new Error(`Not a signing key: ${key.node.path}`);
    const roleArns = signers.map((role) => role.roleArn);
    if (roleArns.length > 0) {
      policy.addStatements(
        new iam.PolicyStatement({
          sid: 'SigningRolesSign',
          principals: [new iam.AccountRootPrincipal()],
          actions: ['kms:Sign'],
          resources: ['*'],
          conditions: { ArnEquals: { 'aws:PrincipalArn': roleArns } },
        }),
      );
    }
    policy.addStatements(
      new iam.PolicyStatement({
        sid: 'NobodyElseSigns',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'],
        ...(roleArns.length > 0 ? { conditions: { ArnNotEquals: { 'aws:PrincipalArn': roleArns } } } : {}),
      }),
    );
  }

  /**
   * The service's secrets, one per purpose (`SecretPurpose`), each read only by the functions whose `access.secrets`
   * names it. The template only creates each placeholder (empty values: the feature stays off); operators put the
   * values in. CloudFormation writes a new version only when `SecretString` in the template changes, so the
   * placeholders must stay as they are or a deploy overwrites the operators' values. None is rotated by a Lambda:
   * the provider-issued ones are rotated at the provider, and the registries' and custodian's HMAC secrets are shared
   * with another party and changed at an agreed time (docs/operations.md, "Rotating secrets").
   */
  private createSecrets(): Record<SecretPurpose, secretsmanager.Secret> {
    const empty = (keys: readonly string[]) =>
      Object.fromEntries(keys.map((key) => [key, SecretValue.unsafePlainText('')]));
    const specs: Record<SecretPurpose, [string, string, secretsmanager.SecretProps, string]> = {
      // The logical id of the single secret of earlier releases: its values stay where operators put them.
      webhooks: [
        'WebhookSecrets',
        'stablefee webhook signing secrets: JSON {"alchemy":"…","moralis":"…","quicknode":"…"}; empty = provider disabled',
        { secretObjectValue: empty(WEBHOOK_PROVIDERS) },
        "provider-issued webhook signing keys, rotated in the provider's dashboard and then copied here",
      ],
      providerApi: [
        'ProviderApiSecret',
        'stablefee providers\' API credentials: JSON {"alchemyAuthToken":"…","moralisApiKey":"…","quicknodeApiKey":"…"}',
        { secretObjectValue: empty(['alchemyAuthToken', 'moralisApiKey', 'quicknodeApiKey']) },
        "provider-issued API credentials, rotated in the provider's dashboard and then copied here",
      ],
      registries: [
        'RegistrySecrets',
        'stablefee registries\' HMAC secrets: JSON {"registries":{"<MINISTRY>":"…"}}',
        { secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ registries: {} })) },
        "HMAC secrets shared with each ministry's registry: a new one must be agreed with the ministry and switched " +
          'at an agreed time (the protocol has no overlap window), which a rotation Lambda cannot do',
      ],
      custodian: [
        'CustodianSecret',
        'stablefee custodian HMAC secret: JSON {"custodian":"…"}',
        { secretObjectValue: empty(['custodian']) },
        'the HMAC secret shared with the custodian, switched at a time agreed with it (no overlap window)',
      ],
      rpcUrls: [
        'RpcUrlsSecret',
        'stablefee keyed RPC URLs, for ChainsJson entries with "rpcUrlInSecret":true: JSON {"<chainId>":"https://…"}',
        { secretStringValue: SecretValue.unsafePlainText('{}') },
        "RPC URLs with the RPC provider's API key, rotated in the provider's dashboard and then copied here (read at " +
          'each cold start: docs/operations.md, "Rotating secrets")',
      ],
    };
    const secrets = {} as Record<SecretPurpose, secretsmanager.Secret>;
    for (const [purpose, [id, description, value, rotation]] of Object.entries(specs) as [
      SecretPurpose,
      (typeof specs)[SecretPurpose],
    ][]) {
      const secret = new secretsmanager.Secret(this, id, {
        description,
        ...value,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          `No rotation Lambda: the values are ${rotation}.` +
          (purpose === 'rpcUrls' ? '' : ' shared/adapters/service-secret.ts re-reads every 5 minutes.'),
      });
      secrets[purpose] = secret;
    }
    return secrets;
  }

  // ---------------------------------------------------------------- deployment parameters

  /**
   * The per-deployment configuration, as stack parameters, and the environment it becomes on every function. No
   * parameter holds a secret (parameters show in the console and in the stack's history).
   */
  private createDeploymentParameters(): Record<string, string> {
    const parameter = (id: keyof typeof DEPLOYMENT_PARAMETERS): string => {
      const props: CfnParameterProps = DEPLOYMENT_PARAMETERS[id];
      const checked = id in CHECKED_PARAMETERS ? { default: this.checkedDefault(id as CheckedParameter, props) } : {};
      return new CfnParameter(this, id, { ...props, ...checked }).valueAsString;
    };
    const depositXpub = parameter('DepositXpub');
    const chainsJson = parameter('ChainsJson');
    const publicBaseUrl = parameter('PublicBaseUrl');
    const nbkRatesUrl = parameter('NbkRatesUrl');
    this.mailFrom = parameter('MailFrom');
    const providerIds = this.createAddressWatchParameters();
    // Functions do not depend on the routes (routes depend on functions), so pointing them at the distribution in
    // front of the API adds no dependency cycle: it and the HttpApi resource depend on nothing here.
    const useEdgeUrl = new CfnCondition(this, 'UseEdgeUrlAsPublicBaseUrl', {
      expression: Fn.conditionEquals(publicBaseUrl, ''),
    });
    return {
      [DEPLOYMENT_ENV.stage]: 'cloud',
      [DEPLOYMENT_ENV.depositXpub]: depositXpub,
      [DEPLOYMENT_ENV.chains]: chainsJson,
      [DEPLOYMENT_ENV.publicBaseUrl]: Fn.conditionIf(
        useEdgeUrl.logicalId,
        // The edge (WAF, rate limits), not the API's own endpoint: payer links lead through it.
        this.edge.url,
        publicBaseUrl,
      ).toString(),
      [DEPLOYMENT_ENV.nbkRatesUrl]: nbkRatesUrl,
      [DEPLOYMENT_ENV.registries]: parameter('RegistriesJson'),
      [DEPLOYMENT_ENV.custodian]: parameter('CustodianJson'),
      [DEPLOYMENT_ENV.mailFrom]: this.mailFrom,
      ...providerIds,
    };
  }

  /**
   * The default of a JSON parameter: the value given as CDK context under the parameter's name (`-c ChainsJson=…`),
   * else the template's own default; either way checked by the functions' own parsers (infra/deployment-config.ts),
   * so synthesis fails on a value every function would refuse at start.
   */
  private checkedDefault(id: CheckedParameter, props: CfnParameterProps): string {
    const given: unknown = this.node.tryGetContext(id);
    const text =
      given === undefined ? String(props.default ?? '') : typeof given === 'string' ? given : JSON.stringify(given);
    return checkedParameterValue(id, text);
  }

  /**
   * Which provider address lists the watch-addresses function keeps in step with deposit addresses: one parameter
   * per provider, as the environment variable it sets; empty leaves that provider off.
   */
  private createAddressWatchParameters(): Record<string, string> {
    return Object.fromEntries(
      ADDRESS_WATCH_PARAMETERS.map(([id, env, description]) => [
        env,
        new CfnParameter(this, id, {
          type: 'String',
          default: '',
          description,
          allowedPattern: '^[A-Za-z0-9_-]{0,128}$',
        }).valueAsString,
      ]),
    );
  }

  // ---------------------------------------------------------------- HTTP API and auth

  /** Where tokens come from and whom they are for: the console's `config.json` and API clients read these. */
  private outputSignIn(auth: { issuer: string; audience: string }): void {
    new CfnOutput(this, 'ConsoleClientId', { value: this.consoleSignIn.clientId });
    new CfnOutput(this, 'ConsoleSignInDomain', { value: this.consoleSignIn.domain, description: 'Cognito hosted UI' });
    new CfnOutput(this, 'JwtIssuerInUse', { value: auth.issuer, description: 'Issuer whose tokens the API accepts' });
    new CfnOutput(this, 'JwtAudienceInUse', {
      value: auth.audience,
      description: "Audience (aud, or client_id) the API accepts, besides the console's client",
    });
  }

  private createAuth(): {
    userPool: cognito.UserPool;
    client: cognito.UserPoolClient;
    issuer: string;
    audience: string;
    /** What the functions accept as audience: comma-separated (docs/architecture.md, *Authentication*). */
    acceptedAudiences: string;
    consoleSignIn: { clientId: string; domain: string };
  } {
    const issuerParam = new CfnParameter(this, 'JwtIssuer', {
      type: 'String',
      default: '',
      description: 'JWT issuer URL the API trusts. Empty: the Cognito user pool this stack creates.',
    });
    const audienceParam = new CfnParameter(this, 'JwtAudience', {
      type: 'String',
      default: '',
      description: 'JWT audience (aud or client_id) the API accepts. Empty: the app client this stack creates.',
    });

    // Staff only (ministries, auditors, operators): no self sign-up, TOTP MFA required, threat protection on.
    // The role and ministry are custom attributes only an administrator can set.
    const userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      customAttributes: {
        role: new cognito.StringAttribute({ mutable: true, minLen: 1, maxLen: 32 }),
        ministry: new cognito.StringAttribute({ mutable: true, minLen: 0, maxLen: 64 }),
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const standard = new cognito.ClientAttributes().withStandardAttributes({ email: true, emailVerified: true });
    const client = userPool.addClient('WebClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: standard.withCustomAttributes('role', 'ministry'),
      // Users may not write their own role or ministry.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
    });

    const useCognitoIssuer = new CfnCondition(this, 'UseCognitoIssuer', {
      expression: Fn.conditionEquals(issuerParam.valueAsString, ''),
    });
    const useCognitoAudience = new CfnCondition(this, 'UseCognitoAudience', {
      expression: Fn.conditionEquals(audienceParam.valueAsString, ''),
    });
    const issuer = Fn.conditionIf(
      useCognitoIssuer.logicalId,
      `https://cognito-idp.${Aws.REGION}.amazonaws.com/${userPool.userPoolId}`,
      issuerParam.valueAsString,
    ).toString();
    const audience = Fn.conditionIf(
      useCognitoAudience.logicalId,
      client.userPoolClientId,
      audienceParam.valueAsString,
    ).toString();

    // The console's own app client signs users in through the hosted UI; its ID tokens are accepted too, but only
    // when this stack's user pool is the issuer (another issuer's tokens never name our client).
    const consoleSignIn = this.createConsoleSignIn(userPool);
    const acceptedAudiences = Fn.conditionIf(
      useCognitoIssuer.logicalId,
      Fn.join(',', [audience, consoleSignIn.clientId]),
      audience,
    ).toString();
    return { userPool, client, issuer, audience, acceptedAudiences, consoleSignIn };
  }

  /**
   * The console's sign-in: a public app client (no secret: it runs in the browser) allowed only the authorization
   * code grant, used with PKCE (S256) by the console, returning to the `ConsoleUrl` parameter after sign-in and
   * sign-out; and the user pool's hosted UI domain (a prefix unique to this stack). The console reads both from its
   * `config.json` (`consoleSignIn` here; issue 17's hosting writes it).
   */
  private createConsoleSignIn(userPool: cognito.UserPool): { clientId: string; domain: string } {
    const consoleUrl = new CfnParameter(this, 'ConsoleUrl', {
      type: 'String',
      default: 'http://localhost:3000/console/',
      description:
        'The console URL (its CloudFront address + /console/): where the hosted UI returns after sign-in and sign-out.',
    }).valueAsString;
    const client = userPool.addClient('ConsoleClient', {
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes('role', 'ministry'),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
    });
    // The stack id's UUID makes the prefix unique across stacks and accounts (it must be globally unique).
    const domain = userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: Fn.join('-', ['stablefee', Fn.select(2, Fn.split('/', Aws.STACK_ID))]) },
      managedLoginVersion: cognito.ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });
    return { clientId: client.userPoolClientId, domain: domain.baseUrl() };
  }

  private createHttpApi(): { api: apigw.HttpApi; stage: apigw.HttpStage } {
    const api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'stablefee HTTP API',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });
    return { api, stage };
  }

  // ---------------------------------------------------------------- functions

  private createFunction(spec: FunctionSpec): ServiceFunction {
    const created = this.functionDefaults.create(spec, this.environmentFor(spec));
    this.grantAccess(created);
    for (const [index, trigger] of spec.triggers.entries()) {
      switch (trigger.kind) {
        case 'http':
          this.addRoutes(created, trigger.routes);
          break;
        case 'queue':
          this.addQueueTrigger(created, trigger, index);
          break;
        case 'schedule':
          this.addSchedule(created, trigger, index);
          break;
        case 'stream':
          // By id, like queue mappings (DynamoEventSource's id is derived from the table alone).
          created.fn.addEventSourceMapping(`${pascal(spec.name)}Stream${index}`, {
            eventSourceArn: this.table.tableStreamArn,
            startingPosition: lambda.StartingPosition.LATEST,
            batchSize: trigger.batchSize,
            bisectBatchOnError: true,
            retryAttempts: STREAM_RETRY_ATTEMPTS,
            maxRecordAge: Duration.days(1),
            reportBatchItemFailures: true,
            onFailure: new SqsDlq(this.getStreamFailureQueue()),
          });
          this.table.grantStreamRead(created.role);
          break;
        case 'deploy':
          // Invoked by CloudFormation once the table exists, on every deployment that changes the function; a
          // failed run fails (and rolls back) the deployment.
          new triggers.Trigger(this, `${pascal(spec.name)}Deploy${index}`, {
            handler: created.fn,
            executeAfter: [this.table],
            executeOnHandlerChange: true,
            invocationType: triggers.InvocationType.REQUEST_RESPONSE,
            timeout: Duration.seconds(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
          });
          break;
        default: {
          const unknown: never = trigger;
          throw new Error(`Unknown trigger ${JSON.stringify(unknown)} on function ${spec.name}`);
        }
      }
    }
    return created;
  }

  /**
   * An EventBridge rule of `trigger` (the `index`th of the function). A tick is never retried, neither by EventBridge
   * nor by Lambda's asynchronous invocation (whose default is two retries): a failed run is the next tick's work,
   * and retries would only stack runs of a job that must run once at a time. A tick that waits longer than its
   * maximum event age (throttled behind the previous run) is dropped.
   */
  private addSchedule({ spec, fn }: ServiceFunction, trigger: ScheduleTrigger, index: number): void {
    const maxEventAge = Duration.seconds(trigger.maxEventAgeSeconds ?? DEFAULT_SCHEDULE_MAX_EVENT_AGE_SECONDS);
    new events.Rule(fn, `Schedule${index}`, {
      description: `stablefee ${spec.name}: ${trigger.expression}`,
      schedule: events.Schedule.expression(trigger.expression),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0, maxEventAge })],
    });
    if (!this.asyncConfigured.has(spec.name)) {
      fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge });
      this.asyncConfigured.add(spec.name);
    }
  }

  /** An SQS event source mapping of `trigger` (the `index`th of the function) and the grant to consume the queue. */
  private addQueueTrigger({ spec, fn, role }: ServiceFunction, trigger: QueueTrigger, index: number): void {
    const { queue } = this.queues[trigger.queue];
    const timeoutSeconds = spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const queueSpec: QueueSpec = queueSpecs[trigger.queue];
    const visibility = queueSpec.visibilityTimeoutSeconds;
    if (timeoutSeconds * VISIBILITY_TIMEOUT_RATIO > visibility) {
      throw new Error(
        `Function ${spec.name} times out after ${timeoutSeconds} s but queue ${trigger.queue} hides a message ` +
          `for only ${visibility} s, less than ${VISIBILITY_TIMEOUT_RATIO} times that; raise the queue's ` +
          'visibilityTimeoutSeconds in shared/resources.ts.',
      );
    }
    if (queueSpec.fifo && (trigger.batchSize > 10 || trigger.maxBatchingWindowSeconds !== undefined)) {
      throw new Error(
        `Function ${spec.name} reads the FIFO queue ${trigger.queue}: Lambda takes at most 10 messages a batch ` +
          'from a FIFO queue and has no batching window for it.',
      );
    }
    // Mappings are added by id (function and trigger index) rather than through SqsEventSource, whose id is
    // derived from the queue alone and so collides when one function has two triggers on the same queue.
    fn.addEventSourceMapping(`${pascal(spec.name)}Queue${index}`, {
      eventSourceArn: queue.queueArn,
      batchSize: trigger.batchSize,
      maxBatchingWindow:
        trigger.maxBatchingWindowSeconds === undefined ? undefined : Duration.seconds(trigger.maxBatchingWindowSeconds),
      maxConcurrency: trigger.maxConcurrency ?? DEFAULT_QUEUE_MAX_CONCURRENCY,
      reportBatchItemFailures: true,
    });
    queue.grantConsumeMessages(role);
  }

  /** The deployment configuration, and the resource locations a function is told about: only those its `access` names. */
  private environmentFor(spec: FunctionSpec): Record<string, string> {
    const env: Record<string, string> = { ...this.deploymentEnv };
    const { access } = spec;
    if (access.signer) env[DEPLOYMENT_ENV.receiptSignerKeyId] = this.receiptSigningKey.attrArn;
    if (access.gasSigner && this.sweeperGasKey) env[sweeperKeyEnv.kmsKeyId] = this.sweeperGasKey.attrArn;
    for (const purpose of secretPurposesOf(spec)) env[secretArnEnv[purpose]] = this.secrets[purpose].secretArn;
    if (access.table) env[resourceEnv.table] = this.table.tableName;
    // Every HTTP function refuses a request that did not come through the edge (shared/adapters/origin-guard.ts).
    if (httpRoutesOf(spec).length > 0) env[EDGE_ORIGIN_SECRET_ARN_ENV] = this.edge.originSecret.secretArn;
    if (httpRoutesOf(spec).some((r) => r.auth === 'jwt')) {
      env[JWT_ENV.issuer] = this.jwtTrust.issuer;
      env[JWT_ENV.audience] = this.jwtTrust.audience;
    }
    for (const q of access.sendTo ?? []) env[resourceEnv.queueUrl(q)] = this.queues[q].queue.queueUrl;
    for (const q of [...(access.inspect ?? []), ...(access.redrive ?? [])]) {
      env[resourceEnv.queueUrl(q)] = this.queues[q].queue.queueUrl;
      env[resourceEnv.dlqUrl(q)] = this.queues[q].dlq.queueUrl;
    }
    for (const b of Object.keys(access.buckets ?? {}) as BucketName[]) {
      env[resourceEnv.bucket(b)] = this.buckets[b].bucketName;
    }
    return env;
  }

  /**
   * SES SendEmail as the MailFrom address only (the `ses:FromAddress` condition): an identity's ARN names the address
   * or its domain, whichever the operator verified, so the resource is this account's identities.
   */
  private grantSendMail(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [this.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })],
        conditions: { StringEquals: { 'ses:FromAddress': this.mailFrom } },
      }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]`,
      reason:
        'SendEmail is limited to the MailFrom address by the ses:FromAddress condition; the verified identity may be ' +
        'that address or its domain, so the resource names this account and region identities.',
    });
  }

  /** Least privilege, exactly from `access`; nothing else is granted. */
  private grantAccess({ spec, role }: ServiceFunction): void {
    const { access } = spec;
    if (access.signer) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: access.signer === 'publicKey' ? ['kms:GetPublicKey'] : [...RECEIPT_SIGNER_ACTIONS],
          resources: [this.receiptSigningKey.attrArn],
        }),
      );
    }
    if (access.gasSigner && this.sweeperGasKey) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [...RECEIPT_SIGNER_ACTIONS], resources: [this.sweeperGasKey.attrArn] }),
      );
    }
    // GetSecretValue and DescribeSecret on this one secret (it is encrypted with the AWS managed key: no KMS grant).
    for (const purpose of secretPurposesOf(spec)) this.secrets[purpose].grantRead(role);
    if (httpRoutesOf(spec).length > 0) this.edge.originSecret.grantRead(role);
    if (access.mail) this.grantSendMail(role);
    if (access.table) {
      const actions = [
        ...TABLE_READ_ACTIONS,
        ...(access.table === 'readwrite' ? TABLE_WRITE_ACTIONS : []),
        ...(access.tableExtra ?? []).map((action) => `dynamodb:${action}`),
      ];
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions, resources: [this.table.tableArn, `${this.table.tableArn}/index/*`] }),
      );
    }
    if (access.table && tableSpec.indexes.length > 0) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${this.nagArn(this.table.tableArn)}/index/*]`,
        reason: `Queries go through the table's global secondary indexes (${tableSpec.indexes.map((i) => i.name).join(', ')}); the grant covers this table's indexes only.`,
      });
    }

    for (const q of access.sendTo ?? []) this.queues[q].queue.grantSendMessages(role);

    const inspected = (access.inspect ?? []).flatMap((q) => [this.queues[q].queue, this.queues[q].dlq]);
    if (inspected.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['sqs:GetQueueAttributes'],
          resources: inspected.map((queue) => queue.queueArn),
        }),
      );
    }

    for (const q of access.redrive ?? []) {
      this.queues[q].dlq.grantConsumeMessages(role);
      this.queues[q].queue.grantSendMessages(role);
    }

    for (const [b, level] of Object.entries(access.buckets ?? {}) as [BucketName, BucketAccess][]) {
      const bucket = this.buckets[b];
      if (isWriteOnce(b) !== (level === 'writeOnce') && level !== 'read') {
        throw new Error(`${spec.name}: bucket ${b} is written ${isWriteOnce(b) ? 'writeOnce only' : 'readwrite'}`);
      }
      if (level === 'writeOnce') {
        this.grantWriteOnce(role, b, access.writeOnceUnder ?? [], spec.name);
        continue;
      }
      // Explicit actions instead of grantRead/grantReadWrite, whose actions carry wildcards (s3:GetObject*, s3:List*).
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions:
            level === 'readwrite'
              ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']
              : ['s3:GetObject'],
          resources: [bucket.arnForObjects('*')],
        }),
      );
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${this.nagArn(bucket.bucketArn)}/*]`,
        reason: `Object keys in the ${b} bucket are generated per export; the grant is limited to objects of this one bucket.`,
      });
    }
  }

  /**
   * A write-once bucket's writer: PutObject (a conditional put: the bucket's policy refuses any other) and GetObject
   * (to compare what a key holds) on its objects. No delete, no listing, no retention or legal-hold change: the
   * bucket's default retention applies to every put without s3:PutObjectRetention.
   */
  private grantWriteOnce(role: iam.IRole, b: BucketName, folders: readonly string[], fn: string): void {
    if (!folders.length || folders.some((f) => !/^[a-z0-9-]+$/.test(f))) {
      throw new Error(`${fn}: writeOnce on ${b} needs writeOnceUnder, its own key folders (lower-case names)`);
    }
    const bucket = this.buckets[b];
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...WRITE_ONCE_ACTIONS],
        resources: folders.map((f) => bucket.arnForObjects(`${f}/*`)),
      }),
    );
    for (const f of folders) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${this.nagArn(bucket.bucketArn)}/${f}/*]`,
        reason: `Each signed document and journal day has its own key under ${f}/ in the ${b} bucket; the grant is put-once and read on that folder only.`,
      });
    }
  }

  private addRoutes({ spec, fn }: ServiceFunction, routes: HttpRoute[]): void {
    const integration = new HttpLambdaIntegration(`${pascal(spec.name)}Integration`, fn);
    for (const route of routes) {
      const created = this.api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration,
      });
      if (route.auth === 'jwt') {
        for (const r of created) {
          Validations.of(r).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason:
              `${route.method} ${route.path} is authorized in its function, which verifies the bearer token (JWKS, ` +
              'issuer, audience, expiry, algorithm) and the role before anything else: an HTTP API authorizer cannot ' +
              'answer a refusal as problem+json (docs/architecture.md, Authentication).',
          });
        }
      }
      if (route.auth === 'public') {
        const key = `${route.method} ${route.path}`;
        this.publicRoutes.set(key, [...(this.publicRoutes.get(key) ?? []), ...created]);
        for (const r of created) {
          Validations.of(r).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path} is public by design (infra/topology.ts: auth 'public'; DESIGN.md API table). Route throttling (PUBLIC_ROUTE_THROTTLE) applies.`,
          });
        }
      }
    }
  }

  /**
   * Gives every public route its own, lower throttle (RouteSettings on the stage; the L2 HttpStage has no per-route
   * option). The stage depends on those routes: API Gateway rejects settings for a route key that does not exist yet.
   */
  private throttlePublicRoutes(): void {
    if (this.publicRoutes.size === 0) return;
    const stage = this.apiStage.node.defaultChild as apigw.CfnStage;
    // RouteSettings is a JSON map in CloudFormation: keys are route keys and the property names are written as is.
    stage.routeSettings = Object.fromEntries(
      [...this.publicRoutes.keys()].map((key) => [
        key,
        {
          ThrottlingRateLimit: PUBLIC_ROUTE_THROTTLE.rateLimit,
          ThrottlingBurstLimit: PUBLIC_ROUTE_THROTTLE.burstLimit,
        },
      ]),
    );
    for (const routes of this.publicRoutes.values()) {
      for (const route of routes) stage.node.addDependency(route);
    }
  }

  /** The queue Lambda sends a stream batch to after its retries are exhausted; created with the first stream consumer. */
  private getStreamFailureQueue(): sqs.Queue {
    if (!this.streamFailureQueue) {
      const queue = new sqs.Queue(this, 'StreamFailureQueue', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter destination (on-failure destination of the table stream consumers); ' +
          'it is alarmed and drained by an operator, not consumed.',
      });
      this.alarmOnDepth('StreamFailureQueueAlarm', ALARMS.streamFailures, undefined, queue);
      this.streamFailureQueue = queue;
    }
    return this.streamFailureQueue;
  }

  /** How cdk-nag spells an ARN attribute in a finding id: `<LogicalId.Arn>`. */
  private nagArn(arn: string): string {
    const resolved = this.resolve(arn) as { 'Fn::GetAtt'?: [string, string] };
    const getAtt = resolved['Fn::GetAtt'];
    if (!getAtt) throw new Error(`Expected a Fn::GetAtt ARN, got ${JSON.stringify(resolved)}`);
    return `<${getAtt[0]}.${getAtt[1]}>`;
  }
}
