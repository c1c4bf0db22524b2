/**
 * One segment of an export: from the checkpoint, whole steps of the period (a day each in the service), each
 * written to the segment's part files kind by kind, until the period is done or the time budget says stop; after
 * the last day, the closing step (refunds and the settlement files, which are read for the whole period). The
 * parts are completed together at the end, and the checkpoint that comes out says where the next segment starts.
 *
 * Why steps and not whole files: a CSV's rows are read by period, so a day's rows of every CSV can be written and
 * then the next day's; a segment ends between days (never within a journal entry) and its parts hold whole days.
 */
import {
  type CsvSpec,
  complianceCsv,
  EXPORT_CSV_NAMES,
  type ExportCsvName,
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
import type { ExportCheckpoint, ExportJobSpec } from '../domain/exports/jobs';
import { type ManifestFile, partName } from '../domain/exports/manifest';
import {
  bankCsv,
  type ReconciliationRowInput,
  reconciliationCsv,
  settlementsCsv,
} from '../domain/exports/settlement-columns';
import { EXPORT_CSV_SPECS } from '../domain/exports/specs';
import { TotalsAccumulator } from '../domain/exports/totals';
import type { ByteSink, ExportSources } from '../ports';
import { CsvPart } from './export-files';

/** The order files are listed in the manifest (a kind's parts in the order written). */
export const FILE_ORDER: readonly ExportCsvName[] = [
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
];

export interface SegmentDeps {
  /** The records of `period` (a step of the job's period, or all of it for the closing step). */
  sourcesFor: (period: ExportJobSpec, known: { confirmationsAsOf: Record<string, number> }) => ExportSources;
  /** Where the part file `name` goes. */
  sinkFor: (name: string, contentType: string) => ByteSink;
  tokenInfo: (chainId: number, token: string) => TokenInfo | undefined;
  now: () => Date;
  /** Length of a step in milliseconds (Infinity: the whole period is one step). */
  stepMs: number;
  /**
   * Whether to stop before another step, given the longest step so far in this segment: at least one step is
   * always written, so every segment moves the export on.
   */
  shouldStop: (longestStepMs: number) => boolean;
}

/** What a segment came to: the checkpoint after it, and whether the period is done (the manifest may be written). */
export interface SegmentOutcome {
  checkpoint: ExportCheckpoint;
  complete: boolean;
}

/** A fresh checkpoint: nothing written, "as of" `asOf`. */
export function firstCheckpoint(job: ExportJobSpec, asOf: Date): ExportCheckpoint {
  return {
    asOf: asOf.toISOString(),
    segments: 0,
    next: job.from,
    parts: [],
    totals: new TotalsAccumulator().state(),
    confirmationsAsOf: {},
  };
}

/** Writes the segment after `from`; on any failure its parts are aborted and the error thrown. */
export async function writeSegment(
  job: ExportJobSpec,
  from: ExportCheckpoint,
  deps: SegmentDeps,
): Promise<SegmentOutcome> {
  const segment = from.segments + 1;
  const acc = new TotalsAccumulator(from.totals);
  const known = { confirmationsAsOf: { ...from.confirmationsAsOf } };
  const parts = new SegmentParts(segment, acc, deps.sinkFor);
  const asOf = new Date(from.asOf);
  let next = from.next;
  let longest = 0;
  let steps = 0;
  const timed = async (step: () => Promise<void>) => {
    const started = deps.now().getTime();
    await step();
    longest = Math.max(longest, deps.now().getTime() - started);
    steps++;
  };
  try {
    while (next < job.to && !(steps > 0 && deps.shouldStop(longest))) {
      const end = new Date(Math.min(Date.parse(next) + deps.stepMs, Date.parse(job.to))).toISOString();
      await timed(() => writeDay(parts, { ...job, from: next, to: end }, known, asOf, deps));
      next = end;
    }
    const complete = next >= job.to && !(steps > 0 && deps.shouldStop(longest));
    if (complete) await timed(() => writeClosing(parts, job, known, deps));
    const written = await parts.end(complete ? missingKinds(from.parts) : []);
    const checkpoint: ExportCheckpoint = {
      asOf: from.asOf,
      segments: segment,
      next,
      parts: [...from.parts, ...written],
      totals: acc.state(),
      confirmationsAsOf: known.confirmationsAsOf,
    };
    return { checkpoint, complete };
  } catch (error) {
    await parts.abort();
    throw error;
  }
}

/** The parts of a finished export in manifest order: by file, each file's parts in the order written. */
export function manifestFiles(parts: readonly ManifestFile[]): ManifestFile[] {
  const rank = (file: ManifestFile) => FILE_ORDER.indexOf(file.kind as ExportCsvName);
  return [...parts].sort((a, b) => rank(a) - rank(b));
}

/** The kinds with no part among `parts` (the last segment writes them header-only, so every CSV has a file). */
function missingKinds(parts: readonly ManifestFile[]): ExportCsvName[] {
  return EXPORT_CSV_NAMES.filter((kind) => !parts.some((p) => p.kind === kind));
}

/** A day's (a step's) rows of every CSV read by period. */
async function writeDay(
  parts: SegmentParts,
  period: ExportJobSpec,
  known: { confirmationsAsOf: Record<string, number> },
  asOf: Date,
  deps: SegmentDeps,
): Promise<void> {
  const sources = deps.sourcesFor(period, known);
  await parts.write(
    invoicesCsv,
    mapAsync(sources.invoices(), (invoice) => ({ invoice, asOf })),
  );
  await parts.write(
    transfersCsv,
    mapAsync(sources.transfers(), ({ transfer, confirmations }) => ({
      transfer,
      confirmations,
      token: deps.tokenInfo(transfer.chainId, transfer.token),
    })),
  );
  await parts.write(receiptsCsv, sources.receipts());
  await parts.write(journalCsv, flatMapAsync(sources.journal(), journalRowInputs));
  await parts.write(
    sweepsCsv,
    flatMapAsync(sources.sweeps(), (sweep) => sweepRowInputs(sweep, deps.tokenInfo(sweep.chainId, sweep.token))),
  );
  await parts.write(complianceCsv, sources.compliance());
  Object.assign(known.confirmationsAsOf, sources.confirmationsAsOf());
}

/**
 * The closing step, over the whole period: refunds (a refund belongs to the period by its request or its
 * completion, so it is not a day's), then the settlement facts, whose derived journal entries join journal.csv
 * after the store's.
 */
async function writeClosing(
  parts: SegmentParts,
  job: ExportJobSpec,
  known: { confirmationsAsOf: Record<string, number> },
  deps: SegmentDeps,
): Promise<void> {
  const sources = deps.sourcesFor(job, known);
  await parts.write(
    refundsCsv,
    mapAsync(sources.refunds(), (refund) => ({ refund })),
  );
  const settlement = await sources.settlement?.();
  await parts.write(journalCsv, flatMapAsync(fromList(settlement?.reconciliation.journal ?? []), journalRowInputs));
  const reconciled: ReconciliationRowInput[] = [
    ...(settlement?.reconciliation.lines ?? []).map((item) => ({ item })),
    ...(settlement?.reconciliation.exceptions ?? []).map((exception) => ({ exception })),
  ];
  await parts.write(settlementsCsv, fromList(settlement?.lines ?? []));
  await parts.write(bankCsv, fromList(settlement?.entries ?? []));
  await parts.write(reconciliationCsv, fromList(reconciled));
}

/** The part files of one segment, one per CSV, each opened on its first row; every row is summed as written. */
class SegmentParts {
  readonly #parts = new Map<ExportCsvName, CsvPart>();

  constructor(
    readonly segment: number,
    readonly acc: TotalsAccumulator,
    readonly sinkFor: (name: string, contentType: string) => ByteSink,
  ) {}

  async write<T>(spec: CsvSpec<T>, inputs: AsyncIterable<T>): Promise<void> {
    const header = headerOf(spec);
    const acc = this.acc;
    async function* rows() {
      for await (const input of inputs) {
        const row = rowOf(spec, input);
        const record: Record<string, string> = {};
        for (let i = 0; i < header.length; i++) record[header[i] as string] = row[i] as string;
        acc.add(spec.name, record);
        yield row;
      }
    }
    await this.#part(spec.name, header).append(rows());
  }

  /** Completes every part with rows (and header-only ones for `evenIfEmpty`); their manifest entries. */
  async end(evenIfEmpty: readonly ExportCsvName[]): Promise<ManifestFile[]> {
    const out: ManifestFile[] = [];
    for (const kind of FILE_ORDER) {
      const part = this.#parts.get(kind) ?? (evenIfEmpty.includes(kind) ? this.#part(kind) : undefined);
      const written = await part?.end(evenIfEmpty.includes(kind));
      if (written) out.push({ name: partName(kind, this.segment), kind, ...written });
    }
    return out;
  }

  async abort(): Promise<void> {
    for (const part of this.#parts.values()) await part.abort();
  }

  #part(kind: ExportCsvName, header?: readonly string[]): CsvPart {
    let part = this.#parts.get(kind);
    if (!part) {
      const name = partName(kind, this.segment);
      part = new CsvPart(header ?? headerOf(SPECS[kind]), () => this.sinkFor(name, 'text/csv; charset=utf-8'));
      this.#parts.set(kind, part);
    }
    return part;
  }
}

const SPECS = EXPORT_CSV_SPECS;

async function* mapAsync<A, B>(source: AsyncIterable<A>, f: (a: A) => B): AsyncGenerator<B> {
  for await (const a of source) yield f(a);
}

async function* flatMapAsync<A, B>(source: AsyncIterable<A>, f: (a: A) => Iterable<B>): AsyncGenerator<B> {
  for await (const a of source) yield* f(a);
}

async function* fromList<A>(items: Iterable<A>): AsyncGenerator<A> {
  yield* items;
}
