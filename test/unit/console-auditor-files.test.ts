/**
 * The auditor screens' file handling without a DOM (console/src/screens/auditor/files.ts): one zip of an export's
 * files and back, files chosen on disk (a zip with a folder inside, or loose files), the remembered export ids, and
 * the period two picked days ask for (never ending in the future).
 */
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { chosenExportFiles, knownExports, periodOf, zipOf } from '../../console/src/screens/auditor/files';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('auditor files', () => {
  it('zips every file at the top level, and reads a chosen zip back to the same files', () => {
    const files = new Map([
      ['manifest.json', bytes('{"a":1}\n')],
      ['receipts.csv', bytes('\uFEFF"receipt_no"\n"1"\n')],
    ]);
    const back = chosenExportFiles([{ name: 'stablefee-export-exp_1.zip', bytes: zipOf(files) }]);
    expect([...back.keys()].sort()).toEqual(['manifest.json', 'receipts.csv']);
    expect(back.get('receipts.csv')).toEqual(files.get('receipts.csv'));
  });

  it('takes files out of a folder inside a zip, and loose files by their names', () => {
    const zip = zipSync({ 'export/': new Uint8Array(), 'export/journal.csv': bytes('j') });
    const chosen = chosenExportFiles([
      { name: 'EXPORT.ZIP', bytes: zip },
      { name: 'invoices.csv', bytes: bytes('i') },
    ]);
    expect(Object.fromEntries([...chosen].map(([n, b]) => [n, new TextDecoder().decode(b)]))).toEqual({
      'journal.csv': 'j',
      'invoices.csv': 'i',
    });
  });

  it('remembers requested export ids newest first, once each, and survives a broken store', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => store.set(k, v),
    };
    knownExports.add('exp_1', storage);
    knownExports.add('exp_2', storage);
    expect(knownExports.add('exp_1', storage)).toEqual(['exp_1', 'exp_2']);
    store.set('stablefee.console.exports', 'not json');
    expect(knownExports.list(storage)).toEqual([]);
  });

  it('asks for [from 00:00, the day after to 00:00) in UTC, ending now at the latest', () => {
    const now = new Date('2026-03-05T12:00:00.000Z');
    expect(periodOf('2026-03-01', '2026-03-02', now)).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-03T00:00:00.000Z',
    });
    expect(periodOf('2026-03-05', '2026-03-05', now).to).toBe(now.toISOString());
  });
});
