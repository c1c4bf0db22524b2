/**
 * Settlement in the export (issue 13): settlements.csv, bank.csv and reconciliation.csv written from the period's
 * facts with their totals in the manifest, the settlement journal entries in journal.csv (balanced), and the offline
 * verifier passing the export and failing an edited settlements.csv.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexlify, randomBytes } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSink } from '../../shared/adapters/byte-sinks';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { runExport } from '../../shared/app/export';
import { exportDays, settlementExportSource } from '../../shared/app/settlement-export';
import { parseCsv } from '../../tools/export-csv';
import { verifyExportDir } from '../../tools/verify-export';
import { syntheticPeriod, syntheticSources, syntheticTokenInfo } from '../fixtures/synthetic-export';
import { MemoryChain } from '../support/memory-chain';
import { MemoryRateStore } from '../support/memory-rates';
import { linearClock, MemorySettlementStore } from '../support/memory-settlements';
import { CHAIN, TOKEN } from '../support/reconcile-fixtures';

const signer = new LocalKeySigner(hexlify(randomBytes(32)));
const CUSTODY = '0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199';
const DESK = '0xdD2FD4581271e230360230F9337D5c0430Bf44C0';
// The synthetic invoices' period: 2026-03-01 in Kazakhstan.
const JOB = { id: 'exp_settle', ...syntheticPeriod(1) };
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function exported(): Promise<string> {
  const chain = new MemoryChain(5);
  const out = chain.transfer(TOKEN, CUSTODY, DESK, 3_000_000_000n);
  chain.mine(5);
  const store = new MemorySettlementStore();
  const line = {
    batchId: 'B1',
    line: 2,
    chainId: 31337,
    token: TOKEN,
    txHash: out.transactionHash,
    tokenAmount: 3_000_000_000n,
    tokenDecimals: 6,
    fiatCurrency: 'KZT' as const,
    fiatAmount: 148_150_000n,
    rate: '495.5',
    feeAmount: 500_000n,
    valueDate: '2026-03-01',
    bankReference: 'REF-1',
    kbk: '108125',
  };
  const meta = { bytes: 1, objectKey: 'k', uploadedAt: 'now', uploadedBy: 'op' };
  await store.saveBatch({ ...meta, batchId: 'B1', sha256: 'ab'.repeat(32), lines: 1 }, [line]);
  const credit = {
    messageId: 'M1',
    statementId: 'S1',
    account: 'KZ86125KZT5004100100',
    entryNo: 1,
    txNo: 1,
    direction: 'credit' as const,
    currency: 'KZT',
    amount: 148_150_000n,
    valueDate: '2026-03-01',
    references: ['REF-1'],
    remittance: '=cmd|calc',
  };
  await store.saveStatement({ ...meta, messageId: 'M1', sha256: 'cd'.repeat(32), entries: 2 }, [
    credit,
    { ...credit, entryNo: 2, amount: 100n, references: ['STRAY'] },
  ]);
  const settlement = settlementExportSource(JOB, {
    store,
    rates: new MemoryRateStore().seed('2026-03-01', '494.8'),
    chains: [CHAIN],
    custodyAccount: () => CUSTODY,
    rpcFor: () => chain,
    clockFor: () => linearClock(Date.parse('2026-03-01T00:00:00+05:00') / 1000, 60),
  });
  const dir = await mkdtemp(join(tmpdir(), 'sf-settlement-export-'));
  dirs.push(dir);
  const base = syntheticSources({ count: 1, signer, signed: true });
  await runExport(JOB, {
    sources: { ...base, ...(settlement ? { settlement } : {}) },
    tokenInfo: syntheticTokenInfo,
    sinkFor: (name) => fileSink(join(dir, name)),
    signer,
    now: () => new Date('2026-12-01T00:00:00Z'),
  });
  return dir;
}

const problemsOf = async (dir: string) =>
  (await verifyExportDir(dir, { expectedSigner: await signer.address() })).problems;

describe('settlement in the export', () => {
  it('takes the Kazakhstan days of the period, and none for a ministry', () => {
    expect(exportDays(JOB)).toEqual({ from: '2026-03-01', to: '2026-03-01' });
    expect(exportDays({ from: '2026-10-31T19:00:00.000Z', to: '2026-11-30T19:00:00.000Z' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
    });
    expect(settlementExportSource({ ...JOB, ministry: 'AFSA' }, {} as never)).toBeUndefined();
  });

  it('writes the three files with manifest totals and journal entries, and verifies', async () => {
    const dir = await exported();
    expect(await problemsOf(dir)).toEqual([]);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.totals.settlements).toEqual({
      rows: 1,
      byCurrency: { KZT: { rows: 1, fiatMinor: '148150000', feeMinor: '500000' } },
      byToken: { [`31337:${TOKEN.toLowerCase()}`]: { rows: 1, units: '3000000000' } },
    });
    expect(manifest.totals.bank).toEqual({ rows: 2, byCurrency: { 'KZT:credit': { rows: 2, minor: '148150100' } } });
    expect(manifest.totals.reconciliation).toEqual({
      rows: 2,
      byStatus: { matched: 1 },
      byReason: { no_settlement_line: 1 },
      byKbk: { '108125:KZT': { rows: 1, fiatMinor: '148150000' } },
    });
    expect(manifest.trialBalance.debits).toBe(manifest.trialBalance.credits);
    const journal = parseCsv(await readFile(join(dir, 'journal.csv')));
    const kinds = new Set(journal.map((r) => r[3]));
    expect(kinds).toContain('settlement-outflow');
    expect(kinds).toContain('settlement-credit');
    const bank = parseCsv(await readFile(join(dir, 'bank.csv')));
    expect(bank[1]?.at(-1)).toBe("'=cmd|calc");
  });

  it('fails on an edited settlements.csv, naming the file and the disagreement', async () => {
    const dir = await exported();
    const path = join(dir, 'settlements.csv');
    await writeFile(path, (await readFile(path, 'utf8')).replace('148150000', '148160000'));
    const problems = await problemsOf(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^settlements\.csv: SHA-256 .* the file was changed/),
        'settlements.csv: batch B1 line 2 disagrees with reconciliation.csv on fiat_amount_minor',
      ]),
    );
    expect(problems.some((p) => p.startsWith('manifest.json totals') || /totals/.test(p))).toBe(true);
  });
});
