/**
 * The auditor's files, without the DOM: an export's files fetched into memory, packed as one zip (fflate, in the
 * browser: nothing leaves the machine), and files the auditor chooses (a zip, or the CSVs and manifest.json)
 * unpacked for the verifier.
 */
import { strToU8, unzipSync, zipSync } from 'fflate';
import type { ConsoleApi } from '../../contract';

/** One file of a finished export as `GET /v1/exports/{id}` lists it. */
export interface ExportFileLink {
  name: string;
  url: string;
  urlExpiresAt: string;
  sha256?: string;
  rows?: number;
  bytes?: number;
}

/** An export job as `GET /v1/exports/{id}` answers it (docs/exports.md). */
export interface ExportJobView {
  id: string;
  status: 'requested' | 'running' | 'done' | 'failed';
  period: { from: string; to: string };
  ministry: string | null;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  error: string | null;
  files: ExportFileLink[];
  manifest: unknown;
}

/** Fetches every listed file through the presigned links (in parallel): the export's files by name. */
export async function downloadExport(api: ConsoleApi, files: readonly ExportFileLink[]) {
  const fetched = await Promise.all(files.map(async (f) => [f.name, await api.download(f.url)] as const));
  return new Map<string, Uint8Array>(fetched);
}

/** Zip entries' time: zips cannot say 1970, and the files' own time is in manifest.json. */
const ZIP_MTIME = new Date('2000-01-01T00:00:00Z');

/** The files as one zip, every file at its top level (as `npx stablefee verify-export <dir>` expects once unpacked). */
export function zipOf(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  // The export's own timestamp would do as well; a fixed one keeps the zip the same for the same files.
  const entries = Object.fromEntries([...files].map(([name, bytes]) => [name, [bytes, { mtime: ZIP_MTIME }] as const]));
  return zipSync(entries as Parameters<typeof zipSync>[0], { level: 6 });
}

/** The base name of a path inside a zip (`export/receipts.csv` → `receipts.csv`). */
const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * The files the auditor chose for verification, by name: a zip is unpacked (folders inside it ignored), other files
 * are taken as they are. Files are given as name and bytes so this runs without a DOM.
 */
export function chosenExportFiles(chosen: readonly { name: string; bytes: Uint8Array }[]): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const { name, bytes } of chosen) {
    if (name.toLowerCase().endsWith('.zip')) {
      for (const [path, content] of Object.entries(unzipSync(bytes))) {
        if (!path.endsWith('/')) files.set(baseName(path), content);
      }
    } else files.set(baseName(name), bytes);
  }
  return files;
}

/** A text as UTF-8 bytes (a pasted receipt, say). */
export const utf8Bytes = (text: string) => strToU8(text);

const KNOWN_EXPORTS_KEY = 'stablefee.console.exports';

/** What the list needs of `localStorage` (declared here so the module also type-checks without the DOM). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The browser's localStorage, when there is one. */
const browserStorage = () => (globalThis as { localStorage?: KeyValueStore }).localStorage;

/**
 * The exports this browser requested, newest first: the API has no list of exports (`GET /v1/exports/{id}` only),
 * so the console remembers the ids. Ids are not secrets; anything about an export is fetched with the token.
 */
export const knownExports = {
  list(storage: Pick<KeyValueStore, 'getItem'> | undefined = browserStorage()): string[] {
    try {
      const parsed: unknown = JSON.parse(storage?.getItem(KNOWN_EXPORTS_KEY) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
    } catch {
      return [];
    }
  },
  add(id: string, storage: KeyValueStore | undefined = browserStorage()): string[] {
    const ids = [id, ...knownExports.list(storage).filter((known) => known !== id)].slice(0, 50);
    storage?.setItem(KNOWN_EXPORTS_KEY, JSON.stringify(ids));
    return ids;
  },
};

/**
 * The period a request asks for from two calendar days picked in a form: `[from 00:00 UTC, the day after `to` 00:00
 * UTC)`, its end brought back to now when that is in the future (the API exports closed periods only).
 */
export function periodOf(fromDay: string, toDay: string, now: Date = new Date()): { from: string; to: string } {
  const from = new Date(`${fromDay}T00:00:00.000Z`);
  const end = new Date(`${toDay}T00:00:00.000Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  const to = end > now ? now : end;
  return { from: from.toISOString(), to: to.toISOString() };
}
