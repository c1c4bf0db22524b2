/**
 * Keyed RPC URLs (shared/adapters/chain/rpc-urls.ts; against Secrets Manager in
 * test/integration/rpc-url-secret.test.ts): a CHAINS entry names its URL in the clear or says it is in the secret,
 * never both; synthesis accepts that form; and no RPC error carries more of a URL than its scheme and host.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedParameterValue } from '../../infra/deployment-config';
import { jsonRpc, shownRpcUrl, withoutRpcUrl } from '../../shared/adapters/chain/json-rpc-probe';
import { resolveRpcUrls } from '../../shared/adapters/chain/rpc-urls';
import { ethersSweepChain } from '../../shared/adapters/chain/sweep-chain';
import { chainEndpointSchema } from '../../shared/adapters/config';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';

const KEY = 'secret-api-key';

describe('a CHAINS entry', () => {
  it('takes its RPC URL in the clear or from the secret, exactly one of them', () => {
    expect(chainEndpointSchema.safeParse({ chainId: 1, rpcUrl: 'https://rpc.example' }).success).toBe(true);
    expect(chainEndpointSchema.safeParse({ chainId: 1, rpcUrlInSecret: true }).success).toBe(true);
    expect(chainEndpointSchema.safeParse({ chainId: 1 }).success).toBe(false);
    expect(
      chainEndpointSchema.safeParse({ chainId: 1, rpcUrl: 'https://rpc.example', rpcUrlInSecret: true }).success,
    ).toBe(false);
    expect(chainEndpointSchema.safeParse({ chainId: 1, rpcUrlInSecret: false }).success).toBe(false);
  });

  it('is checked at synthesis in either form', () => {
    const keyed = '[{"chainId":1,"rpcUrlInSecret":true},{"chainId":137,"rpcUrl":"https://polygon-rpc.example"}]';
    expect(checkedParameterValue('ChainsJson', keyed)).toBe(keyed);
    expect(() => checkedParameterValue('ChainsJson', '[{"chainId":1}]')).toThrow(/ChainsJson is not valid/);
  });
});

describe('resolveRpcUrls', () => {
  const keyed = [
    { chainId: 1, rpcUrlInSecret: true as const },
    { chainId: 137, rpcUrl: 'https://polygon-rpc.example' },
  ];

  it('reads the secret once for every keyed entry, and keeps the others as given', async () => {
    const reads: string[] = [];
    const urls = await resolveRpcUrls(keyed, { RPC_URLS_SECRET_ARN: 'arn:secret' }, async (arn) => {
      reads.push(arn);
      return JSON.stringify({ 1: `https://eth.example/v2/${KEY}` });
    });
    expect(Object.fromEntries(urls)).toEqual({
      1: `https://eth.example/v2/${KEY}`,
      137: 'https://polygon-rpc.example',
    });
    expect(reads).toEqual(['arn:secret']);
  });

  it('reads nothing when every URL is in the clear', async () => {
    const urls = await resolveRpcUrls([keyed[1] as (typeof keyed)[1]], {}, async () => {
      throw new Error('not read');
    });
    expect([...urls.keys()]).toEqual([137]);
  });

  it('refuses a keyed entry in a function not given the secret, naming the chain', async () => {
    await expect(resolveRpcUrls(keyed, {})).rejects.toThrow(/chain\(s\) 1 keep their RPC URL in the RPC URL secret/);
  });
});

describe('RPC errors', () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    // A node that refuses every request as a provider refuses a revoked key.
    server = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"invalid api key"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    origin = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('show a URL as its scheme and host only', () => {
    expect(shownRpcUrl(`https://eth.example/v2/${KEY}?apikey=${KEY}`)).toBe('https://eth.example');
    expect(shownRpcUrl(`https://user:${KEY}@eth.example/`)).toBe('https://eth.example');
    const error = withoutRpcUrl(
      Object.assign(new Error(`failed (url=https://eth.example/v2/${KEY})`, { cause: new Error(KEY) }), {
        code: 'TIMEOUT',
      }),
      `https://eth.example/v2/${KEY}`,
    );
    // The URL is gone from the message; the cause is not kept (its own text is the caller's to have redacted).
    expect(error.message).toBe(`failed (url=https://eth.example): ${KEY}`);
    expect(error.cause).toBeUndefined();
    expect((error as Error & { code?: string }).code).toBe('TIMEOUT');
  });

  it('from the fetch client never name the URL: credentials, an HTTP refusal', async () => {
    const withCredentials = `https://user:${KEY}@127.0.0.1:9/`;
    const refused = `${origin}/v2/${KEY}`;
    for (const url of [withCredentials, refused]) {
      const error = await jsonRpc(url, 'eth_blockNumber').catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect(String((error as Error).message)).not.toContain(KEY);
      expect((error as Error).cause).toBeUndefined();
    }
  });

  it("from ethers (the sweeper) never name the URL, which ethers' HTTP errors carry", async () => {
    const chain = ethersSweepChain(`${origin}/v2/${KEY}`, 1, new LocalKeySigner(`0x${'11'.repeat(32)}`));
    const error = await chain.gasBalance().catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('server response 401');
    expect((error as Error).message).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
  });
});
