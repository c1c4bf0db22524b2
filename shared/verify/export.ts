/**
 * Offline verification of a downloaded export and of single receipts. Pure apart from reading the files: no
 * network, no service, only the published signer address.
 *
 * An export passes when: manifest.json is canonical JSON signed (EIP-712) by the expected signer; every CSV has
 * the documented header and the SHA-256, byte count and row count the manifest lists; the totals, trial balance
 * and receipt chain segments recomputed from the rows equal the manifest's; every journal entry balances and
 * debits = credits; every receipt row rebuilds from its `receipt_json` into a receipt whose signature verifies,
 * whose display cells match, and whose chain links from the manifest's anchor to its head without gaps; and the
 * receipts agree with the paid invoices (amounts per invoice, and receipts.csv's total against theirs); sweeps and
 * refunds agree with their journal entries, and every approved refund shows two different people (four eyes).
 * Every failed check is a sentence naming the file, row or receipt at fault.
 */
import { parse as parseCsvSync } from 'csv-parse/browser/esm/sync';
import { sha256 } from 'ethers';
import * as z from 'zod';
import {
  EXPORT_CSV_NAMES,
  type ExportCsvName,
  fixedDecimal,
  headerOf,
  neutralize,
  receiptsCsv,
  refundMicroUsd,
  rowOf,
} from '../domain/exports/columns';
import {
  canonicalJson,
  type ExportManifest,
  MANIFEST_FORMAT,
  MANIFEST_FORMAT_V1,
  type ManifestFile,
  renderManifest,
  verifyManifestSignature,
} from '../domain/exports/manifest';
import { EXPORT_CSV_SPECS } from '../domain/exports/specs';
import { type Row, TotalsAccumulator } from '../domain/exports/totals';
import { type ChainAnchor, type Receipt, verifyReceiptChain } from '../domain/receipts';
import { NO_EXPECTED_SIGNER, receiptFromJson } from './receipt';
import { type CheckFindings, type CheckLog, EXPORT_CHECKS, Verification, type VerifyReport } from './report';

/**
 * How an export's CSV is read (csv-parse, the sibling of the csv-stringify that wrote it): RFC 4180 with strict
 * quoting, the UTF-8 BOM dropped, blank lines skipped, records of any length (a wrong cell count is reported row by
 * row). The same options as tools/export-csv.ts; the browser build of the parser, so the console runs this too.
 */
const CSV_OPTIONS = { bom: true, skip_empty_lines: true, relax_column_count: true } as const;

const SPECS = EXPORT_CSV_SPECS;

const manifestShape = z.object({
  format: z.enum([MANIFEST_FORMAT, MANIFEST_FORMAT_V1]),
  exportId: z.string(),
  period: z.object({ from: z.string(), to: z.string() }),
  ministry: z.string().nullable(),
  generatedAt: z.string(),
  files: z.array(
    z.object({
      name: z.string(),
      kind: z.string().optional(),
      sha256: z.string(),
      rows: z.number().int(),
      bytes: z.number().int(),
    }),
  ),
  totals: z.record(z.string(), z.unknown()),
  trialBalance: z.object({ debits: z.string(), credits: z.string() }),
  receiptChains: z.record(
    z.string(),
    z.object({
      firstNo: z.string(),
      firstPrevHash: z.string(),
      lastNo: z.string(),
      lastHash: z.string(),
      rows: z.number().int(),
    }),
  ),
  confirmationsAsOf: z.record(z.string(), z.number()),
  signer: z.string(),
  signature: z.string(),
});

/** The path of the first difference between two JSON values, or undefined when equal. */
function firstDiff(a: unknown, b: unknown, path: string): { path: string; a: unknown; b: unknown } | undefined {
  if (canonicalJson(a) === canonicalJson(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
      const d = firstDiff(ao[key], bo[key], `${path}.${key}`);
      if (d) return d;
    }
  }
  return { path, a, b };
}

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

interface InvoiceFacts {
  status: string;
  dueMicroUsd: string;
  paidMicroUsd: string;
  receiptId: string;
  /** Receipts of the invoice annulled (a payment gone after finality), whatever period the annulment fell in. */
  annulledReceiptIds: string[];
  paidAt: string;
  ministry: string;
  /** The invoices.csv cells of the reference-data versions it was priced with (empty before versioning). */
  feeVersion: string;
  mrpVersion: string;
}

/** What the rows of the files add up to, for the checks across files. */
interface ExportContents {
  acc: TotalsAccumulator;
  invoices: Map<string, InvoiceFacts>;
  receipts: Receipt[];
  receiptRows: { receipt: Receipt; invoiceCreatedAt: string }[];
  /** Per sweep id: its state, when final, and the micro-USD of its rows; per sweep id, its journal entry's debits. */
  sweeps: Map<string, { state: string; finalAt: string; microUsd: bigint }>;
  sweepEntries: Map<string, bigint>;
  /** Per refund completed within the period: its micro-USD; per refund id, its `refund-completed` entries. */
  refundsCompleted: Map<string, bigint>;
  refundEntries: Map<string, { entries: number; microUsd: bigint }>;
  /** settlements.csv rows and reconciliation.csv line rows by `batch_id:line`, for the check across them. */
  settlementRows?: Map<string, Row>;
  reconciledRows?: Map<string, Row>;
}

/**
 * The files of a downloaded export, read one at a time (so the command holds one file in memory, not the export):
 * the bytes of `name`, or undefined when the export has no such file.
 */
export interface ExportFiles {
  read(name: string): Promise<Uint8Array | undefined>;
}

/** The files of an export already in memory (a browser's download, say), by name. */
export function exportFilesOf(files: ReadonlyMap<string, Uint8Array>): ExportFiles {
  return { read: async (name) => files.get(name) };
}

/** UTF-8 as Node reads it: a byte-order mark kept (so a manifest with one is not canonical), bad bytes replaced. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Verifies an export: manifest.json and the CSVs as downloaded. Pure: reads only through `files`, so the same code
 * runs in the `stablefee` command (files on disk) and in the console (files fetched by the browser).
 */
export async function verifyExport(
  files: ExportFiles,
  options: { expectedSigner?: string } = {},
): Promise<VerifyReport> {
  const found = new Verification(EXPORT_CHECKS);
  const manifest = await readManifest(files, options.expectedSigner, found.check('manifest'));
  if (!manifest) return found.report();

  const contents: ExportContents = {
    acc: new TotalsAccumulator(),
    invoices: new Map(),
    receipts: [],
    receiptRows: [],
    sweeps: new Map(),
    sweepEntries: new Map(),
    refundsCompleted: new Map(),
    refundEntries: new Map(),
  };
  const parts = partsByKind(manifest, found.check('manifest').problems);
  for (const kind of EXPORT_CSV_NAMES) {
    const listed = parts.get(kind) ?? [];
    const check = found.check(kind);
    if (!listed.length) {
      check.problems.push(`manifest.json does not list ${kind}`);
      await readExportFile(await files.read(kind), kind, kind, undefined, manifest.period, contents, check);
    }
    for (const part of listed) {
      await readExportFile(await files.read(part.name), part.name, kind, part, manifest.period, contents, check);
    }
  }
  checkAcrossFiles(contents, manifest, options.expectedSigner, found);
  return found.report();
}

/** A file name with no folder in it (no `/`, `\\`, or leading dot). */
const PLAIN_FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * The manifest's files per CSV, in the order listed: format 2 names each part's CSV (`kind`); format 1 lists each
 * CSV once under its own name. A file of no known CSV, or listed twice, is a problem.
 */
function partsByKind(manifest: ExportManifest, problems: CheckLog): Map<ExportCsvName, ManifestFile[]> {
  const out = new Map<ExportCsvName, ManifestFile[]>();
  const names = new Set<string>();
  for (const file of manifest.files) {
    const kind = manifest.format === MANIFEST_FORMAT_V1 ? file.name : file.kind;
    if (names.has(file.name)) problems.push(`manifest.json lists ${file.name} twice`);
    names.add(file.name);
    if (!(EXPORT_CSV_NAMES as readonly (string | undefined)[]).includes(kind)) {
      problems.push(`manifest.json lists an unknown file ${file.name}`);
      continue;
    }
    // Files are read by name from a folder: a name with a path in it would reach outside the export.
    if (!PLAIN_FILE_NAME.test(file.name)) {
      problems.push(`manifest.json lists ${JSON.stringify(file.name)}, not a plain file name`);
      continue;
    }
    const list = out.get(kind as ExportCsvName) ?? [];
    list.push(file);
    out.set(kind as ExportCsvName, list);
  }
  return out;
}

/** The checks across files: totals and trial balance, receipt chains, receipts, sweeps, refunds, settlements. */
function checkAcrossFiles(
  contents: ExportContents,
  manifest: ExportManifest,
  expectedSigner: string | undefined,
  found: Verification,
): void {
  const recomputed = contents.acc.finish();
  const totals = found.check('totals');
  totals.problems.push(...contents.acc.problems);
  checkTotals(recomputed, manifest, totals.problems);
  checkReceiptChains(recomputed, manifest, contents.receipts, expectedSigner, found.check('receipt-chains').problems);
  checkReceiptsAgainstInvoices(contents, manifest.period, found.check('receipts-invoices'));
  checkSweepsAgainstJournal(contents, manifest.period, found.check('sweeps-journal').problems);
  checkRefundsAgainstJournal(contents, found.check('refunds-journal').problems);
  checkSettlementsAgainstReconciliation(contents, found.check('settlements-reconciliation').problems);
  const { debits, credits } = recomputed.trialBalance;
  totals.notes.push(`journal: debits ${usd(debits)} USD, credits ${usd(credits)} USD`);
}

/** Reads manifest.json and checks its form and signature; undefined when it is not a manifest at all. */
async function readManifest(
  files: ExportFiles,
  expectedSigner: string | undefined,
  { problems, notes }: CheckFindings,
): Promise<ExportManifest | undefined> {
  const bytes = await files.read('manifest.json');
  if (!bytes) {
    problems.push('manifest.json is missing');
    return undefined;
  }
  const text = utf8.decode(bytes);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    problems.push(`manifest.json is not valid JSON (${(error as Error).message}): the file was changed`);
    return undefined;
  }
  const shape = manifestShape.safeParse(raw);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    problems.push(`manifest.json is not an export manifest: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    return undefined;
  }
  const manifest = raw as ExportManifest;
  if (renderManifest(manifest) !== text) {
    problems.push('manifest.json is not in its canonical form (signed files are never reformatted): it was changed');
  }
  if (!expectedSigner) problems.push(NO_EXPECTED_SIGNER);
  const signature = verifyManifestSignature(manifest, expectedSigner);
  if (!signature.ok) problems.push(...signature.problems.map((p) => `manifest.json signature: ${p}`));
  else if (expectedSigner) notes.push(`manifest signed by ${manifest.signer}, the expected signer`);
  return manifest;
}

/**
 * Reads one file of the export (a CSV of `kind`, or one of its parts) row by row into `contents`, checking its
 * header, each row's cell count (and each receipt row against its signed receipt), and its SHA-256, bytes and rows
 * against the manifest's `entry`. Parts are read in order into the same sums, so the totals are over every part.
 */
async function readExportFile(
  bytes: Uint8Array | undefined,
  name: string,
  kind: ExportCsvName,
  entry: ManifestFile | undefined,
  period: ExportManifest['period'],
  contents: ExportContents,
  { problems, notes }: CheckFindings,
): Promise<void> {
  if (!bytes) {
    problems.push(`${name} is missing`);
    return;
  }
  const expectedHeader = headerOf(SPECS[kind]);
  let rows = 0;
  let header: string[] | undefined;
  let rowProblems = 0;
  const report = (message: string) => {
    if (rowProblems++ < 20) problems.push(message);
    else if (rowProblems === 21) problems.push(`${name}: more problems not listed`);
  };
  const onRecord = (record: string[]) => {
    if (!header) {
      header = record;
      if (canonicalJson(record) !== canonicalJson(expectedHeader)) {
        report(`${name}: the header is not the documented columns (got ${record.slice(0, 5).join(',')}…)`);
      }
      return;
    }
    rows++;
    if (record.length !== expectedHeader.length) {
      report(`${name} row ${rows}: ${record.length} cells, expected ${expectedHeader.length}`);
      return;
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < expectedHeader.length; i++) row[expectedHeader[i] as string] = record[i] as string;
    contents.acc.add(kind, row);
    if (kind === 'invoices.csv') contents.invoices.set(row.invoice_id as string, invoiceFactsOf(row));
    else if (kind === 'receipts.csv') {
      checkReceiptRow(row, rows, record, report, contents.receipts, contents.receiptRows);
    } else if (kind === 'refunds.csv') checkRefundRow(row, rows, period, report, contents);
    if (kind === 'sweeps.csv' || kind === 'journal.csv') noteSweepRow(kind, row, contents);
    if (kind === 'journal.csv') noteRefundEntryRow(row, contents);
    if (kind === 'settlements.csv' || kind === 'reconciliation.csv') noteSettlementRow(kind, row, contents);
  };
  try {
    // Each record is handed on as it is parsed, so the rows before a break in the format are still checked.
    // The parser's browser build takes only its own Buffer or a string: the text, decoded as Node's parser would.
    parseCsvSync(utf8.decode(bytes), { ...CSV_OPTIONS, on_record: (record: string[]) => void onRecord(record) });
  } catch (error) {
    report(`${name}: not valid CSV (${(error as Error).message})`);
  }
  if (!header) report(`${name} is empty (no header)`);
  const digest = sha256(bytes).slice(2);
  if (entry) {
    if (digest !== entry.sha256) {
      problems.push(`${name}: SHA-256 ${digest} differs from the manifest's ${entry.sha256}: the file was changed`);
    }
    if (bytes.length !== entry.bytes) problems.push(`${name}: ${bytes.length} bytes, the manifest says ${entry.bytes}`);
    if (rows !== entry.rows) problems.push(`${name}: ${rows} rows, the manifest says ${entry.rows}`);
  }
  notes.push(`${name}: ${rows} rows, ${bytes.length} bytes`);
}

const SWEEP_ENTRY_SUFFIX = ':final';

/** Collects what the sweep check needs: sweeps.csv rows by sweep, and the debits of `sweep-final` journal entries. */
function noteSweepRow(name: 'sweeps.csv' | 'journal.csv', row: Row, contents: ExportContents): void {
  if (name === 'journal.csv') {
    if (row.kind !== 'sweep-final') return;
    const id = (row.entry_id ?? '').slice(0, -SWEEP_ENTRY_SUFFIX.length);
    contents.sweepEntries.set(id, (contents.sweepEntries.get(id) ?? 0n) + BigInt(row.debit_micro_usd || '0'));
    return;
  }
  const id = row.sweep_id ?? '';
  const seen = contents.sweeps.get(id) ?? { state: row.state ?? '', finalAt: row.final_at ?? '', microUsd: 0n };
  seen.microUsd += BigInt(row.micro_usd || '0');
  contents.sweeps.set(id, seen);
}

/**
 * Sweeps and the journal agree: a `sweep-final` entry of a sweep in sweeps.csv moves exactly what its rows swept,
 * and a sweep that became final within the period has its entry (and only a final sweep has one).
 */
function checkSweepsAgainstJournal(contents: ExportContents, period: { from: string; to: string }, problems: CheckLog) {
  for (const [id, sweep] of contents.sweeps) {
    const entry = contents.sweepEntries.get(id);
    if (entry !== undefined && sweep.state !== 'final') {
      problems.push(`sweeps.csv: sweep ${id} is ${sweep.state} but journal.csv has its sweep-final entry`);
    } else if (entry !== undefined && entry !== sweep.microUsd) {
      problems.push(
        `sweeps.csv: sweep ${id} swept ${usd(sweep.microUsd)} USD, its journal entry moves ${usd(entry)} USD`,
      );
    } else if (entry === undefined && sweep.state === 'final' && sweep.microUsd > 0n) {
      const within = sweep.finalAt >= period.from && sweep.finalAt < period.to;
      if (within) problems.push(`journal.csv: no sweep-final entry for sweep ${id}, final within the period`);
    }
  }
}

const REFUND_ENTRY_SUFFIX = ':completed';
const DECIMAL = /^\d+$/;
const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
/** States a refund reaches only through an approval: the approver must not be the requester. */
const APPROVED_STATES = new Set(['approved', 'instructed', 'completed']);

/**
 * One refunds.csv row on its own: amounts are decimal strings and micro-USD is the amount's face value, an approved
 * refund names an approver other than its requester (four eyes), a completed one its transaction. A refund completed
 * within the period is kept for the check against the journal.
 */
function checkRefundRow(
  row: Row,
  n: number,
  period: ExportManifest['period'],
  report: (message: string) => void,
  contents: ExportContents,
): void {
  const id = row.refund_id ?? '';
  const label = `refunds.csv row ${n} (refund ${id})`;
  const units = row.amount_units ?? '';
  const micro = row.micro_usd ?? '';
  const decimals = Number(row.token_decimals);
  const malformed = !DECIMAL.test(units)
    ? `amount_units ${JSON.stringify(units)} is not a decimal string`
    : !DECIMAL.test(micro)
      ? `micro_usd ${JSON.stringify(micro)} is not a decimal string`
      : !DECIMAL.test(row.token_decimals ?? '') || decimals > 77
        ? `token_decimals ${JSON.stringify(row.token_decimals)} is not a token's decimals`
        : undefined;
  if (malformed) {
    report(`${label}: ${malformed}`);
    return;
  }
  if (refundMicroUsd({ amount: BigInt(units), decimals }) !== BigInt(micro)) {
    report(`${label}: micro_usd ${micro} is not the value of amount_units ${units}`);
  }
  const state = row.state ?? '';
  if (APPROVED_STATES.has(state)) {
    if (!row.approved_by) report(`${label}: ${state} without an approver`);
    else if (row.approved_by === row.requested_by) {
      report(`${label}: approved by its requester ${row.approved_by} (four eyes: the approver must differ)`);
    }
  }
  if (state !== 'completed') return;
  if (!TX_HASH.test(row.tx_hash ?? '')) report(`${label}: completed without a transaction hash`);
  const completedAt = row.completed_at ?? '';
  if (completedAt >= period.from && completedAt < period.to) contents.refundsCompleted.set(id, BigInt(micro));
}

/** Collects the `refund-completed` journal entries: how many per refund, and the micro-USD they move. */
function noteRefundEntryRow(row: Row, contents: ExportContents): void {
  if (row.kind !== 'refund-completed') return;
  const id = (row.entry_id ?? '').slice(0, -REFUND_ENTRY_SUFFIX.length);
  const seen = contents.refundEntries.get(id) ?? { entries: 0, microUsd: 0n };
  if (row.line_no === '1') seen.entries++;
  if (DECIMAL.test(row.debit_micro_usd ?? '')) seen.microUsd += BigInt(row.debit_micro_usd as string);
  contents.refundEntries.set(id, seen);
}

/**
 * Refunds and the journal agree: every refund completed within the period has exactly one `refund-completed` entry
 * moving its micro-USD, and every such entry (the journal holds the period's) belongs to a refund completed in it.
 */
function checkRefundsAgainstJournal({ refundsCompleted, refundEntries }: ExportContents, problems: CheckLog) {
  for (const [id, microUsd] of refundsCompleted) {
    const entry = refundEntries.get(id);
    if (!entry) problems.push(`journal.csv: no refund-completed entry for refund ${id}, completed within the period`);
    else if (entry.entries !== 1)
      problems.push(`journal.csv: refund ${id} has ${entry.entries} refund-completed entries`);
    else if (entry.microUsd !== microUsd) {
      problems.push(
        `refunds.csv: refund ${id} returned ${usd(microUsd)} USD, its journal entry moves ${usd(entry.microUsd)} USD`,
      );
    }
  }
  for (const id of refundEntries.keys()) {
    if (!refundsCompleted.has(id)) {
      problems.push(
        `journal.csv: refund-completed entry of refund ${id}, which refunds.csv does not show completed within the period`,
      );
    }
  }
}

/** What the cross-checks need of an invoices.csv row. */
function invoiceFactsOf(row: Row): InvoiceFacts {
  return {
    status: row.status as string,
    dueMicroUsd: row.due_micro_usd as string,
    paidMicroUsd: row.paid_micro_usd as string,
    receiptId: row.receipt_id as string,
    annulledReceiptIds: (row.annulled_receipt_ids ?? '').split(' ').filter(Boolean),
    paidAt: row.paid_at as string,
    ministry: row.ministry as string,
    feeVersion: row.fee_version ?? '',
    mrpVersion: row.mrp_version ?? '',
  };
}

type Recomputed = ReturnType<TotalsAccumulator['finish']>;

/** The totals and trial balance recomputed from the rows against the manifest's; the journal must balance. */
function checkTotals(recomputed: Recomputed, manifest: ExportManifest, problems: CheckLog): void {
  const totalsDiff = firstDiff(recomputed.totals, manifest.totals, 'totals');
  if (totalsDiff) {
    problems.push(
      `${totalsDiff.path}: the files add up to ${show(totalsDiff.a)}, the manifest says ${show(totalsDiff.b)}`,
    );
  }
  const { debits, credits } = recomputed.trialBalance;
  if (debits !== credits) {
    problems.push(
      `journal.csv: debits ${usd(debits)} USD != credits ${usd(credits)} USD (the journal does not balance)`,
    );
  }
  if (debits !== manifest.trialBalance.debits || credits !== manifest.trialBalance.credits) {
    problems.push(
      `journal.csv: trial balance ${debits}/${credits} micro-USD differs from the manifest's ` +
        `${manifest.trialBalance.debits}/${manifest.trialBalance.credits}`,
    );
  }
  if (manifest.trialBalance.debits !== manifest.trialBalance.credits) {
    problems.push('manifest.json: the trial balance it states does not balance');
  }
}

/** Each ministry's receipt segment links from the manifest's anchor to its head, without gaps. */
function checkReceiptChains(
  recomputed: Recomputed,
  manifest: ExportManifest,
  receipts: Receipt[],
  expectedSigner: string | undefined,
  problems: CheckLog,
): void {
  const anchors: Record<string, ChainAnchor> = {};
  for (const [ministry, seg] of Object.entries(manifest.receiptChains)) {
    if (/^\d+$/.test(seg.firstNo) && BigInt(seg.firstNo) > 1n) {
      anchors[ministry] = { receiptNo: (BigInt(seg.firstNo) - 1n).toString(), hash: seg.firstPrevHash };
    }
  }
  const chainProblems = verifyReceiptChain(receipts, { expectedSigner, anchors });
  problems.push(...chainProblems.slice(0, 50).map((p) => `receipts.csv: ${p}`));
  for (const [ministry, seg] of Object.entries(manifest.receiptChains)) {
    const mine = recomputed.receiptChains[ministry];
    if (!mine) {
      problems.push(
        `receipts.csv: the manifest lists ${ministry} receipts ${seg.firstNo}..${seg.lastNo}, the file none`,
      );
      continue;
    }
    if (mine.lastNo !== seg.lastNo || mine.lastHash !== seg.lastHash) {
      problems.push(
        `receipts.csv: ${ministry}'s last receipt is ${mine.lastNo}, the manifest's head is receipt ${seg.lastNo} ` +
          '(receipts missing at the end, or changed)',
      );
    }
    if (mine.firstNo !== seg.firstNo || mine.firstPrevHash !== seg.firstPrevHash) {
      problems.push(
        `receipts.csv: ${ministry}'s first receipt is ${mine.firstNo}, the manifest's segment starts at ${seg.firstNo}`,
      );
    }
    const span =
      /^\d+$/.test(seg.lastNo) && /^\d+$/.test(seg.firstNo) ? BigInt(seg.lastNo) - BigInt(seg.firstNo) + 1n : -1n;
    if (BigInt(mine.rows) !== span) {
      problems.push(`receipts.csv: ${ministry} has ${mine.rows} receipts for numbers ${seg.firstNo}..${seg.lastNo}`);
    }
  }
  for (const ministry of Object.keys(recomputed.receiptChains)) {
    if (!manifest.receiptChains[ministry])
      problems.push(`receipts.csv: ${ministry} receipts the manifest does not list`);
  }
}

/** The receipts agree with the paid invoices: per invoice, and receipts.csv's total against theirs. */
function checkReceiptsAgainstInvoices(
  { invoices, receiptRows }: ExportContents,
  period: ExportManifest['period'],
  { problems, notes }: CheckFindings,
): void {
  const inPeriod = (t: string) => t >= period.from && t < period.to;
  let receiptsTotal = 0n;
  let earlierTotal = 0n;
  const receiptIds = new Set<string>();
  // An annulment (a payment gone after finality) takes the receipt it names out of the comparison: that receipt's
  // invoice reopened, and the receipt no longer stands for money received. Both stay in the chain checked above.
  // The annulment may fall in a later period than its receipt: the invoice row names its annulled receipts too.
  const annulled = new Set([
    ...receiptRows.flatMap(({ receipt }) => (receipt.annuls ? [receipt.annuls] : [])),
    ...[...invoices.values()].flatMap((i) => i.annulledReceiptIds),
  ]);
  for (const { receipt, invoiceCreatedAt } of receiptRows) {
    if (receipt.kind === 'annulment' || annulled.has(receipt.receiptId)) continue;
    receiptIds.add(receipt.receiptId);
    const paid = BigInt(receipt.paidMicroUsd);
    receiptsTotal += paid;
    const invoice = invoices.get(receipt.invoiceId);
    if (!invoice) {
      if (invoiceCreatedAt && inPeriod(invoiceCreatedAt)) {
        problems.push(
          `receipts.csv: receipt ${receipt.receiptId}'s invoice ${receipt.invoiceId} was issued in the period but is missing from invoices.csv`,
        );
      }
      earlierTotal += paid;
      continue;
    }
    problems.push(...receiptAgainstInvoice(receipt, invoice));
  }
  let paidInvoicesTotal = 0n;
  for (const [id, invoice] of invoices) {
    if (invoice.status !== 'paid' || !inPeriod(invoice.paidAt)) continue;
    paidInvoicesTotal += BigInt(invoice.paidMicroUsd || '0');
    if (!receiptIds.has(invoice.receiptId)) {
      problems.push(
        `invoices.csv: invoice ${id} was paid in the period but its receipt ${invoice.receiptId || '(none)'} is not in receipts.csv`,
      );
    }
  }
  if (receiptsTotal !== paidInvoicesTotal + earlierTotal) {
    problems.push(
      `receipts.csv totals ${usd(receiptsTotal)} USD paid, the paid invoices ${usd(paidInvoicesTotal)} USD` +
        (earlierTotal ? ` (+ ${usd(earlierTotal)} USD for invoices issued before the period)` : ''),
    );
  }
  notes.push(
    `receipts total ${usd(receiptsTotal)} USD = paid invoices ${usd(paidInvoicesTotal)} USD` +
      (earlierTotal ? ` + ${usd(earlierTotal)} USD for invoices issued before the period` : ''),
  );
}

/** Where a receipt and the invoice it pays disagree. */
function receiptAgainstInvoice(receipt: Receipt, invoice: InvoiceFacts): string[] {
  const label = `receipt ${receipt.receiptId} (invoice ${receipt.invoiceId})`;
  const problems: string[] = [];
  if (invoice.status !== 'paid') problems.push(`${label}: the invoice's status is ${invoice.status}, not paid`);
  if (invoice.receiptId !== receipt.receiptId)
    problems.push(`${label}: the invoice names receipt ${invoice.receiptId}`);
  if (invoice.paidMicroUsd !== receipt.paidMicroUsd) {
    problems.push(`${label}: receipt paid ${receipt.paidMicroUsd} micro-USD, the invoice ${invoice.paidMicroUsd}`);
  }
  if (invoice.dueMicroUsd !== receipt.dueMicroUsd) {
    problems.push(`${label}: receipt due ${receipt.dueMicroUsd} micro-USD, the invoice ${invoice.dueMicroUsd}`);
  }
  problems.push(...versionsAgainstInvoice(receipt, invoice, label));
  return problems;
}

/**
 * A receipt that signs the versions its invoice was priced with signs the ones invoices.csv shows. One without
 * them (signed before receipts carried versions, though its invoice may record them) is not compared.
 */
function versionsAgainstInvoice(receipt: Receipt, invoice: InvoiceFacts, label: string): string[] {
  if (!receipt.pricedWith) return [];
  const signed = { fee: neutralize(receipt.pricedWith.fee), mrp: neutralize(receipt.pricedWith.mrp ?? '') };
  if (signed.fee === invoice.feeVersion && signed.mrp === invoice.mrpVersion) return [];
  return [
    `${label}: receipt priced with fee version ${signed.fee || '(none)'} and MRP version ${signed.mrp || '(none)'}, ` +
      `the invoice with ${invoice.feeVersion || '(none)'} and ${invoice.mrpVersion || '(none)'}`,
  ];
}

function usd(micro: bigint | string): string {
  const v = BigInt(micro);
  return v < 0n ? `-${fixedDecimal(-v, 6)}` : fixedDecimal(v, 6);
}

/** Rebuilds a receipt row from its receipt_json and checks it cell by cell. */
function checkReceiptRow(
  row: Row,
  n: number,
  record: string[],
  report: (message: string) => void,
  receipts: Receipt[],
  receiptRows: { receipt: Receipt; invoiceCreatedAt: string }[],
) {
  let receipt: Receipt;
  try {
    receipt = receiptFromJson(row.receipt_json ?? '');
  } catch {
    report(`receipts.csv row ${n}: receipt_json is not valid JSON`);
    return;
  }
  const label = `receipts.csv row ${n} (${receipt.ministry} receipt ${receipt.receiptNo})`;
  let rebuilt: string[];
  try {
    rebuilt = rowOf(receiptsCsv, { receipt, invoiceCreatedAt: row.invoice_created_at || undefined });
  } catch (error) {
    report(`${label}: receipt_json is not a receipt (${(error as Error).message})`);
    return;
  }
  const header = headerOf(receiptsCsv);
  const differs = rebuilt.findIndex((cell, i) => cell !== record[i]);
  if (differs >= 0) report(`${label}: column ${header[differs]} does not match the signed receipt`);
  receipts.push(receipt);
  receiptRows.push({ receipt, invoiceCreatedAt: row.invoice_created_at ?? '' });
}

/** The cells a settlement line and its reconciliation row must agree on. */
const SETTLEMENT_FACTS = [
  'chain_id',
  'tx_hash',
  'bank_reference',
  'token_amount_units',
  'fiat_amount_minor',
  'fee_amount_minor',
  'rate',
];

function noteSettlementRow(name: 'settlements.csv' | 'reconciliation.csv', row: Row, contents: ExportContents): void {
  const key = `${row.batch_id}:${row.line}`;
  if (name === 'settlements.csv') {
    contents.settlementRows ??= new Map();
    contents.settlementRows.set(key, row);
  } else if (row.record === 'line') {
    contents.reconciledRows ??= new Map();
    contents.reconciledRows.set(key, row);
  }
}

/**
 * settlements.csv and reconciliation.csv agree: every settlement line has exactly one reconciliation row with the
 * same transaction, reference and amounts, and every reconciled line is in settlements.csv. So a settlement line
 * edited after the export is named even where the manifest's hash and totals were somehow matched.
 */
function checkSettlementsAgainstReconciliation(contents: ExportContents, problems: CheckLog): void {
  const lines = contents.settlementRows ?? new Map<string, Row>();
  const reconciled = contents.reconciledRows ?? new Map<string, Row>();
  for (const [key, line] of lines) {
    const row = reconciled.get(key);
    if (!row) {
      problems.push(`settlements.csv: batch ${line.batch_id} line ${line.line} has no row in reconciliation.csv`);
      continue;
    }
    const differs = SETTLEMENT_FACTS.filter((cell) => (line[cell] ?? '') !== (row[cell] ?? ''));
    if (differs.length) {
      problems.push(
        `settlements.csv: batch ${line.batch_id} line ${line.line} disagrees with reconciliation.csv on ${differs.join(', ')}`,
      );
    }
  }
  for (const [key, row] of reconciled) {
    if (!lines.has(key))
      problems.push(`reconciliation.csv: batch ${row.batch_id} line ${row.line} is not in settlements.csv`);
  }
}
