/**
 * Moralis Streams webhooks.
 *
 * Signature: header `x-signature` = `web3.utils.sha3(JSON.stringify(body) + secret)`, i.e. the 0x-prefixed hex
 * Keccak-256 of the body as Moralis serialized it followed by the Streams secret. The bytes Moralis sends are that
 * serialization, so we hash the raw body bytes + secret (never a re-serialization of our own parse).
 *
 * Each block event arrives twice: `confirmed: false` as soon as the block is seen, `confirmed: true` once Moralis
 * considers it final (either may come first). Both map to the same transfer identities
 * (`chainId:txHash:logIndex`); the reconciler treats the second as a no-op unless `blockHash` changed. We never mark a
 * transfer `final` from a webhook: finality is the scanner's call. Creating or updating a stream sends a test webhook
 * with empty strings and arrays; it yields no transfers and is answered 200 so that the stream activates.
 *
 * Payload (the part we read):
 * ```json
 * {"confirmed":false,"chainId":"0x89","streamId":"…","tag":"…","retries":0,
 *  "block":{"number":"55000000","hash":"0x…","timestamp":"…"},
 *  "logs":[{"logIndex":"12","transactionHash":"0x…","address":"0x…","data":"0x…","topic0":"0xddf2…",
 *           "topic1":"0x…","topic2":"0x…","topic3":null}],
 *  "erc20Transfers":[{"transactionHash":"0x…","logIndex":"12","contract":"0x…","from":"0x…","to":"0x…",
 *                     "value":"150250000","tokenDecimals":"6","valueWithDecimals":"150.25"}], …}
 * ```
 * `erc20Transfers[].value` is already base units (a decimal string); `tokenDecimals`/`valueWithDecimals` are never
 * read. Raw Transfer `logs` are decoded too (a stream may deliver logs without parsed transfers); a transfer present
 * in both is kept once.
 */

import { keccak256 } from 'ethers';
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
  toSafeInteger,
  WebhookPayloadError,
} from './common';

export const MORALIS_SIGNATURE_HEADER = 'x-signature';

/** The value of `x-signature` for these body bytes: 0x-prefixed hex keccak256(body ‖ secret). */
export function moralisSignature(raw: Buffer | string, secret: string): string {
  return keccak256(Buffer.concat([Buffer.from(raw), Buffer.from(secret, 'utf8')]));
}

/** True when `x-signature` is keccak256 of exactly these bytes followed by the secret. */
export function verify(raw: Buffer, headers: Record<string, string>, secret: string, _now?: Date): boolean {
  return signatureMatches(headers[MORALIS_SIGNATURE_HEADER], moralisSignature(raw, secret));
}

const payloadSchema = z.looseObject({
  confirmed: z.boolean(),
  chainId: z.string(),
  block: z.looseObject({ number: z.string(), hash: z.string() }),
  logs: z.array(z.unknown()).optional(),
  erc20Transfers: z.array(z.unknown()).optional(),
});

const transferSchema = z.looseObject({
  transactionHash: z.string(),
  logIndex: z.union([z.string(), z.number()]),
  contract: z.string(),
  from: z.string(),
  to: z.string(),
  value: z.string(),
});

const logSchema = z.looseObject({
  transactionHash: z.string(),
  logIndex: z.union([z.string(), z.number()]),
  address: z.string(),
  data: z.string(),
  topic0: z.string().nullish(),
  topic1: z.string().nullish(),
  topic2: z.string().nullish(),
  topic3: z.string().nullish(),
});

/** The transfers in a Moralis Streams webhook; the test webhook yields none. */
export function parse(raw: Buffer, chains: readonly ChainConfig[], options: ParseOptions = {}): TransferObserved[] {
  const body = payloadSchema.safeParse(parseJson(raw));
  if (!body.success) throw new WebhookPayloadError('The body is not a Moralis Streams webhook.');
  const { chainId: chainHex, block, logs = [], erc20Transfers = [] } = body.data;
  const collector = new TransferCollector(chains, 'moralis', options);
  if (!logs.length && !erc20Transfers.length) return []; // the test webhook, or a block with nothing for us
  const chainId = toSafeInteger(chainHex);
  const blockNumber = toSafeInteger(block.number);
  if (chainId === undefined || blockNumber === undefined) {
    throw new WebhookPayloadError('The Moralis webhook carries events without a chain id or block number.');
  }
  const common = { chainId, blockNumber, blockHash: block.hash, removed: false };

  for (const entry of erc20Transfers) {
    const parsed = transferSchema.safeParse(entry);
    if (!parsed.success) {
      collector.drop({ reason: 'malformed', chainId, detail: 'erc20Transfers entry' });
      continue;
    }
    const t = parsed.data;
    collector.add({
      ...common,
      token: t.contract,
      txHash: t.transactionHash,
      logIndex: t.logIndex,
      from: t.from,
      to: t.to,
      amount: toBigInt(t.value),
    });
  }

  for (const entry of logs) {
    const parsed = logSchema.safeParse(entry);
    if (!parsed.success) {
      collector.drop({ reason: 'malformed', chainId, detail: 'logs entry' });
      continue;
    }
    const log = parsed.data;
    const topics = [log.topic0, log.topic1, log.topic2, log.topic3].filter((t) => typeof t === 'string');
    const decoded = decodeTransferLog({ topics, data: log.data });
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
      ...common,
      token: log.address,
      txHash: log.transactionHash,
      logIndex: log.logIndex,
      from: decoded.from,
      to: decoded.to,
      amount: decoded.amount,
    });
  }
  return collector.transfers;
}
