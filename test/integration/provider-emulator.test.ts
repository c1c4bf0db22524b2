/**
 * The local provider emulator against the in-process Hardhat chain: a token transfer to a watched address becomes
 * one signed Alchemy Address Activity webhook whose parsed TransferObserved matches the transfer; the switches
 * (duplicates, paused, reorder) and the reorg notification behave as documented; the address API needs its token.
 */
import { createServer, type Server } from 'node:http';
import { Contract, getAddress, Wallet } from 'ethers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalChain, startChain } from '../../infra/local/chain';
import { type ProviderEmulator, startProviderEmulator } from '../../infra/local/provider-emulator';
import { webhookProviders } from '../../shared/adapters/providers/index';
import { localChain } from '../../shared/domain/chains';
import type { TransferObserved } from '../../shared/domain/transfers';

const SIGNING_KEY = 'whsec_emulator_test';
const AUTH_TOKEN = 'alchemy-auth-token-test';
const ERC20 = ['function transfer(address to, uint256 amount) returns (bool)'];

interface Delivery {
  raw: Buffer;
  verified: boolean;
  transfers: TransferObserved[];
}

let chain: LocalChain;
let api: Server;
let apiUrl: string;
let emulator: ProviderEmulator;
const deliveries: Delivery[] = [];
let failNext = 0;
const errors: unknown[] = [];

const deposit = Wallet.createRandom().address;
const other = Wallet.createRandom().address;

beforeAll(async () => {
  chain = await startChain({ port: 0 });
  const chains = [localChain(chain.tokens)];
  api = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    if (req.url !== '/v1/webhooks/alchemy' || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    if (failNext > 0) {
      failNext--;
      res.writeHead(503).end();
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const verified = webhookProviders.alchemy.verify(raw, headers, SIGNING_KEY, new Date());
    const transfers = verified ? webhookProviders.alchemy.parse(raw, chains) : [];
    deliveries.push({ raw, verified, transfers });
    res.writeHead(verified ? 200 : 401, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const address = api.address();
  apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  emulator = await startProviderEmulator({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    apiUrl,
    signingKey: SIGNING_KEY,
    tokens: chain.tokens,
    authToken: AUTH_TOKEN,
    webhookId: 'wh_test',
    pollMs: 100,
    retryDelayMs: 20,
    onError: (e) => errors.push(e),
  });
});

afterAll(async () => {
  await emulator?.close();
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  await chain?.close();
});

beforeEach(() => {
  deliveries.length = 0;
  errors.length = 0;
  emulator.setSwitches({ watchAll: false, paused: false, duplicates: 0, delayMs: 0, reorder: false });
});

async function submit(symbol: string, to: string, amount: bigint, payer: string) {
  const token = chain.tokens.find((t) => t.symbol === symbol);
  if (!token) throw new Error(symbol);
  const contract = new Contract(token.address, ERC20, await chain.provider.getSigner(payer));
  return { token, tx: await contract.getFunction('transfer').send(to, amount) };
}

async function send(symbol: string, to: string, amount: bigint, payer = chain.payers[0] as string) {
  const { token, tx } = await submit(symbol, to, amount, payer);
  const receipt = await tx.wait();
  if (!receipt) throw new Error('no receipt');
  return { token, hash: receipt.hash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash, payer };
}

async function addressApi(method: string, path: string, body?: unknown, token = AUTH_TOKEN) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-alchemy-token': token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

describe('provider emulator', () => {
  it('manages watched addresses through the Alchemy-like API, with its token only', async () => {
    const patch = { webhook_id: 'wh_test', addresses_to_add: [deposit], addresses_to_remove: [] };
    expect((await addressApi('PATCH', '/api/update-webhook-addresses', patch, 'wrong')).status).toBe(401);
    expect(
      (await addressApi('PATCH', '/api/update-webhook-addresses', { ...patch, webhook_id: 'wh_other' })).status,
    ).toBe(404);
    expect((await addressApi('PATCH', '/api/update-webhook-addresses', patch)).status).toBe(200);
    const list = await addressApi('GET', '/api/webhook-addresses?webhook_id=wh_test');
    expect(list.json.data).toEqual([deposit.toLowerCase()]);
    expect(emulator.watched()).toEqual([deposit.toLowerCase()]);
  });

  it('delivers one signed webhook per transfer to a watched address, parsed exactly', async () => {
    const sent = await send('USDT', deposit, 12_500_000n);
    await send('USDC', other, 1_000_000n); // not watched
    await emulator.settle();
    expect(errors).toEqual([]);
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(delivery?.verified).toBe(true);
    const payload = JSON.parse(delivery?.raw.toString() ?? '{}');
    expect(payload).toMatchObject({
      webhookId: 'wh_test',
      type: 'ADDRESS_ACTIVITY',
      event: { network: 'LOCAL_HARDHAT' },
    });
    expect(delivery?.transfers).toEqual([
      {
        chainId: 31337,
        token: sent.token.address,
        txHash: sent.hash.toLowerCase(),
        logIndex: expect.any(Number),
        blockNumber: sent.blockNumber,
        blockHash: sent.blockHash.toLowerCase(),
        from: getAddress(sent.payer),
        to: deposit,
        amount: '12500000',
        removed: false,
        source: 'alchemy',
        observedAt: expect.any(String),
      },
    ]);
  });

  it('18-decimal amounts arrive exact', async () => {
    await send('USD18', deposit, 123_456_789_012_345_678_901n);
    await emulator.settle();
    expect(deliveries.map((d) => d.transfers[0]?.amount)).toEqual(['123456789012345678901']);
  });

  it('watchAll → transfers between unwatched addresses are delivered too', async () => {
    emulator.setSwitches({ watchAll: true });
    await send('USDC', other, 6n);
    await emulator.settle();
    expect(deliveries.map((d) => d.transfers[0]?.to)).toEqual([other]);
  });

  it('duplicates: n → each webhook delivered n + 1 times, identical', async () => {
    emulator.setSwitches({ duplicates: 2 });
    await send('USDT', deposit, 1n);
    await emulator.settle();
    expect(deliveries).toHaveLength(3);
    expect(new Set(deliveries.map((d) => d.raw.toString())).size).toBe(1);
  });

  it('paused → nothing is delivered', async () => {
    emulator.setSwitches({ paused: true });
    await send('USDT', deposit, 2n);
    await emulator.settle();
    expect(deliveries).toEqual([]);
  });

  it('delayMs → deliveries wait that long', async () => {
    emulator.setSwitches({ delayMs: 400 });
    await send('USDT', deposit, 5n);
    const started = Date.now();
    await emulator.settle();
    expect(deliveries).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });

  it('retries a delivery the API refused, as Alchemy does', async () => {
    failNext = 2;
    await send('USDC', deposit, 3n);
    await emulator.settle();
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.transfers[0]?.amount).toBe('3');
  });

  it('reorder → one webhook per activity, in reverse order', async () => {
    emulator.setSwitches({ reorder: true });
    // Both transfers in one block, so that one poll sees them together.
    await chain.provider.send('evm_setIntervalMining', [0]);
    await chain.provider.send('evm_setAutomine', [false]);
    try {
      const first = await submit('USDT', deposit, 10n, chain.payers[1] as string);
      const second = await submit('USDT', deposit, 20n, chain.payers[2] as string);
      await chain.provider.send('evm_mine', []);
      await Promise.all([first.tx.wait(), second.tx.wait()]);
    } finally {
      await chain.provider.send('evm_setAutomine', [true]);
      await chain.provider.send('evm_setIntervalMining', [1000]);
    }
    await emulator.settle();
    expect(deliveries.map((d) => d.transfers.length)).toEqual([1, 1]);
    expect(deliveries.map((d) => d.transfers[0]?.amount)).toEqual(['20', '10']);
    expect(deliveries[0]?.transfers[0]?.blockHash).toBe(deliveries[1]?.transfers[0]?.blockHash);
  });

  it('notifyRemoved → the same activity with removed: true', async () => {
    const sent = await send('USDT', deposit, 4n);
    await emulator.settle();
    const [original] = deliveries.splice(0).map((d) => d.transfers[0]);
    await emulator.notifyRemoved(sent.hash);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.verified).toBe(true);
    expect(deliveries[0]?.transfers).toEqual([{ ...original, removed: true, observedAt: expect.any(String) }]);
    await expect(emulator.notifyRemoved(`0x${'ab'.repeat(32)}`)).rejects.toThrow();
  });
});
