/**
 * One export run: streams each source through its CSV spec to its sink, accumulating the totals from the rows as
 * written, then signs and writes the manifest. Sources and sinks are injected: the worker passes the store's paged
 * queries and S3 multipart sinks; tests pass generators and memory sinks.
 */

import type { StoredTransfer } from '../adapters/dynamo/transfers';
import { type ByteSink, writeBytes, writeCsv } from '../adapters/export-stream';
import type { ReceiptSigner } from '../adapters/signing/signer';
import {
  type CsvSpec,
  headerOf,
  invoicesCsv,
  journalCsv,
  journalRowInputs,
  receiptsCsv,
  rowOf,
  type TokenInfo,
  transfersCsv,
} from '../domain/exports/columns';
import {
  type ExportManifest,
  MANIFEST_FORMAT,
  type ManifestFile,
  renderManifest,
  signManifest,
} from '../domain/exports/manifest';
import { TotalsAccumulator } from '../domain/exports/totals';
import type { Invoice } from '../domain/invoices';
import type { JournalEntry } from '../domain/journal';
import type { Receipt } from '../domain/receipts';

export interface ExportJobSpec {
  id: string;
  /** Inclusive start, ISO-8601 UTC with milliseconds. */
  from: string;
  /** Exclusive end. */
  to: string;
  ministry?: string;
}

/** The records of a period, each source read lazily page by page. */
export interface ExportSources {
  invoices(): AsyncIterable<Invoice>;
  transfers(): AsyncIterable<{ transfer: StoredTransfer; confirmations?: number }>;
  receipts(): AsyncIterable<{ receipt: Receipt; invoiceCreatedAt?: string }>;
  journal(): AsyncIterable<JournalEntry>;
  /** Per chain id, the block `confirmations` were counted to (known once transfers were read). */
  confirmationsAsOf(): Record<string, number>;
}

export interface RunExportDeps {
  sources: ExportSources;
  tokenInfo: (chainId: number, token: string) => TokenInfo | undefined;
  sinkFor: (name: string, contentType: string) => ByteSink;
  signer: ReceiptSigner;
  now: () => Date;
}

export interface ExportResult {
  manifest: ExportManifest;
  /** The four CSVs and manifest.json. */
  files: ManifestFile[];
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
  files.push(await write(journalCsv, flatMapAsync(sources.journal(), journalRowInputs)));

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
