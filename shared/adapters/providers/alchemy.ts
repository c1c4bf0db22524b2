/**
 * Alchemy Notify — Address Activity webhooks.
 *
 * Signature: header `X-Alchemy-Signature` = hex HMAC-SHA256 of the raw request body, keyed with the webhook's
 * signing key (no prefix, no timestamp). Alchemy retries a delivery that is not answered 2xx.
 *
 * Payload (the part we read):
 * ```json
 * {"webhookId":"wh_…","id":"whevt_…","createdAt":"…","type":"ADDRESS_ACTIVITY",
 *  "event":{"network":"ETH_MAINNET","activity":[{"fromAddress":"0x…","toAddress":"0x…","blockNum":"0x…","hash":"0x…",
 *    "value":3000,"asset":"USDT","category":"token",
 *    "rawContract":{"rawValue":"0x…","address":"0x…","decimals":6},
 *    "log":{"address":"0x…","topics":["0xddf2…","0x…from","0x…to"],"data":"0x…","blockNumber":"0x…",
 *           "transactionHash":"0x…","transactionIndex":"0x…","blockHash":"0x…","logIndex":"0x…","removed":false}}]}}
 * ```
 * Only `category: "token"` (ERC-20) activity of some value becomes a transfer, of any contract. The float `value` and
 * `rawContract.decimals` are never read: the amount is `rawContract.rawValue` (base units, hex), cross-checked against
 * the log's `data`; decimals are ours. `log.removed: true` is Alchemy's reorg notification.
 *
 * Network names → chain ids: ETH_MAINNET 1, MATIC_MAINNET 137, ARB_MAINNET 42161, BASE_MAINNET 8453, BNB_MAINNET 56,
 * and LOCAL_HARDHAT 31337 — our own name for the local chain, used by the local provider emulator
 * (infra/local/provider-emulator.ts); Alchemy has no such network.
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
  toBigInt,
  WebhookPayloadError,
} from './common';

export const ALCHEMY_SIGNATURE_HEADER = 'x-alchemy-signature';

/** Alchemy network name of the local Hardhat chain (ours; used by the local provider emulator). */
export const ALCHEMY_LOCAL_NETWORK = 'LOCAL_HARDHAT';

/** Alchemy network names of the chains stablefee knows. */
export const alchemyNetworks: Readonly<Record<string, number>> = {
  ETH_MAINNET: 1,
  MATIC_MAINNET: 137,
  ARB_MAINNET: 42161,
  BASE_MAINNET: 8453,
  BNB_MAINNET: 56,
  [ALCHEMY_LOCAL_NETWORK]: 31337,
};

/** The raw log inside an Address Activity entry (JSON-RPC log fields, hex quantities). */
export interface AlchemyLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  transactionHash: string;
  transactionIndex: string;
  blockHash: string;
  logIndex: string;
  removed: boolean;
}

/** One Address Activity entry as Alchemy sends it. */
export interface AlchemyActivity {
  fromAddress: string;
  toAddress: string;
  blockNum: string;
  hash: string;
  /** A float in token units: display only, never read. */
  value: number;
  asset: string;
  category: string;
  erc721TokenId?: string | null;
  erc1155Metadata?: unknown;
  typeTraceAddress?: string | null;
  rawContract: { rawValue: string; address?: string; decimals?: number };
  log?: AlchemyLog;
}

/** An Address Activity webhook body. */
export interface AlchemyAddressActivityPayload {
  webhookId: string;
  id: string;
  createdAt: string;
  type: 'ADDRESS_ACTIVITY';
  event: { network: string; activity: AlchemyActivity[] };
}

/** The hex HMAC-SHA256 of `raw` keyed with `signingKey`: the value of `X-Alchemy-Signature`. */
export function alchemySignature(raw: Buffer | string, signingKey: string): string {
  return createHmac('sha256', signingKey).update(raw).digest('hex');
}

/** True when `X-Alchemy-Signature` is the HMAC of exactly these bytes. */
export function verify(raw: Buffer, headers: Record<string, string>, secret: string, _now?: Date): boolean {
  return signatureMatches(headers[ALCHEMY_SIGNATURE_HEADER], alchemySignature(raw, secret));
}

const payloadSchema = z.looseObject({
  webhookId: z.string(),
  id: z.string(),
  type: z.string(),
  event: z.looseObject({ network: z.string().optional(), activity: z.array(z.unknown()).optional() }),
});

const activitySchema = z.looseObject({
  hash: z.string(),
  blockNum: z.string().optional(),
  category: z.string().optional(),
  rawContract: z.looseObject({ rawValue: z.string().nullish(), address: z.string().nullish() }).nullish(),
  log: z
    .looseObject({
      address: z.string(),
      topics: z.array(z.string()),
      data: z.string(),
      blockNumber: z.string().optional(),
      transactionHash: z.string().optional(),
      blockHash: z.string(),
      logIndex: z.string(),
      removed: z.boolean().optional(),
    })
    .nullish(),
});

const TOKEN_CATEGORIES = new Set(['token', 'erc20']);

/** The transfers in an Address Activity webhook: ERC-20 activity only (any token; zero values dropped). */
export function parse(raw: Buffer, chains: readonly ChainConfig[], options: ParseOptions = {}): TransferObserved[] {
  const body = payloadSchema.safeParse(parseJson(raw));
  if (!body.success) throw new WebhookPayloadError('The body is not an Alchemy webhook.');
  const collector = new TransferCollector(chains, 'alchemy', options);
  const { type, event } = body.data;
  if (type !== 'ADDRESS_ACTIVITY') {
    collector.drop({ reason: 'unsupported_payload', detail: `webhook type ${type}` });
    return [];
  }
  const network = event.network ?? '';
  const chainId = Object.hasOwn(alchemyNetworks, network) ? alchemyNetworks[network] : undefined;
  for (const entry of event.activity ?? []) {
    const parsed = activitySchema.safeParse(entry);
    if (!parsed.success) {
      collector.drop({ reason: 'malformed', chainId, detail: 'activity entry' });
      continue;
    }
    const a = parsed.data;
    const where = { chainId, txHash: a.hash.toLowerCase() };
    if (!TOKEN_CATEGORIES.has(a.category ?? '')) {
      collector.drop({ reason: 'not_a_token_transfer', ...where, detail: `category ${a.category}` });
      continue;
    }
    if (!a.log) {
      collector.drop({ reason: 'malformed', ...where, detail: 'token activity without its log' });
      continue;
    }
    const decoded = decodeTransferLog(a.log);
    if (!decoded) {
      collector.drop({ reason: 'not_a_token_transfer', ...where, token: a.log.address.toLowerCase() });
      continue;
    }
    const token = a.rawContract?.address ?? a.log.address;
    const rawValue = toBigInt(a.rawContract?.rawValue ?? undefined);
    const consistent =
      token.toLowerCase() === a.log.address.toLowerCase() &&
      (rawValue === undefined || rawValue === decoded.amount) &&
      (a.log.transactionHash === undefined || a.log.transactionHash.toLowerCase() === where.txHash);
    if (!consistent) {
      collector.drop({ reason: 'malformed', ...where, detail: 'rawContract or hash disagrees with the log' });
      continue;
    }
    collector.add({
      chainId,
      token,
      txHash: a.hash,
      logIndex: a.log.logIndex,
      blockNumber: a.log.blockNumber ?? a.blockNum,
      blockHash: a.log.blockHash,
      from: decoded.from,
      to: decoded.to,
      amount: rawValue ?? decoded.amount,
      removed: a.log.removed === true,
    });
  }
  return collector.transfers;
}
