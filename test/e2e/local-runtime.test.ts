/**
 * Starts the whole local runtime (moto, Hardhat, registry mock, API, workers) and calls it over real HTTP,
 * as `npm start` users do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { functions, queues } from '../../infra/topology';
import { apiClient } from '../helpers/api';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0 });
});

afterAll(async () => {
  await runtime?.stop();
});

/** An operator's dev token (the local runtime's /dev/tokens). */
const operatorToken = () => apiClient(runtime.apiUrl).token({ role: 'operator' });

describe('local runtime', () => {
  it('answers the public GET /v1/health with liveness and the signer only, nothing about dependencies', async () => {
    const response = await fetch(`${runtime.apiUrl}/v1/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['signer', 'status']);
    expect(body.status).toBe('ok');
    expect(body.signer).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  it('answers the operator GET /v1/ops/health with every dependency ok', async () => {
    const response = await fetch(`${runtime.apiUrl}/v1/ops/health`, {
      headers: { authorization: `Bearer ${await operatorToken()}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    const expected = ['table', ...Object.keys(queues).map((q) => `queue:${q}`), 'chain:31337', 'signer'];
    expect(Object.keys(body.checks).sort()).toEqual(expected.sort());
    for (const name of expected) expect(body.checks[name]?.status, name).toBe('ok');
    expect((body as unknown as { signer: string }).signer).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  it('reports a failing dependency on GET /v1/ops/health with 503 and names it; the public check stays 200', async () => {
    const { DeleteQueueCommand, SQSClient } = await import('@aws-sdk/client-sqs');
    const sqs = new SQSClient({ endpoint: runtime.aws.endpoint });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: runtime.resources.queueUrls.outbox }));
    sqs.destroy();
    const response = await fetch(`${runtime.apiUrl}/v1/ops/health`, {
      headers: { authorization: `Bearer ${await operatorToken()}` },
    });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(body.status).toBe('degraded');
    expect(body.checks['queue:outbox']?.status).toBe('failing');
    expect(body.checks.table?.status).toBe('ok');
    expect((await fetch(`${runtime.apiUrl}/v1/health`)).status).toBe(200);
  });

  it('lists the fee catalog on GET /v1/fees', async () => {
    const response = await fetch(`${runtime.apiUrl}/v1/fees`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: { code: string; ministry: string; amount: object }[] };
    const ministries = new Set(body.items.map((f) => f.ministry));
    expect(ministries).toEqual(new Set(['AFSA', 'MINFIN']));
    const supervision = body.items.find((f) => f.code === 'AFSA-SUP-PMS');
    expect(supervision?.amount).toEqual({ currency: 'USD', minor: '300000' });
  });

  it('deploys the test tokens and funds payers 1..9', async () => {
    expect(runtime.chain.tokens.map((t) => [t.symbol, t.decimals])).toEqual([
      ['USDT', 6],
      ['USDC', 6],
      ['USD18', 18],
    ]);
    expect(runtime.chain.payers).toHaveLength(9);
    const { Contract } = await import('ethers');
    const usd18 = runtime.chain.tokens[2];
    const token = new Contract(
      usd18?.address ?? '',
      ['function balanceOf(address) view returns (uint256)'],
      runtime.chain.provider,
    );
    const balance = (await token.getFunction('balanceOf')(runtime.chain.payers[8])) as bigint;
    expect(balance).toBe(1_000_000n * 10n ** 18n);
  });

  it("deploys a USDT whose transfer returns nothing, like Ethereum's, and a USDC that returns true", async () => {
    const { Interface } = await import('ethers');
    const erc20 = new Interface(['function transfer(address,uint256) returns (bool)']);
    const [usdt, usdc] = runtime.chain.tokens;
    const call = (token: string | undefined) =>
      runtime.chain.provider.call({
        from: runtime.chain.payers[0],
        to: token,
        data: erc20.encodeFunctionData('transfer', [runtime.chain.custody, 1n]),
      });
    // A caller decoding a bool (plain IERC20) fails on USDT; SafeERC20, which the forwarders use, copes.
    expect(await call(usdt?.address)).toBe('0x');
    expect(BigInt(await call(usdc?.address))).toBe(1n);
  });

  it('deploys the deposit factory from account 0 with custody account 19, which is no payer', async () => {
    const { Contract, getAddress } = await import('ethers');
    const accounts = (await runtime.chain.provider.send('eth_accounts', [])) as string[];
    expect(runtime.chain.custody).toBe(getAddress(accounts[19] as string));
    expect(runtime.chain.payers.map(getAddress)).not.toContain(runtime.chain.custody);
    const factory = new Contract(
      runtime.chain.depositFactory,
      ['function custody() view returns (address)'],
      runtime.chain.provider,
    );
    expect(await factory.getFunction('custody')()).toBe(runtime.chain.custody);
    // The functions are configured with it, so every invoice they issue gets a forwarder address.
    expect(JSON.parse(runtime.env.CHAINS as string)).toEqual([
      { chainId: 31337, rpcUrl: runtime.chain.rpcUrl, depositFactory: runtime.chain.depositFactory },
    ]);
  });

  it('issues dev tokens and rejects bad token requests with problem+json', async () => {
    const ok = await fetch(`${runtime.apiUrl}/dev/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'ministry', ministry: 'AFSA' }),
    });
    expect(ok.status).toBe(200);
    const { token } = (await ok.json()) as { token: string };
    expect(await runtime.issuer.verify(token)).toMatchObject({ role: 'ministry', ministry: 'AFSA' });

    const bad = await fetch(`${runtime.apiUrl}/dev/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'auditor', ministry: 'AFSA' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers unknown routes with 404 and declares a handler for every topology function', async () => {
    expect((await fetch(`${runtime.apiUrl}/v1/nope`)).status).toBe(404);
    const { existsSync } = await import('node:fs');
    for (const fn of functions) expect(existsSync(`functions/${fn.name}/handler.ts`), fn.name).toBe(true);
  });
});
