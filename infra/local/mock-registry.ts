/**
 * A stand-in for a ministry's receipt registry: accepts `POST /registries/{ministry}/receipts` with a JSON receipt,
 * an `Idempotency-Key` and a `Stablefee-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` header, verifies the
 * signature with the ministry's secret, and stores each receipt once by its key (a repeat answers 409 when the body
 * differs, 200 when it is the same). Tests steer it: `POST /_faults {"status":503,"rate":0.5,"timeoutRate":0.1}`,
 * `GET /_received`, `POST /_reset`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { MINISTRY_CODE } from '../../shared/domain/ministry';

export interface Faults {
  /** Status answered on an injected failure. */
  status: number;
  /** Share of requests that fail with `status`, 0..1. */
  rate: number;
  /** Share of requests that never get an answer (the client times out), 0..1. */
  timeoutRate: number;
}

export interface StoredReceipt {
  ministry: string;
  idempotencyKey: string;
  body: string;
  receivedAt: string;
}

export interface MockRegistry {
  url: string;
  received: Map<string, StoredReceipt>;
  /** Every request seen, including rejected and failed ones. */
  attempts: number;
  setFaults(faults: Partial<Faults>): void;
  close(): Promise<void>;
}

/** The largest clock skew the registry tolerates on a signature timestamp. */
const TOLERANCE_SECONDS = 300;

/** Starts the registry; `secretFor(ministry)` gives the shared HMAC secret of each ministry's endpoint. */
export async function startMockRegistry(options: {
  port?: number;
  secretFor: (ministry: string) => string | undefined;
}): Promise<MockRegistry> {
  const received = new Map<string, StoredReceipt>();
  let faults: Faults = { status: 503, rate: 0, timeoutRate: 0 };
  const state = { attempts: 0 };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/_faults' && req.method === 'POST') {
      faults = { ...faults, ...(JSON.parse(body || '{}') as Partial<Faults>) };
      return reply(200, faults);
    }
    if (url.pathname === '/_received' && req.method === 'GET') return reply(200, [...received.values()]);
    if (url.pathname === '/_reset' && req.method === 'POST') {
      received.clear();
      faults = { status: 503, rate: 0, timeoutRate: 0 };
      state.attempts = 0;
      return reply(200, {});
    }
    const match = /^\/registries\/([^/]+)\/receipts$/.exec(url.pathname);
    if (!match?.[1] || !MINISTRY_CODE.test(match[1]) || req.method !== 'POST')
      return reply(404, { error: 'not found' });
    state.attempts++;
    if (Math.random() < faults.timeoutRate) return; // never answer: the publisher's timeout fires
    if (Math.random() < faults.rate) return reply(faults.status, { error: 'injected fault' });

    const ministry = match[1];
    const secret = options.secretFor(ministry);
    const key = req.headers['idempotency-key'];
    if (!secret || typeof key !== 'string' || !key) return reply(400, { error: 'missing key or unknown ministry' });
    if (!verifySignature(String(req.headers['stablefee-signature'] ?? ''), body, secret)) {
      return reply(401, { error: 'bad signature' });
    }
    const existing = received.get(key);
    if (existing) return existing.body === body ? reply(200, { stored: false }) : reply(409, { error: 'key reused' });
    received.set(key, { ministry, idempotencyKey: key, body, receivedAt: new Date().toISOString() });
    return reply(201, { stored: true });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get attempts() {
      return state.attempts;
    },
    setFaults(next) {
      faults = { ...faults, ...next };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Whether `header` is a fresh, valid `Stablefee-Signature` of `body` under `secret` (shared with the mock custodian). */
export function verifySignature(header: string, body: string, secret: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > TOLERANCE_SECONDS || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
