/**
 * Running export jobs against in-memory ports: synthetic sources, memory byte sinks and an in-memory job store. A
 * done job records its files and signed manifest; a redelivered one is skipped; a failed run is recorded and retried.
 */
import { createHash } from 'node:crypto';
import { hexlify, randomBytes } from 'ethers';
import { describe, expect, it } from 'vitest';
import { memorySink } from '../../shared/adapters/byte-sinks';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { type RunExportJobDeps, runExportJob, tokenInfoFrom } from '../../shared/app/export';
import { localChain, mainnetChains, token } from '../../shared/domain/chains';
import { verifyManifestSignature } from '../../shared/domain/exports/manifest';
import type { ExportSources } from '../../shared/ports';
import { syntheticPeriod, syntheticSources, syntheticTokenInfo } from '../fixtures/synthetic-export';
import { MemoryExportJobs, MemoryExportQueue } from '../support/memory-exports';

const NOW = new Date('2026-03-10T06:00:00.000Z');
const signer = new LocalKeySigner(hexlify(randomBytes(32)));

async function setUp(count = 3) {
  const jobs = new MemoryExportJobs();
  const job = await jobs.create({ id: 'exp_AAAAAAAAAAAAAAAAAAAAAA', ...syntheticPeriod(count) }, 'aud-1', NOW);
  const sinks = new Map<string, ReturnType<typeof memorySink>>();
  let sourcesRead = 0;
  const deps: RunExportJobDeps = {
    jobs,
    sourcesFor: () => {
      sourcesRead++;
      return syntheticSources({ count, signer });
    },
    sinkFor: (j, name) => {
      const sink = memorySink();
      sinks.set(j.prefix + name, sink);
      return sink;
    },
    queue: new MemoryExportQueue(),
    timeLeft: () => 900_000,
    tokenInfo: syntheticTokenInfo,
    signer,
    now: () => NOW,
  };
  return { jobs, job, sinks, deps, sourcesRead: () => sourcesRead };
}

describe('runExportJob', () => {
  it('writes the CSVs and a signed manifest under the job prefix, and records the job done', async () => {
    const { jobs, job, sinks, deps } = await setUp(3);
    const outcome = await runExportJob(job.id, deps);
    expect(outcome.result).toBe('done');
    expect([...sinks.keys()]).toEqual(
      [
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
      ].map((n) => job.prefix + n),
    );
    const stored = await jobs.get(job.id);
    expect(stored).toMatchObject({ status: 'done', attempts: 1, finishedAt: NOW.toISOString() });
    for (const file of stored?.files ?? []) {
      const bytes = sinks.get(job.prefix + file.name)?.bytes() ?? Buffer.alloc(0);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      expect(bytes.length).toBe(file.bytes);
    }
    expect(stored?.files?.find((f) => f.name === 'invoices.csv')?.rows).toBe(3);
    const manifest = stored?.manifest;
    expect(manifest).toMatchObject({ exportId: job.id, period: { from: job.from, to: job.to } });
    expect(manifest && verifyManifestSignature(manifest, await signer.address()).ok).toBe(true);
  });

  it('skips a job already done, reading nothing', async () => {
    const { job, deps, sourcesRead } = await setUp(1);
    await runExportJob(job.id, deps);
    expect(await runExportJob(job.id, deps)).toEqual({ result: 'skipped' });
    expect(await runExportJob('exp_unknownunknownunknow', deps)).toEqual({ result: 'skipped' });
    // One day of sources and the closing step's, all in the first run.
    expect(sourcesRead()).toBe(2);
  });

  it('records a failed run with its error, throws it, and runs again on redelivery', async () => {
    const { jobs, job, deps } = await setUp(2);
    const broken: ExportSources = {
      ...syntheticSources({ count: 2, signer }),
      // biome-ignore lint/correctness/useYield: a source that fails before its first record
      async *journal() {
        throw new Error('the table read failed');
      },
    };
    await expect(runExportJob(job.id, { ...deps, sourcesFor: () => broken })).rejects.toThrow('the table read failed');
    expect(await jobs.get(job.id)).toMatchObject({ status: 'failed', error: 'the table read failed', attempts: 1 });
    expect((await runExportJob(job.id, deps)).result).toBe('done');
    const retried = await jobs.get(job.id);
    expect(retried).toMatchObject({ status: 'done', attempts: 2 });
    expect(retried?.error).toBeUndefined();
  });
});

describe('tokenInfoFrom', () => {
  it('names tokens of the enabled chains first, then of the mainnet table', () => {
    const local = localChain([token('0x5FbDB2315678afecb367f032d93F642f64180aa3', 'USDT', 6)]);
    const info = tokenInfoFrom([local]);
    expect(info(local.chainId, '0x5fbdb2315678afecb367f032d93f642f64180aa3')).toEqual({
      chain: 'Hardhat local',
      symbol: 'USDT',
      decimals: 6,
    });
    const ethereum = mainnetChains[0];
    const usdt = ethereum?.tokens[0];
    expect(info(ethereum?.chainId ?? 0, usdt?.address ?? '')).toMatchObject({ symbol: usdt?.symbol });
    expect(info(ethereum?.chainId ?? 0, '0x0000000000000000000000000000000000000001')).toBeUndefined();
  });
});
