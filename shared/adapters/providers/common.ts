/**
 * What the provider adapters share: constant-time signature comparison, strict parsing of hex/decimal quantities,
 * ERC-20 Transfer log decoding, and the collector that turns candidate sightings into validated `TransferObserved`
 * messages — keeping only enabled chains and transfers of some value, and reporting everything it drops. Tokens off
 * the allowlist are kept: reconciliation puts them in suspense as `token_not_accepted`, so the money stays visible.
 */
import { timingSafeEqual } from 'node:crypto';
import { type ChainConfig, findChain } from '../../domain/chains';
import {
  isZeroValue,
  type TransferObserved,
  type TransferSource,
  transferId,
  transferObservedSchema,
} from '../../domain/transfers';
import { type Drop, type ParseOptions, WebhookPayloadError } from '../../ports';

export type { Drop, DropReason, ParseOptions } from '../../ports';
export { WebhookPayloadError } from '../../ports';

/** Parses the raw body as JSON, or throws WebhookPayloadError. */
export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new WebhookPayloadError('The body is not valid JSON.');
  }
}

/**
 * Compares a received signature with the expected one in constant time (for equal lengths; a length mismatch
 * reveals only the length, which is public). Case-insensitive for hex; surrounding whitespace ignored.
 */
export function signatureMatches(received: string | undefined, expected: string, caseInsensitive = true): boolean {
  if (typeof received !== 'string' || !received) return false;
  const a = Buffer.from(caseInsensitive ? received.trim().toLowerCase() : received.trim(), 'utf8');
  const b = Buffer.from(caseInsensitive ? expected.toLowerCase() : expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

const HEX = /^0x[0-9a-fA-F]*$/;
const DECIMAL = /^(0|[1-9]\d*)$/;

/** A non-negative integer from `0x…` hex, a decimal string or a safe JS integer (ids, block numbers, indexes). */
export function toSafeInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const big = toBigInt(value);
  if (big === undefined || big > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(big);
}

/** A non-negative integer from `0x…` hex (`0x` alone is zero, as nodes encode an empty value) or a decimal string. */
export function toBigInt(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (HEX.test(text)) return text.length === 2 ? 0n : BigInt(text);
  if (DECIMAL.test(text)) return BigInt(text);
  return undefined;
}

/** A sighting before the allowlist and the schema have been applied. */
export interface Candidate {
  chainId: number | undefined;
  token: string | undefined;
  txHash: unknown;
  logIndex: unknown;
  blockNumber: unknown;
  blockHash: unknown;
  from: unknown;
  to: unknown;
  amount: bigint | undefined;
  removed: boolean;
}

/**
 * Collects candidates into validated messages: the chain must be enabled, the amount not zero, every field valid per
 * `transferObservedSchema`. Any token contract is kept (the payload's decimals and symbols are never read; whether
 * the token is accepted is reconciliation's call, against our allowlist). The same sighting twice in one payload
 * (e.g. Moralis listing a transfer both as a parsed transfer and as a raw log) is kept once.
 */
export class TransferCollector {
  private readonly seen = new Set<string>();
  private readonly out: TransferObserved[] = [];
  private readonly observedAt: string;

  constructor(
    private readonly chains: readonly ChainConfig[],
    private readonly source: TransferSource,
    private readonly options: ParseOptions = {},
  ) {
    this.observedAt = (options.now ?? new Date()).toISOString();
  }

  drop(drop: Drop): void {
    this.options.onDrop?.(drop);
  }

  add(c: Candidate): void {
    const txHash = typeof c.txHash === 'string' ? c.txHash.toLowerCase() : undefined;
    const logIndex = toSafeInteger(c.logIndex);
    const where = { chainId: c.chainId, token: c.token?.toLowerCase(), txHash, logIndex };
    const chain = c.chainId === undefined ? undefined : findChain(this.chains, c.chainId);
    if (!chain) {
      this.drop({ reason: 'chain_not_enabled', ...where });
      return;
    }
    if (c.amount !== undefined && isZeroValue(c.amount)) {
      this.drop({ reason: 'zero_value', ...where });
      return;
    }
    const parsed = transferObservedSchema.safeParse({
      chainId: chain.chainId,
      token: c.token,
      txHash,
      logIndex,
      blockNumber: toSafeInteger(c.blockNumber),
      blockHash: c.blockHash,
      from: c.from,
      to: c.to,
      amount: c.amount?.toString(),
      removed: c.removed,
      source: this.source,
      observedAt: this.observedAt,
    });
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(entry)'))].join(', ');
      this.drop({ reason: 'malformed', ...where, detail: `invalid ${fields}` });
      return;
    }
    const key = `${transferId(parsed.data)}:${parsed.data.blockHash}:${parsed.data.removed}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.out.push(parsed.data);
  }

  get transfers(): TransferObserved[] {
    return this.out;
  }
}
