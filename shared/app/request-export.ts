/**
 * Requesting an export: an auditor asks for a closed period of at most a year (optionally one ministry's); the job
 * is recorded `requested` and handed to the export worker. A job the worker will never see is marked `failed` at
 * once, so it never reads as waiting forever.
 */
import { checkPeriod, type ExportJob, newExportId } from '../domain/exports/jobs';
import type { ExportJobs, ExportQueue } from '../ports';

export interface ExportRequest {
  from: Date;
  /** Exclusive. */
  to: Date;
  ministry?: string;
}

export interface RequestExportDeps {
  jobs: ExportJobs;
  queue: ExportQueue;
  now: () => Date;
}

/** Records and queues an export of `request` for the auditor `requestedBy`; returns the job as recorded. */
export async function requestExport(
  request: ExportRequest,
  requestedBy: string,
  deps: RequestExportDeps,
): Promise<ExportJob> {
  const now = deps.now();
  checkPeriod(request.from, request.to, now);
  const spec = {
    id: newExportId(),
    from: request.from.toISOString(),
    to: request.to.toISOString(),
    ...(request.ministry ? { ministry: request.ministry } : {}),
  };
  const job = await deps.jobs.create(spec, requestedBy, now);
  try {
    await deps.queue.enqueue(job.id);
  } catch (error) {
    // The undo: nothing will run this job, so it must not read as `requested`.
    await deps.jobs.fail(job.id, 'the export could not be queued', deps.now());
    throw error;
  }
  return job;
}
