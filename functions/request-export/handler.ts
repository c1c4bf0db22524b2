/**
 * POST /v1/exports — an auditor starts a reconciliation export of a period (optionally one ministry's): the job is
 * recorded as `requested` and sent to the `exports` queue; 202 with its id.
 * GET /v1/exports/{id} — its status; once `done`, the files with presigned download links (15 minutes), their
 * SHA-256 and row counts, and the signed manifest.
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import * as z from 'zod';
import { s3 } from '../../shared/adapters/aws/s3';
import { bucketName } from '../../shared/adapters/config';
import { createExportJob, type ExportJob, failExportJob, getExportJob } from '../../shared/adapters/dynamo/exports';
import { httpRoute, httpRoutes } from '../../shared/adapters/http';
import { sendMessages } from '../../shared/adapters/queue';
import { NotFoundError, ValidationError } from '../../shared/domain/errors';
import { ministryCodeSchema } from '../../shared/domain/ministry';

/** How long a download link stays valid. */
export const DOWNLOAD_URL_SECONDS = 15 * 60;
const EXPORT_ID = /^exp_[A-Za-z0-9_-]{22}$/;

const body = z.strictObject({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  ministry: ministryCodeSchema.optional(),
});

/** The period rules: from < to, at most one year, and closed (`to` not in the future). */
export function checkPeriod(from: Date, to: Date, now: Date): void {
  const issues: { field: string; message: string }[] = [];
  if (from.getTime() >= to.getTime()) issues.push({ field: 'to', message: 'must be after from' });
  const yearLater = new Date(from);
  yearLater.setUTCFullYear(yearLater.getUTCFullYear() + 1);
  if (to.getTime() > yearLater.getTime()) issues.push({ field: 'to', message: 'the period must not exceed one year' });
  if (to.getTime() > now.getTime()) {
    issues.push({ field: 'to', message: 'must not be in the future: an export covers a closed period' });
  }
  if (issues.length) throw new ValidationError(issues);
}

async function toWire(job: ExportJob) {
  const done = job.status === 'done' && job.files;
  const expiresAt = new Date(Date.now() + DOWNLOAD_URL_SECONDS * 1000).toISOString();
  const files = done
    ? await Promise.all(
        (job.files ?? []).map(async (f) => ({
          name: f.name,
          url: await getSignedUrl(
            s3,
            new GetObjectCommand({ Bucket: bucketName('exports'), Key: job.prefix + f.name }),
            {
              expiresIn: DOWNLOAD_URL_SECONDS,
            },
          ),
          urlExpiresAt: expiresAt,
          sha256: f.sha256,
          rows: f.rows,
          bytes: f.bytes,
        })),
      )
    : [];
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
    files,
    manifest: done ? (job.manifest ?? null) : null,
  };
}

const start = httpRoute({ auth: ['auditor'], body }, async (req) => {
  const now = new Date();
  const from = new Date(req.body.from);
  const to = new Date(req.body.to);
  checkPeriod(from, to, now);
  const id = `exp_${randomBytes(16).toString('base64url')}`;
  const spec = {
    id,
    from: from.toISOString(),
    to: to.toISOString(),
    ...(req.body.ministry ? { ministry: req.body.ministry } : {}),
  };
  const job = await createExportJob(spec, req.caller.subject, now.toISOString());
  try {
    await sendMessages('exports', [{ exportId: id }]);
  } catch (error) {
    await failExportJob(id, 'the export could not be queued', new Date().toISOString());
    throw error;
  }
  return { status: 202, headers: { location: `/v1/exports/${id}` }, body: await toWire(job) };
});

const read = httpRoute({ auth: ['auditor'] }, async (req) => {
  const id = req.params.id ?? '';
  const job = EXPORT_ID.test(id) ? await getExportJob(id) : undefined;
  if (!job) throw new NotFoundError(`No export ${id}.`);
  return { status: 200, body: await toWire(job) };
});

export const handler = httpRoutes({ 'POST /v1/exports': start, 'GET /v1/exports/{id}': read });
