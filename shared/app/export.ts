/**
 * Running an export job, segment by segment: each delivery of the job's message claims the job (one run at a time),
 * writes one segment from the job's checkpoint (shared/app/export-segment.ts: whole days of the period, one part
 * file per CSV) until the invocation's time runs low, records the checkpoint and sends the job's message again to
 * carry on, in a new invocation with a fresh 15 minutes; the segment that completes the period signs the manifest
 * over every part and the job is `done`. A small export is one segment: one invocation, one file per CSV.
 *
 * Redeliveries and duplicates: a job already done is not run again; a message that finds the job claimed by a live
 * run is dropped (that run carries on, and its own message comes back if it dies); a segment is recorded once
 * (conditional on the run's claim and the segment count), so a crash within a segment redoes it, overwriting its
 * own parts. A failed run is recorded `failed` (checkpoint kept) and thrown, so the queue runs it again from the
 * last segment and finally parks it in the dead-letter queue. Sources and sinks are injected: the worker passes the
 * store's paged queries and S3 multipart sinks; tests pass generators and memory sinks.
 */

import { randomUUID } from 'node:crypto';
import { logger } from '../adapters/observability';
import { type ChainConfig, findChain, findToken, mainnetChains } from '../domain/chains';
import type { TokenInfo } from '../domain/exports/columns';
import type { ExportCheckpoint, ExportJob, ExportJobSpec } from '../domain/exports/jobs';
import {
  type ExportManifest,
  MANIFEST_FORMAT,
  type ManifestFile,
  renderManifest,
  signManifest,
} from '../domain/exports/manifest';
import { TotalsAccumulator } from '../domain/exports/totals';
import type { ByteSink, ExportJobs, ExportQueue, ExportSources, ReceiptSigner } from '../ports';
import { writeBytes } from './export-files';
import { firstCheckpoint, manifestFiles, writeSegment } from './export-segment';

export interface RunExportDeps {
  sources: ExportSources;
  tokenInfo: (chainId: number, token: string) => TokenInfo | undefined;
  sinkFor: (name: string, contentType: string) => ByteSink;
  signer: ReceiptSigner;
  now: () => Date;
}

export interface ExportResult {
  manifest: ExportManifest;
  /** The CSVs and manifest.json. */
  files: ManifestFile[];
}

/** A day: the step a segment writes at a time, and so the most rows a segment must fit in one invocation. */
export const EXPORT_STEP_MS = 86_400_000;
/** Time kept free at the end of an invocation by default: to complete the parts, record and send the continuation. */
export const EXPORT_RESERVE_MS = 60_000;

export interface RunExportJobDeps extends Omit<RunExportDeps, 'sources' | 'sinkFor'> {
  jobs: ExportJobs;
  /** The store's records of `period` (a day of the job's, or the job's whole period for its closing step). */
  sourcesFor: (period: ExportJobSpec, known: { confirmationsAsOf: Record<string, number> }) => ExportSources;
  /** Where the job's file `name` goes. */
  sinkFor: (job: ExportJob, name: string, contentType: string) => ByteSink;
  /** Where the job's continuation goes: its own queue, with the same export id. */
  queue: ExportQueue;
  /** Milliseconds this invocation has left (Lambda's `context.getRemainingTimeInMillis`). */
  timeLeft: () => number;
  /**
   * Time to keep free at the end (default {@link EXPORT_RESERVE_MS}): a segment stops before a step when less than
   * this plus its longest step so far is left.
   */
  reserveMs?: number;
  /** Length of a step (default {@link EXPORT_STEP_MS}). */
  stepMs?: number;
}

/** What a delivery of an export job came to. */
export type ExportJobOutcome =
  | { result: 'done'; files: ManifestFile[] }
  | { result: 'continued'; segments: number }
  | { result: 'skipped' }
  /**
   * Another run holds the job: this delivery must come back (fail its record), not be deleted. It may be the same
   * message as the holder's, delivered twice: deleted here, nothing would resume the job if the holder then died.
   */
  | { result: 'held' };

/**
 * Runs a segment of export job `exportId` unless it is unknown, done or held by another run; the job is then done,
 * or continued through the queue. A failed run is recorded and thrown.
 */
export async function runExportJob(exportId: string, deps: RunExportJobDeps): Promise<ExportJobOutcome> {
  const runId = randomUUID();
  const at = deps.now();
  const job = await deps.jobs.start(exportId, { runId, at, until: new Date(at.getTime() + deps.timeLeft()) });
  if (!job) {
    const current = await deps.jobs.get(exportId);
    if (current?.status === 'running' && current.runUntil && Date.parse(current.runUntil) > at.getTime()) {
      logger.info('export held by another run; this delivery comes back later', { exportId });
      return { result: 'held' };
    }
    logger.info('export done or unknown; nothing to do', { exportId });
    return { result: 'skipped' };
  }
  try {
    return await runJobSegment(job, runId, deps);
  } catch (error) {
    logger.error('export failed', { exportId, error: error as Error });
    await deps.jobs.fail(exportId, (error as Error).message ?? String(error), deps.now(), runId);
    throw error;
  }
}

async function runJobSegment(job: ExportJob, runId: string, deps: RunExportJobDeps): Promise<ExportJobOutcome> {
  const reserveMs = deps.reserveMs ?? EXPORT_RESERVE_MS;
  const { checkpoint, complete } = await writeSegment(job, job.checkpoint ?? firstCheckpoint(job, deps.now()), {
    sourcesFor: deps.sourcesFor,
    sinkFor: (name, contentType) => deps.sinkFor(job, name, contentType),
    tokenInfo: deps.tokenInfo,
    now: deps.now,
    stepMs: deps.stepMs ?? EXPORT_STEP_MS,
    shouldStop: (longestStepMs) => deps.timeLeft() < reserveMs + longestStepMs,
  });
  if (!complete) {
    if (!(await deps.jobs.checkpoint(job.id, runId, checkpoint))) {
      logger.warn('export segment already recorded by another run; dropping this one', { exportId: job.id });
      return { result: 'skipped' };
    }
    await deps.queue.enqueue(job.id);
    logger.info('export continues', { exportId: job.id, segments: checkpoint.segments, next: checkpoint.next });
    return { result: 'continued', segments: checkpoint.segments };
  }
  const result = await signAndWriteManifest(job, checkpoint, {
    ...deps,
    sinkFor: (name, contentType) => deps.sinkFor(job, name, contentType),
  });
  if (!(await deps.jobs.finish(job.id, result, deps.now(), runId))) {
    logger.warn('export finished by another run; dropping this one', { exportId: job.id });
    return { result: 'skipped' };
  }
  logger.info('export done', {
    exportId: job.id,
    segments: checkpoint.segments,
    files: result.files.map((f) => ({ name: f.name, rows: f.rows })),
  });
  return { result: 'done', files: result.files };
}

/**
 * Symbol and decimals of an allowlisted token, for the transfers file: the `enabled` chains first, then the mainnet
 * table (a transfer of a chain since disabled still gets its token's name).
 */
export function tokenInfoFrom(
  enabled: readonly ChainConfig[],
): (chainId: number, token: string) => TokenInfo | undefined {
  return (chainId, token) => {
    for (const chains of [enabled, mainnetChains]) {
      const chain = findChain(chains, chainId);
      const found = chain && findToken(chain, token);
      if (chain && found) return { chain: chain.name, symbol: found.symbol, decimals: found.decimals };
    }
    return undefined;
  };
}

/** Runs a whole export in one go (one segment, the period as one step); throws if the journal does not balance. */
export async function runExport(job: ExportJobSpec, deps: RunExportDeps): Promise<ExportResult> {
  const { checkpoint } = await writeSegment(job, firstCheckpoint(job, deps.now()), {
    sourcesFor: () => deps.sources,
    sinkFor: deps.sinkFor,
    tokenInfo: deps.tokenInfo,
    now: deps.now,
    stepMs: Number.POSITIVE_INFINITY,
    shouldStop: () => false,
  });
  return signAndWriteManifest(job, checkpoint, deps);
}

/**
 * Checks the totals over every part (every journal entry balanced, debits = credits), signs the manifest listing
 * every part and writes manifest.json.
 */
async function signAndWriteManifest(
  job: ExportJobSpec,
  checkpoint: ExportCheckpoint,
  deps: Pick<RunExportDeps, 'sinkFor' | 'signer'>,
): Promise<ExportResult> {
  const acc = new TotalsAccumulator(checkpoint.totals);
  const { totals, trialBalance, receiptChains } = acc.finish();
  if (acc.problems.length) throw new Error(`export ${job.id}: ${acc.problems.join('; ')}`);
  if (trialBalance.debits !== trialBalance.credits) {
    throw new Error(`export ${job.id}: journal debits ${trialBalance.debits} != credits ${trialBalance.credits}`);
  }
  const files = manifestFiles(checkpoint.parts);
  const manifest = await signManifest(
    {
      format: MANIFEST_FORMAT,
      exportId: job.id,
      period: { from: job.from, to: job.to },
      ministry: job.ministry ?? null,
      generatedAt: checkpoint.asOf,
      files,
      totals,
      trialBalance,
      receiptChains,
      confirmationsAsOf: checkpoint.confirmationsAsOf,
    },
    deps.signer,
  );
  const written = await writeBytes(
    Buffer.from(renderManifest(manifest), 'utf8'),
    deps.sinkFor('manifest.json', 'application/json'),
  );
  return { manifest, files: [...files, { name: 'manifest.json', ...written }] };
}
