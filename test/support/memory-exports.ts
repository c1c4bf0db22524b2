/**
 * In-memory export ports (shared/ports.ts): ExportJobs with the table adapter's state rules (a `done` job is never
 * started again nor marked failed; one run holds a job at a time; a segment is recorded once), an ExportQueue that records or refuses, and DownloadLinks that spell out what
 * they sign.
 */
import type { ExportCheckpoint, ExportJob, ExportJobSpec } from '../../shared/domain/exports/jobs';
import type { ExportManifest, ManifestFile } from '../../shared/domain/exports/manifest';
import type { DownloadLinks, ExportJobs, ExportQueue, ExportRun } from '../../shared/ports';

export class MemoryExportJobs implements ExportJobs {
  readonly jobs = new Map<string, ExportJob>();

  async create(spec: ExportJobSpec, requestedBy: string, at: Date): Promise<ExportJob> {
    if (this.jobs.has(spec.id)) throw new Error(`export ${spec.id} exists`);
    const job: ExportJob = {
      ...spec,
      status: 'requested',
      requestedBy,
      requestedAt: at.toISOString(),
      attempts: 0,
      prefix: `exports/${spec.id}/`,
    };
    this.jobs.set(spec.id, job);
    return structuredClone(job);
  }

  async get(id: string): Promise<ExportJob | undefined> {
    const job = this.jobs.get(id);
    return job && structuredClone(job);
  }

  async start(id: string, run: ExportRun): Promise<ExportJob | undefined> {
    const job = this.jobs.get(id);
    if (!job || job.status === 'done') return undefined;
    if (job.runId && job.runUntil && job.runUntil > run.at.toISOString()) return undefined;
    const { error: _dropped, ...rest } = job;
    const started: ExportJob = {
      ...rest,
      status: 'running',
      startedAt: run.at.toISOString(),
      attempts: job.attempts + 1,
      runId: run.runId,
      runUntil: run.until.toISOString(),
    };
    this.jobs.set(id, started);
    return structuredClone(started);
  }

  async checkpoint(id: string, runId: string, checkpoint: ExportCheckpoint): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job || job.runId !== runId || (job.checkpoint?.segments ?? 0) !== checkpoint.segments - 1) return false;
    const { runId: _run, runUntil: _until, ...rest } = job;
    this.jobs.set(id, { ...rest, checkpoint: structuredClone(checkpoint) });
    return true;
  }

  async finish(
    id: string,
    result: { files: ManifestFile[]; manifest: ExportManifest },
    at: Date,
    runId: string,
  ): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`no export ${id}`);
    if (job.runId !== runId) return false;
    const { runId: _run, runUntil: _until, checkpoint: _checkpoint, ...rest } = job;
    this.jobs.set(id, { ...rest, ...structuredClone(result), status: 'done', finishedAt: at.toISOString() });
    return true;
  }

  async fail(id: string, error: string, at: Date, runId?: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job || job.status === 'done' || job.runId !== runId) return;
    const { runId: _run, runUntil: _until, ...rest } = job;
    this.jobs.set(id, { ...rest, status: 'failed', finishedAt: at.toISOString(), error: error.slice(0, 1000) });
  }
}

export class MemoryExportQueue implements ExportQueue {
  readonly queued: string[] = [];
  /** When set, `enqueue` rejects with it. */
  failWith?: Error;

  async enqueue(exportId: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.queued.push(exportId);
  }
}

/** Links of the form `memory://<key>?expires=<seconds>`. */
export const memoryDownloadLinks: DownloadLinks = {
  urlFor: async (key, expiresInSeconds) => `memory://${key}?expires=${expiresInSeconds}`,
};
