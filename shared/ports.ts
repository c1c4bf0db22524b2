/**
 * The ports: what the domain and the use cases need from the outside world, as interfaces. Adapters
 * (shared/adapters/) implement them against ethers, AWS KMS, DynamoDB and the rest; tests implement them in memory.
 */

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
