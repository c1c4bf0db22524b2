/**
 * Exports without AWS: columns and formula neutralization, the CSV reader, the S3 multipart sink against a fake
 * client, the signed manifest, the offline verifier on an export of synthetic data (and on tampered copies), and the
 * memory of the streaming path at two sizes.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { hexlify, randomBytes } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_PART_BYTES, s3Sink } from '../../shared/adapters/aws/s3-objects';
import { fileSink } from '../../shared/adapters/byte-sinks';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { runExport } from '../../shared/app/export';
import { fixedDecimal, neutralize, receiptsCsv, rowOf } from '../../shared/domain/exports/columns';
import { manifestHash, renderManifest, signManifest } from '../../shared/domain/exports/manifest';
import { type JournalEntry, refundCompletedEntry, sweepFinalEntry } from '../../shared/domain/journal';
import type { Refund } from '../../shared/domain/refunds';
import type { Sweep } from '../../shared/domain/sweeps';
import type { ComplianceDecision } from '../../shared/ports';
import { csvRecords, parseCsv } from '../../tools/export-csv';
import { verifyExportDir, verifyReceiptFile } from '../../tools/verify-export';
import {
  SYNTHETIC_FEE_VERSION,
  SYNTHETIC_TOKEN,
  syntheticPeriod,
  syntheticSources,
  syntheticTokenInfo,
} from '../fixtures/synthetic-export';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const signer = new LocalKeySigner(hexlify(randomBytes(32)));
const HYPERLINK = '=HYPERLINK("http://x")';

describe('neutralize', () => {
  it('prefixes a quote to text starting with = + - @ tab CR (and full-width forms), nothing else', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '＝1', HYPERLINK])
      expect(neutralize(s)).toBe(`'${s}`);
    for (const s of ['Firm LLP', "'=already", '', ' =1', 'ТОО «Пример»', '{"a":1}']) expect(neutralize(s)).toBe(s);
  });

  it('formats money with exactly the given decimals', () => {
    expect(fixedDecimal(3_000_000_000n, 6)).toBe('3000.000000');
    expect(fixedDecimal(1n, 18)).toBe('0.000000000000000001');
    expect(fixedDecimal(42n, 0)).toBe('42');
  });
});

describe('reading an export CSV (tools/export-csv.ts)', () => {
  /** `bytes` streamed in pieces of `size` bytes (cutting through multi-byte characters too). */
  const pieces = (bytes: Buffer, size: number) =>
    Readable.from(
      Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)),
    );
  const readAll = async (source: Readable) => {
    const out: string[][] = [];
    for await (const record of csvRecords(source)) out.push(record);
    return out;
  };

  it('reads back what csv-stringify writes, whatever the chunking', async () => {
    const rows = [
      ['a', 'b,c', 'd"e"', 'line\nbreak', ''],
      ['ТОО «Пример»', '\'=HYPERLINK("x")', '\r\n', '"', 'x'],
    ];
    const bytes = Buffer.from(`\uFEFF${stringify(rows, { quoted: true })}`);
    for (const size of [1, 3, 7, bytes.length]) expect(await readAll(pieces(bytes, size))).toEqual(rows);
    expect(parseCsv(bytes)).toEqual(rows);
  });

  it('refuses broken quoting: an unclosed quote, text after a closing quote, a quote in an unquoted field', async () => {
    for (const [text, error] of [
      ['"abc', /Quote Not Closed/],
      ['"ab"c,d\n', /Invalid Closing Quote/],
      ['ab"c,d\n', /Invalid Opening Quote/],
    ] as const) {
      await expect(readAll(pieces(Buffer.from(text), 2))).rejects.toThrow(error);
      expect(() => parseCsv(text)).toThrow(error);
    }
  });
});

describe('s3Sink', () => {
  function fakeS3(failPart?: number) {
    const calls: { name: string; input: any }[] = [];
    return {
      calls,
      client: {
        async send(command: any) {
          const name = command.constructor.name as string;
          calls.push({ name, input: command.input });
          if (name === 'CreateMultipartUploadCommand') return { UploadId: 'u1' };
          if (name === 'UploadPartCommand') {
            if (command.input.PartNumber === failPart) throw new Error('part failed');
            return { ETag: `"e${command.input.PartNumber}"` };
          }
          return {};
        },
      } as any,
    };
  }
  const chunk = (n: number) => Buffer.alloc(n, 0x61);

  it('sends a small object with one PutObject', async () => {
    const s3 = fakeS3();
    const sink = s3Sink(s3.client, { bucket: 'b', key: 'k/x.csv', contentType: 'text/csv' });
    await sink.write(chunk(10));
    await sink.end();
    expect(s3.calls.map((c) => c.name)).toEqual(['PutObjectCommand']);
    expect(s3.calls[0]?.input.Body.length).toBe(10);
  });

  it('uploads parts of at least 5 MiB, then the rest, and completes with every part', async () => {
    const s3 = fakeS3();
    const sink = s3Sink(s3.client, { bucket: 'b', key: 'x.csv', contentType: 'text/csv' });
    for (let i = 0; i < 12; i++) await sink.write(chunk(1024 * 1024));
    await sink.end();
    const parts = s3.calls.filter((c) => c.name === 'UploadPartCommand').map((c) => c.input.Body.length);
    expect(parts.slice(0, -1).every((n) => n >= MIN_PART_BYTES)).toBe(true);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(12 * 1024 * 1024);
    const complete = s3.calls.at(-1);
    expect(complete?.name).toBe('CompleteMultipartUploadCommand');
    expect(complete?.input.MultipartUpload.Parts).toHaveLength(parts.length);
  });

  it('aborts the multipart upload when a part fails', async () => {
    const s3 = fakeS3(2);
    const sink = s3Sink(s3.client, { bucket: 'b', key: 'x.csv', contentType: 'text/csv' });
    await expect(
      (async () => {
        for (let i = 0; i < 12; i++) await sink.write(chunk(1024 * 1024));
      })(),
    ).rejects.toThrow('part failed');
    await sink.abort();
    expect(s3.calls.at(-1)?.name).toBe('AbortMultipartUploadCommand');
  });
});

/** Flips one bit of the byte at `at` (default: the middle) of a file. */
async function flipByte(path: string, at?: number) {
  const bytes = await readFile(path);
  const i = at ?? Math.floor(bytes.length / 2);
  bytes[i] = (bytes[i] as number) ^ 0x01;
  await writeFile(path, bytes);
}

/** Removes the data row holding `needle` (rows here have no line breaks inside cells). */
async function deleteRow(path: string, needle: string) {
  const lines = (await readFile(path, 'utf8')).split('\n');
  const kept = lines.filter((l) => !l.includes(needle));
  expect(kept.length).toBe(lines.length - 1);
  await writeFile(path, kept.join('\n'));
}

describe('export of synthetic data, verified offline', () => {
  let dir: string;
  let work: string;
  const count = 6;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sf-export-'));
    work = await mkdtemp(join(tmpdir(), 'sf-tamper-'));
    await runExport(
      { id: 'exp_unit', ...syntheticPeriod(count) },
      {
        sources: syntheticSources({
          count,
          signer,
          signed: true,
          payerName: (i) => (i === 2 ? HYPERLINK : `Firm ${i}`),
        }),
        tokenInfo: syntheticTokenInfo,
        sinkFor: (name) => fileSink(join(dir, name)),
        signer,
        now: () => new Date(),
      },
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  async function copy(): Promise<string> {
    const target = await mkdtemp(join(work, 'x-'));
    await cp(dir, target, { recursive: true });
    return target;
  }

  it('verifies, against the expected signer', async () => {
    const report = await verifyExportDir(dir, { expectedSigner: await signer.address() });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { name: string; rows: number }) => [f.name, f.rows])).toEqual([
      ['invoices.csv', count],
      ['transfers.csv', count],
      ['receipts.csv', count],
      ['journal.csv', count * 4],
      ['sweeps.csv', 0],
      ['refunds.csv', 0],
      ['compliance.csv', 0],
      ['settlements.csv', 0],
      ['bank.csv', 0],
      ['reconciliation.csv', 0],
    ]);
    expect(manifest.trialBalance.debits).toBe(manifest.trialBalance.credits);
    expect(manifest.receiptChains.AFSA).toMatchObject({ firstNo: '1', lastNo: String(count), rows: count });
  });

  it('neutralizes a formula payer name in invoices.csv and receipts.csv, and keeps it exact in receipt_json', async () => {
    const invoices = await readFile(join(dir, 'invoices.csv'), 'utf8');
    const receipts = await readFile(join(dir, 'receipts.csv'), 'utf8');
    expect(invoices).toContain('"\'=HYPERLINK(""http://x"")"');
    expect(receipts).toContain('"\'=HYPERLINK(""http://x"")"');
    expect(invoices).not.toMatch(/(^|,)"=HYPERLINK/m);
    expect(receipts).not.toMatch(/(^|,)"=HYPERLINK/m);
    const [header, ...rows] = parseCsv(receipts);
    const row = rows.find((r) => r.includes(`'${HYPERLINK}`)) as string[];
    expect(row[(header as string[]).indexOf('payer_name')]).toBe(`'${HYPERLINK}`);
    expect(JSON.parse(row[(header as string[]).indexOf('receipt_json')] as string).payer.name).toBe(HYPERLINK);
  });

  it('fails on a wrong expected signer', async () => {
    const report = await verifyExportDir(dir, { expectedSigner: '0x000000000000000000000000000000000000dEaD' });
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/not the expected 0x000000000000000000000000000000000000dEaD/);
  });

  for (const name of ['invoices.csv', 'transfers.csv', 'receipts.csv', 'journal.csv', 'manifest.json']) {
    it(`fails when one byte of ${name} changes, naming the problem`, async () => {
      for (const where of ['start', 'middle', 'end'] as const) {
        const copyDir = await copy();
        const size = (await readFile(join(copyDir, name))).length;
        await flipByte(join(copyDir, name), where === 'start' ? 5 : where === 'end' ? size - 3 : undefined);
        const report = await verifyExportDir(copyDir, { expectedSigner: await signer.address() });
        expect(report.ok, `${name} ${where}`).toBe(false);
        const text = report.problems.join('\n');
        if (name === 'manifest.json') expect(text).toMatch(/manifest\.json/);
        else expect(text).toContain(`${name}: SHA-256`);
      }
    });
  }

  it('fails when one receipt row is deleted: hash, row count, and the chain gap are named', async () => {
    const copyDir = await copy();
    await deleteRow(join(copyDir, 'receipts.csv'), '"rcp_0000000000000000000003"');
    const report = await verifyExportDir(copyDir);
    const text = report.problems.join('\n');
    expect(report.ok).toBe(false);
    expect(text).toContain('receipts.csv: SHA-256');
    expect(text).toContain('receipts.csv: 5 rows, the manifest says 6');
    expect(text).toContain('AFSA: receipt 4 missing');
    expect(text).toMatch(/invoice inv_0+3 was paid in the period but its receipt rcp_0+3 is not in receipts\.csv/);
  });

  it('fails on broken CSV quoting, naming the file', async () => {
    const copyDir = await copy();
    const path = join(copyDir, 'receipts.csv');
    await writeFile(path, (await readFile(path, 'utf8')).replace('"Firm 4"', '"Firm "4"'));
    const report = await verifyExportDir(copyDir, { expectedSigner: await signer.address() });
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/receipts\.csv: not valid CSV \(Invalid Closing Quote/);
  });

  it('fails when the last receipt row is deleted (the manifest head is not reached)', async () => {
    const copyDir = await copy();
    await deleteRow(join(copyDir, 'receipts.csv'), `"rcp_${String(count - 1).padStart(22, '0')}"`);
    const text = (await verifyExportDir(copyDir)).problems.join('\n');
    expect(text).toContain(`AFSA's last receipt is ${count - 1}, the manifest's head is receipt ${count}`);
  });

  /**
   * A copy of the export where `name`'s data row holding `needle` is edited by `edit`, and the manifest re-signed
   * to match (as someone holding the key would), verified: only what the rows say against each other is left.
   */
  async function editedAndResigned(name: string, needle: string, edit: (line: string) => string) {
    const copyDir = await copy();
    const path = join(copyDir, name);
    const lines = (await readFile(path, 'utf8')).split('\n');
    const at = lines.findIndex((l) => l.includes(needle));
    const edited = edit(lines[at] as string);
    expect(edited).not.toBe(lines[at]);
    lines[at] = edited;
    await writeFile(path, lines.join('\n'));
    const manifest = JSON.parse(await readFile(join(copyDir, 'manifest.json'), 'utf8'));
    const bytes = await readFile(path);
    const { createHash } = await import('node:crypto');
    const file = manifest.files.find((f: { name: string }) => f.name === name);
    file.sha256 = createHash('sha256').update(bytes).digest('hex');
    file.bytes = bytes.length;
    const { signer: _s, signature: _sig, ...unsigned } = manifest;
    await writeFile(join(copyDir, 'manifest.json'), renderManifest(await signManifest(unsigned, signer)));
    return verifyExportDir(copyDir, { expectedSigner: await signer.address() });
  }

  it('names a display cell that disagrees with the signed receipt, even in a re-signed export', async () => {
    // Someone holding the key re-signs the manifest after editing a cell: the signed receipt still gives it away.
    const report = await editedAndResigned('receipts.csv', '"Firm 4"', (l) => l.replace('"Firm 4"', '"Firm 5"'));
    expect(report.problems).toEqual([
      'receipts.csv row 5 (AFSA receipt 5): column payer_name does not match the signed receipt',
    ]);
  });

  it('carries the fee version each receipt signs, and names an edited fee_version cell', async () => {
    const [header, ...rows] = parseCsv(await readFile(join(dir, 'receipts.csv'), 'utf8'));
    const cell = (row: string[], name: string) => row[(header as string[]).indexOf(name)];
    expect(header).toEqual(expect.arrayContaining(['fee_version', 'mrp_version']));
    for (const row of rows) {
      expect(cell(row, 'fee_version')).toBe(SYNTHETIC_FEE_VERSION);
      expect(cell(row, 'mrp_version')).toBe('');
      expect(JSON.parse(cell(row, 'receipt_json') as string).pricedWith).toEqual({ fee: SYNTHETIC_FEE_VERSION });
    }
    const version = `,"${SYNTHETIC_FEE_VERSION}",`;
    const report = await editedAndResigned('receipts.csv', '"rcp_0000000000000000000004"', (l) =>
      l.replace(version, ',"chg_cheaper",'),
    );
    expect(report.problems).toEqual([
      'receipts.csv row 5 (AFSA receipt 5): column fee_version does not match the signed receipt',
    ]);
  });

  it("names a receipt whose signed fee version is not its invoice's (invoices.csv edited, re-signed)", async () => {
    const version = `,"${SYNTHETIC_FEE_VERSION}",`;
    const report = await editedAndResigned('invoices.csv', '"inv_0000000000000000000001"', (l) =>
      l.replace(version, ',"chg_cheaper",'),
    );
    expect(report.problems).toEqual([
      `receipt rcp_0000000000000000000001 (invoice inv_0000000000000000000001): receipt priced with fee version ${SYNTHETIC_FEE_VERSION} and MRP version (none), the invoice with chg_cheaper and (none)`,
    ]);
  });

  it('fails on an unbalanced journal line (the manifest re-signed to match the sums)', async () => {
    const copyDir = await copy();
    const path = join(copyDir, 'journal.csv');
    const lines = (await readFile(path, 'utf8')).split('\n');
    // First data line: an invoice-issued debit of 3000 USD; make it 3001.
    lines[1] = (lines[1] as string).replace('"3000000000","0"', '"3001000000","0"');
    await writeFile(path, lines.join('\n'));
    const text = (await verifyExportDir(copyDir)).problems.join('\n');
    expect(text).toMatch(/journal\.csv: entry inv_0+:issued is unbalanced/);
    expect(text).toMatch(/debits .* != credits/);
  });

  it('rebuilds every receipt row exactly from its receipt_json', async () => {
    const text = await readFile(join(dir, 'receipts.csv'), 'utf8');
    const [header, ...rows] = parseCsv(text);
    const at = (header as string[]).indexOf('receipt_json');
    const created = (header as string[]).indexOf('invoice_created_at');
    const { receiptFromJson } = await import('../../tools/verify-export');
    for (const row of rows) {
      expect(
        rowOf(receiptsCsv, { receipt: receiptFromJson(row[at] as string), invoiceCreatedAt: row[created] }),
      ).toEqual(row);
    }
  });

  it('verify-receipt accepts an API body (with delivery) and rejects a changed amount', async () => {
    const text = await readFile(join(dir, 'receipts.csv'), 'utf8');
    const [header, first] = parseCsv(text);
    const json = (first as string[])[(header as string[]).indexOf('receipt_json')] as string;
    const { receiptFromJson } = await import('../../tools/verify-export');
    const body = { ...receiptFromJson(json), delivery: { state: 'delivered', attempts: 1 } };
    const file = join(work, 'receipt.json');
    await writeFile(file, JSON.stringify(body));
    expect((await verifyReceiptFile(file, { expectedSigner: await signer.address() })).problems).toEqual([]);
    await writeFile(file, JSON.stringify({ ...body, paidMicroUsd: '3000000001' }));
    const bad = await verifyReceiptFile(file, { expectedSigner: await signer.address() });
    expect(bad.ok).toBe(false);
    expect(bad.problems.join('\n')).toMatch(/typedData differs|hash does not match/);
  });

  it('the CLI exits 0 on the export and 1 naming the problem on a tampered copy', async () => {
    const bin = join(root, 'bin', 'stablefee.js');
    const ok = await run(process.execPath, [bin, 'verify-export', dir, '--signer', await signer.address()], {
      cwd: root,
    });
    expect(ok.stdout).toContain('OK:');
    const copyDir = await copy();
    await flipByte(join(copyDir, 'transfers.csv'));
    const failed = await run(process.execPath, [bin, 'verify-export', copyDir]).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('transfers.csv: SHA-256');
  }, 60_000);

  it('the CLI fails closed on an export forged and re-signed with another key', async () => {
    const bin = join(root, 'bin', 'stablefee.js');
    const forger = new LocalKeySigner(hexlify(randomBytes(32)));
    const copyDir = await copy();
    const manifest = JSON.parse(await readFile(join(copyDir, 'manifest.json'), 'utf8'));
    const { signer: _s, signature: _sig, ...unsigned } = manifest;
    const forged = await signManifest({ ...unsigned, generatedAt: '2020-01-01T00:00:00.000Z' }, forger);
    await writeFile(join(copyDir, 'manifest.json'), renderManifest(forged));

    const unpinned = await run(process.execPath, [bin, 'verify-export', copyDir], { cwd: root }).catch((e) => e);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stdout).toBe('');
    expect(unpinned.stderr).toMatch(/^FAILED: /);
    expect(unpinned.stderr).toContain('no expected signer given');
    expect(unpinned.stderr).not.toContain('the expected signer\n');

    const args = [bin, 'verify-export', copyDir, '--signer', await signer.address()];
    const pinned = await run(process.execPath, args, { cwd: root }).catch((e) => e);
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toBe('');
    expect(pinned.stderr).toMatch(/^FAILED: /);
    expect(pinned.stderr).toContain(`not the expected ${await signer.address()}`);
    expect(pinned.stderr).not.toContain('the expected signer');

    // A genuine receipt, too, only verifies against a signer given by the caller.
    const receipt = join(work, 'unpinned-receipt.json');
    const text = await readFile(join(dir, 'receipts.csv'), 'utf8');
    const [header, first] = parseCsv(text);
    await writeFile(receipt, (first as string[])[(header as string[]).indexOf('receipt_json')] as string);
    const single = await run(process.execPath, [bin, 'verify-receipt', receipt], { cwd: root }).catch((e) => e);
    expect(single.code).toBe(1);
    expect(single.stderr).toMatch(/^FAILED: [^\n]*\n {2}- no expected signer given/);
  }, 60_000);

  it('the manifest hash covers every field', async () => {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const base = manifestHash(manifest);
    expect(manifestHash({ ...manifest, confirmationsAsOf: {} })).not.toBe(base);
    expect(manifestHash({ ...manifest, signer: '0x000000000000000000000000000000000000dEaD' })).not.toBe(base);
    expect(manifestHash({ ...manifest, signature: '0x' })).toBe(base);
  });
});

describe('memory of the streaming export', () => {
  /** Runs an export of `count` synthetic records in a fresh process; live heap is sampled (after a GC) per 64 writes. */
  async function measure(count: number) {
    const url = (p: string) => JSON.stringify(join(root, p));
    const script = `
      import { runExport } from ${url('shared/app/export.ts')};
      import { syntheticSources, syntheticPeriod, syntheticTokenInfo } from ${url('test/fixtures/synthetic-export.ts')};
      import { LocalKeySigner } from ${url('shared/adapters/signing/key-signers.ts')};
      const n = ${count};
      const signer = new LocalKeySigner('0x' + '11'.repeat(32));
      globalThis.gc();
      const base = process.memoryUsage().heapUsed;
      let peak = base, writes = 0, bytes = 0;
      const sink = () => ({
        async write(chunk) { bytes += chunk.length; if (++writes % 64 === 0) { globalThis.gc(); peak = Math.max(peak, process.memoryUsage().heapUsed); } },
        async end() {}, async abort() {},
      });
      const started = Date.now();
      await runExport({ id: 'exp_mem', ...syntheticPeriod(n) },
        { sources: syntheticSources({ count: n, signer }), tokenInfo: syntheticTokenInfo, sinkFor: sink, signer, now: () => new Date() });
      console.log(JSON.stringify({ count: n, heapGrowthMiB: (peak - base) / 2 ** 20, bytesMiB: bytes / 2 ** 20,
        maxRssMiB: process.resourceUsage().maxRSS / 1024, ms: Date.now() - started }));
    `;
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--expose-gc', '--input-type=module', '-e', script],
      { cwd: root, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
      count: number;
      heapGrowthMiB: number;
      bytesMiB: number;
      maxRssMiB: number;
      ms: number;
    };
  }

  it('does not grow with the row count (2,000 vs 20,000 receipts)', async () => {
    const small = await measure(2_000);
    const large = await measure(20_000);
    console.log(`export memory: ${JSON.stringify(small)} vs ${JSON.stringify(large)}`);
    expect(large.bytesMiB).toBeGreaterThan(small.bytesMiB * 9);
    // Ten times the rows (and about 78 MiB of CSV): the live heap stays within a few MiB of the small run's.
    expect(large.heapGrowthMiB).toBeLessThan(small.heapGrowthMiB + 4);
    expect(large.heapGrowthMiB).toBeLessThan(large.bytesMiB / 10);
  }, 180_000);
});

describe('sweeps.csv and the journal (offline verifier)', () => {
  const sweep: Sweep = {
    id: 'sw-1-ab',
    chainId: 1,
    token: SYNTHETIC_TOKEN,
    factory: '0xa513E6E4b8f2a923D98304ec87F64353C4D5C853',
    custody: '0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199',
    from: '0xdD2FD4581271e230360230F9337D5c0430Bf44C0',
    nonce: 0,
    txHash: `0x${'ab'.repeat(32)}`,
    rawTx: '0x',
    addresses: [
      { invoiceId: 'inv_a', address: '0x0a8431CAf3F8634AeECA5a6909Cc39dc33145E2c', amount: 3_000_000n },
      { invoiceId: 'inv_b', address: '0x44faa43b5D717527f2Ddf04eb399BE18D31B9617', amount: 0n, failedReason: '0x' },
    ],
    amount: 3_000_000n,
    state: 'final',
    submittedAt: '2026-03-01T00:00:00.500Z',
    finalAt: '2026-03-01T00:00:01.500Z',
    blockNumber: 10,
  };

  async function exportWith(journalMicroUsd: bigint | undefined): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'sf-sweeps-'));
    const base = syntheticSources({ count: 1, signer, signed: true });
    await runExport(
      { id: 'exp_sweeps', ...syntheticPeriod(1), to: '2026-03-01T00:00:10.000Z' },
      {
        sources: {
          ...base,
          async *sweeps() {
            yield sweep;
          },
          async *journal() {
            yield* base.journal();
            if (journalMicroUsd !== undefined) {
              yield sweepFinalEntry({
                sweepId: sweep.id,
                chainId: 1,
                token: SYNTHETIC_TOKEN,
                microUsd: journalMicroUsd,
                at: sweep.finalAt as string,
              });
            }
          },
        },
        tokenInfo: syntheticTokenInfo,
        sinkFor: (name) => fileSink(join(dir, name)),
        signer,
        now: () => new Date(),
      },
    );
    return dir;
  }

  it('passes when the sweep-final entry moves what the rows swept, and names the sweep when it does not', async () => {
    const good = await exportWith(3_000_000n);
    const rows = parseCsv(await readFile(join(good, 'sweeps.csv')));
    expect(rows).toHaveLength(3);
    expect(rows[1]?.slice(-5)).toEqual(['3000000', '3.000000', '3000000', 'no', '']);
    expect((await verifyExportDir(good, { expectedSigner: await signer.address() })).problems).toEqual([]);

    const wrong = await exportWith(2_999_999n);
    expect((await verifyExportDir(wrong, { expectedSigner: await signer.address() })).problems).toEqual([
      'sweeps.csv: sweep sw-1-ab swept 3.000000 USD, its journal entry moves 2.999999 USD',
    ]);
    const missing = await exportWith(undefined);
    expect((await verifyExportDir(missing, { expectedSigner: await signer.address() })).problems).toEqual([
      'journal.csv: no sweep-final entry for sweep sw-1-ab, final within the period',
    ]);
    for (const dir of [good, wrong, missing]) await rm(dir, { recursive: true, force: true });
  });
});

describe('refunds.csv and the journal (offline verifier)', () => {
  const invoiceId = 'inv_0000000000000000000000';
  const completed: Refund = {
    id: 'rfd_AAAAAAAAAAAAAAAAAAAAAA',
    source: { kind: 'invoice', invoiceId },
    ministry: 'AFSA',
    chainId: 1,
    token: SYNTHETIC_TOKEN,
    decimals: 6,
    to: '0x1111111111111111111111111111111111111111',
    amount: 100_000_000n,
    reason: HYPERLINK,
    state: 'completed',
    requestedBy: 'ministry-clerk',
    requestedAt: '2026-03-01T00:00:02.000Z',
    approvedBy: 'ministry-head',
    approvedAt: '2026-03-01T00:00:03.000Z',
    instructedAt: '2026-03-01T00:00:04.000Z',
    completedAt: '2026-03-01T00:00:05.000Z',
    txHash: `0x${'cd'.repeat(32)}`,
    logIndex: 0,
    blockNumber: 12,
    receiptId: 'rrc_AAAAAAAAAAAAAAAAAAAAAA',
    version: 4,
  };
  const entryOf = (refund: Refund, microUsd = refund.amount) =>
    refundCompletedEntry({
      refundId: refund.id,
      chainId: refund.chainId,
      token: refund.token,
      microUsd,
      at: refund.completedAt as string,
      source: { invoiceId, ministry: 'AFSA' },
    });
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function exportWith(refunds: Refund[], entries: JournalEntry[]): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'sf-refunds-'));
    dirs.push(dir);
    const base = syntheticSources({ count: 1, signer, signed: true });
    await runExport(
      { id: 'exp_refunds', ...syntheticPeriod(1), to: '2026-03-01T00:00:10.000Z' },
      {
        sources: {
          ...base,
          async *refunds() {
            yield* refunds;
          },
          async *journal() {
            yield* base.journal();
            yield* entries;
          },
        },
        tokenInfo: syntheticTokenInfo,
        sinkFor: (name) => fileSink(join(dir, name)),
        signer,
        now: () => new Date(),
      },
    );
    return dir;
  }
  const problemsOf = async (dir: string) =>
    (await verifyExportDir(dir, { expectedSigner: await signer.address() })).problems;

  it('verifies an intact export: one row per refund, its entry, the totals per state, the reason neutralized', async () => {
    const open: Refund = { ...completed, id: 'rfd_BBBBBBBBBBBBBBBBBBBBBB', state: 'requested', reason: 'stray' };
    for (const key of ['approvedBy', 'approvedAt', 'instructedAt', 'completedAt', 'txHash', 'logIndex'] as const) {
      delete open[key];
    }
    const dir = await exportWith([completed, open], [entryOf(completed)]);
    expect(await problemsOf(dir)).toEqual([]);
    const [header, first, second] = parseCsv(await readFile(join(dir, 'refunds.csv')));
    const cell = (row: string[] | undefined, name: string) => row?.[header?.indexOf(name) ?? -1];
    expect(cell(first, 'state')).toBe('completed');
    expect(cell(first, 'amount_units')).toBe('100000000');
    expect(cell(first, 'amount')).toBe('100.000000');
    expect(cell(first, 'micro_usd')).toBe('100000000');
    expect(cell(first, 'reason')).toBe(`'${HYPERLINK}`);
    expect(cell(first, 'approved_by')).toBe('ministry-head');
    expect(cell(second, 'state')).toBe('requested');
    expect(cell(second, 'tx_hash')).toBe('');
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.totals.refunds).toEqual({
      rows: 2,
      byState: { completed: { rows: 1, microUsd: '100000000' }, requested: { rows: 1, microUsd: '100000000' } },
      byToken: {
        [`1:${SYNTHETIC_TOKEN.toLowerCase()}`]: { rows: 2, completedUnits: '100000000', requestedUnits: '100000000' },
      },
    });
  });

  it('names a tampered refunds row: the file hash, and an amount that is not a decimal string', async () => {
    const dir = await exportWith([completed], [entryOf(completed)]);
    const path = join(dir, 'refunds.csv');
    await writeFile(path, (await readFile(path, 'utf8')).replace('"100000000"', '"1e8"'));
    const problems = await problemsOf(dir);
    expect(problems).toContain(
      `refunds.csv row 1 (refund ${completed.id}): amount_units "1e8" is not a decimal string`,
    );
    expect(problems.some((p) => /^refunds\.csv: SHA-256 \w+ differs from the manifest's/.test(p))).toBe(true);
  });

  it('names a completed refund without its journal entry, an entry without its refund, and a wrong amount', async () => {
    expect(await problemsOf(await exportWith([completed], []))).toEqual([
      `journal.csv: no refund-completed entry for refund ${completed.id}, completed within the period`,
    ]);
    expect(await problemsOf(await exportWith([], [entryOf(completed)]))).toEqual([
      `journal.csv: refund-completed entry of refund ${completed.id}, which refunds.csv does not show completed within the period`,
    ]);
    expect(await problemsOf(await exportWith([completed], [entryOf(completed, 99_000_000n)]))).toEqual([
      `refunds.csv: refund ${completed.id} returned 100.000000 USD, its journal entry moves 99.000000 USD`,
    ]);
  });

  it('names a refund approved by its requester, and a completed one without its transaction', async () => {
    const self: Refund = { ...completed, approvedBy: completed.requestedBy };
    expect(await problemsOf(await exportWith([self], [entryOf(self)]))).toEqual([
      `refunds.csv row 1 (refund ${completed.id}): approved by its requester ministry-clerk (four eyes: the approver must differ)`,
    ]);
    const noTx: Refund = { ...completed };
    delete noTx.txHash;
    expect(await problemsOf(await exportWith([noTx], [entryOf(noTx)]))).toEqual([
      `refunds.csv row 1 (refund ${completed.id}): completed without a transaction hash`,
    ]);
  });
});

describe('compliance.csv (offline verifier)', () => {
  const decisions: ComplianceDecision[] = [
    {
      id: 'register:v1',
      at: '2026-03-01T00:00:01.000Z',
      actor: { subject: 'officer-1', role: 'compliance' },
      action: 'register-upload',
      subject: 'register v1',
      reason: HYPERLINK,
    },
    {
      id: `hold:1:0x${'ab'.repeat(32)}:0`,
      at: '2026-03-01T00:00:02.000Z',
      actor: { subject: 'stablefee:screening', role: 'service' },
      action: 'hold',
      subject: `1:0x${'ab'.repeat(32)}:0`,
      reason: 'sender on screening list ofac-sdn',
      amount: '5000000',
      microUsd: '5000000',
    },
    {
      id: `reject:1:0x${'ab'.repeat(32)}:0`,
      at: '2026-03-01T00:00:03.000Z',
      actor: { subject: 'officer-1', role: 'compliance' },
      action: 'reject',
      subject: `1:0x${'ab'.repeat(32)}:0`,
      reason: 'confirmed',
      amount: '5000000',
      microUsd: '5000000',
    },
  ];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function exported(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'sf-compliance-'));
    dirs.push(dir);
    const base = syntheticSources({ count: 1, signer, signed: true });
    await runExport(
      { id: 'exp_compliance', ...syntheticPeriod(1), to: '2026-03-01T00:00:10.000Z' },
      {
        sources: {
          ...base,
          async *compliance() {
            yield* decisions;
          },
        },
        tokenInfo: syntheticTokenInfo,
        sinkFor: (name) => fileSink(join(dir, name)),
        signer,
        now: () => new Date(),
      },
    );
    return dir;
  }
  const problemsOf = async (dir: string) =>
    (await verifyExportDir(dir, { expectedSigner: await signer.address() })).problems;

  it('writes one row per decision with who, when and why, totals per action in the manifest, and verifies', async () => {
    const dir = await exported();
    expect(await problemsOf(dir)).toEqual([]);
    const [header, first] = parseCsv(await readFile(join(dir, 'compliance.csv')));
    expect(header).toEqual([
      'decision_id',
      'at',
      'action',
      'subject',
      'actor',
      'actor_role',
      'reason',
      'amount_units',
      'micro_usd',
    ]);
    expect(first?.[header?.indexOf('reason') ?? -1]).toBe(`'${HYPERLINK}`);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.totals.compliance).toEqual({
      rows: 3,
      byAction: {
        'register-upload': { rows: 1, microUsd: '0' },
        hold: { rows: 1, microUsd: '5000000' },
        reject: { rows: 1, microUsd: '5000000' },
      },
    });
  });

  it('names a missing or altered compliance.csv', async () => {
    const removed = await exported();
    await rm(join(removed, 'compliance.csv'));
    expect((await problemsOf(removed)).some((p) => p.includes('compliance.csv'))).toBe(true);
    const altered = await exported();
    await deleteRow(join(altered, 'compliance.csv'), 'reject:');
    const problems = await problemsOf(altered);
    expect(problems.some((p) => p.startsWith('compliance.csv: SHA-256'))).toBe(true);
    expect(problems.some((p) => p.startsWith('totals.compliance'))).toBe(true);
  });
});
