/**
 * `npx stablefee pay`, run as a developer runs it against `npm start`: it pays the invoice a link names from a funded
 * local account, with the token and amount asked for, and the service takes the payment like any other.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Contract } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { PayRefusal, type PayRequest, payInvoice } from '../../tools/pay';
import { type ApiClient, apiClient } from '../helpers/api';
import { until } from '../helpers/runtime';

let runtime: LocalRuntime;
let api: ApiClient;

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0 });
  api = apiClient(runtime.apiUrl);
});

afterAll(async () => {
  await runtime?.stop();
});

const run = (args: string[]) => promisify(execFile)(process.execPath, ['bin/stablefee.js', 'pay', ...args]);

async function issue(): Promise<{ id: string; payUrl: string; options: { symbol: string; depositAddress: string }[] }> {
  const token = await api.token({ role: 'ministry', ministry: 'AFSA' });
  const created = await api.call('POST', '/v1/invoices', {
    token,
    headers: { 'idempotency-key': crypto.randomUUID() },
    body: { feeCode: 'AFSA-SUP-PMS', payer: { bin: '940140000385', name: 'Test Payer LLP' } },
  });
  expect(created.status).toBe(201);
  return created.json;
}

describe('stablefee pay', () => {
  it('pays part of an invoice in USDC from local account 2, as a developer runs it', async () => {
    const invoice = await issue();
    const usdc = runtime.chain.tokens.find((t) => t.symbol === 'USDC');
    const balanceOf = new Contract(
      usdc?.address ?? '',
      ['function balanceOf(address) view returns (uint256)'],
      runtime.chain.provider,
    ).getFunction('balanceOf');
    const before = (await balanceOf(runtime.chain.payers[1])) as bigint;

    const args = ['--token', 'usdc', '--amount', '1000.5', '--payer', '2', '--rpc', runtime.chain.rpcUrl];
    const { stdout } = await run([invoice.payUrl, ...args]);
    expect(stdout).toMatch(/^paid 1000\.5 USDC to 0x[0-9a-fA-F]{40} from local account/);
    expect(stdout).toMatch(/tx 0x[0-9a-f]{64}/);
    expect(before - ((await balanceOf(runtime.chain.payers[1])) as bigint)).toBe(1_000_500_000n);
    await until(
      () => api.call('GET', `/v1/pay/${invoice.id}`),
      (r) => r.json?.pendingMicroUsd === '1000500000' || r.json?.paidMicroUsd === '1000500000',
    );
    await expect(run([...args])).rejects.toMatchObject({ code: 2 });
  });

  it("pays the first option's amount by default, in the local USDT whose transfer returns nothing", async () => {
    const invoice = await issue();
    const paid = await payInvoice({ link: invoice.payUrl, rpc: runtime.chain.rpcUrl });
    expect(paid).toMatchObject({ invoiceId: invoice.id, symbol: 'USDT', amount: 3_000_000_000n });
    await until(
      () => api.call('GET', `/v1/pay/${invoice.id}`),
      (r) => r.json?.status === 'paid',
    );
  });

  it('refuses a bad amount, an unknown token, a bad account and a link that is no invoice link; sends nothing', async () => {
    const invoice = await issue();
    const rpc = runtime.chain.rpcUrl;
    const refusal = (request: Partial<PayRequest>) =>
      expect(payInvoice({ link: invoice.payUrl, rpc, ...request })).rejects.toBeInstanceOf(PayRefusal);
    await refusal({ amount: '-3' });
    await refusal({ amount: '1.0000001' });
    await refusal({ amount: '0' });
    await refusal({ token: 'DAI' });
    await refusal({ payer: 0 });
    await refusal({ payer: 10 });
    await refusal({ link: 'ftp://example.test/pay/x' });
    await refusal({ link: `${runtime.apiUrl}/v1/invoices/${invoice.id}` });
    await expect(payInvoice({ link: invoice.payUrl, rpc, token: 'DAI' })).rejects.toThrow(
      'the invoice offers no DAI; it offers USDT, USDC, USD18',
    );
    const page = await api.call('GET', `/v1/pay/${invoice.id}`);
    expect(page.json).toMatchObject({ status: 'open', pendingMicroUsd: '0', paidMicroUsd: '0' });
  });

  it('never sends on a chain that is not the local one, whatever the invoice offers', async () => {
    // A deployment's invoice (Ethereum USDT): refused before any RPC is asked to sign.
    const mainnetInvoice = {
      status: 'open',
      options: [
        {
          chainId: 1,
          token: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
          symbol: 'USDT',
          decimals: 6,
          amount: '1',
          depositAddress: runtime.chain.custody,
        },
      ],
    };
    const server = createServer((_req, res) => res.end(JSON.stringify(mainnetInvoice)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(payInvoice({ link: `http://127.0.0.1:${port}/pay/abc`, rpc: runtime.chain.rpcUrl })).rejects.toThrow(
        'on chain 1: pay sends on the local chain only',
      );
    } finally {
      server.close();
    }
  });
});
