/**
 * The ports: what the domain and the use cases need from the outside world, as interfaces. Adapters
 * (shared/adapters/) implement them against ethers, AWS KMS, DynamoDB and the rest; tests implement them in memory.
 */

import type { ChainConfig } from './domain/chains';
import type { InvoiceChanges } from './domain/invoice-change';
import type { Invoice } from './domain/invoices';
import type { JournalEntry } from './domain/journal';
import type { Receipt } from './domain/receipts';
import type { InvoiceOutcome, StoredTransfer } from './domain/reconcile';
import type { Incident } from './domain/transfer-change';
import type { TransferObserved, TransferSource } from './domain/transfers';

export interface BlockRef {
  number: number;
  hash: string;
}

export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  logIndex: number;
  removed: boolean;
}

export interface ChainRpc {
  blockNumber(): Promise<number>;
  /** A block by number or tag; null when the node has none (beyond the head, or unsupported tag). */
  getBlock(block: number | 'finalized' | 'safe'): Promise<BlockRef | null>;
  getLogs(filter: {
    /** Emitting contracts; omitted or empty: logs of any contract. */
    address?: string[];
    topics: (string | string[] | null)[];
    fromBlock: number;
    toBlock: number;
  }): Promise<RawLog[]>;
  /**
   * The transaction's receipt as the node has it now (status, block, logs), or null when the transaction is not
   * mined on the canonical chain (never sent, dropped, or reorged out).
   */
  getTransactionReceipt(txHash: string): Promise<TxReceipt | null>;
}

/** What our own node says of a mined transaction: all a provider's claim about one of its logs is checked against. */
export interface TxReceipt {
  txHash: string;
  /** 1 success, 0 reverted (a reverted transaction moved no tokens, whatever logs a provider claims). */
  status: number;
  blockNumber: number;
  blockHash: string;
  logs: RawLog[];
}

/** Signs 32-byte digests for one secp256k1 key. */
export interface ReceiptSigner {
  /** The EIP-55 checksummed address of the key (what verifiers compare the recovered address to). */
  address(): Promise<string>;
  /**
   * Signs `digest` (0x + 64 hex) as is, without hashing it again.
   * @returns 0x + 130 hex: r (32 bytes) || s (32 bytes, low-s per EIP-2) || v (27 or 28).
   */
  signDigest(digest: string): Promise<string>;
}

// ---------------------------------------------------------------------------------------------------------------
// Reconciliation: what reconciling a sighting reads, and the one transaction it commits.

/**
 * A write lost a race: something it was conditioned on (a version, a chain head, a record's absence) changed since it
 * was read. Nothing was written; read again and decide again.
 */
export class ConcurrentChangeError extends Error {
  constructor(message = 'changed since read') {
    super(message);
    this.name = 'ConcurrentChangeError';
  }
}

/** The last document of a ministry's receipt chain: its number (0: none yet) and hash. */
export interface ReceiptChainHead {
  lastNo: number;
  lastHash?: string;
}

/** A chain document as stored, as far as reconciliation cares: the document and whether its outbox send happened. */
export interface StoredChainDocument {
  receipt: Receipt;
  outboxEnqueuedAt?: string;
}

/**
 * Everything one reconciliation change writes, committed all or nothing, each part conditioned on what was read:
 * the transfer on its version (or on being new), the invoice on its version, the receipt chain on its head number.
 */
export interface ReconcileCommit {
  transfer: StoredTransfer;
  /** The transfer version read; absent: the transfer must not exist yet. */
  expectedTransferVersion?: number;
  incident?: Incident;
  /** The invoice as read (its version is the condition) and the change to it. */
  invoice?: { read: Invoice; outcome: InvoiceOutcome; changes: InvoiceChanges; at: string };
  /** New documents of the invoice's ministry chain, numbered on from the head read (`afterNo`). */
  documents?: { ministry: string; items: readonly Receipt[]; afterNo: number };
  journal?: JournalEntry;
  /** Keep watching a reopened invoice's address until its moved expiry's late window closes. */
  extendWatch?: { address: string; expiresAt: string };
}

/** The store behind reconciliation (DynamoDB in shared/adapters/dynamo/reconcile-store.ts; in memory in tests). */
export interface ReconcileStore {
  getTransfer(id: string): Promise<StoredTransfer | undefined>;
  /** The invoice a deposit address was issued for, if it is ours. */
  findInvoiceIdByAddress(address: string): Promise<string | undefined>;
  getInvoice(id: string): Promise<Invoice | undefined>;
  receiptChainHead(ministry: string): Promise<ReceiptChainHead>;
  getChainDocument(id: string): Promise<StoredChainDocument | undefined>;
  /** Adds a reporting source to a transfer, touching nothing else (bookkeeping, no version bump). */
  addTransferSource(id: string, source: TransferSource): Promise<void>;
  /** Records that a document's outbox message was sent (the first time only). */
  markOutboxEnqueued(documentId: string, at: string): Promise<void>;
  /** Writes all of `change` or nothing; throws {@link ConcurrentChangeError} when a condition no longer holds. */
  commit(change: ReconcileCommit): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Webhook providers and address watching.

/** Why an entry of a verified payload did not become a transfer. */
export type DropReason =
  /** The chain (or provider network name) is not one this deployment enables. */
  | 'chain_not_enabled'
  /** A transfer of amount 0: moves no money (address-poisoning dust); counted as `ZeroValueTransfersIgnored`. */
  | 'zero_value'
  /** Native coin, NFT, or another log than an ERC-20 Transfer. */
  | 'not_a_token_transfer'
  /** A payload kind this adapter does not ingest (e.g. an Alchemy MINED_TRANSACTION webhook). */
  | 'unsupported_payload'
  /** Missing or inconsistent fields. */
  | 'malformed';

/** One dropped entry; never carries secrets. */
export interface Drop {
  reason: DropReason;
  chainId?: number;
  token?: string;
  txHash?: string;
  logIndex?: number;
  detail?: string;
}

/** Options of every provider's `parse`. */
export interface ParseOptions {
  /** `observedAt` of the produced messages; defaults to the current time. */
  now?: Date;
  /** Told of every dropped entry (the use case counts and logs them). */
  onDrop?: (drop: Drop) => void;
}

/** The verified body is not JSON, or not the provider's payload shape: the delivery is refused as bad input. */
export class WebhookPayloadError extends Error {}

/** One webhook provider's delivery format (shared/adapters/providers/<name>.ts). */
export interface WebhookProvider {
  /**
   * True when `headers` (lower-case names) carry a valid signature of exactly `raw` under `secret`, and, where the
   * scheme has a timestamp, it is recent relative to `now`. Constant-time comparison.
   */
  verify(raw: Buffer, headers: Record<string, string>, secret: string, now: Date): boolean;
  /**
   * The transfers in a verified body. Throws `WebhookPayloadError` when the body is not JSON or not the provider's
   * payload; entries it cannot use (other tokens, other chains, NFTs…) are reported through `options.onDrop`.
   */
  parse(raw: Buffer, chains: readonly ChainConfig[], options?: ParseOptions): TransferObserved[];
  /**
   * For schemes that sign a nonce: the nonce of a verified delivery and how long it must not be seen again (as long
   * as a signed timestamp stays acceptable). A delivery whose nonce was seen within that window is a replay.
   */
  replay?: { nonce(headers: Record<string, string>): string | undefined; windowSeconds: number };
}

/** Delivery nonces seen recently, shared by every container (shared/adapters/dynamo/nonces.ts). */
export interface NonceStore {
  /** Records `nonce` as seen for `windowSeconds` from `now`: true when it was not seen in that window. */
  claim(provider: string, nonce: string, now: Date, windowSeconds: number): Promise<boolean>;
  /** Forgets a claimed nonce (the delivery was not taken, so the provider's retry must get through). */
  release(provider: string, nonce: string): Promise<void>;
}

/** Registers addresses with one provider. Both calls are idempotent; they throw on any failure. */
export interface AddressWatcher {
  provider: string;
  watch(addresses: string[]): Promise<void>;
  unwatch(addresses: string[]): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// The chain scanner and the confirmer (shared/app/scan-chain.ts, shared/app/confirm-transfers.ts): where the scan
// stands per chain, which addresses it looks for, and which transfers the confirmer re-checks.

/**
 * Which watched addresses the blocks up to a scan checkpoint were scanned for: every address issued before `at`;
 * and none of the blocks after `block` can hold a payment to an address issued later. Absent on checkpoints written
 * before it existed: those were scanned with a list read after their head.
 */
export interface AddressesAsOf {
  at: string;
  block: number;
}

/** The scanner's checkpoint on one chain: the last block scanned and its hash (reorgs show as a changed hash). */
export interface ScanCheckpoint {
  blockNumber: number;
  blockHash: string;
  addressesAsOf?: AddressesAsOf;
  /** Moves by one on every save: two overlapping runs never both advance the checkpoint. */
  version: number;
  updatedAt: string;
}

/** Where the scanner keeps its checkpoint per chain. */
export interface ScanCheckpoints {
  /** The chain's checkpoint, read consistently; undefined before the first run. */
  get(chainId: number): Promise<ScanCheckpoint | undefined>;
  /**
   * Moves the checkpoint on from `previous` (undefined for the first) at `at` (ISO time); false when another run
   * moved it first (its version is no longer `previous.version`), and nothing is written.
   */
  save(
    chainId: number,
    next: { blockNumber: number; blockHash: string; addressesAsOf?: AddressesAsOf },
    previous: ScanCheckpoint | undefined,
    at: string,
  ): Promise<boolean>;
}

/** A watched deposit address (lower-case), when its invoice was issued, and until when it is watched. */
export interface WatchedAddress {
  address: string;
  createdAt?: string;
  watchUntil: string;
}

/** The deposit addresses the scanner looks for payments to (the same on every chain). */
export interface WatchedAddresses {
  /** Addresses still watched at `now`. The list may lag the issuing of an address a little (eventual consistency). */
  watchedAt(now: Date): Promise<WatchedAddress[]>;
}

/** The transfers the confirmer re-checks against the chain, per chain, lowest block first (at most a page each). */
export interface TransfersToRecheck {
  /** Transfers still `seen`: checked for finality, or for having left their block. */
  seen(chainId: number): Promise<StoredTransfer[]>;
  /** Final transfers not yet re-checked at the deeper depth (`deepCheckedAt` unset). */
  finalUnsettled(chainId: number): Promise<StoredTransfer[]>;
}
