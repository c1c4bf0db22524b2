/**
 * The fetch-based chain adapter (shared/adapters/chain/json-rpc-chain.ts) against a scripted JSON-RPC node: what it
 * sends for each port method, how it reads the answers (hex quantities, null answers, a pre-Byzantium receipt), and
 * that errors reject. The Hardhat-backed suites (test/integration/scan-chain.test.ts, faults.test.ts) run it on a
 * real node.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonRpcChain } from '../../shared/adapters/chain/json-rpc-chain';

interface Call {
  method: string;
  params: unknown[];
}

let server: Server;
let url: string;
let calls: Call[] = [];
/** The node's answer to a call: a JSON-RPC result, an error, or an HTTP status. */
let answer: (call: Call) => { result?: unknown; error?: { code: number; message: string }; status?: number };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const { id, method, params } = JSON.parse(body) as Call & { id: number };
      calls.push({ method, params });
      const { status, ...payload } = answer({ method, params });
      res.writeHead(status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id, ...payload }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  url = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  calls = [];
  answer = () => ({ result: null });
});

const TOKEN = '0xdac17f958d2ee523a2206206994597c13d831ec7';
const HASH = `0x${'AB'.repeat(32)}`;
const wireLog = {
  address: TOKEN,
  topics: [`0x${'11'.repeat(32)}`],
  data: '0x01',
  blockNumber: '0x1f',
  blockHash: HASH,
  transactionHash: HASH,
  logIndex: '0xa',
};

describe('jsonRpcChain', () => {
  it('reads the head and blocks by number or tag, and a block the node does not have as null', async () => {
    const rpc = jsonRpcChain(url, 31337);
    answer = ({ method, params }) => {
      if (method === 'eth_blockNumber') return { result: '0x2a' };
      if (params[0] === '0x2b') return { result: null };
      return { result: { number: '0x28', hash: HASH } };
    };
    expect(await rpc.blockNumber()).toBe(42);
    expect(await rpc.getBlock(40)).toEqual({ number: 40, hash: HASH.toLowerCase() });
    expect(await rpc.getBlock('finalized')).toEqual({ number: 40, hash: HASH.toLowerCase() });
    expect(await rpc.getBlock(43)).toBeNull();
    expect(calls).toEqual([
      { method: 'eth_blockNumber', params: [] },
      { method: 'eth_getBlockByNumber', params: ['0x28', false] },
      { method: 'eth_getBlockByNumber', params: ['finalized', false] },
      { method: 'eth_getBlockByNumber', params: ['0x2b', false] },
    ]);
  });

  it('asks for logs with hex bounds, leaves out an empty contract list, and reads quantities as numbers', async () => {
    const rpc = jsonRpcChain(url, 31337);
    answer = () => ({ result: [wireLog, { ...wireLog, logIndex: '0xb', removed: true }] });
    const logs = await rpc.getLogs({ address: [], topics: [null, 'x'], fromBlock: 16, toBlock: 255 });
    expect(calls[0]).toEqual({
      method: 'eth_getLogs',
      params: [{ topics: [null, 'x'], fromBlock: '0x10', toBlock: '0xff' }],
    });
    expect(logs).toEqual([
      {
        ...wireLog,
        blockNumber: 31,
        blockHash: HASH.toLowerCase(),
        transactionHash: HASH.toLowerCase(),
        logIndex: 10,
        removed: false,
      },
      {
        ...wireLog,
        blockNumber: 31,
        blockHash: HASH.toLowerCase(),
        transactionHash: HASH.toLowerCase(),
        logIndex: 11,
        removed: true,
      },
    ]);
    await rpc.getLogs({ address: [TOKEN], topics: [], fromBlock: 1, toBlock: 1 });
    expect(calls[1]?.params).toEqual([{ address: [TOKEN], topics: [], fromBlock: '0x1', toBlock: '0x1' }]);
  });

  it('reads a receipt (log addresses checksummed; no status, as before Byzantium, is failed) and a missing one as null', async () => {
    const rpc = jsonRpcChain(url, 31337);
    const receipt = { transactionHash: HASH, status: '0x1', blockNumber: '0x1f', blockHash: HASH, logs: [wireLog] };
    answer = ({ params }) => ({
      result: params[0] === 'none' ? null : params[0] === 'old' ? { ...receipt, status: undefined } : receipt,
    });
    expect(await rpc.getTransactionReceipt(HASH)).toEqual({
      txHash: HASH.toLowerCase(),
      status: 1,
      blockNumber: 31,
      blockHash: HASH.toLowerCase(),
      logs: [
        {
          ...wireLog,
          address: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
          blockNumber: 31,
          blockHash: HASH.toLowerCase(),
          transactionHash: HASH.toLowerCase(),
          logIndex: 10,
          removed: false,
        },
      ],
    });
    expect((await rpc.getTransactionReceipt('old'))?.status).toBe(0);
    expect(await rpc.getTransactionReceipt('none')).toBeNull();
  });

  it('rejects a malformed answer (the node is an outside party) instead of reading it', async () => {
    const rpc = jsonRpcChain(url, 1);
    const receipt = { transactionHash: HASH, status: '0x1', blockNumber: '0x1f', blockHash: HASH, logs: [wireLog] };
    answer = () => ({ result: { ...receipt, blockHash: 'not a hash' } });
    await expect(rpc.getTransactionReceipt(HASH)).rejects.toThrow(
      'chain 1 eth_getTransactionReceipt: malformed answer at blockHash',
    );
    answer = () => ({ result: { ...receipt, logs: [{ ...wireLog, data: 123 }] } });
    await expect(rpc.getTransactionReceipt(HASH)).rejects.toThrow('malformed answer at logs.0.data');
    answer = () => ({ result: [{ ...wireLog, address: '0x1234' }] });
    await expect(rpc.getLogs({ topics: [], fromBlock: 1, toBlock: 2 })).rejects.toThrow(
      'malformed answer at 0.address',
    );
    answer = () => ({ result: 31 });
    await expect(rpc.blockNumber()).rejects.toThrow('chain 1 eth_blockNumber: malformed answer at (result)');
  });

  it('rejects on a JSON-RPC error and on an HTTP error, naming the chain and the method', async () => {
    const rpc = jsonRpcChain(url, 56);
    answer = () => ({ error: { code: -32005, message: 'query returned more than 10000 results' } });
    await expect(rpc.getLogs({ topics: [], fromBlock: 1, toBlock: 2 })).rejects.toThrow(
      'chain 56 eth_getLogs: RPC error: query returned more than 10000 results',
    );
    answer = () => ({ status: 429 });
    await expect(rpc.blockNumber()).rejects.toThrow('chain 56 eth_blockNumber: RPC answered HTTP 429');
  });
});
