/**
 * A stand-in for the custodian that executes refund orders: accepts `POST /orders` with a JSON signed refund order,
 * an `Idempotency-Key` (the refund id) and a `Stablefee-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`
 * header; verifies the HMAC and the order's EIP-712 signature (its signer must be the service's receipt signer),
 * then sends `token.transfer(to, amount)` from the local custody account and answers 201 with the transaction hash.
 * Each refund id is executed once: a repeat with the same body answers 200 with the same hash (even while the first
 * is still being sent), a different body 409. Tests steer it like the mock registry: `POST /_faults
 * {"status":503,"rate":0.5,"timeoutRate":0.1}`, `GET /_orders`, `POST /_reset`; `afterExecuteRate` makes it
 * execute an order and then fail to answer (the service must ask again, and the order must not run twice).
 */
import { createServer, type Server } from 'node:http';
import { Contract, type JsonRpcProvider } from 'ethers';
import { type SignedRefundOrder, verifyRefundOrder } from '../../shared/domain/refund-documents';
import { verifySignature } from './mock-registry';

export interface CustodianFaults {
  /** Status answered on an injected failure. */
  status: number;
  /** Share of requests failing with `status` before anything is executed, 0..1. */
  rate: number;
  /** Share of requests never answered (the client times out), 0..1, before anything is executed. */
  timeoutRate: number;
  /** Share of requests answered with `status` AFTER the order was executed, 0..1. */
  afterExecuteRate: number;
}

export interface ExecutedOrder {
  refundId: string;
  body: string;
  txHash: string;
  executedAt: string;
}

export interface MockCustodian {
  url: string;
  /** Orders executed, by refund id. */
  executed: Map<string, ExecutedOrder>;
  /** Every request to /orders seen, including refused and failed ones. */
  attempts: number;
  setFaults(faults: Partial<CustodianFaults>): void;
  close(): Promise<void>;
}

const NO_FAULTS: CustodianFaults = { status: 503, rate: 0, timeoutRate: 0, afterExecuteRate: 0 };
const ERC20 = ['function transfer(address to, uint256 amount) returns (bool)'];

/** Starts the custodian, paying from `custody` (an account the local node holds the key of). */
export async function startMockCustodian(options: {
  provider: JsonRpcProvider;
  custody: string;
  secret: string;
  /** The service's receipt signer address: the only signer whose orders are executed. */
  expectedSigner: () => string;
  port?: number;
}): Promise<MockCustodian> {
  const executed = new Map<string, ExecutedOrder>();
  // A refund id's execution in flight: a twin request waits for it instead of sending a second transfer.
  const running = new Map<string, Promise<ExecutedOrder>>();
  const state = { attempts: 0, faults: { ...NO_FAULTS } };
  const execute = (refundId: string, body: string, order: SignedRefundOrder) => {
    let run = running.get(refundId);
    if (!run) {
      run = send(options, order).then((txHash) => {
        const done = { refundId, body, txHash, executedAt: new Date().toISOString() };
        executed.set(refundId, done);
        return done;
      });
      running.set(refundId, run);
      run.catch(() => running.delete(refundId));
    }
    return run;
  };
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
      state.faults = { ...state.faults, ...(JSON.parse(body || '{}') as Partial<CustodianFaults>) };
      return reply(200, state.faults);
    }
    if (url.pathname === '/_orders' && req.method === 'GET') return reply(200, [...executed.values()]);
    if (url.pathname === '/_reset' && req.method === 'POST') {
      state.faults = { ...NO_FAULTS };
      state.attempts = 0;
      return reply(200, {});
    }
    if (url.pathname !== '/orders' || req.method !== 'POST') return reply(404, { error: 'not found' });
    state.attempts++;
    const { faults } = state;
    if (Math.random() < faults.timeoutRate) return; // never answer: the service's timeout fires
    if (Math.random() < faults.rate) return reply(faults.status, { error: 'injected fault' });
    const checked = checkOrder(req.headers, body, options);
    if ('error' in checked) return reply(checked.status, { error: checked.error });
    const earlier = executed.get(checked.refundId);
    if (earlier && earlier.body !== body) return reply(409, { error: 'idempotency key reused with another order' });
    try {
      const done = earlier ?? (await execute(checked.refundId, body, checked.order));
      if (Math.random() < faults.afterExecuteRate)
        return reply(faults.status, { error: 'injected fault after execution' });
      return reply(earlier ? 200 : 201, { refundId: done.refundId, txHash: done.txHash });
    } catch (error) {
      return reply(502, { error: `execution failed: ${String((error as Error).message).slice(0, 200)}` });
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    executed,
    get attempts() {
      return state.attempts;
    },
    setFaults(next) {
      state.faults = { ...state.faults, ...next };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The order of a request whose HMAC, key and EIP-712 signature all check out; else the answer to give. */
function checkOrder(
  headers: Record<string, string | string[] | undefined>,
  body: string,
  options: { secret: string; expectedSigner: () => string },
): { refundId: string; order: SignedRefundOrder } | { status: number; error: string } {
  const key = headers['idempotency-key'];
  if (typeof key !== 'string' || !key) return { status: 400, error: 'missing Idempotency-Key' };
  if (!verifySignature(String(headers['stablefee-signature'] ?? ''), body, options.secret)) {
    return { status: 401, error: 'bad signature' };
  }
  let order: SignedRefundOrder;
  try {
    order = JSON.parse(body) as SignedRefundOrder;
  } catch {
    return { status: 400, error: 'not JSON' };
  }
  const verified = verifyRefundOrder(order, options.expectedSigner());
  if (!verified.ok) return { status: 422, error: verified.problems.join('; ') };
  if (order.order.refundId !== key) return { status: 422, error: 'Idempotency-Key is not the order refund id' };
  return { refundId: key, order };
}

async function send(options: { provider: JsonRpcProvider; custody: string }, order: SignedRefundOrder) {
  const wallet = await options.provider.getSigner(options.custody);
  const token = new Contract(order.order.token, ERC20, wallet);
  const tx = await token.getFunction('transfer')(order.order.to, BigInt(order.order.amount));
  const receipt = await tx.wait();
  if (receipt?.status !== 1) throw new Error(`transfer ${tx.hash} reverted`);
  return String(tx.hash);
}
