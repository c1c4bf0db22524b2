/**
 * Running an export job: the job moves to `running`, each source streams through its CSV spec to its sink while the
 * totals accumulate from the rows as written, the manifest is signed and written, and the job is `done`. A job
 * already done is not run again (a redelivered message is a no-op); a failed run is recorded `failed` and thrown,
 * so the queue runs it again (the same file names are overwritten) and finally parks it in the dead-letter queue.
 * Sources and sinks are injected: the worker passes the store's paged queries and S3 multipart sinks; tests pass
 * generators and memory sinks.
 */

import { logger } from '../adapters/observability';
import { type ChainConfig, findChain, findToken, mainnetChains } from '../domain/chains';
import {
  type CsvSpec,
  complianceCsv,
  headerOf,
  invoicesCsv,
  journalCsv,
  journalRowInputs,
  receiptsCsv,
  refundsCsv,
  rowOf,
  sweepRowInputs,
  sweepsCsv,
  type TokenInfo,
  transfersCsv,
} from '../domain/exports/columns';
import type { ExportJob, ExportJobSpec } from '../domain/exports/jobs';
import {
  type ExportManifest,
  MANIFEST_FORMAT,
  type ManifestFile,
  renderManifest,
  signManifest,
} from '../domain/exports/manifest';
import {
  bankCsv,
  type ReconciliationRowInput,
  reconciliationCsv,
  settlementsCsv,
} from '../domain/exports/settlement-columns';
import { TotalsAccumulator } from '../domain/exports/totals';
import type { ByteSink, ExportJobs, ExportSources, ReceiptSigner, SettlementExport } from '../ports';
import { writeBytes, writeCsv } from './export-files';

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

export interface RunExportJobDeps extends Omit<RunExportDeps, 'sources' | 'sinkFor'> {
  jobs: ExportJobs;
  /** The store's records of the job's period. */
  sourcesFor: (job: ExportJobSpec) => ExportSources;
  /** Where the job's file `name` goes. */
  sinkFor: (job: ExportJob, name: string, contentType: string) => ByteSink;
}

/** What a delivery of an export job came to. */
export type ExportJobOutcome = { result: 'done'; files: ManifestFile[] } | { result: 'skipped' };

/** Runs export job `exportId` unless it is unknown or already done; a failed run is recorded and thrown. */
export async function runExportJob(exportId: string, deps: RunExportJobDeps): Promise<ExportJobOutcome> {
  const job = await deps.jobs.start(exportId, deps.now());
  if (!job) {
    logger.info('export already done or unknown; nothing to do', { exportId });
    return { result: 'skipped' };
  }
  try {
    const result = await runExport(job, {
      ...deps,
      sources: deps.sourcesFor(job),
      sinkFor: (name, contentType) => deps.sinkFor(job, name, contentType),
    });
    await deps.jobs.finish(exportId, result, deps.now());
    logger.info('export done', { exportId, files: result.files.map((f) => ({ name: f.name, rows: f.rows })) });
    return { result: 'done', files: result.files };
  } catch (error) {
    logger.error('export failed', { exportId, error: error as Error });
    await deps.jobs.fail(exportId, (error as Error).message ?? String(error), deps.now());
    throw error;
  }
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

/** Runs the export; throws if the journal read does not balance (the store is then inconsistent). */
export async function runExport(job: ExportJobSpec, deps: RunExportDeps): Promise<ExportResult> {
  const asOf = deps.now();
  const acc = new TotalsAccumulator();

  async function write<T>(spec: CsvSpec<T>, inputs: AsyncIterable<T>): Promise<ManifestFile> {
    const header = headerOf(spec);
    async function* rows() {
      for await (const input of inputs) {
        const row = rowOf(spec, input);
        const record: Record<string, string> = {};
        for (let i = 0; i < header.length; i++) record[header[i] as string] = row[i] as string;
        acc.add(spec.name, record);
        yield row;
      }
    }
    const written = await writeCsv(header, rows(), deps.sinkFor(spec.name, 'text/csv; charset=utf-8'));
    return { name: spec.name, ...written };
  }

  const { sources } = deps;
  // Settlement is read first: its derived journal entries join journal.csv.
  const settlement = await sources.settlement?.();
  const files: ManifestFile[] = [];
  files.push(
    await write(
      invoicesCsv,
      mapAsync(sources.invoices(), (invoice) => ({ invoice, asOf })),
    ),
  );
  files.push(
    await write(
      transfersCsv,
      mapAsync(sources.transfers(), ({ transfer, confirmations }) => ({
        transfer,
        confirmations,
        token: deps.tokenInfo(transfer.chainId, transfer.token),
      })),
    ),
  );
  files.push(await write(receiptsCsv, sources.receipts()));
  files.push(
    await write(
      journalCsv,
      flatMapAsync(concatAsync(sources.journal(), settlement?.reconciliation.journal ?? []), journalRowInputs),
    ),
  );
  files.push(
    await write(
      sweepsCsv,
      flatMapAsync(sources.sweeps(), (sweep) => sweepRowInputs(sweep, deps.tokenInfo(sweep.chainId, sweep.token))),
    ),
  );
  files.push(
    await write(
      refundsCsv,
      mapAsync(sources.refunds(), (refund) => ({ refund })),
    ),
  );
  files.push(await write(complianceCsv, sources.compliance()));

  files.push(...(await writeSettlementFiles(write, settlement)));

  const { totals, trialBalance, receiptChains } = acc.finish();
  if (acc.problems.length) throw new Error(`export ${job.id}: ${acc.problems.join('; ')}`);
  if (trialBalance.debits !== trialBalance.credits) {
    throw new Error(`export ${job.id}: journal debits ${trialBalance.debits} != credits ${trialBalance.credits}`);
  }
  const manifest = await signManifest(
    {
      format: MANIFEST_FORMAT,
      exportId: job.id,
      period: { from: job.from, to: job.to },
      ministry: job.ministry ?? null,
      generatedAt: asOf.toISOString(),
      files,
      totals,
      trialBalance,
      receiptChains,
      confirmationsAsOf: sources.confirmationsAsOf(),
    },
    deps.signer,
  );
  const written = await writeBytes(
    Buffer.from(renderManifest(manifest), 'utf8'),
    deps.sinkFor('manifest.json', 'application/json'),
  );
  return { manifest, files: [...files, { name: 'manifest.json', ...written }] };
}

async function* mapAsync<A, B>(source: AsyncIterable<A>, f: (a: A) => B): AsyncGenerator<B> {
  for await (const a of source) yield f(a);
}

async function* flatMapAsync<A, B>(source: AsyncIterable<A>, f: (a: A) => Iterable<B>): AsyncGenerator<B> {
  for await (const a of source) yield* f(a);
}

type WriteCsv = <T>(spec: CsvSpec<T>, inputs: AsyncIterable<T>) => Promise<ManifestFile>;

/** settlements.csv, bank.csv and reconciliation.csv (empty when the export has no settlement facts). */
async function writeSettlementFiles(
  write: WriteCsv,
  settlement: SettlementExport | undefined,
): Promise<ManifestFile[]> {
  const reconciled: ReconciliationRowInput[] = [
    ...(settlement?.reconciliation.lines ?? []).map((item) => ({ item })),
    ...(settlement?.reconciliation.exceptions ?? []).map((exception) => ({ exception })),
  ];
  return [
    await write(settlementsCsv, fromList(settlement?.lines ?? [])),
    await write(bankCsv, fromList(settlement?.entries ?? [])),
    await write(reconciliationCsv, fromList(reconciled)),
  ];
}

async function* concatAsync<A>(first: AsyncIterable<A>, then: Iterable<A>): AsyncGenerator<A> {
  yield* first;
  yield* then;
}

async function* fromList<A>(items: Iterable<A>): AsyncGenerator<A> {
  yield* items;
}
