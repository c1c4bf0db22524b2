/**
 * Exports continued across invocations, on in-memory ports: a time budget forces a segment per step (a second of
 * the synthetic period here, a day in the service), each segment is checkpointed and continued through the queue,
 * and the last one signs a manifest over every part. A crash between segments and within one, and duplicated
 * messages (in turn and at once), still end in one export that verifies; an edited part is caught.
 */
import { stringify } from 'csv-stringify/sync';
import { hexlify, randomBytes } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { memorySink } from '../../shared/adapters/byte-sinks';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { type RunExportJobDeps, runExport, runExportJob } from '../../shared/app/export';
import { CsvPart } from '../../shared/app/export-files';
import {
  type ExportManifest,
  MANIFEST_FORMAT_V1,
  partName,
  renderManifest,
  signManifest,
  verifyManifestSignature,
} from '../../shared/domain/exports/manifest';
import { exportFilesOf, verifyExport } from '../../shared/verify';
import { syntheticPeriod, syntheticSources, syntheticTokenInfo } from '../fixtures/synthetic-export';
import { MemoryExportJobs, MemoryExportQueue } from '../support/memory-exports';
import { sourcesWithin } from '../support/period-sources';

const NOW = new Date('2026-03-10T06:00:00.000Z');
const COUNT = 4;
const ID = 'exp_AAAAAAAAAAAAAAAAAAAAAA';
const signer = new LocalKeySigner(hexlify(randomBytes(32)));
let signerAddress: string;
beforeAll(async () => {
  signerAddress = await signer.address();
});

/** A job over the synthetic period, run a second (one synthetic invoice) at a time with no time to spare. */
async function setUp(overrides: Partial<RunExportJobDeps> = {}) {
  const jobs = new MemoryExportJobs();
  const job = await jobs.create({ id: ID, ...syntheticPeriod(COUNT) }, 'aud-1', NOW);
  const queue = new MemoryExportQueue();
  const objects = new Map<string, Uint8Array>();
  const all = syntheticSources({ count: COUNT, signer, signed: true });
  const deps: RunExportJobDeps = {
    jobs,
    sourcesFor: (period) => sourcesWithin(all, period),
    sinkFor: (j, name) => {
      const sink = memorySink();
      return {
        ...sink,
        async end() {
          await sink.end();
          objects.set(name, sink.bytes());
          expect(j.prefix).toBe(`exports/${ID}/`);
        },
      };
    },
    queue,
    timeLeft: () => 0,
    reserveMs: 1,
    stepMs: 1000,
    tokenInfo: syntheticTokenInfo,
    signer,
    now: () => NOW,
    ...overrides,
  };
  /** Delivers the queue's messages to the worker until none is left; the outcomes in order. */
  async function drain(with_: RunExportJobDeps = deps) {
    const outcomes = [];
    for (let id = queue.queued.shift(); id; id = queue.queued.shift()) outcomes.push(await runExportJob(id, with_));
    return outcomes;
  }
  return { jobs, job, queue, objects, deps, drain };
}

const verify = (objects: Map<string, Uint8Array>) =>
  verifyExport(exportFilesOf(objects), { expectedSigner: signerAddress });

describe('an export continued segment by segment', () => {
  it('checkpoints each segment, continues through the queue, and signs a manifest over every part', async () => {
    const { jobs, queue, objects, drain } = await setUp();
    queue.queued.push(ID);
    const outcomes = await drain();
    // COUNT + 1 seconds, a segment each, then the closing step (refunds, settlement, empty files) in its own.
    expect(outcomes.map((o) => o.result)).toEqual([...Array(COUNT + 1).fill('continued'), 'done']);
    const done = await jobs.get(ID);
    expect(done).toMatchObject({ status: 'done', attempts: COUNT + 2 });
    expect(done?.checkpoint).toBeUndefined();
    const manifest = done?.manifest;
    expect(manifest?.format).toBe('stablefee-export/2');
    expect(manifest && verifyManifestSignature(manifest, signerAddress).ok).toBe(true);
    const invoices = manifest?.files.filter((f) => f.kind === 'invoices.csv') ?? [];
    expect(invoices.map((f) => [f.name, f.rows])).toEqual([
      ['invoices.csv', 1],
      ['invoices.part0002.csv', 1],
      ['invoices.part0003.csv', 1],
      ['invoices.part0004.csv', 1],
    ]);
    // A CSV with no rows in any segment still has its (header-only) file, from the last segment.
    expect(manifest?.files.find((f) => f.kind === 'sweeps.csv')).toMatchObject({
      name: partName('sweeps.csv', COUNT + 2),
      rows: 0,
    });
    expect(manifest?.totals.invoices.rows).toBe(COUNT);
    const report = await verify(objects);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('comes to the same rows and totals as the export made in one go', async () => {
    const { queue, jobs, objects, drain } = await setUp();
    queue.queued.push(ID);
    await drain();
    const whole = new Map<string, Uint8Array>();
    const result = await runExport(
      { id: ID, ...syntheticPeriod(COUNT) },
      {
        sources: syntheticSources({ count: COUNT, signer, signed: true }),
        sinkFor: (name) => {
          const sink = memorySink();
          return {
            ...sink,
            async end() {
              await sink.end();
              whole.set(name, sink.bytes());
            },
          };
        },
        tokenInfo: syntheticTokenInfo,
        signer,
        now: () => NOW,
      },
    );
    const manifest = (await jobs.get(ID))?.manifest;
    expect(manifest?.totals).toEqual(result.manifest.totals);
    expect(manifest?.receiptChains).toEqual(result.manifest.receiptChains);
    expect(manifest?.trialBalance).toEqual(result.manifest.trialBalance);
    const dataRows = (name: string) => new TextDecoder().decode(objects.get(name)).split('\n').slice(1, -1);
    for (const kind of ['invoices.csv', 'receipts.csv', 'journal.csv'] as const) {
      const parts = manifest?.files.filter((f) => f.kind === kind).flatMap((f) => dataRows(f.name));
      const one = new TextDecoder().decode(whole.get(kind)).split('\n').slice(1, -1);
      expect(parts).toEqual(one);
    }
  });

  it('keeps to one invocation and one file per CSV when the time allows', async () => {
    const { jobs, queue, objects, drain } = await setUp({ timeLeft: () => 900_000, reserveMs: 60_000 });
    queue.queued.push(ID);
    expect((await drain()).map((o) => o.result)).toEqual(['done']);
    const files = (await jobs.get(ID))?.files ?? [];
    expect(files.map((f) => f.name)).toEqual([
      'invoices.csv',
      'transfers.csv',
      'receipts.csv',
      'journal.csv',
      'sweeps.csv',
      'refunds.csv',
      'compliance.csv',
      'settlements.csv',
      'bank.csv',
      'reconciliation.csv',
      'manifest.json',
    ]);
    expect((await verify(objects)).ok).toBe(true);
  });

  it('resumes after a crash between segments (recorded, not yet continued) from the recorded segment', async () => {
    const { jobs, queue, objects, deps, drain } = await setUp();
    queue.queued.push(ID);
    const flaky = new MemoryExportQueue();
    flaky.failWith = new Error('SQS unavailable');
    // Segment 1 is recorded, then sending its continuation fails: the message is retried as it is.
    await expect(runExportJob(ID, { ...deps, queue: flaky })).rejects.toThrow('SQS unavailable');
    // The segment was recorded (and the claim released with it): the job waits for the retry, no run holds it.
    const waiting = await jobs.get(ID);
    expect(waiting).toMatchObject({ status: 'running', checkpoint: { segments: 1 } });
    expect(waiting?.runId).toBeUndefined();
    const outcomes = await drain();
    expect(outcomes[0]).toEqual({ result: 'continued', segments: 2 });
    expect(outcomes.at(-1)?.result).toBe('done');
    const manifest = (await jobs.get(ID))?.manifest;
    expect(manifest?.files.filter((f) => f.kind === 'invoices.csv').map((f) => f.name)).toEqual([
      'invoices.csv',
      'invoices.part0002.csv',
      'invoices.part0003.csv',
      'invoices.part0004.csv',
    ]);
    expect((await verify(objects)).problems).toEqual([]);
  });

  it('redoes a segment that crashed midway, overwriting its own parts', async () => {
    const { jobs, queue, objects, deps, drain } = await setUp();
    await runExportJob(ID, deps);
    let writes = 0;
    const crashing: RunExportJobDeps = {
      ...deps,
      sinkFor: (job, name, contentType) => {
        const sink = deps.sinkFor(job, name, contentType);
        return {
          ...sink,
          async write(chunk) {
            // The segment's first part gets its header, then the store read "dies".
            if (++writes > 1) throw new Error('read timed out');
            await sink.write(chunk);
          },
        };
      },
    };
    queue.queued.length = 0;
    await expect(runExportJob(ID, crashing)).rejects.toThrow('read timed out');
    expect(await jobs.get(ID)).toMatchObject({ status: 'failed', checkpoint: { segments: 1 } });
    queue.queued.push(ID);
    await drain();
    const done = await jobs.get(ID);
    expect(done?.status).toBe('done');
    expect(done?.manifest?.totals.invoices.rows).toBe(COUNT);
    expect((await verify(objects)).problems).toEqual([]);
  });

  it('treats a duplicated continuation as a resume, and a concurrent one as a no-op', async () => {
    const { jobs, queue, objects, deps, drain } = await setUp({ timeLeft: () => 60_000, reserveMs: 1e9 });
    queue.queued.push(ID);
    // The same message delivered twice in turn: the second resumes where the first stopped.
    await runExportJob(queue.queued.shift() as string, deps);
    const continuation = queue.queued.shift() as string;
    expect(await runExportJob(continuation, deps)).toEqual({ result: 'continued', segments: 2 });
    expect(await runExportJob(continuation, deps)).toEqual({ result: 'continued', segments: 3 });
    // Two at once: one holds the job, the other finds it held and comes back later (its record fails, not deleted).
    const messages = queue.queued.splice(0);
    const both = await Promise.all([runExportJob(ID, deps), runExportJob(ID, deps)]);
    expect(both.map((o) => o.result).sort()).toEqual(['continued', 'held']);
    queue.queued.push(...messages);
    await drain();
    const done = await jobs.get(ID);
    expect(done?.manifest?.totals.invoices.rows).toBe(COUNT);
    expect(queue.queued).toEqual([]);
    expect((await verify(objects)).problems).toEqual([]);
    // A message after the end finds the job done.
    expect(await runExportJob(ID, deps)).toEqual({ result: 'skipped' });
  });

  it('records a segment once: a run whose claim lapsed and was taken cannot record it again', async () => {
    const { jobs, deps } = await setUp();
    const started = await jobs.start(ID, { runId: 'run-a', at: NOW, until: NOW });
    expect(started?.runId).toBe('run-a');
    await runExportJob(ID, deps);
    const checkpoint = (await jobs.get(ID))?.checkpoint;
    expect(checkpoint?.segments).toBe(1);
    expect(await jobs.checkpoint(ID, 'run-a', { ...(checkpoint as NonNullable<typeof checkpoint>) })).toBe(false);
  });
});

describe('the verifier on a continued export', () => {
  async function continued() {
    const { queue, objects, drain } = await setUp();
    queue.queued.push(ID);
    await drain();
    return objects;
  }

  it('catches an edited part, naming it', async () => {
    const objects = await continued();
    const part = objects.get('invoices.part0003.csv') as Uint8Array;
    const text = new TextDecoder().decode(part).replace('"AFSA"', '"AFSB"');
    objects.set('invoices.part0003.csv', new TextEncoder().encode(text));
    const report = await verify(objects);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/invoices\.part0003\.csv: SHA-256 .* the file was changed/);
  });

  it('catches a missing part', async () => {
    const objects = await continued();
    const missing = new Map(objects);
    missing.delete('receipts.part0002.csv');
    expect((await verify(missing)).problems).toContain('receipts.part0002.csv is missing');
  });
});

describe('the verifier on a forged part list', () => {
  it('reads no file outside the export: a part named with a path is refused, unread', async () => {
    const { queue, jobs, objects, drain } = await setUp({ timeLeft: () => 900_000, reserveMs: 60_000 });
    queue.queued.push(ID);
    await drain();
    const manifest = (await jobs.get(ID))?.manifest as ExportManifest;
    const { signer: _s, signature: _sig, ...unsigned } = manifest;
    const forged = await signManifest(
      {
        ...unsigned,
        files: [...manifest.files, { name: '../secrets.csv', kind: 'invoices.csv', sha256: '0', rows: 0, bytes: 0 }],
      },
      signer,
    );
    objects.set('manifest.json', new TextEncoder().encode(renderManifest(forged)));
    const asked: string[] = [];
    const files = exportFilesOf(objects);
    const report = await verifyExport(
      {
        read: (name) => {
          asked.push(name);
          return files.read(name);
        },
      },
      { expectedSigner: signerAddress },
    );
    expect(report.problems).toContain('manifest.json lists "../secrets.csv", not a plain file name');
    expect(asked).not.toContain('../secrets.csv');
  });
});

describe('the verifier on a format 1 export (one file per CSV, no kinds)', () => {
  it('still verifies it, and still catches an edited file', async () => {
    const { queue, jobs, objects, drain } = await setUp({ timeLeft: () => 900_000, reserveMs: 60_000 });
    queue.queued.push(ID);
    await drain();
    const v2 = (await jobs.get(ID))?.manifest as ExportManifest;
    const { signer: _s, signature: _sig, ...unsigned } = v2;
    const v1 = await signManifest(
      { ...unsigned, format: MANIFEST_FORMAT_V1, files: v2.files.map(({ kind: _kind, ...file }) => file) },
      signer,
    );
    objects.set('manifest.json', new TextEncoder().encode(renderManifest(v1)));
    expect((await verify(objects)).problems).toEqual([]);
    objects.set('journal.csv', new TextEncoder().encode(`${new TextDecoder().decode(objects.get('journal.csv'))}\n`));
    expect((await verify(objects)).problems.join('\n')).toMatch(/journal\.csv: SHA-256/);
  });
});

describe('CsvPart', () => {
  const header = ['a', 'b c', 'd"e'];
  const rows = [
    ['1', 'x,y', 'ТОО «"q"»'],
    ['', '\n', "'=1"],
  ];
  async function* from(list: string[][]) {
    yield* list;
  }

  it('writes, in pieces, the bytes csv-stringify writes at once (BOM, header, quoting)', async () => {
    const whole = `\uFEFF${stringify([header, ...rows], { quoted: true, record_delimiter: 'unix' })}`;
    const sink = memorySink();
    const part = new CsvPart(header, () => sink);
    await part.append(from(rows.slice(0, 1)));
    await part.append(from([]));
    await part.append(from(rows.slice(1)));
    const written = await part.end();
    expect(sink.bytes().toString('utf8')).toBe(whole);
    expect(written).toMatchObject({ rows: 2, bytes: Buffer.byteLength(whole) });
  });

  it('opens no file without a row, unless asked for a header-only one', async () => {
    let opened = 0;
    const sink = memorySink();
    const part = new CsvPart(header, () => {
      opened++;
      return sink;
    });
    await part.append(from([]));
    expect(await part.end()).toBeUndefined();
    expect(opened).toBe(0);
    expect(await part.end(true)).toMatchObject({ rows: 0 });
    expect(sink.bytes().toString('utf8')).toBe(`\uFEFF${stringify([header], { quoted: true })}`);
  });
});
