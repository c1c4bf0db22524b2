/**
 * QuickNode Streams webhooks.
 *
 * Signature: headers `x-qn-nonce`, `x-qn-timestamp` (Unix seconds) and `x-qn-signature` = HMAC-SHA256 of
 * `nonce + timestamp + body` keyed with the stream's security token, hex-encoded (base64 is accepted as well).
 * The timestamp must be within `QUICKNODE_TOLERANCE_SECONDS` of our clock, so a captured delivery cannot be replayed
 * later; within that span the handler remembers the nonce (shared/adapters/dynamo/nonces.ts), so it cannot be replayed sooner
 * either. A gzip-compressed delivery is signed over the uncompressed JSON; the handler inflates before verifying.
 *
 * Payload: a stream delivers whatever its filter function returns. We assume the stream below — dataset `receipts`
 * with the filter `QUICKNODE_FILTER` — which delivers the ERC-20 Transfer logs of successful transactions as
 * JSON-RPC logs (hex quantities), with the stream's network name:
 * ```json
 * {"network":"bnbchain-mainnet","logs":[{"address":"0x…","topics":["0xddf2…","0x…from","0x…to"],"data":"0x…",
 *   "blockNumber":"0x…","blockHash":"0x…","transactionHash":"0x…","transactionIndex":"0x…","logIndex":"0x…",
 *   "removed":false}]}
 * ```
 * Also accepted: `chainId` (number or hex) instead of `network`; a log carrying its own `chainId`; the unfiltered
 * shape `{"metadata":{"network":…},"data":[…]}` where `data` nests receipts (`{logs:[…]}`) or logs at any depth.
 * We decode the Transfer logs ourselves (topic0 = ERC-20 Transfer, from = topics[1], to = topics[2],
 * amount = data) and keep every token contract of some value (a token off the allowlist ends in suspense).
 *
 * Network names → chain ids: ethereum-mainnet 1; matic-mainnet / polygon-mainnet 137; arbitrum-mainnet 42161;
 * base-mainnet 8453; bnbchain-mainnet / bsc-mainnet / bsc 56; local-hardhat 31337 (ours, for local tests).
 */
import { createHmac } from 'node:crypto';
import * as z from 'zod';
import type { ChainConfig } from '../../domain/chains';
import type { TransferObserved } from '../../domain/transfers';
import { decodeTransferLog } from '../../domain/transfers';
import {
  type ParseOptions,
  parseJson,
  signatureMatches,
  TransferCollector,
  toSafeInteger,
  WebhookPayloadError,
} from './common';

export const QUICKNODE_HEADERS = {
  nonce: 'x-qn-nonce',
  timestamp: 'x-qn-timestamp',
  signature: 'x-qn-signature',
} as const;

/** How far the delivery's timestamp may be from our clock, either way. */
export const QUICKNODE_TOLERANCE_SECONDS = 300;

/**
 * How long a nonce is remembered: the whole span over which its timestamp can be accepted (tolerance either way),
 * ten minutes. A replay after that fails the timestamp check instead.
 */
export const QUICKNODE_NONCE_WINDOW_SECONDS = 2 * QUICKNODE_TOLERANCE_SECONDS;

/** QuickNode network names of the chains stablefee knows. */
export const quicknodeNetworks: Readonly<Record<string, number>> = {
  'ethereum-mainnet': 1,
  'matic-mainnet': 137,
  'polygon-mainnet': 137,
  'arbitrum-mainnet': 42161,
  'base-mainnet': 8453,
  'bnbchain-mainnet': 56,
  'bsc-mainnet': 56,
  bsc: 56,
  'local-hardhat': 31337,
};

/**
 * The stream filter (`main`, dataset `receipts`) whose output `parse` reads: Transfer logs of successful
 * transactions, optionally only of `TOKENS` (lower-case contract addresses; empty = every ERC-20 Transfer). The
 * installed stream must also keep only logs to our deposit addresses (docs/operations.md, `QuickNodeWatchList`):
 * intake keeps every token, so an unfiltered stream would put the whole chain's transfers in suspense. Install it
 * with the Streams REST API (`filter_function`, base64) per network.
 */
export const QUICKNODE_FILTER = `function main(stream) {
  var TRANSFER = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
  var TOKENS = {};
  var any = Object.keys(TOKENS).length === 0;
  var blocks = stream.data || [];
  var logs = [];
  for (var i = 0; i < blocks.length; i++) {
    var receipts = blocks[i] || [];
    for (var j = 0; j < receipts.length; j++) {
      var r = receipts[j];
      if (!r || r.status !== '0x1') continue;
      for (var k = 0; k < (r.logs || []).length; k++) {
        var log = r.logs[k];
        if (log.topics && log.topics.length === 3 && log.topics[0] === TRANSFER &&
            (any || TOKENS[log.address.toLowerCase()])) logs.push(log);
      }
    }
  }
  if (logs.length === 0) return null;
  return { network: stream.metadata && stream.metadata.network, logs: logs };
}`;

/** The hex HMAC-SHA256 QuickNode sends in `x-qn-signature`. */
export function quicknodeSignature(raw: Buffer | string, secret: string, nonce: string, timestamp: string): string {
  return createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(nonce, 'utf8'), Buffer.from(timestamp, 'utf8'), Buffer.from(raw)]))
    .digest('hex');
}

/** True when the signature covers nonce + timestamp + these bytes and the timestamp is recent. */
export function verify(raw: Buffer, headers: Record<string, string>, secret: string, now: Date = new Date()): boolean {
  const nonce = headers[QUICKNODE_HEADERS.nonce];
  const timestamp = headers[QUICKNODE_HEADERS.timestamp];
  const signature = headers[QUICKNODE_HEADERS.signature];
  if (!nonce || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > QUICKNODE_TOLERANCE_SECONDS) return false;
  const hex = quicknodeSignature(raw, secret, nonce, timestamp);
  const base64 = Buffer.from(hex, 'hex').toString('base64');
  // Evaluate both comparisons: the result must not depend on which encoding was tried first.
  const asHex = signatureMatches(signature, hex);
  const asBase64 = signatureMatches(signature, base64, false);
  return asHex || asBase64;
}

const logSchema = z.looseObject({
  address: z.string(),
  topics: z.array(z.string()),
  data: z.string(),
  blockNumber: z.union([z.string(), z.number()]),
  blockHash: z.string(),
  transactionHash: z.string(),
  logIndex: z.union([z.string(), z.number()]),
  removed: z.boolean().optional(),
  chainId: z.union([z.string(), z.number()]).optional(),
});

const MAX_DEPTH = 6;

/** Every log-like object in `value` (a log has `topics`; receipts are descended through their `logs`). */
function collectLogs(value: unknown, out: unknown[], depth = 0): void {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collectLogs(item, out, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.topics)) out.push(record);
  else if (Array.isArray(record.logs)) collectLogs(record.logs, out, depth + 1);
}

function chainIdOf(value: unknown): number | undefined {
  if (typeof value === 'number' || typeof value === 'string') {
    if (typeof value === 'string' && Object.hasOwn(quicknodeNetworks, value)) return quicknodeNetworks[value];
    return toSafeInteger(value);
  }
  return undefined;
}

/** The transfers in a QuickNode Streams delivery (see the module comment for the accepted shapes). */
export function parse(raw: Buffer, chains: readonly ChainConfig[], options: ParseOptions = {}): TransferObserved[] {
  const body = parseJson(raw);
  if (body === null) return []; // a filter that matched nothing
  if (typeof body !== 'object') throw new WebhookPayloadError('The body is not a QuickNode Streams delivery.');
  const record = Array.isArray(body) ? {} : (body as Record<string, unknown>);
  const metadata = (record.metadata ?? {}) as Record<string, unknown>;
  const payloadChain = chainIdOf(record.chainId) ?? chainIdOf(record.network) ?? chainIdOf(metadata.network);
  const found: unknown[] = [];
  collectLogs(Array.isArray(body) ? body : (record.logs ?? record.data ?? []), found);

  const collector = new TransferCollector(chains, 'quicknode', options);
  for (const entry of found) {
    const parsed = logSchema.safeParse(entry);
    if (!parsed.success) {
      collector.drop({ reason: 'malformed', chainId: payloadChain, detail: 'log entry' });
      continue;
    }
    const log = parsed.data;
    const chainId = chainIdOf(log.chainId) ?? payloadChain;
    const decoded = decodeTransferLog(log);
    if (!decoded) {
      collector.drop({
        reason: 'not_a_token_transfer',
        chainId,
        token: log.address.toLowerCase(),
        txHash: log.transactionHash.toLowerCase(),
      });
      continue;
    }
    collector.add({
      chainId,
      token: log.address,
      txHash: log.transactionHash,
      logIndex: log.logIndex,
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      from: decoded.from,
      to: decoded.to,
      amount: decoded.amount,
      removed: log.removed === true,
    });
  }
  return collector.transfers;
}
