/**
 * Sweeps: moving collected money from forwarder deposit addresses to the chain's custody (docs/custody.md,
 * "Sweeper"). Pure: what makes an address sweepable, what a sweep record is, and what a mined sweep transaction's
 * `Swept`/`SweepFailed` events say happened. The use case is shared/app/sweep-deposits.ts.
 */
import { AbiCoder, id as eventTopic, getAddress } from 'ethers';
import type { TokenConfig } from './chains';
import type { Invoice } from './invoices';
import type { StoredTransfer } from './reconcile';

/**
 * An address to look at on the next sweep: a final transfer of an accepted token reached a forwarder deposit
 * address. Kept until a sweep (or a re-read) finds the address empty; `transferId` is the last final transfer that
 * marked it, so clearing it never loses a newer one.
 */
export interface SweepCandidate {
  chainId: number;
  /** The token contract (EIP-55). */
  token: string;
  /** The forwarder deposit address (EIP-55). */
  address: string;
  /** The invoice whose forwarder it is: its salt is `forwarderSalt(invoiceId)`. */
  invoiceId: string;
  transferId: string;
  at: string;
  /**
   * Not swept before this time: its address failed in a sweep (`SweepFailed`, e.g. frozen by the token issuer), so
   * it is retried a day later rather than in every run.
   */
  notBefore?: string;
}

/**
 * The most addresses one sweep may take. The store records a sweep, its in-flight lock and one link per invoice in
 * ONE DynamoDB transaction (shared/adapters/dynamo/sweeps.ts), which takes at most 100 items: so 100 − 2.
 */
export const MAX_SWEEP_BATCH_SIZE = 100 - 2;

/** Addresses per sweep when `SWEEP_BATCH_SIZE` is not set. */
export const DEFAULT_SWEEP_BATCH_SIZE = 50;

/**
 * The configured batch size (`SWEEP_BATCH_SIZE`): a whole number from 1 to {@link MAX_SWEEP_BATCH_SIZE}, default
 * {@link DEFAULT_SWEEP_BATCH_SIZE}. Anything else throws, so a bad configuration fails at start, not every sweep.
 */
export function sweepBatchSize(raw: string | number | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_SWEEP_BATCH_SIZE;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > MAX_SWEEP_BATCH_SIZE) {
    throw new Error(`SWEEP_BATCH_SIZE must be a whole number from 1 to ${MAX_SWEEP_BATCH_SIZE}, not ${String(raw)}`);
  }
  return size;
}

/** How long an address that failed in a sweep waits before it is tried again. */
export const FAILED_ADDRESS_RETRY_HOURS = 24;

/**
 * The invoice whose forwarder deposit address a transfer reached, matched to it or not (a payment to a cancelled or
 * expired invoice's address is ours to sweep too); undefined when the address is not a forwarder.
 */
export function forwarderInvoiceOf(transfer: StoredTransfer, invoice: Invoice | undefined): string | undefined {
  if (transfer.forwarderInvoiceId) return transfer.forwarderInvoiceId;
  if (invoice?.depositScheme !== 'forwarder') return undefined;
  return invoice.depositAddress.toLowerCase() === transfer.to.toLowerCase() ? invoice.id : undefined;
}

/** The sweep candidate a transfer that just became final makes, if it is an accepted token at a forwarder. */
export function sweepCandidateOf(
  transfer: StoredTransfer,
  invoice: Invoice | undefined,
  token: TokenConfig | undefined,
  at: string,
): SweepCandidate | undefined {
  const invoiceId = forwarderInvoiceOf(transfer, invoice);
  if (!invoiceId || !token) return undefined;
  return {
    chainId: transfer.chainId,
    token: token.address,
    address: getAddress(transfer.to),
    invoiceId,
    transferId: transfer.id,
    at,
  };
}

export type SweepState = 'submitted' | 'final' | 'failed';

/** One address of a sweep: its invoice, and once final what left it (`amount`, base units) or why nothing did. */
export interface SweptAddress {
  invoiceId: string;
  address: string;
  /** Base units moved to custody (final sweeps; 0 when the address was empty or failed). */
  amount?: bigint;
  /** The `SweepFailed` reason (hex), when the transfer out of this address reverted (e.g. a frozen address). */
  failedReason?: string;
}

/**
 * A sweep transaction, recorded `submitted` BEFORE it is broadcast (with its raw signed bytes, so a crash between
 * the two is mended by sending the same bytes again), then `final` or `failed` from its receipt at finality.
 */
export interface Sweep {
  id: string;
  chainId: number;
  token: string;
  factory: string;
  custody: string;
  /** The gas key that signs it, and the nonce it signed with. */
  from: string;
  nonce: number;
  txHash: string;
  rawTx: string;
  addresses: SweptAddress[];
  /** Base units moved in total (sum of the `Swept` events; 0 until final). */
  amount: bigint;
  state: SweepState;
  submittedAt: string;
  finalAt?: string;
  blockNumber?: number;
  /** Why it failed (reverted, replaced, every address failed). */
  failure?: string;
}

/**
 * The nonce for the gas key's next sweep: the node's pending count, but never one of the key's sweeps still recorded
 * `submitted` (behind a load-balanced RPC the pending count can lag, and two sweeps with one nonce means one is
 * dropped): at least the highest of them + 1. Sweeps of another key (a rotated one) do not count.
 */
export function nextSweepNonce(pending: number, submitted: readonly Sweep[], from: string): number {
  const ours = submitted.filter((s) => s.from.toLowerCase() === from.toLowerCase());
  return ours.reduce((next, s) => Math.max(next, s.nonce + 1), pending);
}

/** A sweep's deterministic id: one per signed transaction. */
export const sweepId = (chainId: number, txHash: string): string => `sw-${chainId}-${txHash.toLowerCase().slice(2)}`;

/** The factory's events (contracts/DepositFactory.sol). */
export const SWEPT_TOPIC = eventTopic('Swept(bytes32,address,address,uint256)');
export const SWEEP_FAILED_TOPIC = eventTopic('SweepFailed(bytes32,address,address,bytes)');

/** A log as the outcome reader needs it. */
export interface FactoryLog {
  address: string;
  topics: string[];
  data: string;
}

/**
 * What a mined sweep did, from the factory's events in its receipt (the chain is the truth): per address the amount
 * swept or the failure reason; addresses without an event were empty. Logs of other contracts are ignored.
 */
export function sweepOutcome(sweep: Sweep, logs: readonly FactoryLog[]): { addresses: SweptAddress[]; amount: bigint } {
  const factory = sweep.factory.toLowerCase();
  const swept = new Map<string, bigint>();
  const failed = new Map<string, string>();
  const coder = AbiCoder.defaultAbiCoder();
  for (const log of logs) {
    if (log.address.toLowerCase() !== factory) continue;
    const forwarder = log.topics[2] ? getAddress(`0x${log.topics[2].slice(26)}`).toLowerCase() : '';
    if (log.topics[0] === SWEPT_TOPIC) swept.set(forwarder, (swept.get(forwarder) ?? 0n) + BigInt(log.data));
    if (log.topics[0] === SWEEP_FAILED_TOPIC) failed.set(forwarder, String(coder.decode(['bytes'], log.data)[0]));
  }
  const addresses = sweep.addresses.map((a) => {
    const key = a.address.toLowerCase();
    const reason = failed.get(key);
    return { ...a, amount: swept.get(key) ?? 0n, ...(reason !== undefined ? { failedReason: reason } : {}) };
  });
  return { addresses, amount: addresses.reduce((sum, a) => sum + (a.amount ?? 0n), 0n) };
}

/** Whether `amount` (base units) reaches the token's sweep threshold. */
export function worthSweeping(amount: bigint, threshold: bigint): boolean {
  return amount > 0n && amount >= threshold;
}

/** The API's sweep body (`GET /v1/sweeps`): money as decimal strings, no raw transaction. */
export function sweepToWire(s: Sweep) {
  return {
    id: s.id,
    chainId: s.chainId,
    token: s.token,
    txHash: s.txHash,
    invoiceIds: [...new Set(s.addresses.map((a) => a.invoiceId))],
    amount: s.amount.toString(),
    custody: s.custody,
    state: s.state,
    submittedAt: s.submittedAt,
    finalAt: s.finalAt ?? null,
    blockNumber: s.blockNumber ?? null,
    failure: s.failure ?? null,
    from: s.from,
    nonce: s.nonce,
    addresses: s.addresses.map((a) => ({
      invoiceId: a.invoiceId,
      address: a.address,
      amount: a.amount?.toString() ?? null,
      failed: a.failedReason !== undefined,
    })),
  };
}

/** A sweep as an invoice shows it: what it moved from that invoice's address. */
export function invoiceSweepToWire(s: Sweep, invoiceId: string) {
  const mine = s.addresses.filter((a) => a.invoiceId === invoiceId);
  const amount = mine.reduce((sum, a) => sum + (a.amount ?? 0n), 0n);
  return {
    id: s.id,
    chainId: s.chainId,
    token: s.token,
    txHash: s.txHash,
    amount: amount.toString(),
    state: s.state,
    failed: mine.some((a) => a.failedReason !== undefined),
    submittedAt: s.submittedAt,
    finalAt: s.finalAt ?? null,
  };
}
