/**
 * POST /v1/exports — an auditor starts a reconciliation export of a period (shared/app/request-export.ts); 202 with
 * its id. GET /v1/exports/{id} — its status; once `done`, the files with download links (shared/app/read-export.ts),
 * their SHA-256 and row counts, and the signed manifest.
 */
import { exportBody } from '../../shared/adapters/api/requests';
import { s3 } from '../../shared/adapters/aws/s3';
import { s3DownloadLinks } from '../../shared/adapters/aws/s3-objects';
import { bucketName } from '../../shared/adapters/config';
import { dynamoExportJobs } from '../../shared/adapters/dynamo/exports';
import { httpRoute, httpRoutes } from '../../shared/adapters/http';
import { exportQueue } from '../../shared/adapters/work-queues';
import { type ExportDownload, readExport } from '../../shared/app/read-export';
import { requestExport } from '../../shared/app/request-export';
import type { ExportJob } from '../../shared/domain/exports/jobs';

/** The API body of an export job. */
function toWire(job: ExportJob, downloads: ExportDownload[]) {
  const done = job.status === 'done' && job.files;
  return {
    id: job.id,
    status: job.status,
    period: { from: job.from, to: job.to },
    ministry: job.ministry ?? null,
    requestedAt: job.requestedAt,
    startedAt: job.startedAt ?? null,
    finishedAt: job.finishedAt ?? null,
    attempts: job.attempts,
    error: job.status === 'failed' ? (job.error ?? null) : null,
    files: downloads.map((f) => ({
      name: f.name,
      url: f.url,
      urlExpiresAt: f.urlExpiresAt,
      sha256: f.sha256,
      rows: f.rows,
      bytes: f.bytes,
    })),
    manifest: done ? (job.manifest ?? null) : null,
  };
}

const now = () => new Date();

const start = httpRoute({ auth: ['auditor'], body: exportBody }, async (req) => {
  const { from, to, ministry } = req.body;
  const job = await requestExport({ from: new Date(from), to: new Date(to), ministry }, req.caller.subject, {
    jobs: dynamoExportJobs,
    queue: exportQueue,
    now,
  });
  return { status: 202, headers: { location: `/v1/exports/${job.id}` }, body: toWire(job, []) };
});

const read = httpRoute({ auth: ['auditor'] }, async (req) => {
  const links = s3DownloadLinks(s3, bucketName('exports'));
  const { job, downloads } = await readExport(req.params.id ?? '', { jobs: dynamoExportJobs, links, now });
  return { status: 200, body: toWire(job, downloads) };
});

export const handler = httpRoutes({ 'POST /v1/exports': start, 'GET /v1/exports/{id}': read });
