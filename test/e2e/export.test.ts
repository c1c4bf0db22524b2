/**
 * Exports end to end on the local runtime: a period holding paid, overpaid, late, unmatched (paid to a cancelled
 * invoice) and reverted (reorged away) payments; an auditor requests the export, polls until done, downloads the
 * files through their presigned links and verifies them offline — as a function and with `stablefee verify-export`.
 * Then every file in turn gets one byte changed, and one receipt row is deleted: each must fail, naming the problem.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { parseCsv as readCsv } from '../../tools/export-csv';
import { verifyExportDir } from '../../tools/verify-export';
import { type ApiClient, apiClient } from '../helpers/api';
import { expireInvoiceNow, pay as payFrom, until } from '../helpers/runtime';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const HYPERLINK = '=HYPERLINK("http://x")';
const FILES = [
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
];

let runtime: LocalRuntime;
let api: ApiClient;
let afsa: string;
let auditor: string;
let signer: string;
let dir: string;
let from: string;

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, finalityDepth: 3 });
  // The scanner alone finds payments here (deterministic around the reorg).
  runtime.provider.setSwitches({ paused: true });
  api = apiClient(runtime.apiUrl);
  [afsa, auditor] = await Promise.all([
    api.token({ role: 'ministry', ministry: 'AFSA' }),
    api.token({ role: 'auditor' }),
  ]);
  signer = (await api.call('GET', '/v1/health')).json.signer;
  dir = await mkdtemp(join(tmpdir(), 'sf-e2e-export-'));
  from = new Date(Date.now() - 1000).toISOString();
});

afterAll(async () => {
  await runtime?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function issue(name = 'Test Firm LLP') {
  const r = await api.call('POST', '/v1/invoices', {
    token: afsa,
    body: { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name } },
  });
  expect(r.status).toBe(201);
  return r.json;
}

const pay = (to: string, amount: bigint, payerIndex: number, symbol = 'USDT') =>
  payFrom(runtime, to, amount, payerIndex, symbol);
const expireNow = (id: string, minutesAgo = 1) => expireInvoiceNow(runtime, id, minutesAgo);

const invoiceOf = async (id: string) => (await api.call('GET', `/v1/invoices/${id}`, { token: afsa })).json;

/** Moves an invoice's expiry into the past, as time would. */

function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = readCsv(text);
  return rows.map((r) => Object.fromEntries((header as string[]).map((h, i) => [h, r[i] as string])));
}

const ids: Record<string, string> = {};

describe('an export of a period with every kind of case', () => {
  it('builds the period: paid, overpaid, late, unmatched and reverted', async () => {
    const paid = await issue(HYPERLINK);
    const over = await issue();
    const late = await issue();
    const cancelled = await issue();
    const reorged = await issue();
    Object.assign(ids, { paid: paid.id, over: over.id, late: late.id, cancelled: cancelled.id, reorged: reorged.id });

    expect((await api.call('POST', `/v1/invoices/${cancelled.id}/cancel`, { token: afsa })).status).toBe(200);
    await expireNow(late.id);
    await pay(paid.depositAddress, 500_000_000n, 0);
    await pay(over.depositAddress, 750_000_000n, 1, 'USDC');
    await pay(late.depositAddress, 500_000_000n, 2);
    const suspense = await pay(cancelled.depositAddress, 500_000_000n, 3);

    const rpc = runtime.chain.provider;
    await rpc.send('evm_setIntervalMining', [0]);
    try {
      const snapshot = await rpc.send('evm_snapshot', []);
      await pay(reorged.depositAddress, 500_000_000n, 4);
      await until(
        () => invoiceOf(reorged.id),
        (i) => i.status === 'processing',
      );
      await rpc.send('evm_revert', [snapshot]);
      for (let i = 0; i < 4; i++) await rpc.send('evm_mine', []);
      await until(
        () => invoiceOf(reorged.id),
        (i) => i.transfers[0]?.state === 'reverted',
      );
    } finally {
      await rpc.send('evm_setIntervalMining', [250]);
    }

    expect(
      await until(
        () => invoiceOf(paid.id),
        (i) => i.status === 'paid',
      ),
    ).toMatchObject({ exception: 'none' });
    expect(
      await until(
        () => invoiceOf(over.id),
        (i) => i.status === 'paid',
      ),
    ).toMatchObject({ exception: 'overpaid' });
    expect(
      await until(
        () => invoiceOf(late.id),
        (i) => i.status === 'paid',
      ),
    ).toMatchObject({ exception: 'late' });
    const operator = await api.token({ role: 'operator' });
    await until(
      async () => (await api.call('GET', '/v1/transfers?match=unmatched', { token: operator })).json.items,
      (items: { txHash: string; state: string }[]) =>
        items.some((t) => t.txHash === suspense.hash.toLowerCase() && t.state === 'final'),
    );
    expect((await invoiceOf(reorged.id)).status).toBe('open');
  }, 120_000);

  it('exports the period for an auditor and downloads the files through their presigned links', async () => {
    const to = new Date().toISOString();
    expect((await api.call('POST', '/v1/exports', { token: afsa, body: { from, to } })).status).toBe(403);
    const started = await api.call('POST', '/v1/exports', { token: auditor, body: { from, to } });
    expect(started.status).toBe(202);
    expect(started.json.status).toBe('requested');
    const done = await until(
      async () => (await api.call('GET', `/v1/exports/${started.json.id}`, { token: auditor })).json,
      (e) => e.status === 'done' || e.status === 'failed',
      60_000,
    );
    expect(done.error).toBeNull();
    expect(done.status).toBe('done');
    expect(done.files.map((f: { name: string }) => f.name)).toEqual(FILES);
    expect(done.manifest.signer).toBe(signer);
    for (const file of done.files) {
      const response = await fetch(file.url);
      expect(response.status).toBe(200);
      await writeFile(join(dir, file.name), Buffer.from(await response.arrayBuffer()));
    }
  }, 90_000);

  it('holds every case, and the formula payer name neutralized', async () => {
    const invoices = parseCsv(await readFile(join(dir, 'invoices.csv'), 'utf8'));
    const byId = (id: string) => invoices.find((r) => r.invoice_id === id);
    expect(byId(ids.paid as string)).toMatchObject({ status: 'paid', exception: 'none', payer_name: `'${HYPERLINK}` });
    expect(byId(ids.over as string)).toMatchObject({
      status: 'paid',
      exception: 'overpaid',
      overpaid_usd: '250.000000',
    });
    expect(byId(ids.late as string)).toMatchObject({ status: 'paid', exception: 'late' });
    expect(byId(ids.cancelled as string)).toMatchObject({ status: 'cancelled' });
    expect(byId(ids.reorged as string)).toMatchObject({ status: 'open', paid_micro_usd: '0' });

    const transfers = parseCsv(await readFile(join(dir, 'transfers.csv'), 'utf8'));
    expect(transfers.find((t) => t.state === 'reverted')).toMatchObject({ invoice_id: ids.reorged, confirmations: '' });
    expect(transfers.find((t) => t.unmatched_reason === 'invoice_cancelled')).toMatchObject({
      match: 'unmatched',
      state: 'final',
      amount: '500.000000',
      token_symbol: 'USDT',
    });

    const receipts = parseCsv(await readFile(join(dir, 'receipts.csv'), 'utf8'));
    expect(receipts.map((r) => r.exception).sort()).toEqual(['late', 'none', 'overpaid']);
    const formula = receipts.find((r) => r.invoice_id === ids.paid);
    expect(formula?.payer_name).toBe(`'${HYPERLINK}`);
    expect(JSON.parse(formula?.receipt_json as string).payer.name).toBe(HYPERLINK);
    for (const name of ['invoices.csv', 'receipts.csv']) {
      const text = await readFile(join(dir, name), 'utf8');
      expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
      expect(text).not.toMatch(/(^|,)"=HYPERLINK/m);
    }
  });

  it('verifies offline, as a function and with `stablefee verify-export`', async () => {
    const report = await verifyExportDir(dir, { expectedSigner: signer });
    expect(report.problems).toEqual([]);
    const { stdout } = await run(
      process.execPath,
      [join(root, 'bin', 'stablefee.js'), 'verify-export', dir, '--signer', signer],
      {
        cwd: root,
      },
    );
    expect(stdout).toContain(`OK: ${dir} verifies`);
  }, 60_000);

  it('fails when one byte of any file changes, naming the problem', async () => {
    for (const name of FILES) {
      const copy = await mkdtemp(join(dir, '..', 'sf-e2e-tamper-'));
      try {
        await cp(dir, copy, { recursive: true });
        const bytes = await readFile(join(copy, name));
        const at = Math.floor(bytes.length / 2);
        bytes[at] = (bytes[at] as number) ^ 0x01;
        await writeFile(join(copy, name), bytes);
        const report = await verifyExportDir(copy, { expectedSigner: signer });
        expect(report.ok, name).toBe(false);
        expect(report.problems.join('\n')).toContain(name === 'manifest.json' ? 'manifest.json' : `${name}: SHA-256`);
      } finally {
        await rm(copy, { recursive: true, force: true });
      }
    }
  });

  it('fails when one receipt row is deleted, with the CLI exiting 1 and naming the gap', async () => {
    const copy = await mkdtemp(join(dir, '..', 'sf-e2e-tamper-'));
    try {
      await cp(dir, copy, { recursive: true });
      const path = join(copy, 'receipts.csv');
      const receipts = parseCsv(await readFile(path, 'utf8'));
      const victim = receipts.find((r) => r.receipt_no === '2') as Record<string, string>;
      const lines = (await readFile(path, 'utf8')).split('\n');
      await writeFile(path, lines.filter((l) => !l.includes(`"${victim.receipt_id}"`)).join('\n'));
      const report = await verifyExportDir(copy, { expectedSigner: signer });
      const text = report.problems.join('\n');
      expect(text).toContain('receipts.csv: SHA-256');
      expect(text).toMatch(/receipts\.csv: 2 rows, the manifest says 3/);
      expect(text).toContain('AFSA: receipt 2 missing');
      const failed = await run(process.execPath, [join(root, 'bin', 'stablefee.js'), 'verify-export', copy]).catch(
        (e) => e,
      );
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('AFSA: receipt 2 missing');
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 60_000);
});
