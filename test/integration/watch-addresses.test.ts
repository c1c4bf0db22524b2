/**
 * functions/watch-addresses against the local Alchemy emulator (real HTTP, the emulator's token check) and a tiny
 * recording server standing in for Moralis Streams and QuickNode's Key-Value Store: a watch record makes the
 * provider watch the address, an unwatch removes it, a refused call fails only its record (partial batch failure),
 * retrying a record is harmless, and in the cloud the Alchemy token comes from the Secrets Manager JSON.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { Wallet } from 'ethers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalChain, startChain } from '../../infra/local/chain';
import { type ProviderEmulator, startProviderEmulator } from '../../infra/local/provider-emulator';
import { useMoto } from '../helpers/moto';

await useMoto();
delete process.env.WEBHOOK_SECRETS_ARN;
const { handler } = await import('../../functions/watch-addresses/handler');
const { quicknodeWatcher } = await import('../../shared/adapters/providers/address-watch');

const AUTH_TOKEN = 'alchemy-notify-token-test';
const MORALIS_STREAM_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const MORALIS_KEY = 'moralis-api-key-test';
const QUICKNODE_LIST = 'stablefee-deposits';
const QUICKNODE_KEY = 'quicknode-api-key-test';

const PROVIDER_ENV = [
  'ALCHEMY_NOTIFY_URL',
  'ALCHEMY_WEBHOOK_ID',
  'ALCHEMY_AUTH_TOKEN',
  'MORALIS_STREAMS_URL',
  'MORALIS_STREAM_ID',
  'MORALIS_API_KEY',
  'QUICKNODE_API_URL',
  'QUICKNODE_WATCH_LIST',
  'QUICKNODE_API_KEY',
  'WEBHOOK_SECRETS_ARN',
];

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

let chain: LocalChain;
let emulator: ProviderEmulator;
let recorder: Server;
let recorderUrl: string;
const recorded: Recorded[] = [];
/** Status the recorder answers with, per path prefix (200 otherwise). */
const statusFor = new Map<string, number>();
/** Paths the recorder never answers. */
const hang = new Set<string>();

const context = {
  functionName: 'watch-addresses',
  awsRequestId: 'r-1',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

let sequence = 0;
function record(body: unknown): SQSRecord {
  sequence++;
  return {
    messageId: `m-${sequence}`,
    receiptHandle: `rh-${sequence}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:addressWatch',
    awsRegion: 'us-east-1',
  };
}

async function run(...records: SQSRecord[]): Promise<string[]> {
  const event: SQSEvent = { Records: records };
  const result = (await handler(event, context)) as { batchItemFailures: { itemIdentifier: string }[] };
  return result.batchItemFailures.map((f) => f.itemIdentifier);
}

function useAlchemyOnly(token = AUTH_TOKEN): void {
  process.env.ALCHEMY_NOTIFY_URL = emulator.url;
  process.env.ALCHEMY_WEBHOOK_ID = emulator.webhookId;
  process.env.ALCHEMY_AUTH_TOKEN = token;
}

function useAllProviders(): void {
  useAlchemyOnly();
  Object.assign(process.env, {
    MORALIS_STREAMS_URL: recorderUrl,
    MORALIS_STREAM_ID,
    MORALIS_API_KEY: MORALIS_KEY,
    QUICKNODE_API_URL: recorderUrl,
    QUICKNODE_WATCH_LIST: QUICKNODE_LIST,
    QUICKNODE_API_KEY: QUICKNODE_KEY,
  });
}

const address = () => Wallet.createRandom().address;

beforeAll(async () => {
  chain = await startChain({ port: 0 });
  emulator = await startProviderEmulator({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    apiUrl: 'http://127.0.0.1:9', // no transfers are made: nothing is delivered
    signingKey: 'whsec_unused',
    tokens: chain.tokens,
    authToken: AUTH_TOKEN,
    webhookId: 'wh_watch_test',
  });
  recorder = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = req.url ?? '/';
    if ([...hang].some((p) => path.startsWith(p))) return; // never answers
    const text = Buffer.concat(chunks).toString('utf8');
    recorded.push({
      method: req.method ?? '',
      path,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: text ? JSON.parse(text) : undefined,
    });
    const status = [...statusFor.entries()].find(([p]) => path.startsWith(p))?.[1] ?? 200;
    res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{}' : '{"message":"boom"}');
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  const bound = recorder.address();
  recorderUrl = `http://127.0.0.1:${typeof bound === 'object' && bound ? bound.port : 0}`;
});

afterAll(async () => {
  await emulator?.close();
  await new Promise<void>((resolve) => {
    if (!recorder) return resolve();
    recorder.closeAllConnections();
    recorder.close(() => resolve());
  });
  await chain?.close();
});

beforeEach(() => {
  for (const name of PROVIDER_ENV) delete process.env[name];
  recorded.length = 0;
  statusFor.clear();
  hang.clear();
});

afterEach(() => {
  for (const name of PROVIDER_ENV) delete process.env[name];
});

describe('watch-addresses with the Alchemy emulator', () => {
  it('a watch record makes the emulator watch the address; an unwatch removes it', async () => {
    useAlchemyOnly();
    const deposit = address();
    expect(await run(record({ action: 'watch', addresses: [deposit], invoiceId: 'inv_1' }))).toEqual([]);
    expect(emulator.watched()).toContain(deposit.toLowerCase());

    // Seen through the emulator's Notify API as well.
    const listed = await fetch(`${emulator.url}/api/webhook-addresses?webhook_id=${emulator.webhookId}`, {
      headers: { 'x-alchemy-token': AUTH_TOKEN },
    });
    expect(((await listed.json()) as { data: string[] }).data).toContain(deposit.toLowerCase());

    // Redelivery of the same message is harmless.
    expect(await run(record({ action: 'watch', addresses: [deposit] }))).toEqual([]);
    expect(emulator.watched().filter((a) => a === deposit.toLowerCase())).toHaveLength(1);

    expect(await run(record({ action: 'unwatch', addresses: [deposit], invoiceId: 'inv_1' }))).toEqual([]);
    expect(emulator.watched()).not.toContain(deposit.toLowerCase());
    // Unwatching an address no longer watched is harmless too.
    expect(await run(record({ action: 'unwatch', addresses: [deposit] }))).toEqual([]);
  });

  it('with a wrong token, every record is reported in batchItemFailures and nothing is watched', async () => {
    useAlchemyOnly('not-the-token');
    const deposits = [address(), address()];
    const records = deposits.map((a) => record({ action: 'watch', addresses: [a] }));
    expect(await run(...records)).toEqual(records.map((r) => r.messageId));
    for (const a of deposits) expect(emulator.watched()).not.toContain(a.toLowerCase());
  });

  it('a malformed record fails alone; the rest of the batch is applied', async () => {
    useAlchemyOnly();
    const deposit = address();
    const bad = [
      record('not json'),
      record({ action: 'watch', addresses: ['0x1234'] }),
      record({ action: 'watch', addresses: [deposit], providers: ['infura'] }),
    ];
    const good = record({ action: 'watch', addresses: [deposit] });
    expect(await run(bad[0] as SQSRecord, good, bad[1] as SQSRecord, bad[2] as SQSRecord)).toEqual(
      bad.map((r) => r.messageId),
    );
    expect(emulator.watched()).toContain(deposit.toLowerCase());
  });

  it('with no provider configured, records succeed (the scanner covers the addresses)', async () => {
    expect(await run(record({ action: 'watch', addresses: [address()] }))).toEqual([]);
  });

  it('in the cloud, the Alchemy token comes from the Secrets Manager JSON (WEBHOOK_SECRETS_ARN)', async () => {
    const sm = new SecretsManagerClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION });
    const created = await sm.send(
      new CreateSecretCommand({
        Name: `stablefee/webhooks-${randomBytes(4).toString('hex')}`,
        SecretString: JSON.stringify({ alchemy: 'whsec_x', alchemyAuthToken: AUTH_TOKEN }),
      }),
    );
    sm.destroy();
    useAlchemyOnly('env-token-is-ignored-in-the-cloud');
    process.env.WEBHOOK_SECRETS_ARN = created.ARN;
    const deposit = address();
    expect(await run(record({ action: 'watch', addresses: [deposit] }))).toEqual([]);
    expect(emulator.watched()).toContain(deposit.toLowerCase());
  });
});

describe('watch-addresses with Moralis and QuickNode (recording server)', () => {
  it('sends each provider its own request: method, path, headers and body', async () => {
    useAllProviders();
    const deposit = address();
    const lower = deposit.toLowerCase();
    expect(await run(record({ action: 'watch', addresses: [deposit] }))).toEqual([]);
    expect(emulator.watched()).toContain(lower);
    const byPath = (path: string) => recorded.filter((r) => r.path === path);
    const moralisPath = `/streams/evm/${MORALIS_STREAM_ID}/address`;
    const quicknodePath = `/kv/rest/v1/lists/${QUICKNODE_LIST}`;
    expect(byPath(moralisPath)).toEqual([
      {
        method: 'POST',
        path: moralisPath,
        headers: expect.objectContaining({ 'x-api-key': MORALIS_KEY, 'content-type': 'application/json' }),
        body: { address: [lower] },
      },
    ]);
    expect(byPath(quicknodePath)).toEqual([
      {
        method: 'PATCH',
        path: quicknodePath,
        headers: expect.objectContaining({ 'x-api-key': QUICKNODE_KEY, 'content-type': 'application/json' }),
        body: { addItems: [lower], removeItems: [] },
      },
    ]);
    // No credential of one provider is sent to another.
    expect(recorded.every((r) => r.headers['x-alchemy-token'] === undefined)).toBe(true);

    recorded.length = 0;
    expect(await run(record({ action: 'unwatch', addresses: [deposit] }))).toEqual([]);
    expect(emulator.watched()).not.toContain(lower);
    expect(recorded.map((r) => [r.method, r.path, r.body])).toEqual(
      expect.arrayContaining([
        ['DELETE', moralisPath, { address: [lower] }],
        ['PATCH', quicknodePath, { addItems: [], removeItems: [lower] }],
      ]),
    );
    expect(recorded).toHaveLength(2);
  });

  it('providers limits a record to the named ones', async () => {
    useAllProviders();
    const deposit = address();
    expect(await run(record({ action: 'watch', addresses: [deposit], providers: ['quicknode'] }))).toEqual([]);
    expect(recorded.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /kv/rest/v1/lists/${QUICKNODE_LIST}`]);
    expect(emulator.watched()).not.toContain(deposit.toLowerCase());
  });

  it('one failing provider fails the record; the others were applied, and the retry is harmless', async () => {
    useAllProviders();
    statusFor.set('/streams/', 503);
    const deposit = address();
    const message = record({ action: 'watch', addresses: [deposit] });
    expect(await run(message)).toEqual([message.messageId]);
    expect(emulator.watched()).toContain(deposit.toLowerCase());
    expect(recorded.map((r) => r.method).sort()).toEqual(['PATCH', 'POST']);

    // SQS redelivers the same record once Moralis is back: every provider is called again, with the same effect.
    statusFor.clear();
    recorded.length = 0;
    expect(await run({ ...message, attributes: { ...message.attributes, ApproximateReceiveCount: '2' } })).toEqual([]);
    expect(recorded.map((r) => r.method).sort()).toEqual(['PATCH', 'POST']);
    expect(emulator.watched().filter((a) => a === deposit.toLowerCase())).toHaveLength(1);
  });

  it('a provider that does not answer times out instead of hanging the function', async () => {
    hang.add('/kv/');
    const watcher = quicknodeWatcher({ baseUrl: recorderUrl, listKey: 'l', apiKey: QUICKNODE_KEY, timeoutMs: 200 });
    const started = Date.now();
    const error = await watcher.watch([address()]).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toMatchObject({ name: 'AddressWatchError', provider: 'quicknode', status: undefined });
    expect(String((error as Error).message)).toContain('TimeoutError');
    expect(String((error as Error).message)).not.toContain(QUICKNODE_KEY);
  });
});
