/**
 * The pure verifier (shared/verify) the `stablefee` command and the console share: the same report as the command
 * on an export held in memory, each check named with its outcome, a changed byte failing the right check, single
 * receipts; and a browser bundle of it that needs no Node built-in (so the console runs this very code).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { hexlify, randomBytes } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSink } from '../../shared/adapters/byte-sinks';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { runExport } from '../../shared/app/export';
import {
  EXPORT_CHECKS,
  exportFilesOf,
  NO_EXPECTED_SIGNER,
  type VerifyReport,
  verifyExport,
  verifyReceiptText,
} from '../../shared/verify';
import { parseCsv } from '../../tools/export-csv';
import { verifyExportDir } from '../../tools/verify-export';
import { syntheticPeriod, syntheticSources, syntheticTokenInfo } from '../fixtures/synthetic-export';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const signer = new LocalKeySigner(hexlify(randomBytes(32)));

const statusOf = (report: VerifyReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
const checkOf = (report: VerifyReport, id: string) => report.checks.find((c) => c.id === id);

describe('verifying an export in memory (shared/verify)', () => {
  let dir: string;
  let files: Map<string, Uint8Array>;
  let expectedSigner: string;
  /** The export's files with one byte of `name` flipped. */
  const tampered = (name: string, at?: number) => {
    const copy = new Map(files);
    const bytes = Uint8Array.from(files.get(name) as Uint8Array);
    const i = at ?? Math.floor(bytes.length / 2);
    bytes[i] = (bytes[i] as number) ^ 0x01;
    copy.set(name, bytes);
    return copy;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sf-verify-'));
    await runExport(
      { id: 'exp_core', ...syntheticPeriod(4) },
      {
        sources: syntheticSources({ count: 4, signer, signed: true }),
        tokenInfo: syntheticTokenInfo,
        sinkFor: (name) => fileSink(join(dir, name)),
        signer,
        now: () => new Date(),
      },
    );
    files = new Map();
    for (const name of await readdir(dir)) files.set(name, new Uint8Array(await readFile(join(dir, name))));
    expectedSigner = await signer.address();
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes every check, in order, and reports what the command reports', async () => {
    const report = await verifyExport(exportFilesOf(files), { expectedSigner });
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual([...EXPORT_CHECKS]);
    expect(report.checks.every((c) => c.status === 'passed')).toBe(true);
    expect(checkOf(report, 'receipts.csv')?.notes).toEqual([
      expect.stringMatching(/^receipts\.csv: 4 rows, \d+ bytes$/),
    ]);
    const command = await verifyExportDir(dir, { expectedSigner });
    expect({ problems: report.problems, notes: report.notes }).toEqual({
      problems: command.problems,
      notes: command.notes,
    });
  });

  it('fails the file whose byte changed, naming its SHA-256, and leaves the manifest passed', async () => {
    for (const name of ['receipts.csv', 'invoices.csv', 'journal.csv']) {
      const report = await verifyExport(exportFilesOf(tampered(name)), { expectedSigner });
      expect(report.ok, name).toBe(false);
      expect(statusOf(report)).toMatchObject({ manifest: 'passed', [name]: 'failed' });
      expect(checkOf(report, name)?.problems.join('\n')).toContain(`${name}: SHA-256`);
      for (const other of ['invoices.csv', 'receipts.csv', 'journal.csv'].filter((n) => n !== name))
        expect(statusOf(report)[other], `${other} when ${name} changed`).toBe('passed');
    }
  });

  it('fails the manifest check on a changed manifest byte; nothing else runs on an unreadable one', async () => {
    const report = await verifyExport(exportFilesOf(tampered('manifest.json', 0)), { expectedSigner });
    expect(report.ok).toBe(false);
    expect(checkOf(report, 'manifest')?.problems.join('\n')).toMatch(/manifest\.json is not valid JSON/);
    expect(report.checks.filter((c) => c.id !== 'manifest').every((c) => c.status === 'not-run')).toBe(true);
  });

  it('fails closed without an expected signer, and names a missing file', async () => {
    const unsigned = await verifyExport(exportFilesOf(files));
    expect(checkOf(unsigned, 'manifest')?.problems).toContain(NO_EXPECTED_SIGNER);
    const without = new Map(files);
    without.delete('journal.csv');
    const missing = await verifyExport(exportFilesOf(without), { expectedSigner });
    expect(checkOf(missing, 'journal.csv')).toMatchObject({ status: 'failed', problems: ['journal.csv is missing'] });
  });

  it('verifies a single receipt (a receipt_json cell), and fails a changed one or one without a signer', async () => {
    const [header, row] = parseCsv(Buffer.from(files.get('receipts.csv') as Uint8Array));
    const json = (row as string[])[(header as string[]).indexOf('receipt_json')] as string;
    const good = verifyReceiptText(json, { expectedSigner });
    expect(good).toMatchObject({ ok: true, receipt: { receiptNo: '1', ministry: 'AFSA' } });
    expect(good.checks.map((c) => [c.id, c.status])).toEqual([
      ['receipt-form', 'passed'],
      ['receipt-signature', 'passed'],
    ]);
    const changed = JSON.parse(json);
    changed.paidMicroUsd = (BigInt(changed.paidMicroUsd) + 1n).toString();
    const bad = verifyReceiptText(JSON.stringify({ ...changed, delivery: { email: 'sent' } }), { expectedSigner });
    expect(statusOf(bad)).toEqual({ 'receipt-form': 'passed', 'receipt-signature': 'failed' });
    expect(verifyReceiptText(json).problems).toEqual([NO_EXPECTED_SIGNER]);
    const garbage = verifyReceiptText('{"oops"', { expectedSigner, source: 'pasted text' });
    expect(statusOf(garbage)).toEqual({ 'receipt-form': 'failed', 'receipt-signature': 'not-run' });
    expect(garbage.problems[0]).toMatch(/^pasted text is not readable JSON/);
  });
});

describe('the verifier in a browser bundle', () => {
  it('bundles for the browser without any Node built-in', async () => {
    const result = await build({
      entryPoints: [join(root, 'shared/verify/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    // esbuild fails a browser build on an unresolvable built-in; the metafile shows none was even marked external.
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const imported = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    expect(imported.filter((path) => builtins.has(path) || path.startsWith('node:'))).toEqual([]);
    expect(Object.keys(result.metafile.inputs).filter((path) => /csv-parse\/lib\//.test(path))).toEqual([]);
  });
});
