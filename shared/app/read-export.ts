/**
 * Reading an export: its job, and once `done` a download link to each file (valid 15 minutes) beside the file's
 * SHA-256 and row count, so an auditor checks what was downloaded against the signed manifest.
 */
import { NotFoundError } from '../domain/errors';
import { EXPORT_ID_PATTERN, type ExportJob } from '../domain/exports/jobs';
import type { ManifestFile } from '../domain/exports/manifest';
import type { DownloadLinks, ExportJobs } from '../ports';

/** How long a download link stays valid. */
export const DOWNLOAD_URL_SECONDS = 15 * 60;

/** A file of a done export with its link. */
export interface ExportDownload extends ManifestFile {
  url: string;
  urlExpiresAt: string;
}

export interface ReadExportDeps {
  jobs: ExportJobs;
  links: DownloadLinks;
  now: () => Date;
}

/** Export `id` with its downloads (none until it is done). A malformed id reads as absent without a lookup. */
export async function readExport(
  id: string,
  deps: ReadExportDeps,
): Promise<{ job: ExportJob; downloads: ExportDownload[] }> {
  const job = EXPORT_ID_PATTERN.test(id) ? await deps.jobs.get(id) : undefined;
  if (!job) throw new NotFoundError(`No export ${id}.`);
  if (job.status !== 'done' || !job.files) return { job, downloads: [] };
  const urlExpiresAt = new Date(deps.now().getTime() + DOWNLOAD_URL_SECONDS * 1000).toISOString();
  const downloads = await Promise.all(
    job.files.map(async (file) => ({
      ...file,
      url: await deps.links.urlFor(job.prefix + file.name, DOWNLOAD_URL_SECONDS),
      urlExpiresAt,
    })),
  );
  return { job, downloads };
}
