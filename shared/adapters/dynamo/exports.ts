/**
 * DynamoDB side of exports: the job items (`EXPORT#<id>`) and the period reads the export worker streams from.
 *
 * A job goes `requested` → `running` → `done`, or `failed` (with the error; the queue's retry runs it again from
 * its checkpoint, and a redone segment overwrites its own S3 keys). A job already `done` is never run again, so a
 * redelivered message is a no-op. One run holds a job at a time (`runId` until `runUntil`, its invocation's
 * deadline); a segment is recorded with its checkpoint (JSON) and count (`segments`) on the condition that the run
 * still holds the job and the segments before it are recorded, so a duplicate never records a segment twice.
 *
 * Period reads walk the monthly gsi2 partitions (`INVOICES#yyyy-mm`, `TRANSFERS#…`, `RECEIPTS#…`, `JOURNAL#…`,
 * `SWEEPS#…`) oldest first, with the sort key bounded to [from, to), one page (at most `pageSize` items) at a time;
 * refunds are read from their one partition ({@link periodRefunds}).
 */

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ExportCheckpoint, ExportJob, ExportJobSpec, ExportStatus } from '../../domain/exports/jobs';
import type { ExportManifest, ManifestFile } from '../../domain/exports/manifest';
import type { Receipt } from '../../domain/receipts';
import type { Refund } from '../../domain/refunds';
import type { ExportJobs, ExportSources } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { batchGetItems } from './batch-get';
import { getCheckpoint } from './checkpoints';
import { complianceDecisionOf, complianceKeys } from './compliance-log';
import { invoiceFromItem, invoiceKeys } from './invoices';
import { journalEntryFromItem, journalKeys } from './journal';
import { receiptKeys } from './receipts';
import { refundFromItem, refundKeys } from './refunds';
import { sweepFromItem, sweepKeys } from './sweeps';
import { transferFromItem, transferKeys } from './transfers';

export const exportKeys = {
  job: (id: string) => ({ pk: `EXPORT#${id}`, sk: 'EXPORT' }),
};

/** Where a job's files live in the exports bucket. */
export const exportPrefix = (id: string) => `exports/${id}/`;

function jobFromItem(item: Record<string, unknown>): ExportJob {
  return {
    id: item.id as string,
    from: item.from as string,
    to: item.to as string,
    ...(item.ministry ? { ministry: item.ministry as string } : {}),
    status: item.status as ExportStatus,
    requestedBy: item.requestedBy as string,
    requestedAt: item.requestedAt as string,
    ...(item.startedAt ? { startedAt: item.startedAt as string } : {}),
    ...(item.finishedAt ? { finishedAt: item.finishedAt as string } : {}),
    attempts: Number(item.attempts ?? 0),
    prefix: item.prefix as string,
    ...(item.files ? { files: JSON.parse(item.files as string) as ManifestFile[] } : {}),
    ...(item.manifest ? { manifest: JSON.parse(item.manifest as string) as ExportManifest } : {}),
    ...(item.error ? { error: item.error as string } : {}),
    ...(item.checkpoint ? { checkpoint: JSON.parse(item.checkpoint as string) as ExportCheckpoint } : {}),
    ...(item.runId ? { runId: item.runId as string, runUntil: item.runUntil as string } : {}),
  };
}

/** Records a new job in state `requested`. */
export async function createExportJob(spec: ExportJobSpec, requestedBy: string, at: string): Promise<ExportJob> {
  const job: ExportJob = {
    ...spec,
    status: 'requested',
    requestedBy,
    requestedAt: at,
    attempts: 0,
    prefix: exportPrefix(spec.id),
  };
  await ddb.send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...exportKeys.job(spec.id), type: 'export', ...job },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return job;
}

/** A job by id (consistent read), or undefined. */
export async function getExportJob(id: string): Promise<ExportJob | undefined> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: exportKeys.job(id), ConsistentRead: true }),
  );
  return Item ? jobFromItem(Item) : undefined;
}

/**
 * Claims a job for run `runId` until `until` and moves it to `running` (counting the attempt); undefined when it is
 * absent, already done, or held by another run whose claim lasts past `at`.
 */
export async function startExportJob(
  id: string,
  run: { runId: string; at: string; until: string },
): Promise<ExportJob | undefined> {
  try {
    const { Attributes } = await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: exportKeys.job(id),
        ConditionExpression:
          'attribute_exists(pk) AND #status <> :done AND (attribute_not_exists(runUntil) OR runUntil <= :at)',
        UpdateExpression:
          'SET #status = :running, startedAt = :at, runId = :runId, runUntil = :until ADD attempts :one REMOVE #error',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':done': 'done',
          ':running': 'running',
          ':at': run.at,
          ':runId': run.runId,
          ':until': run.until,
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? jobFromItem(Attributes) : undefined;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Runs `update` and answers whether its condition held. */
async function conditionally(update: UpdateCommand): Promise<boolean> {
  try {
    await ddb.send(update);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Records segment `checkpoint.segments` and releases the run's claim, only if run `runId` holds the job and its
 * recorded segments are the ones before (so a segment is recorded once); false when not.
 */
export function checkpointExportJob(id: string, runId: string, checkpoint: ExportCheckpoint): Promise<boolean> {
  return conditionally(
    new UpdateCommand({
      TableName: tableName(),
      Key: exportKeys.job(id),
      ConditionExpression: `runId = :runId AND ${checkpoint.segments === 1 ? 'attribute_not_exists(#segments)' : '#segments = :before'}`,
      UpdateExpression: 'SET #checkpoint = :checkpoint, #segments = :segments REMOVE runId, runUntil',
      ExpressionAttributeNames: { '#checkpoint': 'checkpoint', '#segments': 'segments' },
      ExpressionAttributeValues: {
        ':runId': runId,
        ':checkpoint': JSON.stringify(checkpoint),
        ':segments': checkpoint.segments,
        ...(checkpoint.segments === 1 ? {} : { ':before': checkpoint.segments - 1 }),
      },
    }),
  );
}

/** Records the files and the signed manifest, only if run `runId` holds the job: it is `done`. */
export function finishExportJob(
  id: string,
  files: ManifestFile[],
  manifest: ExportManifest,
  at: string,
  runId: string,
): Promise<boolean> {
  return conditionally(
    new UpdateCommand({
      TableName: tableName(),
      Key: exportKeys.job(id),
      ConditionExpression: 'runId = :runId',
      UpdateExpression:
        'SET #status = :done, finishedAt = :at, files = :files, manifest = :manifest ' +
        'REMOVE runId, runUntil, #checkpoint, #segments',
      ExpressionAttributeNames: { '#status': 'status', '#checkpoint': 'checkpoint', '#segments': 'segments' },
      ExpressionAttributeValues: {
        ':runId': runId,
        ':done': 'done',
        ':at': at,
        ':files': JSON.stringify(files),
        ':manifest': JSON.stringify(manifest),
      },
    }),
  );
}

/**
 * Records a failed run (the queue may run it again from its checkpoint) and releases its claim. Never overwrites a
 * `done` job, nor one held by a run other than `runId` (without `runId`: one no run holds).
 */
export async function failExportJob(id: string, message: string, at: string, runId?: string): Promise<void> {
  await conditionally(
    new UpdateCommand({
      TableName: tableName(),
      Key: exportKeys.job(id),
      ConditionExpression: `attribute_exists(pk) AND #status <> :done AND ${runId ? 'runId = :runId' : 'attribute_not_exists(runId)'}`,
      UpdateExpression: 'SET #status = :failed, finishedAt = :at, #error = :error REMOVE runId, runUntil',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':done': 'done',
        ':failed': 'failed',
        ':at': at,
        ':error': message.slice(0, 1000),
        ...(runId ? { ':runId': runId } : {}),
      },
    }),
  );
}

/** The export-jobs port (shared/ports.ts) on the table. */
export const dynamoExportJobs: ExportJobs = {
  create: (spec, requestedBy, at) => createExportJob(spec, requestedBy, at.toISOString()),
  get: getExportJob,
  start: (id, { runId, at, until }) => startExportJob(id, { runId, at: at.toISOString(), until: until.toISOString() }),
  checkpoint: checkpointExportJob,
  finish: (id, { files, manifest }, at, runId) => finishExportJob(id, files, manifest, at.toISOString(), runId),
  fail: (id, error, at, runId) => failExportJob(id, error, at.toISOString(), runId),
};

// ---------------------------------------------------------------------------------------------------------------
// Period reads

/** Months `YYYY-MM` touched by [from, to), oldest first. */
export function monthsOf(from: string, to: string): string[] {
  const last = new Date(Date.parse(to) - 1).toISOString().slice(0, 7);
  const out: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number) as [number, number];
  for (let month = from.slice(0, 7); month <= last; ) {
    out.push(month);
    m += 1;
    if (m === 13) {
      m = 1;
      y += 1;
    }
    month = `${y}-${String(m).padStart(2, '0')}`;
  }
  return out;
}

type Item = Record<string, unknown>;

/**
 * Pages of a gsi2 family (its monthly partitions) over [from, to). Sort keys are `<ISO time>#<id>`, and `BETWEEN from AND to` keeps exactly
 * the times in [from, to): a key equal to `to` would need an empty id.
 */
async function* periodPages(
  monthPartition: (month: string) => string,
  spec: ExportJobSpec,
  pageSize: number,
  ministryFilter: boolean,
): AsyncGenerator<Item[]> {
  for (const month of monthsOf(spec.from, spec.to)) {
    const filter = ministryFilter && spec.ministry;
    const pages = paginateQuery(
      { client: ddb, pageSize },
      {
        TableName: tableName(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': monthPartition(month),
          ':from': spec.from,
          ':to': spec.to,
          ...(filter ? { ':ministry': spec.ministry } : {}),
        },
        ...(filter
          ? { FilterExpression: '#ministry = :ministry', ExpressionAttributeNames: { '#ministry': 'ministry' } }
          : {}),
      },
    );
    for await (const page of pages) if (page.Items?.length) yield page.Items;
  }
}

/** `id`, `ministry` and `createdAt` of the invoices `ids` (BatchGet, 100 keys a request). */
async function invoiceFacts(ids: readonly string[]): Promise<Map<string, { ministry: string; createdAt: string }>> {
  const out = new Map<string, { ministry: string; createdAt: string }>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 100) {
    const items = await batchGetItems(
      unique.slice(i, i + 100).map((id) => invoiceKeys.invoice(id)),
      { projection: 'id, #ministry, createdAt', names: { '#ministry': 'ministry' } },
    );
    for (const item of items) {
      out.set(item.id as string, { ministry: item.ministry as string, createdAt: item.createdAt as string });
    }
  }
  return out;
}

/**
 * Refunds requested or completed in [from, to), oldest request first, page by page. Refunds have no monthly
 * partition (the refund item's four index keys are taken by its lists and its completion), so this reads the
 * all-refunds partition (gsi2 `REFUNDS`, by `<requestedAt>#<id>`) up to `to` and keeps, on the server, those
 * requested in the period or completed in it: a refund completes after its request, possibly long after, so a
 * completion in the period may belong to a request of any earlier month. Refunds are few (overpayments and stray
 * payments), so reading every earlier one stays cheap; memory holds one page. With a ministry, its refunds of
 * invoice overpayments only (a suspense transfer's refund is journaled under no ministry).
 */
async function* periodRefunds(spec: ExportJobSpec, pageSize: number): AsyncGenerator<Refund> {
  const pages = paginateQuery(
    { client: ddb, pageSize },
    {
      TableName: tableName(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :to',
      FilterExpression: 'requestedAt >= :from OR (completedAt >= :from AND completedAt < :to)',
      ExpressionAttributeValues: { ':pk': refundKeys.all, ':from': spec.from, ':to': spec.to },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const refund = refundFromItem(item);
      if (spec.ministry && (refund.ministry !== spec.ministry || refund.source.kind !== 'invoice')) continue;
      yield refund;
    }
  }
}

/**
 * The store's records of an export's period: invoices by `createdAt`, transfers by `firstSeenAt`, receipts by
 * `issuedAt`, journal entries by `at`. With a ministry: its invoices, receipts and journal entries, and the
 * transfers matched to its invoices (unmatched transfers belong to no ministry and are left out). `confirmations`
 * count to the scanner's checkpoint block per chain, read once, or to the one given in `confirmationsAsOf`.
 */
export function storeExportSources(
  spec: ExportJobSpec,
  options: { pageSize?: number; confirmationsAsOf?: Record<string, number> } = {},
): ExportSources {
  const pageSize = options.pageSize ?? 500;
  // Heads an earlier segment read are kept, so every segment counts confirmations to the same block.
  const checkpoints = new Map<number, number | undefined>(
    Object.entries(options.confirmationsAsOf ?? {}).map(([chainId, block]) => [Number(chainId), block]),
  );
  async function checkpointBlock(chainId: number) {
    if (!checkpoints.has(chainId)) checkpoints.set(chainId, (await getCheckpoint(chainId))?.blockNumber);
    return checkpoints.get(chainId);
  }
  return {
    async *invoices() {
      for await (const page of periodPages(invoiceKeys.month, spec, pageSize, true)) {
        for (const item of page) yield invoiceFromItem(item);
      }
    },
    async *transfers() {
      for await (const page of periodPages(transferKeys.month, spec, pageSize, false)) {
        const transfers = page.map(transferFromItem);
        const facts = spec.ministry
          ? await invoiceFacts(transfers.flatMap((t) => (t.invoiceId ? [t.invoiceId] : [])))
          : undefined;
        for (const transfer of transfers) {
          if (facts && (!transfer.invoiceId || facts.get(transfer.invoiceId)?.ministry !== spec.ministry)) continue;
          const head = await checkpointBlock(transfer.chainId);
          const confirmations =
            transfer.state !== 'reverted' && head !== undefined && head >= transfer.blockNumber
              ? head - transfer.blockNumber + 1
              : undefined;
          yield { transfer, confirmations };
        }
      }
    },
    async *receipts() {
      for await (const page of periodPages(receiptKeys.month, spec, pageSize, true)) {
        const receipts = page.map((item) => JSON.parse(item.document as string) as Receipt);
        const facts = await invoiceFacts(receipts.map((r) => r.invoiceId));
        for (const receipt of receipts) yield { receipt, invoiceCreatedAt: facts.get(receipt.invoiceId)?.createdAt };
      }
    },
    async *journal() {
      for await (const page of periodPages(journalKeys.month, spec, pageSize, true)) {
        for (const item of page) yield journalEntryFromItem(item);
      }
    },
    async *sweeps() {
      if (spec.ministry) return;
      for await (const page of periodPages(sweepKeys.month, spec, pageSize, false)) {
        for (const item of page) yield sweepFromItem(item);
      }
    },
    refunds: () => periodRefunds(spec, pageSize),
    async *compliance() {
      if (spec.ministry) return;
      for await (const page of periodPages(complianceKeys.month, spec, pageSize, false)) {
        for (const item of page) yield complianceDecisionOf(item);
      }
    },
    confirmationsAsOf() {
      const out: Record<string, number> = {};
      for (const [chainId, block] of checkpoints) if (block !== undefined) out[String(chainId)] = block;
      return out;
    },
  };
}
