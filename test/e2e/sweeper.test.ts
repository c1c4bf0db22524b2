/**
 * The sweeper end to end on the local runtime (issue 12's first "done when"): an invoice paid to its forwarder is
 * reconciled, then swept by the scheduled sweeper (gas key: Hardhat account 18) — the deposit address holds 0 and
 * custody holds the amount; the sweep is on the invoice and in `GET /v1/sweeps`; an export of the period carries the
 * sweep and its journal entry, and verifies offline.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileContract } from '../../infra/local/contracts';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { hardhatAccountKey, SWEEPER_ACCOUNT } from '../../infra/local/sweeper-key';
import { parseCsv as readCsv } from '../../tools/export-csv';
import { verifyExportDir } from '../../tools/verify-export';
import { type ApiClient, apiClient } from '../helpers/api';
import { pay, until } from '../helpers/runtime';

let runtime: LocalRuntime;
let api: ApiClient;
let afsa: string;
let auditor: string;
let operator: string;
let dir: string;
let from: string;

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, finalityDepth: 3 });
  api = apiClient(runtime.apiUrl);
  [afsa, auditor, operator] = await Promise.all([
    api.token({ role: 'ministry', ministry: 'AFSA' }),
    api.token({ role: 'auditor' }),
    api.token({ role: 'operator' }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'sf-e2e-sweeper-'));
  from = new Date(Date.now() - 1000).toISOString();
});

afterAll(async () => {
  await runtime?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function balanceOf(symbol: string, holder: string): Promise<bigint> {
  const token = runtime.chain.tokens.find((t) => t.symbol === symbol)?.address as string;
  const erc20 = new Contract(token, compileContract('TestToken').abi as never, runtime.chain.provider);
  return (await erc20.getFunction('balanceOf')(holder)) as bigint;
}

function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = readCsv(text);
  return rows.map((r) => Object.fromEntries((header as string[]).map((h, i) => [h, r[i] as string])));
}

describe('the sweeper on the local stack', () => {
  let invoice: { id: string; depositAddress: string };
  let sweep: { id: string; txHash: string; amount: string };

  it('sweeps a paid invoice to custody: the deposit address holds 0, custody the amount; the sweep is on the invoice and in /v1/sweeps', async () => {
    const custodyBefore = await balanceOf('USDT', runtime.chain.custody);
    const issued = await api.call('POST', '/v1/invoices', {
      token: afsa,
      body: { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name: 'Test Firm LLP' } },
    });
    expect(issued.status).toBe(201);
    invoice = issued.json;
    await pay(runtime, invoice.depositAddress, 500_000_000n);
    const swept = await until(
      async () => (await api.call('GET', `/v1/invoices/${invoice.id}`, { token: afsa })).json,
      (i) => i.status === 'paid' && i.sweeps?.[0]?.state === 'final',
      60_000,
    );
    expect(swept.sweeps).toEqual([expect.objectContaining({ amount: '500000000', state: 'final', failed: false })]);
    sweep = swept.sweeps[0];
    expect(await balanceOf('USDT', invoice.depositAddress)).toBe(0n);
    expect((await balanceOf('USDT', runtime.chain.custody)) - custodyBefore).toBe(500_000_000n);
    const tx = await runtime.chain.provider.getTransaction(sweep.txHash);
    expect(tx?.from).toBe(hardhatAccountKey(SWEEPER_ACCOUNT).address);
    expect(tx?.to).toBe(runtime.chain.depositFactory);

    const listed = await api.call('GET', '/v1/sweeps?chainId=31337&limit=50', { token: operator });
    expect(listed.status).toBe(200);
    expect(listed.json.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: sweep.id,
          txHash: sweep.txHash,
          invoiceIds: [invoice.id],
          amount: '500000000',
          custody: runtime.chain.custody,
          state: 'final',
        }),
      ]),
    );
    expect((await api.call('GET', '/v1/sweeps', { token: afsa })).status).toBe(403);
    // The sweep's own token transfer (deposit address → custody), reported by the provider watching the address, is
    // never taken for new money: nothing in suspense from it.
    await new Promise((r) => setTimeout(r, 3_000));
    const suspense = await api.call('GET', '/v1/transfers?match=unmatched', { token: operator });
    expect(suspense.json.items.filter((t: { txHash: string }) => t.txHash === sweep.txHash)).toEqual([]);
    expect((await api.call('GET', '/v1/sweeps?chainId=x', { token: auditor })).status).toBe(400);
  }, 90_000);

  it('exports the period with the sweep and its journal entry (deposit → custody), and the export verifies', async () => {
    const to = new Date().toISOString();
    const started = await api.call('POST', '/v1/exports', { token: auditor, body: { from, to } });
    expect(started.status).toBe(202);
    const done = await until(
      async () => (await api.call('GET', `/v1/exports/${started.json.id}`, { token: auditor })).json,
      (e) => e.status === 'done' || e.status === 'failed',
      60_000,
    );
    expect(done.status).toBe('done');
    for (const file of done.files) {
      await writeFile(join(dir, file.name), Buffer.from(await (await fetch(file.url)).arrayBuffer()));
    }
    const journal = parseCsv(await readFile(join(dir, 'journal.csv'), 'utf8'));
    const entry = journal.filter((l) => l.entry_id === `${sweep.id}:final`);
    expect(entry.map((l) => l.account).sort()).toEqual([
      expect.stringMatching(/^custody:31337:/),
      expect.stringMatching(/^deposit:31337:/),
    ]);
    const sweeps = parseCsv(await readFile(join(dir, 'sweeps.csv'), 'utf8'));
    expect(sweeps).toEqual([
      expect.objectContaining({
        sweep_id: sweep.id,
        tx_hash: sweep.txHash,
        invoice_id: invoice.id,
        amount: '500.000000',
      }),
    ]);
    const signer = (await api.call('GET', '/v1/health')).json.signer;
    const report = await verifyExportDir(dir, { expectedSigner: signer });
    expect(report.problems).toEqual([]);
  }, 90_000);
});
