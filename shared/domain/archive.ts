/**
 * The write-once archive's layout (the `archive` bucket, S3 Object Lock in compliance mode; docs/operations.md,
 * "Backups and archive"): where each signed document and each day of the journal is kept, and the bytes of a
 * journal day. Pure: the keys and bytes are derived from the document's id and the entries alone, so a retried write
 * produces the same key and the same bytes, and an auditor can find an object from an id or a day.
 */
import type { JournalEntry } from './journal';
import { kazakhstanDay } from './time';

/** The kinds of signed document the service issues. */
export type ArchivedDocumentKind = 'receipt' | 'annulment' | 'refund-receipt';

const documentFolders: Record<ArchivedDocumentKind, string> = {
  receipt: 'receipts',
  annulment: 'annulments',
  'refund-receipt': 'refund-receipts',
};

/** Document ids as the service makes them (`rcp_…`, `ann_….n`, `rrc_…`): no slash, nothing a key must escape. */
const DOCUMENT_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * The key of a signed document: `receipts/<receiptId>.json`, `annulments/<annulmentId>.json`,
 * `refund-receipts/<receiptId>.json`.
 * @throws Error for an id that is not a document id (it would name another key).
 */
export function documentArchiveKey(kind: ArchivedDocumentKind, id: string): string {
  if (!DOCUMENT_ID.test(id) || id.startsWith('.')) throw new Error(`not a document id: ${JSON.stringify(id)}`);
  return `${documentFolders[kind]}/${id}.json`;
}

/** The archive's folder of journal days. */
export const JOURNAL_ARCHIVE_FOLDER = 'journal';

/** The archive's folders of signed documents (the outbox publisher writes these, and only these). */
export const DOCUMENT_ARCHIVE_FOLDERS: readonly string[] = Object.values(documentFolders);

/** The key of a Kazakhstan day's journal entries: `journal/YYYY/MM/DD.jsonl`. */
export function journalDayKey(day: string): string {
  const [year, month, date] = parseDay(day);
  return `${JOURNAL_ARCHIVE_FOLDER}/${year}/${month}/${date}.jsonl`;
}

/** The media type of a journal day: one JSON object per line (JSON Lines). */
export const JOURNAL_DAY_CONTENT_TYPE = 'application/x-ndjson';

/**
 * A Kazakhstan day (UTC+5) as the half-open interval of ISO instants `[from, to)` its entries' `at` fall in:
 * `2026-12-01` is `[2026-11-30T19:00:00.000Z, 2026-12-01T19:00:00.000Z)`.
 */
export function kazakhstanDayInterval(day: string): { from: string; to: string } {
  parseDay(day);
  const from = Date.parse(`${day}T00:00:00+05:00`);
  return { from: new Date(from).toISOString(), to: new Date(from + DAY_MS).toISOString() };
}

/** The day after `day` (`YYYY-MM-DD`). */
export function nextDay(day: string): string {
  parseDay(day);
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/**
 * The latest Kazakhstan day that is closed at `now`: its end is at least `marginMs` ago, so no entry dated in it is
 * still being written (an entry's `at` is the time its change was planned, committed within one function run).
 */
export function lastClosedDay(now: Date, marginMs: number): string {
  const today = kazakhstanDay(new Date(now.getTime() - marginMs));
  return new Date(Date.parse(`${today}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
}

/**
 * One journal entry as one line of a journal day: its fields in a fixed order, amounts as decimal strings of
 * micro-USD (as stored and exported in journal.csv), no trailing newline.
 */
export function journalEntryLine(entry: JournalEntry): string {
  return JSON.stringify({
    entryId: entry.entryId,
    at: entry.at,
    kind: entry.kind,
    ...(entry.ministry === undefined ? {} : { ministry: entry.ministry }),
    ...(entry.invoiceId === undefined ? {} : { invoiceId: entry.invoiceId }),
    ...(entry.transferId === undefined ? {} : { transferId: entry.transferId }),
    lines: entry.lines.map((l) => ({ account: l.account, debit: l.debit.toString(), credit: l.credit.toString() })),
  });
}

/**
 * The bytes of a journal day: each entry's line followed by a newline, oldest first (by `at`, then id), so the same
 * entries always give the same bytes whatever order they were read in. An empty day is an empty object: it says
 * the day was archived and had no entries.
 */
export function journalDayBody(entries: readonly JournalEntry[]): string {
  const ordered = [...entries].sort((a, b) => (a.at === b.at ? compare(a.entryId, b.entryId) : compare(a.at, b.at)));
  return ordered.map((e) => `${journalEntryLine(e)}\n`).join('');
}

const DAY_MS = 24 * 3600 * 1000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function parseDay(day: string): [string, string, string] {
  const match = DAY.exec(day);
  if (
    !match ||
    Number.isNaN(Date.parse(`${day}T00:00:00Z`)) ||
    new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day
  ) {
    throw new Error(`not a day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  }
  return [match[1] as string, match[2] as string, match[3] as string];
}
