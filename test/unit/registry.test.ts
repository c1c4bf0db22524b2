/**
 * Registry delivery over real HTTP: a redirect is never followed (neither the POST, its body nor its signature reach
 * the redirect's target) and counts as a retryable failure; registry URLs are `https` outside the local stage.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverReceipt, parseRegistries, unsafeRegistryTarget } from '../../shared/adapters/registry';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

let server: Server;
let base: string;
const landed: Seen[] = [];

beforeAll(async () => {
  // `/redirect/<status>` answers that status pointing at `/landing`, which accepts anything with a 200.
  server = createServer((req, res) => {
    const status = /^\/redirect\/(\d{3})$/.exec(req.url ?? '')?.[1];
    req.resume();
    if (status) {
      res.writeHead(Number(status), { location: '/landing' });
      res.end();
      return;
    }
    landed.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('deliverReceipt', () => {
  it.each([301, 302, 303, 307, 308])('treats a %i as a retryable failure and does not follow it', async (status) => {
    landed.length = 0;
    const endpoint = { url: `${base}/redirect/${status}`, timeoutMs: 2_000 };
    const delivery = await deliverReceipt(endpoint, 'secret', 'rcp_x', '{"receiptId":"rcp_x"}', new Date());
    expect(delivery).toMatchObject({ outcome: 'retry', status });
    expect(delivery.outcome === 'retry' && delivery.error).toContain(`HTTP ${status}`);
    expect(landed).toEqual([]);
  });

  it('delivers on a 2xx from the configured URL itself', async () => {
    landed.length = 0;
    const endpoint = { url: `${base}/landing`, timeoutMs: 2_000 };
    const delivery = await deliverReceipt(endpoint, 'secret', 'rcp_x', '{"receiptId":"rcp_x"}', new Date());
    expect(delivery).toEqual({ outcome: 'delivered', status: 200 });
    expect(landed.map((s) => s.method)).toEqual(['POST']);
    expect(landed[0]?.headers['stablefee-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });
});

describe('parseRegistries', () => {
  const config = (url: string) => JSON.stringify({ AFSA: { url, timeoutMs: 1_000 } });

  it('accepts https everywhere and http only on the local stage', () => {
    expect(parseRegistries(config('https://registry.example/receipts'), 'cloud').AFSA?.url).toBe(
      'https://registry.example/receipts',
    );
    expect(parseRegistries(config('http://127.0.0.1:9/receipts'), 'local').AFSA?.url).toBe(
      'http://127.0.0.1:9/receipts',
    );
    expect(() => parseRegistries(config('http://registry.example/receipts'), 'cloud')).toThrow();
    expect(() => parseRegistries(config('ftp://registry.example/receipts'), 'local')).toThrow();
  });

  it('reads an empty configuration as no registries', () => {
    expect(parseRegistries('', 'cloud')).toEqual({});
  });
});

describe('unsafeRegistryTarget (checked again at request time)', () => {
  it('refuses private and metadata addresses in the cloud, and names that do not resolve', async () => {
    expect(await unsafeRegistryTarget('https://169.254.169.254/latest', 'cloud')).toBeDefined();
    expect(await unsafeRegistryTarget('https://[::ffff:10.0.0.1]/r', 'cloud')).toBeDefined();
    expect(await unsafeRegistryTarget('http://127.0.0.1:4000/r', 'cloud')).toBeDefined();
    expect(await unsafeRegistryTarget('https://no-such-host.invalid/r', 'cloud')).toMatch(/does not resolve/);
  });

  it('allows the local mock registry on loopback in the local stage only', async () => {
    expect(await unsafeRegistryTarget('http://127.0.0.1:4000/registries/AFSA/receipts', 'local')).toBeUndefined();
    expect(await unsafeRegistryTarget('https://10.0.0.1/r', 'local')).toBeDefined();
  });
});
