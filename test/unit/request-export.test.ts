/** Requesting and reading exports against in-memory ports: the period rules, the undo, the download links. */
import { describe, expect, it } from 'vitest';
import { DOWNLOAD_URL_SECONDS, readExport } from '../../shared/app/read-export';
import { requestExport } from '../../shared/app/request-export';
import { NotFoundError, ValidationError } from '../../shared/domain/errors';
import { EXPORT_ID_PATTERN } from '../../shared/domain/exports/jobs';
import { MemoryExportJobs, MemoryExportQueue, memoryDownloadLinks } from '../support/memory-exports';

const NOW = new Date('2026-03-10T06:00:00.000Z');

function ports() {
  const jobs = new MemoryExportJobs();
  const queue = new MemoryExportQueue();
  return { jobs, queue, deps: { jobs, queue, now: () => NOW } };
}

const period = (from: string, to: string, ministry?: string) => ({ from: new Date(from), to: new Date(to), ministry });

describe('requestExport', () => {
  it('records the job as requested and queues it', async () => {
    const { jobs, queue, deps } = ports();
    const job = await requestExport(period('2026-02-01T00:00:00+05:00', '2026-03-01T00:00:00Z', 'AFSA'), 'aud-1', deps);
    expect(job.id).toMatch(EXPORT_ID_PATTERN);
    expect(job).toMatchObject({
      status: 'requested',
      from: '2026-01-31T19:00:00.000Z',
      to: '2026-03-01T00:00:00.000Z',
      ministry: 'AFSA',
      requestedBy: 'aud-1',
      requestedAt: NOW.toISOString(),
    });
    expect(await jobs.get(job.id)).toEqual(job);
    expect(queue.queued).toEqual([job.id]);
  });

  it.each([
    ['from after to', '2026-03-01T00:00:00Z', '2026-02-01T00:00:00Z', 'must be after from'],
    ['an empty period', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z', 'must be after from'],
    ['more than a year', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00.001Z', 'must not exceed one year'],
    ['a period not yet closed', '2026-03-01T00:00:00Z', '2026-03-10T06:00:00.001Z', 'must not be in the future'],
  ])('refuses %s, recording nothing', async (_what, from, to, message) => {
    const { jobs, queue, deps } = ports();
    const refused = requestExport(period(from, to), 'aud-1', deps);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toThrow(message);
    expect(jobs.jobs.size).toBe(0);
    expect(queue.queued).toEqual([]);
  });

  it('accepts exactly a year, ending now', async () => {
    const { deps } = ports();
    const job = await requestExport(period('2025-03-10T06:00:00Z', '2026-03-10T06:00:00Z'), 'aud-1', deps);
    expect(job.status).toBe('requested');
  });

  it('marks the job failed when it cannot be queued, and says so', async () => {
    const { jobs, queue, deps } = ports();
    queue.failWith = new Error('SQS refused 1 message(s) for exports');
    const refused = requestExport(period('2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'), 'aud-1', deps);
    await expect(refused).rejects.toThrow('SQS refused');
    const [job] = jobs.jobs.values();
    expect(job).toMatchObject({ status: 'failed', error: 'the export could not be queued' });
  });
});

describe('readExport', () => {
  const files = [
    { name: 'invoices.csv', sha256: 'a'.repeat(64), rows: 2, bytes: 300 },
    { name: 'manifest.json', sha256: 'b'.repeat(64), rows: 0, bytes: 900 },
  ];

  it('links every file of a done job for fifteen minutes', async () => {
    const { jobs, deps } = ports();
    const job = await requestExport(period('2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'), 'aud-1', deps);
    await jobs.start(job.id, { runId: 'run-1', at: NOW, until: NOW });
    await jobs.finish(job.id, { files, manifest: {} as never }, NOW, 'run-1');
    const read = await readExport(job.id, { jobs, links: memoryDownloadLinks, now: () => NOW });
    expect(read.job.status).toBe('done');
    expect(read.downloads).toEqual(
      files.map((f) => ({
        ...f,
        url: `memory://${job.prefix}${f.name}?expires=${DOWNLOAD_URL_SECONDS}`,
        urlExpiresAt: '2026-03-10T06:15:00.000Z',
      })),
    );
  });

  it('links nothing before the job is done', async () => {
    const { jobs, deps } = ports();
    const job = await requestExport(period('2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'), 'aud-1', deps);
    await jobs.start(job.id, { runId: 'run-1', at: NOW, until: NOW });
    const read = await readExport(job.id, { jobs, links: memoryDownloadLinks, now: () => NOW });
    expect(read).toMatchObject({ job: { status: 'running', attempts: 1 }, downloads: [] });
  });

  it('reads an unknown or malformed id as absent', async () => {
    const { jobs } = ports();
    const deps = { jobs, links: memoryDownloadLinks, now: () => NOW };
    await expect(readExport('exp_AAAAAAAAAAAAAAAAAAAAAA', deps)).rejects.toBeInstanceOf(NotFoundError);
    await expect(readExport('../etc', deps)).rejects.toBeInstanceOf(NotFoundError);
  });
});
