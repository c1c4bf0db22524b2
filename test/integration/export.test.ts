/**
 * Exports against moto: POST /v1/exports → the `exports` queue → the worker streams the store's period to S3
 * (multipart) with a signed manifest → GET /v1/exports/{id} gives presigned links; the downloaded files verify
 * offline. Also: validation and roles, an idempotent re-run, an export continued across invocations through the
 * real queue, and the worker's memory at two store sizes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context, SQSEvent } from 'aws-lambda';
import { hexlify, randomBytes } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsRecord } from '../helpers/ledger';
import { useMoto } from '../helpers/moto';

const resources = await useMoto();
const signerKey = hexlify(randomBytes(32));
process.env.STAGE = 'local';
process.env.RECEIPT_SIGNER_PRIVATE_KEY = signerKey;

const { ddb } = await import('../../shared/adapters/aws/dynamodb');
const { s3 } = await import('../../shared/adapters/aws/s3');
const { sqs } = await import('../../shared/adapters/aws/sqs');
const { handler: requestExport } = await import('../../functions/request-export/handler');
const { handler: exportWorker } = await import('../../functions/export-worker/handler');
const { createInvoice } = await import('../../shared/adapters/dynamo/invoices');
const { transferItem } = await import('../../shared/adapters/dynamo/transfers');
const { putReceiptItems } = await import('../../shared/adapters/dynamo/receipts');
const { putJournalEntry } = await import('../../shared/adapters/dynamo/journal');
const { SYNTHETIC_FEE_VERSION, syntheticSources } = await import('../fixtures/synthetic-export');
const { runExport } = await import('../../shared/app/export');
const { s3Sink } = await import('../../shared/adapters/aws/s3-objects');
const { exportKeys, storeExportSources } = await import('../../shared/adapters/dynamo/exports');
const { verifyExportDir } = await import('../../tools/verify-export');
const { LocalKeySigner } = await import('../../shared/adapters/signing/key-signers');

const signer = new LocalKeySigner(signerKey);
const context = { functionName: 'test', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 60_000 } as Context;
/** The worker's invocation: its 15 minutes nearly whole. */
const workerContext = { ...context, getRemainingTimeInMillis: () => 890_000 } as Context;
const auditor = { sub: 'auditor-1', role: 'auditor' };
const HYPERLINK = '=HYPERLINK("http://x")';
const COUNT = 6;

function apiEvent(method: 'GET' | 'POST', path: string, claims: Record<string, string> | undefined, body?: unknown) {
  const id = path.split('/')[3];
  return {
    version: '2.0',
    routeKey: `${method} ${id ? '/v1/exports/{id}' : '/v1/exports'}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      http: { method, path },
      requestId: 'req-1',
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
    ...(id ? { pathParameters: { id } } : {}),
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

async function api(method: 'GET' | 'POST', path: string, body?: unknown, claims: Record<string, string> = auditor) {
  const r = (await requestExport(apiEvent(method, path, claims, body), context)) as {
    statusCode: number;
    body: string;
  };
  return { status: r.statusCode, json: r.body ? JSON.parse(r.body) : undefined };
}

/** Takes the export messages from the queue and hands them to the worker as Lambda would. */
async function drainExportQueue(): Promise<number> {
  let handled = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: resources.queueUrls.exports, MaxNumberOfMessages: 1, WaitTimeSeconds: 0 }),
    );
    const message = Messages[0];
    if (!message) return handled;
    const result = await exportWorker(sqsEvent(message.Body as string), workerContext);
    expect(result).toEqual({ batchItemFailures: [] });
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: resources.queueUrls.exports, ReceiptHandle: message.ReceiptHandle }),
    );
    handled++;
  }
}

const sqsEvent = (body: string): SQSEvent => ({ Records: [sqsRecord(body)] });

/** Writes the synthetic period (ids offset so sizes do not collide) into the table as the service would. */
async function seedSynthetic(count: number) {
  const sources = syntheticSources({
    count,
    signer,
    signed: true,
    payerName: (i) => (i === 2 ? HYPERLINK : `Firm ${i}`),
  });
  let i = 0;
  for await (const invoice of sources.invoices()) {
    const depositAddress = `0x${(i + 1).toString(16).padStart(40, '0')}`;
    await createInvoice({ ...invoice, depositAddress, options: [] });
    i++;
  }
  for await (const { transfer } of sources.transfers()) {
    await ddb.send(new PutCommand({ TableName: resources.tableName, Item: transferItem(transfer) }));
  }
  let previous = 0;
  for await (const { receipt } of sources.receipts()) {
    await ddb.send(new TransactWriteCommand({ TransactItems: putReceiptItems(receipt, previous) }));
    previous++;
  }
  for await (const entry of sources.journal()) {
    if (entry.kind === 'transfer-final')
      await ddb.send(new TransactWriteCommand({ TransactItems: [putJournalEntry(entry)] }));
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sf-int-export-'));
  await seedSynthetic(COUNT);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const period = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' };

describe('POST /v1/exports validation', () => {
  it.each([
    [{ from: period.to, to: period.from }, 'must be after from'],
    [{ from: '2025-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }, 'must not exceed one year'],
    [{ from: period.from, to: '2999-01-01T00:00:00Z' }, 'must not be in the future'],
    [{ ...period, ministry: 'afsa' }, 'ministry code'],
    [{ from: 'yesterday', to: period.to }, 'from'],
  ])('refuses %j', async (body, message) => {
    const r = await api('POST', '/v1/exports', body);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toContain(message);
  });

  it('is for auditors only', async () => {
    const ministry = { sub: 'm', role: 'ministry', ministry: 'AFSA' };
    expect((await api('POST', '/v1/exports', period, ministry)).status).toBe(403);
    expect((await api('GET', '/v1/exports/exp_AAAAAAAAAAAAAAAAAAAAAA', undefined, ministry)).status).toBe(403);
    expect((await api('GET', '/v1/exports/exp_AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await api('GET', '/v1/exports/nope')).status).toBe(404);
  });
});

describe('an export through the queue, S3 and presigned links', () => {
  let id: string;

  it('is accepted (202), runs, and lists its files with presigned links', async () => {
    const r = await api('POST', '/v1/exports', period);
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ status: 'requested', files: [], manifest: null, period });
    id = r.json.id;
    expect(id).toMatch(/^exp_[A-Za-z0-9_-]{22}$/);
    expect(await drainExportQueue()).toBe(1);
    const done = await api('GET', `/v1/exports/${id}`);
    expect(done.status).toBe(200);
    expect(done.json.status).toBe('done');
    expect(done.json.files.map((f: { name: string; rows: number }) => [f.name, f.rows])).toEqual([
      ['invoices.csv', COUNT],
      ['transfers.csv', COUNT],
      ['receipts.csv', COUNT],
      ['journal.csv', COUNT * 4],
      ['sweeps.csv', 0],
      ['refunds.csv', 0],
      ['compliance.csv', 0],
      ['settlements.csv', 0],
      ['bank.csv', 0],
      ['reconciliation.csv', 0],
      ['manifest.json', 0],
    ]);
    expect(done.json.files[0].url).toContain('X-Amz-Expires=900');
    expect(done.json.manifest.signer).toBe(await signer.address());
    for (const file of done.json.files) {
      const response = await fetch(file.url);
      expect(response.status).toBe(200);
      await writeFile(join(dir, file.name), Buffer.from(await response.arrayBuffer()));
    }
  });

  it('verifies offline against the signer, with the formula payer neutralized', async () => {
    const report = await verifyExportDir(dir, { expectedSigner: await signer.address() });
    expect(report.problems).toEqual([]);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(join(dir, 'invoices.csv'), 'utf8')).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(await readFile(join(dir, 'receipts.csv'), 'utf8')).toContain(`"'=HYPERLINK(""http://x"")"`);
    // Each receipt's fee version, as stored, in its fee_version cell (and equal to its invoice's: the report is clean).
    const versionCells = (await readFile(join(dir, 'receipts.csv'), 'utf8')).split(`,"${SYNTHETIC_FEE_VERSION}",`);
    expect(versionCells).toHaveLength(COUNT + 1);
  });

  it('a redelivered message is a no-op; a re-run after a failure rewrites the same objects', async () => {
    const before = (await api('GET', `/v1/exports/${id}`)).json;
    await exportWorker(sqsEvent(JSON.stringify({ exportId: id })), workerContext);
    expect((await api('GET', `/v1/exports/${id}`)).json.finishedAt).toBe(before.finishedAt);

    await ddb.send(
      new UpdateCommand({
        TableName: resources.tableName,
        Key: exportKeys.job(id),
        UpdateExpression: 'SET #s = :f',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':f': 'failed' },
      }),
    );
    expect(await exportWorker(sqsEvent(JSON.stringify({ exportId: id })), workerContext)).toEqual({
      batchItemFailures: [],
    });
    const after = (await api('GET', `/v1/exports/${id}`)).json;
    expect(after).toMatchObject({ status: 'done', attempts: 2 });
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: resources.bucketNames.exports, Prefix: `exports/${id}/` }),
    );
    expect((listed.Contents ?? []).map((o) => o.Key?.split('/').pop()).sort()).toEqual([
      'bank.csv',
      'compliance.csv',
      'invoices.csv',
      'journal.csv',
      'manifest.json',
      'receipts.csv',
      'reconciliation.csv',
      'refunds.csv',
      'settlements.csv',
      'sweeps.csv',
      'transfers.csv',
    ]);
    // Same data, same CSV bytes; only the manifest's generatedAt (and so its signature) is new.
    for (const name of ['invoices.csv', 'receipts.csv', 'journal.csv']) {
      const sha = (files: { name: string; sha256: string }[]) => files.find((f) => f.name === name)?.sha256;
      expect(sha(after.files)).toBe(sha(before.files));
    }
  });

  it('exports one ministry only when asked', async () => {
    const r = await api('POST', '/v1/exports', { ...period, ministry: 'MINFIN' });
    expect(r.status).toBe(202);
    await drainExportQueue();
    const done = (await api('GET', `/v1/exports/${r.json.id}`)).json;
    expect(done.status).toBe('done');
    expect(done.manifest.ministry).toBe('MINFIN');
    expect(done.files.slice(0, 4).map((f: { rows: number }) => f.rows)).toEqual([0, 0, 0, 0]);
  });
});

describe('an export continued across invocations through the queue', () => {
  const twoDays = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z' };
  let id: string;
  const continuedDir = () => join(dir, 'continued');

  beforeAll(async () => {
    // A second day with one open invoice, so invoices.csv has a part from each day's segment.
    const [invoice] = await (async () => {
      const out = [];
      for await (const i of syntheticSources({ count: 1, signer }).invoices()) out.push(i);
      return out;
    })();
    if (!invoice) throw new Error('no synthetic invoice');
    const { receiptId: _r, paidAt: _p, ...open } = invoice;
    await createInvoice({
      ...open,
      id: 'inv_day2AAAAAAAAAAAAAAAAAA',
      createdAt: '2026-03-02T10:00:00.000Z',
      expiresAt: '2026-03-02T11:00:00.000Z',
      status: 'expired',
      paidMicroUsd: 0n,
      payments: [],
      depositAddress: `0x${'d2'.repeat(20)}`,
      options: [],
    });
  });

  it('runs a segment per invocation when the worker keeps more time free than it has, and verifies', async () => {
    // The time kept free exceeds any invocation's: each segment stops after one day (at least one is written).
    process.env.EXPORT_RESERVE_SECONDS = '100000';
    try {
      const r = await api('POST', '/v1/exports', twoDays);
      expect(r.status).toBe(202);
      id = r.json.id;
      // Day one, day two, then the closing step: three deliveries, two of them continuations the worker sent.
      expect(await drainExportQueue()).toBe(3);
    } finally {
      delete process.env.EXPORT_RESERVE_SECONDS;
    }
    const done = (await api('GET', `/v1/exports/${id}`)).json;
    expect(done).toMatchObject({ status: 'done', attempts: 3 });
    expect(done.manifest.format).toBe('stablefee-export/2');
    const invoices = done.manifest.files.filter((f: { kind: string }) => f.kind === 'invoices.csv');
    expect(invoices.map((f: { name: string; rows: number }) => [f.name, f.rows])).toEqual([
      ['invoices.csv', COUNT],
      ['invoices.part0002.csv', 1],
    ]);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(continuedDir());
    for (const file of done.files) {
      const response = await fetch(file.url);
      expect(response.status).toBe(200);
      await writeFile(join(continuedDir(), file.name), Buffer.from(await response.arrayBuffer()));
    }
    const report = await verifyExportDir(continuedDir(), { expectedSigner: await signer.address() });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('treats the job message delivered again as a no-op', async () => {
    const before = (await api('GET', `/v1/exports/${id}`)).json;
    await exportWorker(sqsEvent(JSON.stringify({ exportId: id })), workerContext);
    expect((await api('GET', `/v1/exports/${id}`)).json).toMatchObject({ attempts: 3, finishedAt: before.finishedAt });
  });
});

describe('memory of the export from the store', () => {
  // The `gc` of this process, without a command-line flag.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;

  /** Seeds `count` receipts (about 3 KB each, as the service stores them) in a month of their own. */
  async function seedReceipts(month: string, count: number) {
    const [template] = await (async () => {
      const out = [];
      for await (const r of syntheticSources({ count: 1, signer, signed: true }).receipts()) out.push(r.receipt);
      return out;
    })();
    const items = Array.from({ length: count }, (_, i) => {
      const receiptId = `rcp_${month.replace('-', '')}${String(i).padStart(16, '0')}`;
      const issuedAt = new Date(Date.parse(`${month}-01T00:00:00.000Z`) + i * 1000).toISOString();
      const receipt = { ...template, receiptId, receiptNo: String(i + 1), issuedAt, paidAt: issuedAt } as NonNullable<
        typeof template
      >;
      return (putReceiptItems(receipt, i)[0] as { Put: { Item: Record<string, unknown> } }).Put.Item;
    });
    const batches = [];
    for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
    for (let i = 0; i < batches.length; i += 8) {
      await Promise.all(
        batches.slice(i, i + 8).map((batch) =>
          ddb.send(
            new BatchWriteCommand({
              RequestItems: { [resources.tableName]: batch.map((Item) => ({ PutRequest: { Item } })) },
            }),
          ),
        ),
      );
    }
  }

  /** Runs the worker's export path (store pages → CSV → S3 multipart) and samples the live heap per sink write. */
  async function measure(month: string, count: number) {
    const to = new Date(Date.parse(`${month}-01T00:00:00.000Z`) + (count + 1) * 1000).toISOString();
    const job = { id: `exp_mem_${month}`, from: `${month}-01T00:00:00.000Z`, to };
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = base;
    let writes = 0;
    const started = Date.now();
    const result = await runExport(job, {
      sources: storeExportSources(job),
      tokenInfo: () => undefined,
      sinkFor: (name, contentType) => {
        const sink = s3Sink(s3, { bucket: resources.bucketNames.exports, key: `mem/${month}/${name}`, contentType });
        return {
          ...sink,
          async write(chunk) {
            if (++writes % 32 === 0) {
              gc();
              peak = Math.max(peak, process.memoryUsage().heapUsed);
            }
            await sink.write(chunk);
          },
        };
      },
      signer,
      now: () => new Date(),
    });
    const receipts = result.files.find((f) => f.name === 'receipts.csv');
    return {
      count,
      heapGrowthMiB: (peak - base) / 2 ** 20,
      receiptsCsvMiB: (receipts?.bytes ?? 0) / 2 ** 20,
      rows: receipts?.rows,
      ms: Date.now() - started,
    };
  }

  it('does not grow with the number of receipts (1,000 vs 10,000 from moto)', async () => {
    const t0 = Date.now();
    await seedReceipts('2026-05', 1_000);
    await seedReceipts('2026-06', 10_000);
    const seededMs = Date.now() - t0;
    const small = await measure('2026-05', 1_000);
    const large = await measure('2026-06', 10_000);
    console.log(`store export memory (seeded in ${seededMs} ms): ${JSON.stringify(small)} vs ${JSON.stringify(large)}`);
    expect(small.rows).toBe(1_000);
    expect(large.rows).toBe(10_000);
    // The 10,000-receipt CSV is ~30 MiB and parts are 5 MiB: the live heap holds at most a part and a page.
    expect(large.heapGrowthMiB).toBeLessThan(small.heapGrowthMiB + 8);
    expect(large.heapGrowthMiB).toBeLessThan(large.receiptsCsvMiB / 2);
  }, 300_000);
});
