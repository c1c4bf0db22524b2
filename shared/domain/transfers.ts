/**
 * The one normalized message every transfer sighting becomes, whatever saw it (a provider webhook, our chain
 * scanner): `TransferObserved`. Its identity is `chainId:txHash:logIndex`; seeing the same identity again is a no-op
 * unless `blockHash` or `removed` changed (a reorg), or the scanner reports it `final`.
 */
import { getAddress } from 'ethers';
import * as z from 'zod';
import { INVOICE_ID_PATTERN } from './invoices';
import { ministryCodeSchema } from './ministry';

/** An account or contract address as hex, in any letter case. */
export const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'a 32-byte hex hash');
const address = z
  .string()
  .regex(HEX_ADDRESS, 'a 20-byte hex address')
  .transform((a) => getAddress(a.toLowerCase()));
const baseUnits = z.string().regex(/^(0|[1-9]\d{0,77})$/, 'a non-negative integer in base units');

/** Who reported a sighting. `confirmer` re-reports known transfers with their finality; it discovers nothing. */
/** The webhook providers stablefee takes hints from (their adapters, secrets and address lists are keyed by these). */
export const providerNames = ['alchemy', 'moralis', 'quicknode'] as const;
export type ProviderName = (typeof providerNames)[number];

export const transferSources = [...providerNames, 'scanner', 'confirmer', 'emulator'] as const;
export type TransferSource = (typeof transferSources)[number];

/** Schema of the message on the transfers queue. */
export const transferObservedSchema = z.strictObject({
  chainId: z.number().int().positive(),
  /** Token contract (EIP-55). */
  token: address,
  txHash: hex32.transform((h) => h.toLowerCase()),
  logIndex: z.number().int().min(0),
  blockNumber: z.number().int().min(0),
  blockHash: hex32.transform((h) => h.toLowerCase()),
  from: address,
  to: address,
  /** Base units of the token, decimal string: never a float. */
  amount: baseUnits,
  /** True when the log was removed from the canonical chain (a reorg). */
  removed: z.boolean(),
  source: z.enum(transferSources),
  observedAt: z.iso.datetime(),
  /**
   * Set only by the chain scanner after checking the chain's finality rule and that `blockHash` is still canonical:
   * the transfer can no longer be undone.
   */
  final: z.boolean().optional(),
  /**
   * Set only by the confirmer at the deeper re-check of a final transfer (DESIGN.md, Trust): with `removed: false`
   * the transfer still stands there (it is settled); with `removed: true` it is gone (its receipt is annulled).
   */
  deep: z.boolean().optional(),
  /** Follows a transfer from its first sighting to the registry (logs). */
  correlationId: z.string().max(128).optional(),
  /**
   * Set by the confirmer from the stored transfer: the invoice and ministry it is matched to, so reconciliation reads
   * transfer, invoice and chain head in one request. A hint only: it names keys to read, and what is read decides
   * (a hint that does not agree with the stored transfer, or with the invoice's deposit address, is ignored).
   */
  hint: z.strictObject({ invoiceId: z.string().regex(INVOICE_ID_PATTERN), ministry: ministryCodeSchema }).optional(),
});

export type TransferObserved = z.output<typeof transferObservedSchema>;
/** The wire (input) form, before normalization. */
export type TransferObservedInput = z.input<typeof transferObservedSchema>;

/**
 * What a sighting says of which transfer in which block: two sightings with the same key report the same thing (the
 * confirmer's dedupe key, and the deduplication id of the receipt sequence's FIFO queue).
 */
export function sightingKey(
  m: Pick<TransferObservedInput, 'chainId' | 'txHash' | 'logIndex' | 'blockHash' | 'removed' | 'final' | 'deep'>,
): string {
  return `${m.chainId}:${m.txHash.toLowerCase()}:${m.logIndex}:${m.blockHash.toLowerCase()}:${m.removed}:${m.final}:${m.deep}`;
}

/** `chainId:txHash:logIndex`. */
export function transferId(t: Pick<TransferObserved, 'chainId' | 'txHash' | 'logIndex'>): string {
  return `${t.chainId}:${t.txHash.toLowerCase()}:${t.logIndex}`;
}

/** keccak256("Transfer(address,address,uint256)"): the ERC-20 Transfer event topic. */
export const ERC20_TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

/**
 * Whether a transfer moves nothing. Zero-value transfers (address-poisoning dust, `transferFrom` of 0 by anyone) are
 * ignored wherever sightings enter — webhooks and the scanner — and counted as `ZeroValueTransfersIgnored`, so they
 * never reach suspense or the unmatched-transfers alarm.
 */
export function isZeroValue(amount: bigint | string): boolean {
  return BigInt(amount) === 0n;
}

/** The address in a 32-byte indexed topic (upper 12 bytes must be zero), lower-case; undefined otherwise. */
export function addressFromTopic(topic: unknown): string | undefined {
  if (typeof topic !== 'string' || !/^0x0{24}[0-9a-fA-F]{40}$/.test(topic)) return undefined;
  return `0x${topic.slice(26).toLowerCase()}`;
}

/** The fields of an ERC-20 Transfer log, or undefined when the log is not one (ERC-721 Transfers carry 4 topics). */
export function decodeTransferLog(log: {
  topics?: readonly unknown[] | null;
  data?: unknown;
}): { from: string; to: string; amount: bigint } | undefined {
  const topics = log.topics ?? [];
  if (topics.length !== 3 || String(topics[0]).toLowerCase() !== ERC20_TRANSFER_TOPIC) return undefined;
  const from = addressFromTopic(topics[1]);
  const to = addressFromTopic(topics[2]);
  if (!from || !to || typeof log.data !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(log.data)) return undefined;
  return { from, to, amount: BigInt(log.data) };
}
