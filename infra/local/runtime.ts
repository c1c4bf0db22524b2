/**
 * The local runtime: the whole service on one machine, assembled from infra/topology.ts — the AWS emulator with
 * the table, queues and buckets; the local chain with test tokens and the deposit factory (so invoices get forwarder
 * deposit addresses); the mock ministry registry; the mock custodian, which executes refund orders from the custody
 * account; the HTTP API with the dev JWT issuer; a poller per queue-triggered function and a timer per schedule. `npm start` and the end-to-end tests both start it through `startLocalRuntime`.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Wallet } from 'ethers';
import { JWT_ENV } from '../../shared/adapters/bearer-token';
import { webhookSecretEnv } from '../../shared/adapters/providers/secrets';
import { DEV_ACCOUNT_XPUB } from '../../shared/domain/deposit-address';
import { CUSTODIAN_ENV, sweeperKeyEnv } from '../../shared/resources';
import { buildConsole } from '../console-build';
import { DEFAULT_QUEUE_MAX_CONCURRENCY, functions, type QueueName } from '../topology';
import { type ApiServer, startApiServer } from './api-server';
import { type LocalChain, startChain } from './chain';
import { createDevIssuer, type DevIssuer } from './dev-issuer';
import { serializeRequests } from './emulator-guard';
import { invoke } from './lambda';
import { type MailSink, startMailSink } from './mail-sink';
import { type MockCustodian, startMockCustodian } from './mock-custodian';
import { type MockNbk, startMockNbk } from './mock-nbk';
import { type MockRegistry, startMockRegistry } from './mock-registry';
import { type Emulator, startEmulator } from './moto';
import { type ProviderEmulator, startProviderEmulator } from './provider-emulator';
import { type ProvisionedResources, provision, type QueueOverride } from './provision';
import { type QueuePoller, startQueuePoller } from './queue-poller';
import { type Schedule, startSchedule } from './scheduler';
import { seedSampleRegister } from './seed-compliance';
import { hardhatAccountKey, SWEEPER_ACCOUNT } from './sweeper-key';

/** Most receive loops one queue trigger gets locally, whatever its cloud maximum concurrency. */
const LOCAL_MAX_LOOPS = 4;

/** Ports, the AWS endpoint to adopt, and the knobs tests turn (redrive, backoff, finality, workers). */
export interface LocalRuntimeOptions {
  /** API port; 0 picks a free one. */
  apiPort?: number;
  /** Chain RPC port; 0 picks a free one. */
  chainPort?: number;
  /** Use this AWS endpoint instead of spawning moto (LocalStack, a shared moto). */
  awsEndpoint?: string;
  /** Milliseconds between interval-mined blocks. */
  blockIntervalMs?: number;
  /** Per-queue redrive and visibility overrides (tests reach a dead-letter queue in a few tries, a crash's retry in seconds). */
  queueOverrides?: Partial<Record<QueueName, QueueOverride>>;
  /** First registry retry delay in seconds (doubling, capped at four times this). */
  publishBackoffSeconds?: number;
  /** Confirmations after which a local-chain transfer is final (the block itself counts as one). */
  finalityDepth?: number;
  /** Confirmations at which a final transfer is re-checked (default twice `finalityDepth`). */
  deepCheckDepth?: number;
  /** Start queue pollers and schedules (tests of single handlers may leave them off). */
  workers?: boolean;
  /**
   * Where to take the webhook signing secrets from (`WEBHOOK_SECRET_ALCHEMY`, `…_MORALIS`, `…_QUICKNODE`): `npm start`
   * passes its environment, so a developer can sign deliveries by hand. Each one not given is random.
   */
  webhookSecretsFrom?: Record<string, string | undefined>;
  log?: (line: string) => void;
}

/** The running service and every part of it, for tests to reach into; `stop` stops them all. */
export interface LocalRuntime {
  apiUrl: string;
  chain: LocalChain;
  aws: Emulator;
  resources: ProvisionedResources;
  registry: MockRegistry;
  /** The custodian executing refund orders from the chain's custody account. */
  custodian: MockCustodian;
  /** The SMTP sink payers' mail goes to (listed at `GET /dev/mail`). */
  mail: MailSink;
  issuer: DevIssuer;
  /** The local stand-in for Alchemy: follows the chain and delivers signed webhooks for watched addresses. */
  provider: ProviderEmulator;
  schedules: Map<string, Schedule>;
  /** Environment the functions run with (the same names the CDK stack sets). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
/** The sender of local payer mail (the cloud's is the MailFrom parameter, an SES verified identity). */
const LOCAL_MAIL_FROM = 'no-reply@stablefee.local';

/**
 * The webhook signing secrets of a local run, as the environment variables the handlers read them from: each one
 * set (non-blank) in `given` is kept, so hand-signed deliveries verify; every other one is a fresh random secret.
 */
export function localWebhookSecrets(given: Record<string, string | undefined> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.values(webhookSecretEnv).map((name) => [name, given[name]?.trim() || randomBytes(32).toString('hex')]),
  );
}

/**
 * The API's public origin, and the issuer whose tokens the functions verify themselves
 * (shared/adapters/bearer-token.ts): here the dev issuer's JWKS, as in the cloud the user pool's.
 */
function trustApi(env: Record<string, string>, api: ApiServer & { issuer: DevIssuer }): void {
  env.PUBLIC_BASE_URL = api.url;
  env[JWT_ENV.issuer] = api.issuer.issuer;
  env[JWT_ENV.audience] = api.issuer.audience;
  Object.assign(process.env, env);
}

/** Starts every part; on a failure half-way, stops what already started and rethrows. */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => {});
  const parts = new StartedParts(log);
  try {
    const { aws, awsEnv, resources } = await startAws(options, parts, log);

    const chain = await startChain({ port: options.chainPort ?? 8545, blockIntervalMs: options.blockIntervalMs });
    parts.add(() => chain.close());
    log(`chain rpc     ${chain.rpcUrl} (chain ${chain.chainId})`);
    log(`deposits      factory ${chain.depositFactory}, custody ${chain.custody}`);
    log(`sweeper       gas key ${hardhatAccountKey(SWEEPER_ACCOUNT).address} (Hardhat account ${SWEEPER_ACCOUNT})`);

    const registrySecret = randomBytes(32).toString('hex');
    const registry = await startMockRegistry({ secretFor: () => registrySecret });
    parts.add(() => registry.close());

    const nbk: MockNbk = await startMockNbk();
    parts.add(() => nbk.close());

    // A fresh receipt-signing key per start (state is fresh too); the cloud signs with KMS instead.
    const receiptKey = `0x${randomBytes(32).toString('hex')}`;
    const custodianSecret = randomBytes(32).toString('hex');
    const custodian = await startMockCustodian({
      provider: chain.provider,
      custody: chain.custody,
      secret: custodianSecret,
      expectedSigner: () => new Wallet(receiptKey).address,
    });
    parts.add(() => custodian.close());
    log(`custodian     ${custodian.url} (pays refunds from custody ${chain.custody})`);

    const mail = await startMailPart(parts, log);

    const env: Record<string, string> = {
      ...awsEnv,
      ...resources.env,
      ...functionEnv({ options, chain, registryUrl: registry.url, registrySecret, nbkRatesUrl: nbk.url, receiptKey }),
      [CUSTODIAN_ENV]: JSON.stringify({
        url: `${custodian.url}/orders`,
        timeoutMs: 5_000,
        accounts: { [chain.chainId]: chain.custody },
      }),
      CUSTODIAN_SECRET: custodianSecret,
      MAIL_FROM: LOCAL_MAIL_FROM,
      MAIL_SMTP_URL: mail.smtpUrl,
    };
    // Handlers run in this process and read their configuration at module load, as in a Lambda container.
    Object.assign(process.env, env);
    // Only now may shared/aws load: its clients take AWS_ENDPOINT_URL at module load.
    serializeRequests((await import('../../shared/adapters/aws/dynamodb')).dynamodb);

    const api = await startApiPart(options, mail, parts, aws.endpoint);
    trustApi(env, api);

    const provider = await startAlchemyEmulator(chain, api.url, env, parts, log);

    await seedStartingData();

    const schedules =
      options.workers !== false ? startWorkers(aws, resources, parts, log) : new Map<string, Schedule>();

    return {
      apiUrl: api.url,
      chain,
      aws,
      resources,
      registry,
      custodian,
      mail,
      issuer: api.issuer,
      provider,
      schedules,
      env,
      stop: () => parts.stopAll(),
    };
  } catch (error) {
    await parts.stopAll();
    throw error;
  }
}

/** What the first invoice needs: reference data, today's NBK rate, the sample licensed-firm register. */
async function seedStartingData(): Promise<void> {
  // The deploy-time steps, as a deployment runs them: the reference data before the first invoice is priced.
  for (const fn of functions.filter((f) => f.triggers.some((t) => t.kind === 'deploy'))) await invoke(fn, {});
  // Seed today's NBK rate from the fixture before the first invoice is quoted.
  const refreshRates = functions.find((f) => f.name === 'refresh-rates');
  if (refreshRates) await invoke(refreshRates, {});
  // The sample licensed-firm register, so licence-requiring fees can be invoiced to the sample firm.
  await seedSampleRegister();
}

/**
 * The HTTP API with the dev issuer, the mail sink's list and the console, built now so it always matches the code
 * (into a directory of this run's own: runtimes side by side never share one; removed at stop).
 */
async function startApiPart(
  options: LocalRuntimeOptions,
  mail: MailSink,
  parts: StartedParts,
  awsEndpoint: string,
): Promise<ApiServer & { issuer: DevIssuer }> {
  const consoleDir = await mkdtemp(join(tmpdir(), 'stablefee-console-'));
  parts.add(() => rm(consoleDir, { recursive: true, force: true }));
  await buildConsole({ outDir: consoleDir, config: { mode: 'dev' } });
  const api = await startApiServer({
    port: options.apiPort ?? 3000,
    issuer: (baseUrl) => createDevIssuer(`${baseUrl}/dev`),
    devPages: { '/dev/mail': () => ({ messages: mail.messages() }) },
    // The console downloads an export's files from their presigned links, on the emulator's origin.
    staticSites: [{ prefix: '/console', dir: consoleDir, connectOrigins: [awsEndpoint] }],
  });
  parts.add(() => api.close());
  return api;
}

/** The SMTP sink payers' mail goes to, stopped with the rest. */
async function startMailPart(parts: StartedParts, log: (line: string) => void): Promise<MailSink> {
  const mail = await startMailSink();
  parts.add(() => mail.close());
  log(`mail sink     ${mail.smtpUrl} (messages at /dev/mail)`);
  return mail;
}

/** What has started so far, to stop in reverse order; a failing stop is logged and the others still run. */
class StartedParts {
  private readonly stops: (() => Promise<void>)[] = [];

  constructor(private readonly log: (line: string) => void) {}

  add(stop: () => Promise<void>): void {
    this.stops.push(stop);
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stops.reverse()) {
      await stop().catch((error) => this.log(`stop failed: ${String(error)}`));
    }
    this.stops.length = 0;
  }
}

/** The AWS emulator (spawned, or adopted from `awsEndpoint`) with the topology's table, queues and buckets. */
async function startAws(
  options: LocalRuntimeOptions,
  parts: StartedParts,
  log: (line: string) => void,
): Promise<{ aws: Emulator; awsEnv: Record<string, string>; resources: ProvisionedResources }> {
  const aws = await startEmulator({ adopt: options.awsEndpoint });
  parts.add(() => aws.stop());
  // Emulators accept any credentials; real ones must never be picked up by a local run.
  const awsEnv = {
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  Object.assign(process.env, awsEnv);
  const resources = await provision(aws.endpoint, 'stablefee', options.queueOverrides);
  log(`aws emulator  ${aws.endpoint}`);
  return { aws, awsEnv, resources };
}

/**
 * The functions' configuration beyond the AWS endpoint and the resource locations: the local chain, the mock
 * registry and NBK feed, fresh keys and secrets, and the local finality depths.
 */
function functionEnv(sources: {
  options: LocalRuntimeOptions;
  chain: LocalChain;
  registryUrl: string;
  registrySecret: string;
  nbkRatesUrl: string;
  receiptKey: string;
}): Record<string, string> {
  const { options, chain, registryUrl } = sources;
  return {
    STAGE: 'local',
    POWERTOOLS_SERVICE_NAME: 'stablefee',
    POWERTOOLS_METRICS_NAMESPACE: 'stablefee',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The chain's DepositFactory is deployed by now (startChain), so every invoice gets a forwarder address.
    CHAINS: JSON.stringify([{ chainId: chain.chainId, rpcUrl: chain.rpcUrl, depositFactory: chain.depositFactory }]),
    LOCAL_CHAIN_TOKENS: JSON.stringify(chain.tokens),
    REGISTRIES: JSON.stringify(
      Object.fromEntries(
        ['AFSA', 'MINFIN'].map((m) => [m, { url: `${registryUrl}/registries/${m}/receipts`, timeoutMs: 1_000 }]),
      ),
    ),
    REGISTRY_SECRET: sources.registrySecret,
    // Registry retries in seconds locally (a deployment spreads them over hours).
    PUBLISH_BACKOFF_BASE_SECONDS: String(options.publishBackoffSeconds ?? 1),
    PUBLISH_BACKOFF_MAX_SECONDS: String(Math.max(2, (options.publishBackoffSeconds ?? 1) * 4)),
    NBK_RATES_URL: sources.nbkRatesUrl,
    // Dev-only account xpub (public key, no secret); a deployment sets its own.
    DEPOSIT_XPUB: DEV_ACCOUNT_XPUB,
    RECEIPT_SIGNER_PRIVATE_KEY: sources.receiptKey,
    // The sweeper pays gas with Hardhat account 18 (never a payer, the deployer or custody).
    [sweeperKeyEnv.privateKey]: hardhatAccountKey(SWEEPER_ACCOUNT).privateKey,
    ...localWebhookSecrets(options.webhookSecretsFrom),
    LOCAL_FINALITY_DEPTH: String(options.finalityDepth ?? 3),
    ...(options.deepCheckDepth ? { LOCAL_DEEP_CHECK_DEPTH: String(options.deepCheckDepth) } : {}),
  };
}

/**
 * The Alchemy stand-in, signing with the functions' Alchemy secret and posting to the API; its address-management
 * API goes into `env` (and the process environment) for the watch-addresses function.
 */
async function startAlchemyEmulator(
  chain: LocalChain,
  apiUrl: string,
  env: Record<string, string>,
  parts: StartedParts,
  log: (line: string) => void,
): Promise<ProviderEmulator> {
  const provider = await startProviderEmulator({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    apiUrl,
    signingKey: env.WEBHOOK_SECRET_ALCHEMY as string,
    tokens: chain.tokens,
    authToken: randomBytes(16).toString('hex'),
    port: 0,
    onError: (error) => log(`[provider-emulator] ${String(error)}`),
  });
  parts.add(() => provider.close());
  env.ALCHEMY_NOTIFY_URL = provider.url;
  env.ALCHEMY_WEBHOOK_ID = provider.webhookId;
  env.ALCHEMY_AUTH_TOKEN = provider.authToken;
  Object.assign(process.env, env);
  log(`alchemy emu   ${provider.url}`);
  return provider;
}

/** A poller per queue trigger and a timer per schedule of the topology's functions; the schedules, by function. */
function startWorkers(
  aws: Emulator,
  resources: ProvisionedResources,
  parts: StartedParts,
  log: (line: string) => void,
): Map<string, Schedule> {
  // A receive that never answers would stall its loop for good (Lambda's pollers never hang): each call is bounded,
  // well past the pollers' one-second long poll, and a timed-out receive's messages come back after their visibility.
  const requestHandler = new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 15_000 });
  const sqs = new SQSClient({ endpoint: aws.endpoint, region: REGION, requestHandler });
  const pollers: QueuePoller[] = [];
  const schedules = new Map<string, Schedule>();
  for (const fn of functions) {
    for (const trigger of fn.triggers) {
      const onError = (error: unknown) => log(`[${fn.name}] ${String(error)}`);
      if (trigger.kind === 'queue') {
        const queueUrl = resources.queueUrls[trigger.queue as QueueName];
        const { batchSize } = trigger;
        // As many loops as the cloud's maximum concurrency, up to LOCAL_MAX_LOOPS: enough to run a queue's consumers
        // side by side as Lambda does, without a laptop (or a test run) polling ten times per queue.
        const maxConcurrency = Math.min(trigger.maxConcurrency ?? DEFAULT_QUEUE_MAX_CONCURRENCY, LOCAL_MAX_LOOPS);
        pollers.push(startQueuePoller({ sqs, queueUrl, fn, batchSize, maxConcurrency, region: REGION, onError }));
      } else if (trigger.kind === 'schedule') {
        schedules.set(fn.name, startSchedule({ fn, everySeconds: trigger.localEverySeconds, region: REGION, onError }));
      } else if (trigger.kind === 'stream') {
        throw new Error(`${fn.name}: stream triggers are not run by the local runtime yet`);
      }
    }
  }
  parts.add(async () => {
    await Promise.all([...pollers.map((p) => p.stop()), ...[...schedules.values()].map((s) => s.stop())]);
    sqs.destroy();
  });
  return schedules;
}
