/**
 * Settlement end to end on the local runtime (issue 13's "done when"): MINFIN invoices are paid and swept to
 * custody; the mock custodian converts custody funds on chain and hands over its settlement report and the state
 * account's camt.053 statement; the operator uploads both; the reconciliation shows every item matched, per-KBK
 * totals and a balanced journal. A second conversion whose statement credits 1 KZT short is exactly one
 * `amount_mismatch`. Bad uploads (wrong columns, negative amounts, malformed XML, an entity bomb, an oversized body,
 * another file under a stored batch id) each get a 4xx problem and store nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettlementDocuments } from '../../infra/local/mock-custodian';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { kazakhstanDay } from '../../shared/domain/time';
import { parseCsv } from '../../tools/export-csv';
import { verifyExportDir } from '../../tools/verify-export';
import { type ApiClient, apiClient } from '../helpers/api';
import { pay, until } from '../helpers/runtime';

let runtime: LocalRuntime;
let api: ApiClient;
let minfin: string;
let auditor: string;
let operator: string;
let today: string;
let rate: string;
let startedAt: string;
let dir: string | undefined;

const payer = { bin: '940140000385', name: 'Test Firm LLP' };

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, finalityDepth: 3 });
  api = apiClient(runtime.apiUrl);
  [minfin, auditor, operator] = await Promise.all([
    api.token({ role: 'ministry', ministry: 'MINFIN' }),
    api.token({ role: 'auditor' }),
    api.token({ role: 'operator' }),
  ]);
  today = kazakhstanDay(new Date());
  startedAt = new Date(Date.now() - 1000).toISOString();
});

afterAll(async () => {
  await runtime?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Issues a MINFIN invoice, pays it in USDT and waits until it is swept to custody; answers its USDT amount. */
async function paidAndSwept(feeCode: string, payerIndex: number): Promise<bigint> {
  const issued = await api.call('POST', '/v1/invoices', { token: minfin, body: { feeCode, payer } });
  expect(issued.status).toBe(201);
  const invoice = issued.json;
  rate = invoice.quote.rate;
  const usdt = runtime.chain.tokens.find((t) => t.symbol === 'USDT')?.address;
  const amount = BigInt(invoice.options.find((o: { token: string }) => o.token === usdt).amount);
  await pay(runtime, invoice.depositAddress, amount, payerIndex);
  await until(
    async () => (await api.call('GET', `/v1/invoices/${invoice.id}`, { token: minfin })).json,
    (i) => i.status === 'paid' && i.sweeps?.[0]?.state === 'final',
    90_000,
  );
  return amount;
}

const usdtAddress = () => runtime.chain.tokens.find((t) => t.symbol === 'USDT')?.address as string;

async function upload(path: string, body: string, contentType: string) {
  return api.call('POST', path, { token: operator, rawBody: body, headers: { 'content-type': contentType } });
}

async function reconciliation() {
  const r = await api.call('GET', `/v1/reconciliation?from=${today}&to=${today}`, { token: auditor });
  expect(r.status, r.text).toBe(200);
  return r.json;
}

/** The reconciliation once the custodian's outflows are final (until then they are not yet custody outflows). */
const reconciliationOfFinalOutflows = () =>
  until(
    reconciliation,
    (r) => !r.exceptions.some((e: { reason: string }) => e.reason === 'no_custody_outflow'),
    30_000,
  );

/** A custodian rate 0.3 % above the NBK rate the invoices were quoted at: within the 2 % tolerance. */
const custodianRate = () => (Number(rate) * 1.003).toFixed(2);

describe('settlement on the local stack', () => {
  let firstBatch: SettlementDocuments;

  it('reconciles paid, swept and converted invoices three ways: all matched, per-KBK totals, journal balanced', async () => {
    const apostille = await paidAndSwept('MINFIN-DUTY-APOSTILLE', 1);
    const licence = await paidAndSwept('MINFIN-LIC-FEE', 2);
    firstBatch = await runtime.custodian.settle({
      conversions: [
        { token: usdtAddress(), amount: apostille.toString(), kbk: '108125' },
        { token: usdtAddress(), amount: licence.toString(), kbk: '105402' },
      ],
      rate: custodianRate(),
    });
    const report = await upload('/v1/settlements', firstBatch.csv, 'text/csv');
    expect(report.status, report.text).toBe(201);
    expect(report.json.batch).toMatchObject({ batchId: firstBatch.batchId, lines: 2 });
    expect(report.json.batch.sha256).toMatch(/^[0-9a-f]{64}$/);
    const statement = await upload('/v1/bank-statements', firstBatch.camt053, 'application/xml');
    expect(statement.status, statement.text).toBe(201);
    expect(statement.json.entries).toHaveLength(2);

    const result = await reconciliationOfFinalOutflows();
    expect(result.exceptions).toEqual([]);
    expect(result.summary).toEqual({ lines: 2, matched: 2, exceptions: 0, journalBalanced: true, refundOutflows: 0 });
    expect(result.items.map((i: { txHash: string }) => i.txHash).sort()).toEqual(firstBatch.txHashes.slice().sort());
    for (const item of result.items) {
      expect(item).toMatchObject({ status: 'matched', nbkRate: expect.any(String), outflowAmount: item.tokenAmount });
      expect(item.fxVariance).not.toBeNull();
    }
    expect(result.kbkTotals.map((t: { kbk: string; lines: number }) => [t.kbk, t.lines])).toEqual([
      ['105402', 1],
      ['108125', 1],
    ]);
    const kinds = result.journal.map((e: { kind: string }) => e.kind).sort();
    expect(kinds).toEqual(['settlement-credit', 'settlement-credit', 'settlement-outflow', 'settlement-outflow']);
  }, 240_000);

  it('answers a re-upload of the same report as stored, and refuses another file under its batch id', async () => {
    const again = await upload('/v1/settlements', firstBatch.csv, 'text/csv');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const altered = firstBatch.csv.replace(/,108125/, ',105402');
    const conflict = await upload('/v1/settlements', altered, 'text/csv');
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toBe('application/problem+json');
    expect((await reconciliation()).summary).toMatchObject({ lines: 2, matched: 2 });
  });

  it('makes exactly the credit 1 KZT short an amount_mismatch', async () => {
    const dup = await paidAndSwept('MINFIN-DUTY-LIC-DUP', 3);
    const second = await runtime.custodian.settle({
      conversions: [{ token: usdtAddress(), amount: dup.toString(), kbk: '108125' }],
      rate: custodianRate(),
      shortBy: { index: 0, minor: '100' },
    });
    expect((await upload('/v1/settlements', second.csv, 'text/csv')).status).toBe(201);
    expect((await upload('/v1/bank-statements', second.camt053, 'application/xml')).status).toBe(201);
    const result = await reconciliationOfFinalOutflows();
    expect(result.exceptions).toEqual([
      expect.objectContaining({ reason: 'amount_mismatch', batchId: second.batchId, txHash: second.txHashes[0] }),
    ]);
    expect(result.summary).toMatchObject({ lines: 3, matched: 2, exceptions: 1, journalBalanced: true });
  }, 180_000);

  it('exports the settlement files, which verify offline; an edited settlements.csv fails', async () => {
    const started = await api.call('POST', '/v1/exports', {
      token: auditor,
      body: { from: startedAt, to: new Date().toISOString() },
    });
    expect(started.status, started.text).toBe(202);
    const done = await until(
      async () => (await api.call('GET', `/v1/exports/${started.json.id}`, { token: auditor })).json,
      (e) => e.status === 'done' || e.status === 'failed',
      60_000,
    );
    expect(done.status).toBe('done');
    dir = await mkdtemp(join(tmpdir(), 'sf-e2e-settlement-'));
    for (const file of done.files) {
      await writeFile(join(dir, file.name), Buffer.from(await (await fetch(file.url)).arrayBuffer()));
    }
    expect(done.manifest.totals.reconciliation).toMatchObject({
      byStatus: { matched: 2, exception: 1 },
      byReason: { amount_mismatch: 1 },
    });
    expect(done.manifest.totals.settlements.rows).toBe(3);
    const signer = (await api.call('GET', '/v1/health')).json.signer;
    expect((await verifyExportDir(dir, { expectedSigner: signer })).problems).toEqual([]);
    const path = join(dir, 'settlements.csv');
    const [header, first] = parseCsv(await readFile(path));
    const at = header?.indexOf('fiat_amount_minor') ?? -1;
    // Every cell is quoted: one KZT more on the first line's fiat amount.
    const cell = `"${first?.[at]}"`;
    const text = await readFile(path, 'utf8');
    expect(text).toContain(cell);
    await writeFile(path, text.replace(cell, `"${BigInt(first?.[at] ?? 0) + 100n}"`));
    const problems = (await verifyExportDir(dir, { expectedSigner: signer })).problems;
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^settlements\.csv: SHA-256/)]));
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/disagrees with reconciliation\.csv/)]));
  }, 120_000);
});

describe('bad uploads', () => {
  const s3 = () => new S3Client({ endpoint: runtime.aws.endpoint, region: 'us-east-1', forcePathStyle: true });
  const stored = async () => {
    const bucket = runtime.env.BUCKET_UPLOADS as string;
    const listed = await s3().send(new ListObjectsV2Command({ Bucket: bucket }));
    return { objects: listed.KeyCount ?? 0, summary: (await reconciliation()).summary };
  };
  const header =
    'batchId,chainId,token,txHash,tokenAmount,fiatCurrency,fiatAmount,rate,feeAmount,valueDate,bankReference,kbk';
  const row = (tokenAmount: string) =>
    `BAD-1,31337,${usdtAddress()},0x${'ab'.repeat(32)},${tokenAmount},KZT,1000.00,500,0,${today},BAD-REF,108125`;

  it('each gets a clear 4xx problem and stores nothing', async () => {
    const before = await stored();
    const cases: [string, string, string, number, RegExp][] = [
      ['/v1/settlements', `batch,chain\n${row('2')}`, 'text/csv', 400, /unknown column \\"batch\\"/],
      ['/v1/settlements', `${header}\n${row('-2')}`, 'text/csv', 400, /line 2, column tokenAmount/],
      ['/v1/settlements', `${header}\n${row('2')}`, 'application/json', 415, /text\/csv/],
      ['/v1/bank-statements', '<Document><BkToCstmrStmt>', 'application/xml', 400, /well-formed/],
      [
        '/v1/bank-statements',
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Document>&b;</Document>',
        'application/xml',
        400,
        /DOCTYPE/,
      ],
      ['/v1/bank-statements', `<Document>${' '.repeat(6 * 1024 * 1024)}</Document>`, 'application/xml', 413, /at most/],
    ];
    for (const [path, body, type, status, detail] of cases) {
      const r = await upload(path, body, type);
      expect(r.status, `${path} ${r.text.slice(0, 200)}`).toBe(status);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.stringify(r.json)).toMatch(detail);
    }
    // 20 MB: past API Gateway's own 10 MB payload limit, refused at the front door before any function runs.
    const huge = await upload('/v1/settlements', `${header}\n${'x'.repeat(20 * 1024 * 1024)}`, 'text/csv');
    expect(huge.status).toBe(413);
    expect(await stored()).toEqual(before);
  }, 120_000);
});
