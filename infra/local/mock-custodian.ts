/**
 * A stand-in for the custodian that executes refund orders: accepts `POST /orders` with a JSON signed refund order,
 * an `Idempotency-Key` (the refund id) and a `Stablefee-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`
 * header; verifies the HMAC and the order's EIP-712 signature (its signer must be the service's receipt signer),
 * then sends `token.transfer(to, amount)` from the local custody account and answers 201 with the transaction hash.
 * Each refund id is executed once: a repeat with the same body answers 200 with the same hash (even while the first
 * is still being sent), a different body 409. Tests steer it like the mock registry: `POST /_faults
 * {"status":503,"rate":0.5,"timeoutRate":0.1}`, `GET /_orders`, `POST /_reset`; `afterExecuteRate` makes it
 * execute an order and then fail to answer (the service must ask again, and the order must not run twice).
 *
 * It also converts, so the settlement loop runs on one machine: `POST /settlements` (or `settle()`) with
 * `{conversions: [{token, amount, kbk?}], rate, feeBps?, valueDate?, batchId?, fiatCurrency?}` sends each amount from
 * custody to its conversion desk (Hardhat account 17) on chain, one transaction each, and answers the settlement
 * report (CSV) and the state account's camt.053 statement crediting each remittance (infra/local/settlement-documents.ts);
 * `shortBy: {index, minor}` makes that credit of the statement short, as a bank error would.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Contract, getAddress, type JsonRpcProvider } from 'ethers';
import { type SignedRefundOrder, verifyRefundOrder } from '../../shared/domain/refund-documents';
import { grossFiatMinor } from '../../shared/domain/settlements';
import { kazakhstanDay } from '../../shared/domain/time';
import { verifySignature } from './mock-registry';
import { type ConversionRecord, camt053Statement, settlementReportCsv } from './settlement-documents';

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
  /** Converts custody funds on chain and produces the settlement report and bank statement for them. */
  settle(request: SettlementRequest): Promise<SettlementDocuments>;
  close(): Promise<void>;
}

const NO_FAULTS: CustodianFaults = { status: 503, rate: 0, timeoutRate: 0, afterExecuteRate: 0 };
const ERC20 = [
  'function transfer(address to, uint256 amount) returns (bool)',
  'function decimals() view returns (uint8)',
];

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
    if (url.pathname === '/settlements' && req.method === 'POST') {
      try {
        return reply(201, await settle(options, JSON.parse(body || '{}') as SettlementRequest));
      } catch (error) {
        return reply(400, { error: String((error as Error).message).slice(0, 300) });
      }
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
    settle: (request) => settle(options, request),
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

/** A conversion order to the mock custodian (`POST /settlements`). */
export interface SettlementRequest {
  /** Token contract, base units to convert, and the budget code the remittance carries (none: not budget revenue). */
  conversions: { token: string; amount: string; kbk?: string }[];
  /** Fiat per token unit (e.g. KZT per USDT). */
  rate: string;
  /** The custodian's fee in basis points of the gross fiat (default 50). */
  feeBps?: number;
  fiatCurrency?: 'KZT' | 'USD';
  /** Default: today in Kazakhstan. */
  valueDate?: string;
  batchId?: string;
  /** The state account's IBAN on the statement. */
  account?: string;
  /** Makes the statement's credit at `index` short by `minor` fiat minor units. */
  shortBy?: { index: number; minor: string };
}

/** What a conversion produced: its transactions, the settlement report and the bank statement. */
export interface SettlementDocuments {
  batchId: string;
  messageId: string;
  txHashes: string[];
  csv: string;
  camt053: string;
}

/** The Hardhat account the custodian converts on (its exchange desk): never a payer, the sweeper or custody. */
const CONVERSION_DESK_ACCOUNT = 17;

async function settle(
  options: { provider: JsonRpcProvider; custody: string },
  request: SettlementRequest,
): Promise<SettlementDocuments> {
  const { provider } = options;
  const chainId = Number((await provider.getNetwork()).chainId);
  const desk = await provider.getSigner(CONVERSION_DESK_ACCOUNT);
  const custody = await provider.getSigner(options.custody);
  const batchId = request.batchId ?? `LOCAL-${randomBytes(4).toString('hex')}`;
  const valueDate = request.valueDate ?? kazakhstanDay(new Date());
  const fiatCurrency = request.fiatCurrency ?? 'KZT';
  const records: ConversionRecord[] = [];
  for (const [i, conversion] of request.conversions.entries()) {
    const token = new Contract(getAddress(conversion.token), ERC20, custody);
    const tokenDecimals = Number(await token.getFunction('decimals')());
    const tokenAmount = BigInt(conversion.amount);
    const tx = await token.getFunction('transfer')(await desk.getAddress(), tokenAmount);
    const receipt = await tx.wait();
    if (receipt?.status !== 1) throw new Error(`conversion transfer ${tx.hash} reverted`);
    const gross = grossFiatMinor(tokenAmount, tokenDecimals, request.rate);
    const feeAmount = (gross * BigInt(request.feeBps ?? 50)) / 10_000n;
    records.push({
      chainId,
      token: getAddress(conversion.token),
      tokenDecimals,
      txHash: String(tx.hash).toLowerCase(),
      tokenAmount,
      fiatCurrency,
      fiatAmount: gross - feeAmount,
      rate: request.rate,
      feeAmount,
      valueDate,
      bankReference: `${batchId}-${i + 1}`.slice(0, 35),
      ...(conversion.kbk ? { kbk: conversion.kbk } : {}),
    });
  }
  const messageId = `STMT-${batchId}`.slice(0, 35);
  const credits = records.map((r, i) => ({
    amount: r.fiatAmount - (request.shortBy?.index === i ? BigInt(request.shortBy.minor) : 0n),
    currency: r.fiatCurrency,
    reference: r.bankReference,
    ...(r.kbk ? { kbk: r.kbk } : {}),
  }));
  return {
    batchId,
    messageId,
    txHashes: records.map((r) => r.txHash),
    csv: settlementReportCsv(batchId, records),
    camt053: camt053Statement({
      messageId,
      account: request.account ?? 'KZ86125KZT5004100100',
      currency: fiatCurrency,
      day: valueDate,
      credits,
    }),
  };
}
