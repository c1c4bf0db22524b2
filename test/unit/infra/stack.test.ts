/**
 * The CDK stack against infra/topology.ts. Everything is derived from the topology, so adding a function, route,
 * queue or grant there is covered here without touching this file. Two stacks are synthesized (bundling skipped):
 * the topology as it is, and the same functions given every trigger and access kind, so code paths the current
 * topology does not use yet (JWT routes, queue/stream/schedule triggers, sendTo/redrive/bucket grants) are checked too.
 * The receipt signer, the webhook secrets and the deployment parameters are checked on the topology as it is.
 * Operations: the dashboard is checked to show every function and queue of the synthesized topology, and each alarm
 * of ALARMS to exist with the threshold the runbook gives (written out here, not read back from ALARMS).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT_SECONDS,
  FUNCTION_TAG,
  FunctionDefaults,
} from '../../../infra/function-defaults';
import {
  ALARMS,
  type AlarmSpec,
  API_THROTTLE,
  BACKUP_RULES,
  BACKUP_VAULT_LOCK,
  DASHBOARD_NAME,
  DEFAULT_NBK_RATES_URL,
  DEPLOYMENT_ENV,
  PROJECT_ROOT,
  PUBLIC_ROUTE_THROTTLE,
  RECEIPT_SIGNER_ACTIONS,
  SECRET_PURPOSES,
  SERVICE_METRICS,
  STREAM_RETRY_ATTEMPTS,
  StablefeeStack,
  scheduleIntervalMinutes,
  secretPurposesOf,
  VISIBILITY_TIMEOUT_RATIO,
  WEBHOOK_PROVIDERS,
} from '../../../infra/stack';
import {
  type BucketName,
  buckets,
  DEFAULT_QUEUE_MAX_CONCURRENCY,
  DEFAULT_SCHEDULE_MAX_EVENT_AGE_SECONDS,
  type FunctionSpec,
  functions,
  type HttpRoute,
  type QueueName,
  queues,
  resourceEnv,
  table,
} from '../../../infra/topology';
import type { StageMetric } from '../../../shared/adapters/metrics';
import { webhookProviderNames } from '../../../shared/adapters/providers/index';
import { WEBHOOK_SECRETS_ARN_ENV } from '../../../shared/adapters/providers/secrets';
import { DEV_ACCOUNT_XPUB } from '../../../shared/domain/deposit-address';
import { NBK_RATES_URL } from '../../../shared/domain/fx';
import {
  type BucketSpec,
  EDGE_ORIGIN_SECRET_ARN_ENV,
  isFifoQueue,
  type QueueSpec,
  type SecretPurpose,
  secretArnEnv,
  sweeperKeyEnv,
} from '../../../shared/resources';

/** CloudFormation JSON (noExplicitAny is off for tests in biome.json). */
type Json = any;
interface Resource {
  Type: string;
  Properties?: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
}
type Resources = Record<string, Resource>;

const cdkContext = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const queueNames = Object.keys(queues) as QueueName[];
const bucketNames = Object.keys(buckets) as BucketName[];
const isLocked = (b: BucketName) => (buckets[b] as BucketSpec).lockDays !== undefined;
/** The longest timeout a consumer of every queue may have. */
const SHORTEST_CONSUMER_TIMEOUT = Math.floor(
  Math.min(...queueNames.map((q) => (queues[q] as QueueSpec).visibilityTimeoutSeconds)) / VISIBILITY_TIMEOUT_RATIO,
);

/** The topology's functions, each also given every trigger kind and (alternately) every access kind. */
// The first 20 functions: every one gets four more triggers, and all 25 would pass CloudFormation's 500 resources.
const everythingSpecs: FunctionSpec[] = functions.slice(0, 20).map((spec, i) => {
  const queue = queueNames[i % queueNames.length] as QueueName;
  const writer = i % 2 === 0;
  return {
    ...spec,
    // Every function here also consumes a queue, so it must fit six times inside the shortest visibility timeout.
    timeoutSeconds: Math.min(spec.timeoutSeconds ?? 10, SHORTEST_CONSUMER_TIMEOUT),
    triggers: [
      ...spec.triggers,
      { kind: 'http', routes: [{ method: 'POST', path: `/test/${spec.name}`, auth: 'jwt' }] },
      // A FIFO queue takes no batching window; every other function's mapping has a maximum concurrency.
      {
        kind: 'queue',
        queue,
        batchSize: 5,
        ...(isFifoQueue(queue) ? {} : { maxBatchingWindowSeconds: 2 }),
        ...(i % 2 === 1 || isFifoQueue(queue) ? { maxConcurrency: 2 + i } : {}),
      },
      { kind: 'schedule', expression: 'rate(5 minutes)', localEverySeconds: 300 },
      { kind: 'stream', batchSize: 20 },
    ],
    access: writer
      ? {
          table: 'readwrite',
          tableExtra: ['DeleteItem'],
          sendTo: [queue],
          redrive: queueNames,
          // A write-once (locked) bucket takes no other writer.
          buckets: Object.fromEntries(bucketNames.map((b) => [b, isLocked(b) ? 'writeOnce' : 'readwrite'])),
          writeOnceUnder: ['probe'],
          signer: true,
        }
      : {
          table: 'read',
          tableExtra: ['DescribeTable'],
          inspect: queueNames,
          buckets: Object.fromEntries(bucketNames.map((b) => [b, 'read'])),
          webhookSecrets: true,
        },
  };
});

interface Synth {
  specs: FunctionSpec[];
  stack: StablefeeStack;
  template: Template;
  resources: Resources;
}

function synth(specs: FunctionSpec[]): Synth {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new StablefeeStack(app, 'Test', { functions: specs });
  const template = Template.fromStack(stack);
  return { specs, stack, template, resources: template.toJSON().Resources as Resources };
}

const ofType = (resources: Resources, type: string): [string, Resource][] =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const logicalId = (s: Synth, arnOrRef: string): string => {
  const resolved = s.stack.resolve(arnOrRef);
  const id = resolved['Fn::GetAtt']?.[0] ?? resolved.Ref;
  if (!id) throw new Error(`not a GetAtt/Ref: ${JSON.stringify(resolved)}`);
  return id;
};

/** Our functions (tagged by FunctionDefaults), keyed by topology name; CDK helper functions are excluded. */
function serviceFunctions(resources: Resources): Map<string, [string, Resource]> {
  const result = new Map<string, [string, Resource]>();
  for (const [id, r] of ofType(resources, 'AWS::Lambda::Function')) {
    const tag = asArray<Json>(r.Properties?.Tags).find((t) => t.Key === FUNCTION_TAG);
    if (tag) result.set(tag.Value, [id, r]);
  }
  return result;
}

/** Every IAM statement found anywhere in the template (identity and resource policies, key policies). */
function allStatements(node: Json, out: Json[] = []): Json[] {
  if (Array.isArray(node)) {
    for (const item of node) allStatements(item, out);
  } else if (node && typeof node === 'object') {
    if ('Effect' in node && ('Action' in node || 'NotAction' in node)) out.push(node);
    for (const value of Object.values(node)) allStatements(value, out);
  }
  return out;
}

/** Statements granted to a role, by action: the JSON of each resource. */
function grantsOfRole(resources: Resources, roleId: string): Map<string, string[]> {
  const grants = new Map<string, string[]>();
  const add = (statement: Json) => {
    expect(statement.Effect).toBe('Allow');
    for (const action of asArray<string>(statement.Action)) {
      grants.set(action, [
        ...(grants.get(action) ?? []),
        ...asArray<Json>(statement.Resource).map((r) => JSON.stringify(r)),
      ]);
    }
  };
  for (const [, policy] of ofType(resources, 'AWS::IAM::Policy')) {
    if (asArray<Json>(policy.Properties.Roles).some((r) => r.Ref === roleId)) {
      for (const statement of policy.Properties.PolicyDocument.Statement) add(statement);
    }
  }
  for (const inline of asArray<Json>(resources[roleId]?.Properties?.Policies)) {
    for (const statement of inline.PolicyDocument.Statement) add(statement);
  }
  return grants;
}

// Written out here, not read back from the stack: reads by key and query, writes by Put and Update; nothing else.
const DYNAMODB_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem'];
const DYNAMODB_READ = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query'];
const DYNAMODB_STREAM = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];
const SECRET_READ = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
const SQS_SEND = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
const SQS_CONSUME = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];

/** What a function's role may hold, from its spec: action → the resources (as JSON) it may apply to. */
function permittedGrants(s: Synth, spec: FunctionSpec, logGroupId: string): Map<string, Set<string>> {
  const permitted = new Map<string, Set<string>>();
  const allow = (actions: string[], resources: Json[]) => {
    for (const action of actions) {
      const set = permitted.get(action) ?? new Set<string>();
      for (const r of resources) set.add(JSON.stringify(s.stack.resolve(r)));
      permitted.set(action, set);
    }
  };
  const { access } = spec;
  const queueArn = (q: QueueName) => s.stack.queues[q].queue.queueArn;
  const dlqArn = (q: QueueName) => s.stack.queues[q].dlq.queueArn;
  const tableArn = s.stack.table.tableArn;
  const indexArn = { 'Fn::Join': ['', [s.stack.resolve(tableArn), '/index/*']] };

  allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
  allow(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']);
  if (access.table) allow(DYNAMODB_READ, [tableArn, indexArn]);
  if (access.table === 'readwrite') allow(DYNAMODB_WRITE, [tableArn, indexArn]);
  if (access.table)
    allow(
      (access.tableExtra ?? []).map((a) => `dynamodb:${a}`),
      [tableArn, indexArn],
    );
  for (const q of access.sendTo ?? []) allow(SQS_SEND, [queueArn(q)]);
  for (const q of access.inspect ?? []) allow(['sqs:GetQueueAttributes'], [queueArn(q), dlqArn(q)]);
  for (const q of access.redrive ?? []) {
    allow(SQS_CONSUME, [dlqArn(q)]);
    allow(SQS_SEND, [queueArn(q)]);
  }
  for (const [b, level] of Object.entries(access.buckets ?? {}) as [BucketName, string][]) {
    const bucket = s.stack.buckets[b];
    if (level === 'writeOnce') {
      // Put (conditional, by the bucket's policy) and read back its own folders' objects; no listing, no delete.
      allow(
        ['s3:PutObject', 's3:GetObject'],
        (access.writeOnceUnder ?? []).map((f) => bucket.arnForObjects(`${f}/*`)),
      );
      continue;
    }
    allow(['s3:ListBucket'], [bucket.bucketArn]);
    allow(['s3:GetObject'], [bucket.arnForObjects('*')]);
    if (level === 'readwrite') {
      allow(['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], [bucket.arnForObjects('*')]);
    }
  }
  if (access.signer === true) allow([...RECEIPT_SIGNER_ACTIONS], [s.stack.receiptSigningKey.attrArn]);
  if (access.signer === 'publicKey') allow(['kms:GetPublicKey'], [s.stack.receiptSigningKey.attrArn]);
  if (access.gasSigner && s.stack.sweeperGasKey) allow([...RECEIPT_SIGNER_ACTIONS], [s.stack.sweeperGasKey.attrArn]);
  for (const purpose of secretPurposesOf(spec)) allow(SECRET_READ, [s.stack.secrets[purpose].secretArn]);
  // The edge's origin guard: every HTTP function reads the header's accepted values.
  if (spec.triggers.some((t) => t.kind === 'http')) allow(SECRET_READ, [s.stack.edge.originSecret.secretArn]);
  if (access.mail)
    allow(['ses:SendEmail'], [s.stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })]);
  for (const trigger of spec.triggers) {
    if (trigger.kind === 'queue') allow(SQS_CONSUME, [queueArn(trigger.queue)]);
    if (trigger.kind === 'stream') {
      allow(DYNAMODB_STREAM, [s.stack.table.tableStreamArn as string]);
      allow(['dynamodb:ListStreams'], ['*']);
      const failureQueue = s.stack.node.findChild('StreamFailureQueue') as unknown as { queueArn: string };
      allow(SQS_SEND, [failureQueue.queueArn]);
    }
  }
  return permitted;
}

function expectedEnvKeys(spec: FunctionSpec): string[] {
  const keys = new Set([
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_METRICS_NAMESPACE',
    'NODE_OPTIONS',
    DEPLOYMENT_ENV.stage,
    DEPLOYMENT_ENV.depositXpub,
    DEPLOYMENT_ENV.chains,
    DEPLOYMENT_ENV.publicBaseUrl,
    DEPLOYMENT_ENV.nbkRatesUrl,
    DEPLOYMENT_ENV.alchemyWebhookId,
    DEPLOYMENT_ENV.moralisStreamId,
    DEPLOYMENT_ENV.quicknodeWatchList,
    DEPLOYMENT_ENV.registries,
    DEPLOYMENT_ENV.custodian,
    DEPLOYMENT_ENV.mailFrom,
  ]);
  const { access } = spec;
  if (access.signer) keys.add(DEPLOYMENT_ENV.receiptSignerKeyId);
  if (access.gasSigner) keys.add(sweeperKeyEnv.kmsKeyId);
  for (const purpose of secretPurposesOf(spec)) keys.add(secretArnEnv[purpose]);
  if (spec.triggers.some((t) => t.kind === 'http')) keys.add(EDGE_ORIGIN_SECRET_ARN_ENV);
  if (access.table) keys.add(resourceEnv.table);
  // A function of a jwt route verifies bearer tokens: whose it accepts.
  if (spec.triggers.some((t) => t.kind === 'http' && t.routes.some((r) => r.auth === 'jwt'))) {
    keys.add('JWT_ISSUER');
    keys.add('JWT_AUDIENCE');
  }
  for (const q of access.sendTo ?? []) keys.add(resourceEnv.queueUrl(q));
  for (const q of [...(access.inspect ?? []), ...(access.redrive ?? [])]) {
    keys.add(resourceEnv.queueUrl(q));
    keys.add(resourceEnv.dlqUrl(q));
  }
  for (const b of Object.keys(access.buckets ?? {}) as BucketName[]) keys.add(resourceEnv.bucket(b));
  return [...keys].sort();
}

/** A metric line of a dashboard graph: `[namespace, name, dim, value, …, {options}]` or `[{expression, …}]`. */
interface DashboardMetric {
  widget: string;
  namespace?: string;
  metricName?: string;
  dimensions: Record<string, string>;
  options: Json;
}

/**
 * The dashboard body as widgets. The body is an Fn::Join of JSON text and tokens; each token is put back as the
 * text `Ref:<logical id>` or `GetAtt:<logical id>.<attribute>` so the JSON parses and references can be compared.
 */
function dashboardWidgets(resources: Resources): Json[] {
  const dashboards = ofType(resources, 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const body = (dashboards[0] as [string, Resource])[1].Properties.DashboardBody;
  const parts: Json[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part.Ref) return `Ref:${part.Ref}`;
      if (part['Fn::GetAtt']) return `GetAtt:${part['Fn::GetAtt'].join('.')}`;
      throw new Error(`unexpected token in dashboard body: ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(text).widgets;
}

function dashboardMetrics(widgets: Json[]): DashboardMetric[] {
  return widgets.flatMap((w) =>
    asArray<Json[]>(w.properties?.metrics).map((line): DashboardMetric => {
      const last = line[line.length - 1];
      const options = typeof last === 'object' ? last : {};
      const fields = (typeof last === 'object' ? line.slice(0, -1) : line) as string[];
      const [namespace, metricName, ...dims] = fields;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < dims.length; i += 2) dimensions[dims[i] as string] = dims[i + 1] as string;
      return { widget: w.properties.title, namespace, metricName, dimensions, options };
    }),
  );
}

/** Alarms by AlarmName. */
function alarmsByName(resources: Resources): Map<string, Json> {
  return new Map(
    ofType(resources, 'AWS::CloudWatch::Alarm').map(([, a]) => [a.Properties.AlarmName as string, a.Properties]),
  );
}

const routesOf = (specs: FunctionSpec[]): [FunctionSpec, HttpRoute][] =>
  specs.flatMap((spec) =>
    spec.triggers.flatMap((t) => (t.kind === 'http' ? t.routes.map((r): [FunctionSpec, HttpRoute] => [spec, r]) : [])),
  );

describe('test fixture', () => {
  it('exercises every trigger kind, a JWT route and every access kind', () => {
    const kinds = new Set(everythingSpecs.flatMap((s) => s.triggers.map((t) => t.kind)));
    expect([...kinds].sort()).toEqual(['http', 'queue', 'schedule', 'stream']);
    expect(routesOf(everythingSpecs).some(([, r]) => r.auth === 'jwt')).toBe(true);
    const queueTriggers = everythingSpecs.flatMap((s) => s.triggers.filter((t) => t.kind === 'queue'));
    // Mappings with and without a maximum concurrency, and a FIFO queue among those consumed.
    expect(new Set(queueTriggers.map((t) => t.maxConcurrency !== undefined))).toEqual(new Set([true, false]));
    expect(queueTriggers.some((t) => isFifoQueue(t.queue))).toBe(queueNames.some((q) => isFifoQueue(q)));
    if (functions.length >= 2) {
      const tables = new Set(everythingSpecs.map((s) => s.access.table));
      expect(tables).toEqual(new Set(['read', 'readwrite']));
      // Both with and without each flag, so "only these functions" is checked both ways.
      expect(new Set(everythingSpecs.map((s) => Boolean(s.access.signer)))).toEqual(new Set([true, false]));
      expect(new Set(everythingSpecs.map((s) => Boolean(s.access.webhookSecrets)))).toEqual(new Set([true, false]));
    }
  });
});

/** The metric names the stack reads, and those shared/adapters/metrics.ts emits (its stage counters and the scanner lag). */
type StackMetricName = (typeof SERVICE_METRICS)[Exclude<keyof typeof SERVICE_METRICS, 'namespace' | 'dimensions'>];
type EmittedMetricName =
  | StageMetric
  | 'ScannerLagBlocks'
  | 'SweeperGasBalance'
  | 'OldestSubmittedSweepSeconds'
  | 'MrpMissingAhead';

describe('service metrics', () => {
  it('reads exactly the metric names the functions emit (checked by the type checker)', () => {
    const same: [Exclude<EmittedMetricName, StackMetricName>, Exclude<StackMetricName, EmittedMetricName>] extends [
      never,
      never,
    ]
      ? true
      : false = true;
    expect(same).toBe(true);
    expect(SERVICE_METRICS.namespace).toBe('stablefee');
    expect(SERVICE_METRICS.dimensions).toEqual({ service: 'stablefee' });
  });
});

describe('ALARMS', () => {
  it('lists each alarm once, with a description for the runbook', () => {
    const ids = Object.values(ALARMS).map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const alarm of Object.values(ALARMS)) {
      expect(alarm.id).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(alarm.description.length).toBeGreaterThan(40);
    }
    // One alarm name never prefixes another, so names map back to exactly one entry.
    for (const a of ids) for (const b of ids) if (a !== b) expect(b.startsWith(a), `${a} / ${b}`).toBe(false);
  });
});

describe('the runbook (docs/operations.md)', () => {
  it('has a row for every alarm of ALARMS, by its name (a family with its <queue> or <function>)', () => {
    const runbook = readFileSync(path.join(PROJECT_ROOT, 'docs', 'operations.md'), 'utf8');
    const section = runbook.slice(runbook.indexOf('## Alarms and runbook'));
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    for (const spec of Object.values(ALARMS) as AlarmSpec[]) {
      const named = spec.per ? new RegExp(`^\\| \`${spec.id}-`) : new RegExp(`^\\| \`${spec.id}\``);
      expect(
        rows.some((row) => named.test(row)),
        spec.id,
      ).toBe(true);
    }
  });
});

describe("JSON parameters checked at synth time by the functions' own parsers", () => {
  const [first] = functions as [FunctionSpec];
  const synthWith = (context: Record<string, string>) => {
    const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context } });
    return Template.fromStack(new StablefeeStack(app, 'Test', { functions: [first] })).toJSON().Parameters;
  };
  const factory = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

  const chains = JSON.stringify([
    { chainId: 137, rpcUrl: 'https://polygon.example', depositFactory: factory },
    { chainId: 8453, rpcUrl: 'https://base.example', depositFactory: factory },
  ]);
  const registries = '{"AFSA":{"url":"https://registry.afsa.example/receipts"}}';
  const custodian = `{"url":"https://custody.example/orders","accounts":{"137":"${factory}"}}`;
  let params: Json;
  // Synthesized once, in a hook: the first synthesis of a file is the slow one.
  beforeAll(() => {
    params = synthWith({ ChainsJson: chains, RegistriesJson: registries, CustodianJson: custodian });
  });

  it('makes a valid context value the parameter default', () => {
    expect(params.ChainsJson.Default).toBe(chains);
    expect(params.RegistriesJson.Default).toBe(registries);
    expect(params.CustodianJson.Default).toBe(custodian);
  });

  it.each([
    ['ChainsJson', '[{"chainId":999,"rpcUrl":"https://x.example"}]', /ChainsJson is not valid: .*999/],
    ['ChainsJson', '[{"chainId":1,"rpcUrl":"https://x.example","rpcurl":"typo"}]', /ChainsJson is not valid/],
    [
      'ChainsJson',
      '[{"chainId":1,"rpcUrl":"https://a.example","depositFactory":"0x5fbdb2315678afecb367f032d93f642f64180aA3"}]',
      /ChainsJson is not valid/,
    ],
    ['RegistriesJson', '{"AFSA":{"url":"http://registry.example"}}', /RegistriesJson is not valid/],
    ['RegistriesJson', '{"AFSA":', /RegistriesJson is not valid/],
    ['CustodianJson', '{"url":"https://c.example","accounts":{"1":"0x1234"}}', /CustodianJson is not valid/],
  ])('refuses %s = %s', (parameter, value, message) => {
    expect(() => synthWith({ [parameter]: value })).toThrow(message);
  });
});

describe('construct ids', () => {
  it('allow one function several triggers on the same queue and on the table stream', () => {
    const [first] = functions as [FunctionSpec];
    const queue = queueNames[0] as QueueName;
    const spec: FunctionSpec = {
      ...first,
      triggers: [
        { kind: 'queue', queue, batchSize: 1 },
        { kind: 'queue', queue, batchSize: 10 },
        { kind: 'stream', batchSize: 1 },
        { kind: 'stream', batchSize: 10 },
      ],
    };
    const s = synth([spec]);
    expect(ofType(s.resources, 'AWS::Lambda::EventSourceMapping')).toHaveLength(4);
  });
});

describe('queues and triggers of the topology', () => {
  const consumers = (queue: QueueName) =>
    functions.flatMap((spec) =>
      spec.triggers.flatMap((t) => (t.kind === 'queue' && t.queue === queue ? [{ spec, trigger: t }] : [])),
    );

  it.each(queueNames)('queue %s hides a message at least six times as long as any consumer runs', (queue) => {
    const spec: QueueSpec = queues[queue];
    expect(VISIBILITY_TIMEOUT_RATIO).toBeGreaterThanOrEqual(6);
    for (const { spec: fn } of consumers(queue)) {
      const timeout = fn.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
      expect(spec.visibilityTimeoutSeconds, fn.name).toBeGreaterThanOrEqual(6 * timeout);
    }
    expect(spec.maxReceiveCount).toBeGreaterThanOrEqual(3);
  });

  it('bounds every queue trigger with an explicit maximum concurrency (reconcile ~10, the others 2-5)', () => {
    for (const spec of functions) {
      for (const t of spec.triggers) {
        if (t.kind !== 'queue') continue;
        expect(t.maxConcurrency, `${spec.name} on ${t.queue}`).toBeDefined();
        const bound = spec.name === 'reconcile-transfers' && t.queue === 'transfers' ? [8, 20] : [2, 5];
        expect(t.maxConcurrency).toBeGreaterThanOrEqual(bound[0] as number);
        expect(t.maxConcurrency).toBeLessThanOrEqual(bound[1] as number);
      }
    }
  });

  it('retries reconciliation long enough to ride out an outage of minutes', () => {
    expect(queues.transfers.maxReceiveCount).toBeGreaterThanOrEqual(8);
    expect(queues.finals.maxReceiveCount).toBeGreaterThanOrEqual(8);
  });

  it('names the few functions that delete items or describe the table; none scans it', () => {
    const holding = (action: string) =>
      functions
        .filter((f) => (f.access.tableExtra ?? []).includes(action as never))
        .map((f) => f.name)
        .sort();
    expect(holding('Scan')).toEqual([]);
    // Each is a delete in its code: nonces released (ingest-webhook), open-refund items freed (refunds on rejection,
    // complete-refunds on completion), sweep candidates and in-flight items (sweep-deposits).
    expect(holding('DeleteItem')).toEqual(['complete-refunds', 'ingest-webhook', 'refunds', 'sweep-deposits']);
    expect(holding('DescribeTable')).toEqual(['health']);
    // The public read-only functions read by key and query only.
    for (const name of ['health', 'pay-page']) {
      const spec = functions.find((f) => f.name === name);
      expect(spec?.access.table, name).toBe('read');
    }
  });

  it('writes the archive from the outbox publisher and the journal archiver only, write-once', () => {
    const writers = functions.filter((f) => f.access.buckets?.archive !== undefined);
    expect(writers.map((f) => [f.name, f.access.buckets?.archive, f.access.writeOnceUnder])).toEqual([
      ['publish-receipts', 'writeOnce', ['receipts', 'annulments', 'refund-receipts']],
      ['archive-journal', 'writeOnce', ['journal']],
    ]);
    // The journal archiver holds a checkpoint: one run at a time, and a schedule like the others (no retries).
    const archiver = functions.find((f) => f.name === 'archive-journal');
    expect(archiver?.reservedConcurrency).toBe(1);
    expect(archiver?.triggers).toEqual([expect.objectContaining({ kind: 'schedule' })]);
  });

  it('refuses a readwrite grant on a write-once bucket, and a write-once grant without its own folders', () => {
    const [first] = functions as [FunctionSpec];
    expect(() => synth([{ ...first, access: { buckets: { archive: 'readwrite' } } }])).toThrow(/writeOnce only/);
    expect(() => synth([{ ...first, access: { buckets: { archive: 'writeOnce' } } }])).toThrow(/writeOnceUnder/);
  });

  it('runs each chain job (scanner, confirmer, sweeper) one at a time: reserved concurrency 1', () => {
    for (const name of ['scan-chain', 'confirm-transfers', 'sweep-deposits']) {
      const spec = functions.find((f) => f.name === name);
      expect(spec?.reservedConcurrency, name).toBe(1);
    }
  });

  it("refuses a queue whose visibility timeout is less than six times its consumer's timeout", () => {
    const [first] = functions as [FunctionSpec];
    const queue = queueNames[0] as QueueName;
    const visibility = (queues[queue] as QueueSpec).visibilityTimeoutSeconds;
    const consuming = (timeoutSeconds: number): FunctionSpec[] => [
      { ...first, timeoutSeconds, triggers: [{ kind: 'queue', queue, batchSize: 1 }] },
    ];
    expect(() => synth(consuming(Math.floor(visibility / 6) + 1))).toThrow(/less than 6 times/);
  });
});

describe('FIFO queue triggers', () => {
  const fifoQueue = queueNames.find((q) => isFifoQueue(q)) as QueueName;
  const [first] = functions as [FunctionSpec];
  const consuming = (
    trigger: Partial<Extract<FunctionSpec['triggers'][number], { kind: 'queue' }>>,
  ): FunctionSpec[] => [
    { ...first, timeoutSeconds: 10, triggers: [{ kind: 'queue', queue: fifoQueue, batchSize: 10, ...trigger }] },
  ];

  it('refuse a batching window and batches over 10, which Lambda does not offer on a FIFO queue', () => {
    expect(fifoQueue).toBeDefined();
    expect(() => synth(consuming({ maxBatchingWindowSeconds: 1 }))).toThrow(/FIFO queue/);
    expect(() => synth(consuming({ batchSize: 11 }))).toThrow(/FIFO queue/);
    expect(ofType(synth(consuming({ maxConcurrency: 2 })).resources, 'AWS::Lambda::EventSourceMapping')).toHaveLength(
      1,
    );
  });
});

describe.each([
  ['the topology', functions],
  ['the topology with every trigger and access kind', everythingSpecs],
])('stack from %s', (_label, specs) => {
  let s: Synth;
  beforeAll(() => {
    s = synth(specs);
  });

  it('has zero cdk-nag AwsSolutions findings (errors or warnings)', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(s.stack);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('runs each deploy-triggered function at deployment, after the table, and fails the deployment with it', () => {
    const deployed = specs.filter((spec) => spec.triggers.some((t) => t.kind === 'deploy'));
    const runs = ofType(s.resources, 'Custom::Trigger');
    expect(runs).toHaveLength(deployed.length);
    const fns = serviceFunctions(s.resources);
    const tableId = logicalId(s, s.stack.table.tableArn);
    for (const spec of deployed) {
      const [fnId] = fns.get(spec.name) ?? [''];
      // The function's current version (a new one, and a new run, whenever its code or configuration changes).
      const run = runs.find(([, r]) => r.Properties?.HandlerArn?.Ref?.startsWith(`${fnId.slice(0, -8)}CurrentVersion`));
      expect(run?.[1].Properties?.ExecuteOnHandlerChange, spec.name).toBe(true);
      expect(run, spec.name).toBeDefined();
      expect(run?.[1].Properties?.InvocationType).toBe('RequestResponse');
      expect(JSON.stringify(run?.[1].DependsOn ?? [])).toContain(tableId);
    }
  });

  it('grants no Allow statement with a wildcard action anywhere in the template', () => {
    const statements = allStatements(s.template.toJSON());
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    const wildcard = allows.filter(
      (st) => 'NotAction' in st || asArray<string>(st.Action).some((a) => typeof a !== 'string' || a.includes('*')),
    );
    expect(wildcard).toEqual([]);
  });

  it('creates the table with PITR, TTL, encryption, retain, the topology GSIs, and a stream only for a consumer', () => {
    const tables = ofType(s.resources, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    const [, t] = tables[0] as [string, Resource];
    expect(t.DeletionPolicy).toBe('Retain');
    const p = t.Properties;
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    const consumed = specs.some((f) => f.triggers.some((t) => t.kind === 'stream'));
    expect(p.StreamSpecification).toEqual(consumed ? { StreamViewType: 'NEW_AND_OLD_IMAGES' } : undefined);
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: table.timeToLiveAttribute, Enabled: true });
    expect(p.SSESpecification).toEqual({ SSEEnabled: true });
    expect(p.KeySchema).toEqual([
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      { AttributeName: table.sortKey, KeyType: 'RANGE' },
    ]);
    const gsis = asArray<Json>(p.GlobalSecondaryIndexes);
    expect(gsis.map((g) => g.IndexName).sort()).toEqual(table.indexes.map((i) => i.name).sort());
    for (const index of table.indexes) {
      const gsi = gsis.find((g) => g.IndexName === index.name);
      expect(gsi.KeySchema).toEqual([
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ]);
      expect(gsi.Projection, index.name).toEqual(
        index.projection === 'all'
          ? { ProjectionType: 'ALL' }
          : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.include] },
      );
    }
    // The status lists (every invoice, for ever) keep keys and the list filter's attributes only: no second copy.
    expect(gsis.find((g) => g.IndexName === 'gsi4').Projection).toEqual({
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: ['payer', 'expiresAt'],
    });
    const keyAttributes = [
      table.partitionKey,
      table.sortKey,
      ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ];
    for (const name of keyAttributes) {
      expect(p.AttributeDefinitions).toContainEqual({ AttributeName: name, AttributeType: 'S' });
    }
  });

  it.each(queueNames)(
    'queue %s has its DLQ with maxReceiveCount, visibility, SSE, TLS-only, FIFO as declared and a DLQ alarm',
    (name) => {
      const spec: QueueSpec = queues[name];
      const queueId = logicalId(s, s.stack.queues[name].queue.queueArn);
      const dlqId = logicalId(s, s.stack.queues[name].dlq.queueArn);
      const q = s.resources[queueId]?.Properties;
      expect(q.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: spec.maxReceiveCount,
      });
      expect(q.VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
      for (const id of [queueId, dlqId]) {
        // A FIFO queue's DLQ is FIFO too; explicit deduplication ids; CloudFormation generates the `.fifo` names.
        const props = s.resources[id]?.Properties;
        if (spec.fifo) expect(props).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false });
        else expect(props.FifoQueue).toBeUndefined();
        expect(props.QueueName).toBeUndefined();
        expect(s.resources[id]?.Properties.SqsManagedSseEnabled).toBe(true);
        const policies = ofType(s.resources, 'AWS::SQS::QueuePolicy').filter(([, p]) =>
          asArray<Json>(p.Properties.Queues).some((ref) => ref.Ref === id),
        );
        const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
        expect(statements).toContainEqual(
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        );
      }
      const alarms = ofType(s.resources, 'AWS::CloudWatch::Alarm').filter(
        ([, a]) =>
          a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          asArray<Json>(a.Properties.Dimensions).some(
            (d) =>
              d.Name === 'QueueName' &&
              JSON.stringify(d.Value) === JSON.stringify({ 'Fn::GetAtt': [dlqId, 'QueueName'] }),
          ),
      );
      expect(alarms).toHaveLength(1);
      const alarm = (alarms[0] as [string, Resource])[1].Properties;
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
      });
      expect(asArray(alarm.AlarmActions)).toHaveLength(1);
    },
  );

  it('builds the dashboard from what was synthesized: every function, queue, DLQ, the API and the pipeline', () => {
    const dashboard = ofType(s.resources, 'AWS::CloudWatch::Dashboard')[0]?.[1] as Resource;
    expect(dashboard.Properties.DashboardName).toBe(DASHBOARD_NAME);
    expect(s.template.toJSON().Outputs.DashboardName).toBeDefined();
    const widgets = dashboardWidgets(s.resources);
    const metrics = dashboardMetrics(widgets);
    const has = (namespace: string, metricName: string, dimensions: Record<string, string>, stat?: string) =>
      metrics.some(
        (m) =>
          m.namespace === namespace &&
          m.metricName === metricName &&
          JSON.stringify(m.dimensions) === JSON.stringify(dimensions) &&
          (stat === undefined || m.options.stat === stat),
      );

    for (const [name, [fnId]] of serviceFunctions(s.resources)) {
      const dims = { FunctionName: `Ref:${fnId}` };
      expect(has('AWS/Lambda', 'Errors', dims, 'Sum'), `${name} errors`).toBe(true);
      expect(has('AWS/Lambda', 'Throttles', dims, 'Sum'), `${name} throttles`).toBe(true);
      expect(has('AWS/Lambda', 'Duration', dims, 'p99'), `${name} duration p99`).toBe(true);
      expect(
        widgets.some((w) => String(w.properties?.title).includes(name)),
        `a widget titled with ${name}`,
      ).toBe(true);
    }
    expect(serviceFunctions(s.resources).size).toBe(s.specs.length);

    for (const name of queueNames) {
      const queueDims = { QueueName: `GetAtt:${logicalId(s, s.stack.queues[name].queue.queueArn)}.QueueName` };
      const dlqDims = { QueueName: `GetAtt:${logicalId(s, s.stack.queues[name].dlq.queueArn)}.QueueName` };
      expect(has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueDims), `${name} depth`).toBe(true);
      expect(has('AWS/SQS', 'ApproximateAgeOfOldestMessage', queueDims), `${name} oldest message`).toBe(true);
      expect(has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', dlqDims), `${name} DLQ depth`).toBe(true);
    }
    const streamFailures = ofType(s.resources, 'AWS::SQS::Queue').find(([id]) => id.startsWith('StreamFailureQueue'));
    if (streamFailures) {
      const dims = { QueueName: `GetAtt:${streamFailures[0]}.QueueName` };
      expect(has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', dims)).toBe(true);
    }

    const apiDims = { ApiId: `Ref:${logicalId(s, s.stack.api.apiId)}` };
    expect(has('AWS/ApiGateway', '4xx', apiDims, 'Sum')).toBe(true);
    expect(has('AWS/ApiGateway', '5xx', apiDims, 'Sum')).toBe(true);
    expect(has('AWS/ApiGateway', 'Latency', apiDims, 'p99')).toBe(true);

    const service = { service: 'stablefee' };
    for (const name of [
      'InvoicesIssued',
      'TransfersSeen',
      'TransfersCredited',
      'TransfersUnmatched',
      'ReceiptsIssued',
      'ReceiptsDelivered',
      'ReceiptDeliveryFailures',
      'ReorgIncidents',
      'ZeroValueTransfersIgnored',
    ]) {
      expect(has('stablefee', name, service, 'Sum'), name).toBe(true);
    }
    const expressions = metrics.map((m) => String(m.options.expression ?? ''));
    expect(expressions.some((e) => /^SELECT MAX\(ScannerLagBlocks\) FROM "stablefee"/.test(e))).toBe(true);
    expect(
      expressions.some((e) => e.startsWith("SEARCH('{stablefee,chainId,service}") && e.includes('ScannerLagBlocks')),
    ).toBe(true);

    // The alarm status widget lists every alarm.
    const alarmWidget = widgets.find((w) => w.type === 'alarm');
    const alarmIds = ofType(s.resources, 'AWS::CloudWatch::Alarm').map(([id]) => `GetAtt:${id}.Arn`);
    expect([...alarmWidget.properties.alarms].sort()).toEqual(alarmIds.sort());
  });

  it('creates every alarm of ALARMS with its threshold, window, missing-data policy and the alarm topic', () => {
    const alarms = alarmsByName(s.resources);
    const [topicId] = ofType(s.resources, 'AWS::SNS::Topic')[0] as [string, Resource];
    const name = (id: string, subject?: string) => ['Test', id, subject].filter(Boolean).join('-');
    const expectAlarm = (alarmName: string, expected: Json) => {
      const alarm = alarms.get(alarmName);
      expect(alarm, alarmName).toBeDefined();
      expect(alarm, alarmName).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
        AlarmDescription: expect.any(String),
        ...expected,
      });
    };

    for (const q of queueNames) {
      expectAlarm(name('DeadLetterQueue', q), {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(s, s.stack.queues[q].dlq.queueArn), 'QueueName'] } },
        ],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 0,
        EvaluationPeriods: 1,
      });
    }
    // Errors as a share of invocations, in 2 of 3 periods: a blip does not page anyone, a failing job does. A
    // scheduled function is judged per run interval when that is longer; its heartbeat over two intervals.
    const ratio = (alarm: Json) => alarm?.Metrics?.find((m: Json) => m.Expression)?.Expression;
    // A math alarm's period is its metrics' (the expression's own when it reads no metric of its own).
    const periodOf = (alarm: Json): number | undefined =>
      alarm?.Period ??
      alarm?.Metrics?.map((m: Json) => m.Period ?? m.MetricStat?.Period).find((p: unknown) => p !== undefined);
    const fns = serviceFunctions(s.resources);
    for (const spec of s.specs) {
      const [fnId] = fns.get(spec.name) as [string, Resource];
      const alarm = alarms.get(name('FunctionErrors', spec.name));
      expectAlarm(name('FunctionErrors', spec.name), { Threshold: 10, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
      expect(ratio(alarm)).toBe('IF(invocations > 0, 100 * FILL(errors, 0) / invocations, 0)');
      const metricsRead = alarm.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => [
        m.Id,
        m.MetricStat.Metric.MetricName,
        m.MetricStat.Metric.Dimensions,
        m.MetricStat.Stat,
      ]);
      expect(metricsRead.sort()).toEqual([
        ['errors', 'Errors', [{ Name: 'FunctionName', Value: { Ref: fnId } }], 'Sum'],
        ['invocations', 'Invocations', [{ Name: 'FunctionName', Value: { Ref: fnId } }], 'Sum'],
      ]);
      const schedules = spec.triggers.flatMap((t) => (t.kind === 'schedule' ? [t.expression] : []));
      const interval = Math.max(0, ...schedules.map((e) => scheduleIntervalMinutes(e)));
      expect(periodOf(alarm), spec.name).toBe(Math.min(Math.max(5, interval), 480) * 60);
      const heartbeat = alarms.get(name('Heartbeat', spec.name));
      expect(heartbeat !== undefined, `${spec.name} heartbeat`).toBe(schedules.length > 0);
      if (!heartbeat) continue;
      // Not invoked at all in two run intervals (at least 5 minutes): no data is the very case, so it breaches.
      expectAlarm(name('Heartbeat', spec.name), {
        Namespace: 'AWS/Lambda',
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
        Statistic: 'Sum',
        Period: Math.min(Math.max(5, 2 * interval), 1440) * 60,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'breaching',
      });
    }
    expect(scheduleIntervalMinutes('rate(1 minute)')).toBe(1);
    expect(scheduleIntervalMinutes('rate(5 minutes)')).toBe(5);
    expect(scheduleIntervalMinutes('rate(2 hours)')).toBe(120);
    expect(() => scheduleIntervalMinutes('every minute')).toThrow(/Unsupported/);
    expectAlarm(name('ApiServerErrors'), { Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    const api = alarms.get(name('ApiServerErrors'));
    expect(ratio(api)).toBe('IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)');
    expect(
      api.Metrics.filter((m: Json) => m.MetricStat)
        .map((m: Json) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions])
        .sort(),
    ).toEqual([
      ['errors', '5xx', [{ Name: 'ApiId', Value: { Ref: logicalId(s, s.stack.api.apiId) } }]],
      ['requests', 'Count', [{ Name: 'ApiId', Value: { Ref: logicalId(s, s.stack.api.apiId) } }]],
    ]);
    expect(periodOf(api)).toBe(300);
    expectAlarm(name('ScannerLag'), {
      Metrics: [
        {
          Id: expect.any(String),
          Expression: `SELECT MAX(ScannerLagBlocks) FROM "stablefee" WHERE service = 'stablefee'`,
          Period: 300,
          ReturnData: true,
          Label: expect.any(String),
        },
      ],
      Threshold: 100,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
    const service = [{ Name: 'service', Value: 'stablefee' }];
    expectAlarm(name('ReorgIncident'), {
      Namespace: 'stablefee',
      MetricName: 'ReorgIncidents',
      Dimensions: service,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      EvaluationPeriods: 1,
    });
    expectAlarm(name('ReceiptDeliveryFailures'), {
      Namespace: 'stablefee',
      MetricName: 'ReceiptDeliveryFailures',
      Dimensions: service,
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 20,
      EvaluationPeriods: 1,
    });
    expectAlarm(name('TransfersUnmatched'), {
      Namespace: 'stablefee',
      MetricName: 'TransfersUnmatched',
      Dimensions: service,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      EvaluationPeriods: 1,
    });
    // Every queue: its oldest message past the queue's own limit for 3 minutes; every DLQ: a letter left for 3 days.
    for (const queue of queueNames) {
      const spec: QueueSpec = queues[queue];
      const dimensionsOf = (arn: string) => [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(s, arn), 'QueueName'] } },
      ];
      expectAlarm(name('QueueAge', queue), {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: dimensionsOf(s.stack.queues[queue].queue.queueArn),
        Statistic: 'Maximum',
        Period: 60,
        Threshold: spec.maxMessageAgeSeconds ?? 3600,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
      });
      expectAlarm(name('DeadLetterAge', queue), {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: dimensionsOf(s.stack.queues[queue].dlq.queueArn),
        Statistic: 'Maximum',
        Threshold: 3 * 24 * 3600,
        EvaluationPeriods: 1,
      });
    }
    expect(queues.transfers.maxMessageAgeSeconds).toBe(300);
    expect(queues.finals.maxMessageAgeSeconds).toBe(300);
    for (const [id, metric] of [
      ['RejectedHints', 'RejectedHints'],
      ['Annulment', 'Annulments'],
      // A signed document or a journal day the write-once archive holds otherwise: one is one too many.
      ['ArchiveMismatch', 'ArchiveMismatches'],
    ]) {
      expectAlarm(name(id as string), {
        Namespace: 'stablefee',
        MetricName: metric,
        Dimensions: service,
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
        EvaluationPeriods: 1,
      });
    }
    // Every refresh-rates run publishes it: silence (the check failing or stopped) must alarm too.
    expectAlarm(name('MrpMissingAhead'), {
      Namespace: 'stablefee',
      MetricName: 'MrpMissingAhead',
      Dimensions: service,
      Statistic: 'Maximum',
      Period: 3 * 3600,
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
    });
    const streams = s.specs.some((spec) => spec.triggers.some((t) => t.kind === 'stream'));
    if (streams)
      expectAlarm(name('StreamFailures'), { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 });

    // Nothing else, and every alarm is an ALARMS entry (so the runbook list is complete).
    const sweeper = s.specs.some((spec) => spec.access.gasSigner);
    if (sweeper) {
      const gas = alarms.get(name('SweeperGasLow'));
      // Every sweeper run publishes its gauges, failed or not: silence (runs failing or stopped) must alarm.
      expect(gas).toMatchObject({
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 0.05,
        TreatMissingData: 'breaching',
      });
      expect(JSON.stringify(gas?.Metrics)).toContain('MIN(SweeperGasBalance)');
      expectAlarm(name('SweepStalled'), { Threshold: 3600, EvaluationPeriods: 2, TreatMissingData: 'breaching' });
      expect(JSON.stringify(alarms.get(name('SweepStalled'))?.Metrics)).toContain('MAX(OldestSubmittedSweepSeconds)');
      for (const metric of ['SweepsFailed', 'SweepAddressesFailed']) {
        expectAlarm(name(metric), { MetricName: metric, Statistic: 'Sum', Threshold: 0, EvaluationPeriods: 1 });
      }
    }
    const scheduled = s.specs.filter((spec) => spec.triggers.some((t) => t.kind === 'schedule')).length;
    const expectedCount =
      3 * queueNames.length + s.specs.length + scheduled + 11 + (sweeper ? 4 : 0) + (streams ? 1 : 0);
    expect(alarms.size).toBe(expectedCount);
    expect(ofType(s.resources, 'AWS::CloudWatch::Alarm')).toHaveLength(expectedCount);
    const ids = Object.values(ALARMS).map((a) => a.id);
    for (const alarmName of alarms.keys()) {
      expect(
        ids.some((id) => alarmName.startsWith(`Test-${id}`)),
        alarmName,
      ).toBe(true);
    }
    for (const spec of Object.values(ALARMS) as AlarmSpec[]) {
      const family = [...alarms.entries()].filter(([n]) => n.startsWith(`Test-${spec.id}`)).map(([, a]) => a);
      if (family.length === 0) continue; // StreamFailures without a stream consumer
      for (const alarm of family) {
        expect(alarm.EvaluationPeriods, spec.id).toBe(spec.evaluationPeriods);
        expect(alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods, spec.id).toBe(
          spec.datapointsToAlarm ?? spec.evaluationPeriods,
        );
        // A queue's age limit is the queue's own; a scheduled function's periods follow its schedule (above).
        if (spec.id !== 'QueueAge') expect(alarm.Threshold, spec.id).toBe(spec.threshold);
        const period = periodOf(alarm);
        if (spec.per === 'function' || spec.per === 'schedule') {
          expect(period, spec.id).toBeGreaterThanOrEqual(spec.periodMinutes * 60);
        } else expect(period, spec.id).toBe(spec.periodMinutes * 60);
      }
    }
    // Errors alarm on a rate over two or more periods, never on a single failure.
    expect(ALARMS.functionErrors.evaluationPeriods).toBeGreaterThanOrEqual(2);
    expect(ALARMS.apiServerErrors.evaluationPeriods).toBeGreaterThanOrEqual(2);
  });

  it('subscribes on-call (e-mail and/or HTTPS, each when given) and refuses a deploy that names neither', () => {
    const json = s.template.toJSON();
    const [topicId] = ofType(s.resources, 'AWS::SNS::Topic')[0] as [string, Resource];
    for (const [param, protocol, ok, bad] of [
      ['AlarmEmail', 'email', 'oncall@example.kz', 'not an address'],
      ['AlarmHttpsEndpoint', 'https', 'https://events.pagerduty.com/x', 'http://pager.example'],
    ] as const) {
      expect(json.Parameters[param]).toMatchObject({ Type: 'String', Default: '' });
      const pattern = new RegExp(json.Parameters[param].AllowedPattern);
      expect(pattern.test('')).toBe(true);
      expect(pattern.test(ok)).toBe(true);
      expect(pattern.test(bad)).toBe(false);
      const subscriptions = ofType(s.resources, 'AWS::SNS::Subscription').filter(
        ([, r]) => r.Properties.Protocol === protocol,
      );
      expect(subscriptions).toHaveLength(1);
      const [, subscription] = subscriptions[0] as [string, Resource & { Condition?: string }];
      expect(subscription.Properties).toMatchObject({ TopicArn: { Ref: topicId }, Endpoint: { Ref: param } });
      expect(json.Conditions[subscription.Condition as string]).toEqual({
        'Fn::Not': [{ 'Fn::Equals': [{ Ref: param }, ''] }],
      });
    }
    const assertion = json.Rules.AlarmsReachSomeone.Assertions[0];
    expect(assertion.Assert).toEqual({
      'Fn::Not': [
        {
          'Fn::And': [
            { 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] },
            { 'Fn::Equals': [{ Ref: 'AlarmHttpsEndpoint' }, ''] },
          ],
        },
      ],
    });
  });

  it('encrypts the alarm topic, allows TLS only, and publishes every alarm to it', () => {
    const topics = ofType(s.resources, 'AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    const [topicId, topic] = topics[0] as [string, Resource];
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    // Symmetric keys rotate; the asymmetric receipt signing key cannot (KMS does not rotate asymmetric keys).
    const symmetric = ofType(s.resources, 'AWS::KMS::Key').filter(
      ([, k]) => (k.Properties.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT',
    );
    expect(symmetric.length).toBeGreaterThan(0);
    expect(symmetric.every(([, k]) => k.Properties.EnableKeyRotation === true)).toBe(true);
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    for (const [, alarm] of ofType(s.resources, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });

  it.each(bucketNames)(
    'bucket %s blocks public access, is encrypted, TLS-only, logged and expires per topology',
    (name) => {
      const bucketId = logicalId(s, s.stack.buckets[name].bucketArn);
      const b = s.resources[bucketId]?.Properties;
      expect(b.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe(
        'AES256',
      );
      expect(b.LoggingConfiguration.DestinationBucketName).toBeDefined();
      expect(b.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({ ExpirationInDays: buckets[name].expireAfterDays, Status: 'Enabled' }),
      );
      s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    },
  );

  it('backs the table up daily and monthly into a locked vault, copied to another region when a vault is given', () => {
    const json = s.template.toJSON();
    const vaults = ofType(s.resources, 'AWS::Backup::BackupVault');
    expect(vaults).toHaveLength(1);
    const [vaultId, vault] = vaults[0] as [string, Resource];
    expect(vault.DeletionPolicy).toBe('Retain');
    // Compliance lock once the grace days pass: no recovery point deleted early, no retention shortened.
    expect(vault.Properties.LockConfiguration).toEqual({
      MinRetentionDays: BACKUP_VAULT_LOCK.minRetentionDays,
      MaxRetentionDays: BACKUP_VAULT_LOCK.maxRetentionDays,
      ChangeableForDays: BACKUP_VAULT_LOCK.changeableForDays,
    });
    expect(BACKUP_VAULT_LOCK.minRetentionDays).toBeGreaterThanOrEqual(35);
    const plans = ofType(s.resources, 'AWS::Backup::BackupPlan');
    expect(plans).toHaveLength(1);
    const rules = (plans[0] as [string, Resource])[1].Properties.BackupPlan.BackupPlanRule;
    expect(rules).toHaveLength(BACKUP_RULES.length);
    for (const [i, rule] of BACKUP_RULES.entries()) {
      expect(rules[i]).toMatchObject({
        RuleName: rule.name,
        ScheduleExpression: rule.schedule,
        TargetBackupVault: { 'Fn::GetAtt': [vaultId, 'BackupVaultName'] },
        Lifecycle: { DeleteAfterDays: rule.keepDays },
        CopyActions: {
          'Fn::If': [
            'CopyBackupsToAnotherRegion',
            [
              {
                DestinationBackupVaultArn: { Ref: 'BackupCopyVaultArn' },
                Lifecycle: { DeleteAfterDays: rule.keepDays },
              },
            ],
            { Ref: 'AWS::NoValue' },
          ],
        },
      });
    }
    expect(json.Conditions.CopyBackupsToAnotherRegion).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'BackupCopyVaultArn' }, ''] }],
    });
    const pattern = new RegExp(json.Parameters.BackupCopyVaultArn.AllowedPattern);
    expect(pattern.test('')).toBe(true);
    expect(pattern.test('arn:aws:backup:eu-central-1:123456789012:backup-vault:stablefee-copy')).toBe(true);
    expect(pattern.test('arn:aws:s3:::bucket')).toBe(false);
    const selections = ofType(s.resources, 'AWS::Backup::BackupSelection');
    expect(selections).toHaveLength(1);
    const tableId = logicalId(s, s.stack.table.tableArn);
    expect((selections[0] as [string, Resource])[1].Properties.BackupSelection.Resources).toEqual([
      { 'Fn::GetAtt': [tableId, 'Arn'] },
    ]);
  });

  it('keeps the archive write-once: S3 Object Lock in compliance mode, versioned, retained', () => {
    const locked = bucketNames.filter((b) => (buckets[b] as BucketSpec).lockDays !== undefined);
    expect(locked).toContain('archive');
    for (const name of locked) {
      const id = logicalId(s, s.stack.buckets[name].bucketArn);
      const bucket = s.resources[id] as Resource;
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties).toMatchObject({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: (buckets[name] as BucketSpec).lockDays } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
    }
    // Seven years locked at least (receipts and the journal are records of public money).
    expect(buckets.archive.lockDays).toBeGreaterThanOrEqual(7 * 365);
  });

  it('lets only its writers touch the archive, to put once and read: no delete, listing or retention change', () => {
    const archiveArn = JSON.stringify(s.stack.resolve(s.stack.buckets.archive.bucketArn));
    const objectsArn = JSON.stringify(s.stack.resolve(s.stack.buckets.archive.arnForObjects('*')));
    const folders = s.specs.flatMap((spec) => spec.access.writeOnceUnder ?? []);
    const archiveArns = new Set([
      archiveArn,
      objectsArn,
      ...folders.map((f) => JSON.stringify(s.stack.resolve(s.stack.buckets.archive.arnForObjects(`${f}/*`)))),
    ]);
    for (const spec of s.specs) {
      const [, fn] = serviceFunctions(s.resources).get(spec.name) as [string, Resource];
      const grants = grantsOfRole(s.resources, fn.Properties.Role['Fn::GetAtt'][0]);
      const onArchive = [...grants]
        .filter(([, resources]) => resources.some((r) => archiveArns.has(r)))
        .map(([action]) => action)
        .sort();
      // readwrite on the archive is refused at synth (a test below).
      const expected: Record<string, string[]> = {
        writeOnce: ['s3:GetObject', 's3:PutObject'],
        read: ['s3:GetObject', 's3:ListBucket'],
        none: [],
      };
      const level = spec.access.buckets?.archive ?? 'none';
      expect(onArchive, spec.name).toEqual(expected[level]);
    }
    // Nothing in the template allows a delete, a retention or legal-hold change, or a lock bypass on the archive.
    const forbidden =
      /^s3:(\*|Delete.*|PutObjectRetention|PutObjectLegalHold|BypassGovernanceRetention|PutBucketObjectLockConfiguration|PutLifecycleConfiguration)$/;
    for (const st of allStatements(s.template.toJSON()).filter((st) => st.Effect === 'Allow')) {
      const resources = asArray<Json>(st.Resource).map((r) => JSON.stringify(r));
      if (!resources.some((r) => archiveArns.has(r) || r === '"*"')) continue;
      for (const action of asArray<string>(st.Action)) expect(action, JSON.stringify(st)).not.toMatch(forbidden);
    }
  });

  it("denies everyone, by the archive's bucket policy, a delete and a put that is not conditional", () => {
    const bucketId = logicalId(s, s.stack.buckets.archive.bucketArn);
    const [[, policy]] = ofType(s.resources, 'AWS::S3::BucketPolicy').filter(
      ([, p]) => p.Properties.Bucket.Ref === bucketId,
    ) as [[string, Resource]];
    const objects = s.stack.resolve(s.stack.buckets.archive.arnForObjects('*'));
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: 'DenyDeletes',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
          Resource: objects,
        }),
        expect.objectContaining({
          Sid: 'DenyUnconditionalPuts',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:PutObject',
          Resource: objects,
          Condition: { Null: { 's3:if-none-match': 'true' } },
        }),
      ]),
    );
  });

  it('creates exactly one tagged Lambda per topology function with the shared defaults', () => {
    const fns = serviceFunctions(s.resources);
    expect(fns.size).toBe(s.specs.length);
    expect([...fns.keys()].sort()).toEqual(s.specs.map((f) => f.name).sort());
    for (const spec of s.specs) {
      const [, fn] = fns.get(spec.name) as [string, Resource];
      const p = fn.Properties;
      expect(p.Runtime).toBe(FunctionDefaults.RUNTIME.name);
      expect(Number(p.Runtime.replace(/^nodejs(\d+).*$/, '$1'))).toBeGreaterThanOrEqual(20);
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.TracingConfig).toEqual({ Mode: 'Active' });
      expect(p.Handler).toBe('index.handler');
      expect(p.MemorySize).toBe(spec.memoryMb ?? DEFAULT_MEMORY_MB);
      expect(p.Timeout).toBe(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
      expect(p.ReservedConcurrentExecutions).toBe(spec.reservedConcurrency);
      expect(p.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'stablefee',
        POWERTOOLS_METRICS_NAMESPACE: 'stablefee',
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(Object.keys(p.Environment.Variables).sort()).toEqual(expectedEnvKeys(spec));
      const logGroupId = p.LoggingConfig.LogGroup.Ref;
      expect(s.resources[logGroupId]?.Type).toBe('AWS::Logs::LogGroup');
      expect(s.resources[logGroupId]?.Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('lets only the mail senders send mail, and only as the MailFrom address', () => {
    for (const spec of s.specs) {
      const [, fn] = serviceFunctions(s.resources).get(spec.name) as [string, Resource];
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      const statements = ofType(s.resources, 'AWS::IAM::Policy')
        .filter(([, p]) => asArray<Json>(p.Properties.Roles).some((r) => r.Ref === roleId))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
        .filter((st) => asArray<string>(st.Action).includes('ses:SendEmail'));
      expect(statements.length, spec.name).toBe(spec.access.mail ? 1 : 0);
      for (const st of statements)
        expect(st.Condition).toEqual({ StringEquals: { 'ses:FromAddress': { Ref: 'MailFrom' } } });
    }
  });

  it("gives each function's role exactly what its access and triggers need, and no managed policy", () => {
    for (const spec of s.specs) {
      const [, fn] = serviceFunctions(s.resources).get(spec.name) as [string, Resource];
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      expect(s.resources[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
      const grants = grantsOfRole(s.resources, roleId);
      const permitted = permittedGrants(s, spec, fn.Properties.LoggingConfig.LogGroup.Ref);
      for (const [action, resources] of grants) {
        expect(permitted.has(action), `${spec.name} must not hold ${action}`).toBe(true);
        for (const r of resources) {
          expect(permitted.get(action)?.has(r), `${spec.name}: ${action} on ${r}`).toBe(true);
        }
      }
      // ...and what access names is actually granted.
      const has = (action: string, resource: Json) =>
        (grants.get(action) ?? []).includes(JSON.stringify(s.stack.resolve(resource)));
      const { access } = spec;
      expect(grants.has('dynamodb:GetItem')).toBe(access.table !== undefined);
      expect(grants.has('dynamodb:PutItem')).toBe(access.table === 'readwrite');
      // Scan, DeleteItem, DescribeTable and BatchWriteItem only where the function names them.
      for (const action of ['Scan', 'DeleteItem', 'DescribeTable', 'BatchWriteItem'] as const) {
        const named = (access.tableExtra ?? []).includes(action as never) && access.table !== undefined;
        expect(grants.has(`dynamodb:${action}`), `${spec.name} dynamodb:${action}`).toBe(named);
      }
      for (const q of access.sendTo ?? []) expect(has('sqs:SendMessage', s.stack.queues[q].queue.queueArn)).toBe(true);
      for (const q of access.inspect ?? []) {
        expect(has('sqs:GetQueueAttributes', s.stack.queues[q].queue.queueArn)).toBe(true);
        expect(has('sqs:GetQueueAttributes', s.stack.queues[q].dlq.queueArn)).toBe(true);
      }
      for (const q of access.redrive ?? []) {
        expect(has('sqs:ReceiveMessage', s.stack.queues[q].dlq.queueArn)).toBe(true);
        expect(has('sqs:DeleteMessage', s.stack.queues[q].dlq.queueArn)).toBe(true);
        expect(has('sqs:SendMessage', s.stack.queues[q].queue.queueArn)).toBe(true);
      }
      for (const [b, level] of Object.entries(access.buckets ?? {}) as [BucketName, string][]) {
        const objects = s.stack.buckets[b].arnForObjects('*');
        if (level === 'writeOnce') {
          // Its own folders only: no writer can take a key another writes (a locked object is never replaced).
          expect(has('s3:PutObject', objects)).toBe(false);
          for (const folder of access.writeOnceUnder ?? []) {
            const own = s.stack.buckets[b].arnForObjects(`${folder}/*`);
            expect(has('s3:GetObject', own) && has('s3:PutObject', own), `${spec.name} ${folder}`).toBe(true);
            expect(has('s3:DeleteObject', own)).toBe(false);
          }
          continue;
        }
        expect(has('s3:GetObject', objects)).toBe(true);
        expect(has('s3:PutObject', objects)).toBe(level !== 'read');
        expect(has('s3:DeleteObject', objects)).toBe(level === 'readwrite');
      }
      for (const action of RECEIPT_SIGNER_ACTIONS) {
        const granted = action === 'kms:Sign' ? access.signer === true : Boolean(access.signer);
        expect(has(action, s.stack.receiptSigningKey.attrArn), `${spec.name} ${action}`).toBe(granted);
      }
      expect(has('secretsmanager:GetSecretValue', s.stack.webhookSecrets.secretArn)).toBe(
        secretPurposesOf(spec).includes('webhooks'),
      );
    }
  });

  it("puts every topology route on the HTTP API, none behind a gateway authorizer: jwt routes' functions verify tokens", () => {
    const routes = ofType(s.resources, 'AWS::ApiGatewayV2::Route');
    // An HTTP API authorizer answers a refusal with its own body; the functions answer it as a problem instead.
    expect(ofType(s.resources, 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
    const expected = routesOf(s.specs);
    expect(routes).toHaveLength(expected.length);
    const fns = serviceFunctions(s.resources);
    for (const [spec, route] of expected) {
      const found = routes.find(([, r]) => r.Properties.RouteKey === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      const props = (found as [string, Resource])[1].Properties;
      expect(props.AuthorizationType).toBe('NONE');
      expect(props.AuthorizerId).toBeUndefined();
      // The route reaches the function that declares it.
      const integrationId = props.Target['Fn::Join'][1][1].Ref;
      const [fnId] = fns.get(spec.name) as [string, Resource];
      expect(s.resources[integrationId]?.Properties.IntegrationUri).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    }
    // Every function of a jwt route is told whose tokens to accept (the user pool's, or the JwtIssuer/JwtAudience
    // given); no other function is.
    for (const spec of s.specs) {
      const variables = (fns.get(spec.name) as [string, Resource])[1].Properties.Environment?.Variables ?? {};
      const guarded = routesOf([spec]).some(([, r]) => r.auth === 'jwt');
      if (!guarded) {
        expect(variables.JWT_ISSUER, spec.name).toBeUndefined();
        expect(variables.JWT_AUDIENCE, spec.name).toBeUndefined();
        continue;
      }
      expect(variables.JWT_ISSUER['Fn::If'][0], spec.name).toBe('UseCognitoIssuer');
      expect(variables.JWT_ISSUER['Fn::If'][2], spec.name).toEqual({ Ref: 'JwtIssuer' });
      // The configured (or the stack's) app client, and with the stack's own issuer the console's hosted-UI client
      // too, comma-separated; another issuer's tokens never name the console's client.
      const [condition, ownIssuer, otherIssuer] = variables.JWT_AUDIENCE['Fn::If'];
      expect(condition, spec.name).toBe('UseCognitoIssuer');
      const [separator, audiences] = ownIssuer['Fn::Join'];
      expect(separator, spec.name).toBe(',');
      expect(audiences[0]['Fn::If'][0], spec.name).toBe('UseCognitoAudience');
      expect(audiences[0]['Fn::If'][2], spec.name).toEqual({ Ref: 'JwtAudience' });
      expect(audiences[1], spec.name).toEqual(s.stack.resolve(s.stack.consoleSignIn.clientId));
      expect(otherIssuer, spec.name).toEqual(audiences[0]);
    }
  });

  it('gives the console a public hosted-UI client (code grant only, no secret, back to ConsoleUrl) and a domain', () => {
    const json = s.template.toJSON();
    expect(json.Parameters.ConsoleUrl).toMatchObject({ Type: 'String', Default: 'http://localhost:3000/console/' });
    const clientId = s.stack.resolve(s.stack.consoleSignIn.clientId).Ref;
    const client = s.resources[clientId]?.Properties;
    expect(client).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: [{ Ref: 'ConsoleUrl' }],
      LogoutURLs: [{ Ref: 'ConsoleUrl' }],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(client?.AllowedOAuthScopes).not.toContain('aws.cognito.signin.user.admin');
    expect(client?.ExplicitAuthFlows).toBeUndefined();
    const domains = ofType(s.resources, 'AWS::Cognito::UserPoolDomain');
    expect(domains).toHaveLength(1);
    expect(json.Outputs.ConsoleClientId.Value).toEqual({ Ref: clientId });
    expect(json.Outputs.ConsoleSignInDomain).toBeDefined();
  });

  it('defaults the JWT issuer/audience to the Cognito pool and app client when the parameters are empty', () => {
    const json = s.template.toJSON();
    expect(json.Parameters.JwtIssuer).toMatchObject({ Type: 'String', Default: '' });
    expect(json.Parameters.JwtAudience).toMatchObject({ Type: 'String', Default: '' });
    expect(json.Conditions.UseCognitoIssuer).toEqual({ 'Fn::Equals': [{ Ref: 'JwtIssuer' }, ''] });
    const poolId = logicalId(s, s.stack.userPool.userPoolArn);
    const clientId = s.stack.resolve(s.stack.userPoolClient.userPoolClientId).Ref;
    expect(json.Outputs.JwtIssuerInUse.Value['Fn::If'][1]).toEqual({
      'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: poolId }]],
    });
    expect(json.Outputs.JwtAudienceInUse.Value['Fn::If'][1]).toEqual({ Ref: clientId });
    expect(s.resources[poolId]?.Properties).toMatchObject({
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  it('throttles and access-logs the default stage and outputs the API URL', () => {
    const stages = ofType(s.resources, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const p = (stages[0] as [string, Resource])[1].Properties;
    expect(p.StageName).toBe('$default');
    expect(p.AutoDeploy).toBe(true);
    expect(p.DefaultRouteSettings).toMatchObject({
      ThrottlingBurstLimit: API_THROTTLE.burstLimit,
      ThrottlingRateLimit: API_THROTTLE.rateLimit,
    });
    // Every public route has its own, lower limit; the stage waits for those routes (settings need them to exist).
    expect(PUBLIC_ROUTE_THROTTLE.rateLimit).toBeLessThan(API_THROTTLE.rateLimit);
    expect(PUBLIC_ROUTE_THROTTLE.burstLimit).toBeLessThan(API_THROTTLE.burstLimit);
    const publicKeys = [
      ...new Set(routesOf(s.specs).flatMap(([, r]) => (r.auth === 'public' ? [`${r.method} ${r.path}`] : []))),
    ];
    expect(Object.keys(p.RouteSettings ?? {}).sort()).toEqual(publicKeys.sort());
    const [stageId] = stages[0] as [string, Resource];
    for (const key of publicKeys) {
      expect(p.RouteSettings[key]).toEqual({
        ThrottlingRateLimit: PUBLIC_ROUTE_THROTTLE.rateLimit,
        ThrottlingBurstLimit: PUBLIC_ROUTE_THROTTLE.burstLimit,
      });
      const [routeId] = ofType(s.resources, 'AWS::ApiGatewayV2::Route').find(
        ([, r]) => r.Properties.RouteKey === key,
      ) as [string, Resource];
      expect(asArray(s.resources[stageId]?.DependsOn), key).toContain(routeId);
    }
    const logGroupId = p.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(s.resources[logGroupId]?.Type).toBe('AWS::Logs::LogGroup');
    expect(p.AccessLogSettings.Format).toContain('$context.requestId');
    expect(s.template.toJSON().Outputs.ApiUrl).toBeDefined();
  });

  it('wires queue, schedule and stream triggers from the topology', () => {
    const fns = serviceFunctions(s.resources);
    const mappings = ofType(s.resources, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    const rules = ofType(s.resources, 'AWS::Events::Rule').map(([, r]) => r.Properties);
    let expectedMappings = 0;
    let expectedRules = 0;
    for (const spec of s.specs) {
      const [fnId] = fns.get(spec.name) as [string, Resource];
      const mine = mappings.filter((m) => m.FunctionName?.Ref === fnId);
      for (const trigger of spec.triggers) {
        if (trigger.kind === 'queue') {
          expectedMappings++;
          const queueId = logicalId(s, s.stack.queues[trigger.queue].queue.queueArn);
          expect(mine).toContainEqual(
            expect.objectContaining({
              EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
              BatchSize: trigger.batchSize,
              FunctionResponseTypes: ['ReportBatchItemFailures'],
              ...(trigger.maxBatchingWindowSeconds === undefined
                ? {}
                : { MaximumBatchingWindowInSeconds: trigger.maxBatchingWindowSeconds }),
              // Every mapping is bounded: the default where the trigger declares none.
              ScalingConfig: { MaximumConcurrency: trigger.maxConcurrency ?? DEFAULT_QUEUE_MAX_CONCURRENCY },
            }),
          );
        } else if (trigger.kind === 'stream') {
          expectedMappings++;
          const tableId = logicalId(s, s.stack.table.tableArn);
          expect(mine).toContainEqual(
            expect.objectContaining({
              EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
              BatchSize: trigger.batchSize,
              StartingPosition: 'LATEST',
              BisectBatchOnFunctionError: true,
              MaximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
              FunctionResponseTypes: ['ReportBatchItemFailures'],
              DestinationConfig: { OnFailure: { Destination: expect.anything() } },
            }),
          );
        } else if (trigger.kind === 'schedule') {
          expectedRules++;
          const maxAge = trigger.maxEventAgeSeconds ?? DEFAULT_SCHEDULE_MAX_EVENT_AGE_SECONDS;
          // A tick is never retried (a failed run is the next tick's work) and is dropped once older than maxAge.
          expect(rules).toContainEqual(
            expect.objectContaining({
              ScheduleExpression: trigger.expression,
              State: 'ENABLED',
              Targets: [
                expect.objectContaining({
                  Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
                  RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: maxAge },
                }),
              ],
            }),
          );
          // ...nor by Lambda's asynchronous invocation, whose default is two retries.
          const asyncConfigs = ofType(s.resources, 'AWS::Lambda::EventInvokeConfig').filter(
            ([, c]) => c.Properties.FunctionName.Ref === fnId,
          );
          expect(asyncConfigs, spec.name).toHaveLength(1);
          expect((asyncConfigs[0] as [string, Resource])[1].Properties).toMatchObject({
            MaximumRetryAttempts: 0,
            MaximumEventAgeInSeconds: maxAge,
          });
        }
      }
    }
    expect(mappings).toHaveLength(expectedMappings);
    expect(rules).toHaveLength(expectedRules);
  });

  it('creates two retained secp256k1 SIGN_VERIFY KMS keys (receipts, sweeper gas) and outputs their ARNs', () => {
    const keyId = logicalId(s, s.stack.receiptSigningKey.attrArn);
    const gasKeyId = s.stack.sweeperGasKey ? logicalId(s, s.stack.sweeperGasKey.attrArn) : undefined;
    const signingKeys = ofType(s.resources, 'AWS::KMS::Key').filter(([, k]) => k.Properties.KeyUsage === 'SIGN_VERIFY');
    expect(signingKeys.map(([id]) => id).sort()).toEqual([keyId, ...(gasKeyId ? [gasKeyId] : [])].sort());
    // Only a topology with the sweeper (access.gasSigner) has the gas key.
    expect(gasKeyId !== undefined).toBe(s.specs.some((spec) => spec.access.gasSigner));
    if (gasKeyId) {
      const gasKey = s.resources[gasKeyId] as Resource;
      expect(gasKey.Properties).toMatchObject({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
      expect(gasKey.DeletionPolicy).toBe('Retain');
      expect(s.template.toJSON().Outputs.SweeperGasKeyArn.Value).toEqual({ 'Fn::GetAtt': [gasKeyId, 'Arn'] });
    }
    const key = s.resources[keyId] as Resource;
    expect(key.Properties).toMatchObject({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    expect(key.Properties.EnableKeyRotation).not.toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
    // The key policy allows Sign and GetPublicKey, nothing else that uses the key (no Decrypt, no Verify…).
    const usage = asArray<Json>(key.Properties.KeyPolicy.Statement)
      .filter((st) => st.Effect === 'Allow')
      .flatMap((st) => asArray<string>(st.Action));
    const useActions = usage.filter((a) => /^kms:(Sign|Verify|GetPublicKey|Decrypt|Encrypt|GenerateDataKey)/.test(a));
    expect(useActions.sort()).toEqual([...RECEIPT_SIGNER_ACTIONS].sort());
    expect(s.template.toJSON().Outputs.ReceiptSigningKeyArn.Value).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  it("lets only the signing roles sign, by the keys' policies: allowed to those roles, denied to every other", () => {
    const keys: [string, (spec: FunctionSpec) => boolean][] = [
      [logicalId(s, s.stack.receiptSigningKey.attrArn), (spec) => spec.access.signer === true],
    ];
    if (s.stack.sweeperGasKey) {
      keys.push([logicalId(s, s.stack.sweeperGasKey.attrArn), (spec) => spec.access.gasSigner === true]);
    }
    const fns = serviceFunctions(s.resources);
    const roleArn = (spec: FunctionSpec) => {
      const [, fn] = fns.get(spec.name) as [string, Resource];
      return { 'Fn::GetAtt': [fn.Properties.Role['Fn::GetAtt'][0], 'Arn'] };
    };
    const root = {
      AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
    };
    for (const [keyId, signs] of keys) {
      const signers = s.specs.filter(signs).map(roleArn);
      expect(signers.length, keyId).toBeGreaterThan(0);
      const statements = asArray<Json>(s.resources[keyId]?.Properties.KeyPolicy.Statement);
      const signing = statements.filter((st) => asArray<string>(st.Action).includes('kms:Sign'));
      expect(signing).toHaveLength(2);
      const allow = signing.find((st) => st.Effect === 'Allow');
      const deny = signing.find((st) => st.Effect === 'Deny');
      expect(allow).toMatchObject({ Principal: root, Action: 'kms:Sign' });
      expect(asArray(allow.Condition.ArnEquals['aws:PrincipalArn'])).toEqual(signers);
      // Everyone else, in any account (an administrator, the deploy role, a grant's grantee): an explicit deny.
      expect(deny).toMatchObject({ Principal: { AWS: '*' }, Action: 'kms:Sign' });
      expect(asArray(deny.Condition.ArnNotEquals['aws:PrincipalArn'])).toEqual(signers);
      // The account may delegate reading the public key through IAM, and nothing else that uses the key.
      const delegated = statements.filter(
        (st) => st.Effect === 'Allow' && JSON.stringify(st.Principal) === JSON.stringify(root) && !st.Condition,
      );
      expect(delegated.flatMap((st) => asArray<string>(st.Action)).filter((a) => !a.startsWith('kms:Sign'))).toContain(
        'kms:GetPublicKey',
      );
      expect(delegated.flatMap((st) => asArray<string>(st.Action))).not.toContain('kms:Sign');
    }
    // The public health function publishes the signer address and may not sign.
    const health = s.specs.find((spec) => spec.name === 'health');
    if (health && s.specs === functions) expect(health.access.signer).toBe('publicKey');
  });

  it('gives only signer functions the key (env and kms:Sign/GetPublicKey on that key only)', () => {
    const keyArn = s.stack.resolve(s.stack.receiptSigningKey.attrArn);
    const gasKeyArn = s.stack.resolve(s.stack.sweeperGasKey?.attrArn);
    for (const spec of s.specs) {
      const [, fn] = serviceFunctions(s.resources).get(spec.name) as [string, Resource];
      const env = fn.Properties.Environment.Variables;
      const grants = grantsOfRole(s.resources, fn.Properties.Role['Fn::GetAtt'][0]);
      const kmsActions = [...grants.keys()].filter((a) => a.startsWith('kms:')).sort();
      if (spec.access.gasSigner) {
        // The sweeper holds its gas key only, never the receipt key.
        expect(spec.access.signer).not.toBe(true);
        expect(env[sweeperKeyEnv.kmsKeyId]).toEqual(gasKeyArn);
        expect(env[DEPLOYMENT_ENV.receiptSignerKeyId]).toBeUndefined();
        for (const action of RECEIPT_SIGNER_ACTIONS) expect(grants.get(action)).toEqual([JSON.stringify(gasKeyArn)]);
      } else if (spec.access.signer === 'publicKey') {
        expect(env[DEPLOYMENT_ENV.receiptSignerKeyId]).toEqual(keyArn);
        expect(kmsActions).toEqual(['kms:GetPublicKey']);
        expect(grants.get('kms:GetPublicKey')).toEqual([JSON.stringify(keyArn)]);
      } else if (spec.access.signer) {
        expect(env[DEPLOYMENT_ENV.receiptSignerKeyId]).toEqual(keyArn);
        expect(env[sweeperKeyEnv.kmsKeyId]).toBeUndefined();
        expect(kmsActions).toEqual([...RECEIPT_SIGNER_ACTIONS].sort());
        for (const action of RECEIPT_SIGNER_ACTIONS) expect(grants.get(action)).toEqual([JSON.stringify(keyArn)]);
      } else {
        expect(env[DEPLOYMENT_ENV.receiptSignerKeyId]).toBeUndefined();
        expect(kmsActions).toEqual([]);
      }
    }
    expect(s.specs.some((spec) => spec.access.signer)).toBe(true);
    for (const spec of s.specs.filter((f) => f.access.gasSigner)) expect(spec.name).toBe('sweep-deposits');
  });

  it('creates one retained secret per purpose, with empty placeholders, each read only by the functions naming it', () => {
    expect([...WEBHOOK_PROVIDERS].sort()).toEqual([...webhookProviderNames].sort());
    expect(DEPLOYMENT_ENV.webhookSecretsArn).toBe(WEBHOOK_SECRETS_ARN_ENV);
    const ids = Object.fromEntries(SECRET_PURPOSES.map((p) => [p, logicalId(s, s.stack.secrets[p].secretArn)]));
    expect(
      ofType(s.resources, 'AWS::SecretsManager::Secret')
        .map(([id]) => id)
        .sort(),
    ).toEqual([...Object.values(ids), logicalId(s, s.stack.edge.originSecret.secretArn)].sort());
    // The webhook secret keeps the logical id of the single secret of earlier releases (its values stay).
    expect(ids.webhooks).toMatch(/^WebhookSecrets/);
    const placeholders: Record<SecretPurpose, Json> = {
      webhooks: Object.fromEntries(webhookProviderNames.map((provider) => [provider, ''])),
      providerApi: { alchemyAuthToken: '', moralisApiKey: '', quicknodeApiKey: '' },
      registries: { registries: {} },
      custodian: { custodian: '' },
      rpcUrls: {},
    };
    for (const purpose of SECRET_PURPOSES) {
      const secret = s.resources[ids[purpose] as string] as Resource;
      expect(secret.DeletionPolicy).toBe('Retain');
      expect(secret.Properties.GenerateSecretString).toBeUndefined();
      expect(JSON.parse(secret.Properties.SecretString), purpose).toEqual(placeholders[purpose]);
    }
    for (const spec of s.specs) {
      const [, fn] = serviceFunctions(s.resources).get(spec.name) as [string, Resource];
      const env = fn.Properties.Environment.Variables;
      const grants = grantsOfRole(s.resources, fn.Properties.Role['Fn::GetAtt'][0]);
      const read = secretPurposesOf(spec);
      for (const purpose of SECRET_PURPOSES) {
        const arn = s.stack.resolve(s.stack.secrets[purpose].secretArn);
        const reads = read.includes(purpose);
        expect(env[secretArnEnv[purpose]], `${spec.name} ${purpose}`).toEqual(reads ? arn : undefined);
        for (const action of SECRET_READ) {
          expect((grants.get(action) ?? []).includes(JSON.stringify(arn)), `${spec.name} ${purpose}`).toBe(reads);
        }
      }
    }
    expect(s.specs.some((spec) => secretPurposesOf(spec).length > 0)).toBe(true);
  });

  it('splits the secrets by purpose in the topology: no function uses the deprecated webhookSecrets', () => {
    if (s.specs !== functions) return;
    for (const spec of functions) expect(spec.access.webhookSecrets, spec.name).toBeUndefined();
    const readers = (purpose: SecretPurpose) =>
      functions.filter((f) => secretPurposesOf(f).includes(purpose)).map((f) => f.name);
    expect(readers('webhooks')).toEqual(['ingest-webhook']);
    expect(readers('registries')).toEqual(['publish-receipts']);
    expect(readers('custodian')).toEqual(['instruct-refunds']);
    expect(readers('providerApi')).toEqual(['watch-addresses']);
  });

  it('grants the keyed RPC URLs to exactly the functions whose code reads the chain', () => {
    if (s.specs !== functions) return;
    // What reaches a chain node: the RPC URL itself, the per-chain runner, the token blacklist reader, the probes.
    const chainReaders = /\b(rpcUrlOf|forEachChain|jsonRpcTokenBlacklist|serviceHealthProbes)\b/;
    const readsChain = (name: string) => {
      const source = readFileSync(path.join(PROJECT_ROOT, 'functions', name, 'handler.ts'), 'utf8');
      return (source.match(/^import [^;]+;$/gms) ?? []).some((line) => chainReaders.test(line));
    };
    const readers = functions.filter((f) => secretPurposesOf(f).includes('rpcUrls')).map((f) => f.name);
    expect(readers.sort()).toEqual(
      functions
        .filter((f) => readsChain(f.name))
        .map((f) => f.name)
        .sort(),
    );
    expect(readers).toContain('scan-chain');
    expect(readers).not.toContain('issue-invoice');
    // The grant is GetSecretValue/DescribeSecret on that one secret, on those roles only (the test above checks each).
    const arn = JSON.stringify(s.stack.resolve(s.stack.secrets.rpcUrls.secretArn));
    const holders = s.specs.filter((spec) => {
      const [, fn] = serviceFunctions(s.resources).get(spec.name) as [string, Resource];
      const grants = grantsOfRole(s.resources, fn.Properties.Role['Fn::GetAtt'][0]);
      return (grants.get('secretsmanager:GetSecretValue') ?? []).includes(arn);
    });
    expect(holders.map((spec) => spec.name).sort()).toEqual(readers.sort());
  });

  it('declares the deployment parameters and passes them, with STAGE=cloud, to every function', () => {
    const json = s.template.toJSON();
    const params = json.Parameters;
    expect(params.DepositXpub.Default).toBeUndefined();
    expect(params.DepositXpub.AllowedPattern.startsWith('^xpub')).toBe(true);
    const xpubPattern = new RegExp(params.DepositXpub.AllowedPattern);
    expect(xpubPattern.test(DEV_ACCOUNT_XPUB)).toBe(true);
    expect(xpubPattern.test(DEV_ACCOUNT_XPUB.replace(/^xpub/, 'xprv'))).toBe(false);
    expect(params.ChainsJson.Default).toBe('[]');
    const chainsPattern = new RegExp(params.ChainsJson.AllowedPattern);
    expect(chainsPattern.test('[]')).toBe(true);
    expect(chainsPattern.test('[{"chainId":1,"rpcUrl":"https://eth.example"}]')).toBe(true);
    expect(chainsPattern.test('{"chainId":1}')).toBe(false);
    expect(params.PublicBaseUrl.Default).toBe('');
    const urlPattern = new RegExp(params.PublicBaseUrl.AllowedPattern);
    for (const ok of ['', 'https://pay.example.kz', 'https://pay.example.kz/']) expect(urlPattern.test(ok)).toBe(true);
    for (const bad of ['http://pay.example.kz', 'pay.example.kz']) expect(urlPattern.test(bad)).toBe(false);
    expect(params.NbkRatesUrl.Default).toBe(DEFAULT_NBK_RATES_URL);
    expect(DEFAULT_NBK_RATES_URL).toBe(NBK_RATES_URL);
    for (const name of ['DepositXpub', 'ChainsJson', 'PublicBaseUrl', 'NbkRatesUrl']) {
      expect(params[name]).toMatchObject({ Type: 'String', Description: expect.any(String) });
      expect(params[name].NoEcho).toBeUndefined();
    }
    expect(json.Conditions.UseEdgeUrlAsPublicBaseUrl).toEqual({ 'Fn::Equals': [{ Ref: 'PublicBaseUrl' }, ''] });
    // Empty: payer links lead through the edge (CloudFront with the WAF), never to the bare execute-api endpoint.
    const distributionId = logicalId(s, s.stack.edge.distribution.distributionDomainName);
    for (const [name, [, fn]] of serviceFunctions(s.resources)) {
      expect(fn.Properties.Environment.Variables, name).toMatchObject({
        [DEPLOYMENT_ENV.stage]: 'cloud',
        [DEPLOYMENT_ENV.depositXpub]: { Ref: 'DepositXpub' },
        [DEPLOYMENT_ENV.chains]: { Ref: 'ChainsJson' },
        [DEPLOYMENT_ENV.nbkRatesUrl]: { Ref: 'NbkRatesUrl' },
        [DEPLOYMENT_ENV.alchemyWebhookId]: { Ref: 'AlchemyWebhookId' },
        [DEPLOYMENT_ENV.publicBaseUrl]: {
          'Fn::If': [
            'UseEdgeUrlAsPublicBaseUrl',
            { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] },
            { Ref: 'PublicBaseUrl' },
          ],
        },
      });
    }
  });

  it('has no dependency cycle between resources (the functions may reference the API endpoint)', () => {
    const ids = new Set(Object.keys(s.resources));
    const refsOf = (node: Json, out: Set<string>): Set<string> => {
      if (Array.isArray(node)) for (const item of node) refsOf(item, out);
      else if (node && typeof node === 'object') {
        if (typeof node.Ref === 'string' && ids.has(node.Ref)) out.add(node.Ref);
        const getAtt = node['Fn::GetAtt'];
        if (Array.isArray(getAtt) && ids.has(getAtt[0])) out.add(getAtt[0]);
        const sub = node['Fn::Sub'];
        const subText = Array.isArray(sub) ? sub[0] : sub;
        if (typeof subText === 'string') {
          for (const [, name] of subText.matchAll(/\$\{([^}.!]+)/g))
            if (ids.has(name as string)) out.add(name as string);
        }
        for (const value of Object.values(node)) refsOf(value, out);
      }
      return out;
    };
    const deps = new Map<string, Set<string>>();
    for (const [id, r] of Object.entries(s.resources)) {
      const out = refsOf(r.Properties ?? {}, new Set());
      for (const d of asArray(r.DependsOn)) out.add(d);
      deps.set(id, out);
    }
    // Kahn's algorithm: every resource must come out.
    const remaining = new Map([...deps].map(([id, d]) => [id, new Set(d)]));
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const [id, d] of remaining) {
        if ([...d].every((dep) => !remaining.has(dep))) {
          remaining.delete(id);
          progressed = true;
        }
      }
    }
    expect([...remaining.keys()]).toEqual([]);
  });
});
