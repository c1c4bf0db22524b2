/**
 * Export: rows per second and peak RSS of the export worker (functions/export-worker, the real handler on one SQS
 * record) exporting R receipts from moto to S3 on moto, against reading the same items from the table alone (the
 * same gsi2 Query pages of the same period, items discarded: no CSV, no hash, no upload), measured in the same run.
 * Peak RSS is compared between two sizes to show it is flat in the row count.
 *
 * Sizes: the issue asks for 100,000 rows, but moto answers a paged Query at a few hundred items per second (one
 * request at a time, Python), so 100,000 would take most of an hour; the bench exports R = 10,000 (BENCH_EXPORT_ROWS)
 * and R = 2,000 (BENCH_EXPORT_SMALL) for RSS flatness. Each size is seeded (BatchWriteItem, 25 items a request, as
 * test/integration/export.test.ts seeds them: ~3 KB receipt items shaped by `putReceiptItems`, each with a minimal
 * invoice item the worker looks up) in a month of its own,
 * then every measurement runs in a fresh Node process (lib/export-child.ts) so `maxRSS` is that run's alone:
 * read, export, read (the two reads' mean is the comparison, bracketing the export against moto drift).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hexlify, randomBytes } from 'ethers';
import { startEmulator } from '../../../infra/local/moto';
import { provision } from '../../../infra/local/provision';
import { intEnv, onInterrupt, pointAwsAt, progress, runSection } from '../lib/section';
import { round } from '../lib/stats';

const log = (m: string) => progress('export', m);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

interface ChildResult {
  mode: 'export' | 'read';
  rows: number;
  ms: number;
  ddbBusyMs: number;
  ddbCalls: Record<string, number>;
  rssStartMb: number;
  peakRssMb: number;
}

function child(mode: 'export' | 'read', month: string, count: number, outDir: string): Promise<ChildResult> {
  const out = join(outDir, `${mode}-${month}-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/bench/lib/export-child.ts')], {
      cwd: root,
      env: {
        ...process.env,
        BENCH_EXPORT_MODE: mode,
        BENCH_EXPORT_MONTH: month,
        BENCH_EXPORT_COUNT: String(count),
        BENCH_OUT: out,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    p.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(readFileSync(out, 'utf8'))) : reject(new Error(`${mode} child exited ${code}`)),
    );
  });
}

runSection('export', async () => {
  const large = intEnv('BENCH_EXPORT_ROWS', 10_000);
  const small = intEnv('BENCH_EXPORT_SMALL', 2_000);
  const aws = await startEmulator();
  onInterrupt(() => aws.stop());
  try {
    pointAwsAt(aws.endpoint, { STAGE: 'local', RECEIPT_SIGNER_PRIVATE_KEY: hexlify(randomBytes(32)) });
    Object.assign(process.env, (await provision(aws.endpoint)).env);
    const { ddb } = await import('../../../shared/adapters/aws/dynamodb');
    const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
    const { tableName } = await import('../../../shared/adapters/config');
    const { putReceiptItems } = await import('../../../shared/adapters/dynamo/receipts');
    const { invoiceKeys } = await import('../../../shared/adapters/dynamo/invoices');
    const { syntheticSources } = await import('../../fixtures/synthetic-export');
    const { LocalKeySigner } = await import('../../../shared/adapters/signing/key-signers');
    const signer = new LocalKeySigner(process.env.RECEIPT_SIGNER_PRIVATE_KEY as string);
    let template: Awaited<ReturnType<typeof firstReceipt>>;
    async function firstReceipt() {
      for await (const r of syntheticSources({ count: 1, signer, signed: true }).receipts()) return r.receipt;
      throw new Error('no synthetic receipt');
    }
    template = await firstReceipt();

    /**
     * `count` receipts one second apart in `month`, as the integration test seeds them, each of its own invoice
     * (the worker looks every page's invoices up with BatchGetItem, 100 keys a request, for `invoice_created_at`).
     * The invoice items are minimal and issued the month before, so they are looked up but not exported.
     */
    async function seed(month: string, count: number) {
      const m = month.replace('-', '');
      const invoiceCreatedAt = new Date(Date.parse(`${month}-01T00:00:00.000Z`) - 86_400_000).toISOString();
      const items = Array.from({ length: count }, (_, i) => {
        const receiptId = `rcp_${m}${String(i).padStart(16, '0')}`;
        const invoiceId = `inv_${m}${String(i).padStart(16, '0')}`;
        const issuedAt = new Date(Date.parse(`${month}-01T00:00:00.000Z`) + i * 1000).toISOString();
        const receipt = { ...template, receiptId, invoiceId, receiptNo: String(i + 1), issuedAt, paidAt: issuedAt };
        return (putReceiptItems(receipt, i)[0] as { Put: { Item: Record<string, unknown> } }).Put.Item;
      });
      for (let i = 0; i < count; i++) {
        const id = `inv_${m}${String(i).padStart(16, '0')}`;
        const ministry = template.ministry;
        items.push({ ...invoiceKeys.invoice(id), type: 'invoice', id, ministry, createdAt: invoiceCreatedAt });
      }
      const batches: (typeof items)[] = [];
      for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
      for (let i = 0; i < batches.length; i += 8) {
        await Promise.all(
          batches.slice(i, i + 8).map(async (batch) => {
            let requests = batch.map((Item) => ({ PutRequest: { Item } }));
            while (requests.length) {
              const r = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
              requests = (r.UnprocessedItems?.[tableName()] ?? []) as typeof requests;
            }
          }),
        );
      }
    }

    const outDir = mkdtempSync(join(tmpdir(), 'stablefee-bench-export-'));
    const sizes = [
      { month: '2026-05', rows: small },
      { month: '2026-06', rows: large },
    ];
    const t0 = performance.now();
    for (const s of sizes) await seed(s.month, s.rows);
    log(`seeded ${small} + ${large} receipts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const results = [];
    for (const s of sizes) {
      const readBefore = await child('read', s.month, s.rows, outDir);
      log(`${s.rows}: read alone ${round(readBefore.ms, 0)} ms`);
      const exported = await child('export', s.month, s.rows, outDir);
      log(`${s.rows}: export ${round(exported.ms, 0)} ms, peak RSS ${exported.peakRssMb} MB`);
      const readAfter = await child('read', s.month, s.rows, outDir);
      log(`${s.rows}: read alone ${round(readAfter.ms, 0)} ms`);
      if (exported.rows !== s.rows || readBefore.rows !== s.rows) {
        throw new Error(`expected ${s.rows} rows; export wrote ${exported.rows}, the read saw ${readBefore.rows}`);
      }
      const readMs = (readBefore.ms + readAfter.ms) / 2;
      results.push({
        rows: s.rows,
        exportMs: round(exported.ms, 1),
        readAloneMs: round(readMs, 1),
        readAloneRunsMs: [round(readBefore.ms, 1), round(readAfter.ms, 1)],
        rowsPerS: round((s.rows / exported.ms) * 1000, 0),
        readRowsPerS: round((s.rows / readMs) * 1000, 0),
        timeRatio: round(exported.ms / readMs, 2),
        exportDdbBusyMs: round(exported.ddbBusyMs, 1),
        exportDdbRequests: exported.ddbCalls,
        readDdbBusyMs: round((readBefore.ddbBusyMs + readAfter.ddbBusyMs) / 2, 1),
        rssStartMb: exported.rssStartMb,
        peakRssMb: exported.peakRssMb,
        readPeakRssMb: Math.max(readBefore.peakRssMb, readAfter.peakRssMb),
      });
    }
    const [s, l] = results as [(typeof results)[number], (typeof results)[number]];
    return {
      rows: l.rows,
      smallRows: s.rows,
      rowsPerS: l.rowsPerS,
      readRowsPerS: l.readRowsPerS,
      timeRatio: l.timeRatio,
      peakRssMb: l.peakRssMb,
      smallPeakRssMb: s.peakRssMb,
      rssRatio: round(l.peakRssMb / s.peakRssMb, 2),
      sizes: results,
    };
  } finally {
    await aws.stop();
  }
});
