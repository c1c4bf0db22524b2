/**
 * One measurement of the export section, in a process of its own (started by sections/export.ts) so that its peak
 * RSS is its own: BENCH_EXPORT_MODE `export` runs the real export worker (functions/export-worker) on one job over
 * the month BENCH_EXPORT_MONTH (store pages → CSV → SHA-256 → S3 multipart on moto → signed manifest); `read` sends
 * the same Query pages of the same period (the four gsi2 families, same page size) and does nothing with the items.
 * Writes `{mode, rows, ms, ddbBusyMs, ddbCalls, rssStartMb, peakRssMb}` as JSON to BENCH_OUT.
 */
import { writeFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { sqsRecord } from '../../helpers/ledger';

const mode = process.env.BENCH_EXPORT_MODE as 'export' | 'read';
const month = process.env.BENCH_EXPORT_MONTH as string;
const count = Number(process.env.BENCH_EXPORT_COUNT);
const out = process.env.BENCH_OUT as string;
const PAGE_SIZE = 500; // storeExportSources' default

const { dynamodb, ddb } = await import('../../../shared/adapters/aws/dynamodb');
const { timeDynamoDb, summarize } = await import('./ddb-timer');
const { paginateQuery } = await import('@aws-sdk/lib-dynamodb');
const { tableName } = await import('../../../shared/adapters/config');
const { monthsOf, createExportJob } = await import('../../../shared/adapters/dynamo/exports');
const worker = mode === 'export' ? await import('../../../functions/export-worker/handler') : undefined;

const from = `${month}-01T00:00:00.000Z`;
const to = new Date(Date.parse(from) + (count + 1) * 1000).toISOString();
const timer = timeDynamoDb(dynamodb);
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const rssStartMb = mb(process.memoryUsage().rss);

async function readAlone(): Promise<number> {
  let rows = 0;
  for (const family of ['INVOICES', 'TRANSFERS', 'RECEIPTS', 'JOURNAL']) {
    for (const m of monthsOf(from, to)) {
      const pages = paginateQuery(
        { client: ddb, pageSize: PAGE_SIZE },
        {
          TableName: tableName(),
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `${family}#${m}`, ':from': from, ':to': to },
        },
      );
      for await (const page of pages) rows += page.Items?.length ?? 0;
    }
  }
  return rows;
}

async function exportOnce(): Promise<{ rows: number; ms: number }> {
  if (!worker) throw new Error('no worker');
  const id = `exp_${`bench${month.replace('-', '')}${count}`.padEnd(22, 'x')}`;
  await createExportJob({ id, from, to }, 'bench', new Date().toISOString());
  timer.start();
  const t0 = performance.now();
  const result = await worker.handler({ Records: [sqsRecord({ exportId: id }, { messageId: 'm-1' })] }, {
    functionName: 'export-worker',
    awsRequestId: 'bench',
    getRemainingTimeInMillis: () => 900_000,
  } as Context);
  const ms = performance.now() - t0;
  timer.stop();
  if ((result as { batchItemFailures: unknown[] }).batchItemFailures.length) throw new Error('export failed');
  const { getExportJob } = await import('../../../shared/adapters/dynamo/exports');
  const job = await getExportJob(id);
  return { rows: job?.files?.find((f) => f.name === 'receipts.csv')?.rows ?? -1, ms };
}

async function readOnce(): Promise<{ rows: number; ms: number }> {
  timer.start();
  const t0 = performance.now();
  const rows = await readAlone();
  const ms = performance.now() - t0;
  timer.stop();
  return { rows, ms };
}

const { rows, ms } = mode === 'export' ? await exportOnce() : await readOnce();
const ddbSummary = summarize(timer.calls());
writeFileSync(
  out,
  JSON.stringify({
    mode,
    rows,
    ms,
    ddbBusyMs: ddbSummary.busyMs,
    ddbCalls: Object.fromEntries(Object.entries(ddbSummary.byCommand).map(([k, v]) => [k, v.requests])),
    rssStartMb,
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
  }),
);
process.exit(0);
