/**
 * The ports: what the domain and the use cases need from the outside world, as interfaces. Adapters
 * (shared/adapters/) implement them against ethers, AWS KMS, DynamoDB and the rest; tests implement them in memory.
 */

import type { InvoiceChanges } from './domain/invoice-change';
import type { Invoice } from './domain/invoices';
import type { JournalEntry } from './domain/journal';
import type { Receipt } from './domain/receipts';
import type { InvoiceOutcome, StoredTransfer } from './domain/reconcile';
import type { Incident } from './domain/transfer-change';
import type { TransferSource } from './domain/transfers';

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
