/**
 * An in-memory node (the ChainRpc port): a canonical chain of blocks holding transactions and their logs, the
 * `finalized`/`safe` tags, receipts as our node gives them, reorgs that replace blocks (dropping their transactions
 * or mining them again elsewhere), a node that refuses `eth_getLogs` over too many blocks, and one that withholds
 * receipts (lagging, load-balanced, pruned). It records what it was asked, so tests can say what a use case read.
 */
import { getAddress, toBeHex, zeroPadValue } from 'ethers';
import { ERC20_TRANSFER_TOPIC } from '../../shared/domain/transfers';
import type { BlockRef, ChainRpc, RawLog, TxReceipt } from '../../shared/ports';

/** A log as a transaction emits it; its block, transaction and index come from where the transaction is mined. */
export interface EmittedLog {
  address: string;
  topics: string[];
  data: string;
}

interface Transaction {
  txHash: string;
  status: number;
  logs: EmittedLog[];
}

interface Block {
  hash: string;
  txs: Transaction[];
}

type LogFilter = Parameters<ChainRpc['getLogs']>[0];

/** An ERC-20 `Transfer(from, to, amount)` log of `token`. */
export function erc20Transfer(token: string, from: string, to: string, amount: bigint): EmittedLog {
  return {
    address: token.toLowerCase(),
    topics: [ERC20_TRANSFER_TOPIC, zeroPadValue(from.toLowerCase(), 32), zeroPadValue(to.toLowerCase(), 32)],
    data: zeroPadValue(toBeHex(amount), 32),
  };
}

/** A 32-byte hex value from a kind tag and a counter: readable in a failing assertion, unique per chain. */
const hash32 = (tag: string, n: number) => `0x${tag}${n.toString(16).padStart(64 - tag.length, '0')}`;

export class MemoryChain implements ChainRpc {
  private blocks: Block[] = [];
  private minted = 0;
  private readonly extraReceipts = new Map<string, TxReceipt>();
  /** Blocks the tags name; unset: the node has none. */
  readonly tags: { finalized?: number; safe?: number } = {};
  /** `eth_getLogs` over more blocks than this is refused, as many nodes refuse wide ranges. */
  maxLogRange = Number.POSITIVE_INFINITY;
  /** Transactions whose receipt the node does not give, though they are mined (a lagging or pruned node). */
  readonly withheld = new Set<string>();
  /** What was asked: `getLogs` ranges (refused ones too) and receipt reads, in order. */
  readonly asked = {
    getLogs: [] as { fromBlock: number; toBlock: number; refused: boolean }[],
    receipts: [] as string[],
  };

  /** A chain whose head is block `head` (all empty). */
  constructor(head = 0) {
    this.mine(head + 1);
  }

  get head(): number {
    return this.blocks.length - 1;
  }

  /** The canonical hash of block `n`. */
  hashOf(n: number): string {
    const block = this.blocks[n];
    if (!block) throw new Error(`no block ${n}`);
    return block.hash;
  }

  /** Mines `n` empty blocks; returns the new head. */
  mine(n = 1): number {
    for (let i = 0; i < n; i++) this.blocks.push({ hash: hash32('b', ++this.minted), txs: [] });
    return this.head;
  }

  /** Mines one block with one transaction emitting `logs` (status 1 unless `reverted`); returns its receipt. */
  send(logs: EmittedLog[], options: { reverted?: boolean } = {}): TxReceipt {
    const tx: Transaction = { txHash: hash32('7', ++this.minted), status: options.reverted ? 0 : 1, logs };
    this.mine();
    (this.blocks[this.head] as Block).txs.push(tx);
    return this.receiptIn(this.head, tx);
  }

  /** Mines one ERC-20 transfer in a new block; returns its log as the node gives it. */
  transfer(token: string, from: string, to: string, amount: bigint): RawLog {
    return this.send([erc20Transfer(token, from, to, amount)]).logs[0] as RawLog;
  }

  /**
   * A reorg: blocks from `fromBlock` on are replaced by as many new ones (new hashes; at least `length`). Their
   * transactions are dropped, except those in `reinclude`, mined again in the first new block (a "moved" transfer).
   */
  reorg(fromBlock: number, options: { reinclude?: string[]; length?: number } = {}): void {
    const dropped = this.blocks.splice(fromBlock);
    const again = dropped.flatMap((b) => b.txs).filter((tx) => options.reinclude?.includes(tx.txHash));
    this.mine(Math.max(dropped.length, options.length ?? 0));
    (this.blocks[fromBlock] as Block).txs.push(...again);
  }

  /** A receipt the node gives as is, whatever the blocks hold (a transaction mined elsewhere, say). */
  addReceipt(receipt: TxReceipt): void {
    this.extraReceipts.set(receipt.txHash, receipt);
  }

  async blockNumber(): Promise<number> {
    return this.head;
  }

  async getBlock(block: number | 'finalized' | 'safe'): Promise<BlockRef | null> {
    const n = typeof block === 'number' ? block : this.tags[block];
    if (n === undefined || n > this.head) return null;
    return { number: n, hash: this.hashOf(n) };
  }

  async getLogs(filter: LogFilter): Promise<RawLog[]> {
    const refused = filter.toBlock - filter.fromBlock + 1 > this.maxLogRange;
    this.asked.getLogs.push({ fromBlock: filter.fromBlock, toBlock: filter.toBlock, refused });
    if (refused) throw new Error(`query exceeds max block range ${this.maxLogRange}`);
    const logs: RawLog[] = [];
    for (let n = filter.fromBlock; n <= Math.min(filter.toBlock, this.head); n++) {
      for (const tx of (this.blocks[n] as Block).txs) {
        if (tx.status !== 1) continue;
        logs.push(...this.receiptIn(n, tx).logs.filter((log) => matches(log, filter)));
      }
    }
    return logs;
  }

  async getTransactionReceipt(txHash: string): Promise<TxReceipt | null> {
    this.asked.receipts.push(txHash);
    if (this.withheld.has(txHash)) return null;
    const extra = this.extraReceipts.get(txHash);
    if (extra) return extra;
    for (let n = 0; n <= this.head; n++) {
      const tx = (this.blocks[n] as Block).txs.find((t) => t.txHash === txHash);
      if (tx) return this.receiptIn(n, tx);
    }
    return null;
  }

  /** The receipt of `tx` mined in block `n`: log indices count the block's logs before it. */
  private receiptIn(n: number, tx: Transaction): TxReceipt {
    const block = this.blocks[n] as Block;
    let logIndex = 0;
    for (const other of block.txs) {
      if (other === tx) break;
      logIndex += other.logs.length;
    }
    return {
      txHash: tx.txHash,
      status: tx.status,
      blockNumber: n,
      blockHash: block.hash,
      logs: tx.logs.map((log, i) => ({
        ...log,
        blockNumber: n,
        blockHash: block.hash,
        transactionHash: tx.txHash,
        logIndex: logIndex + i,
        removed: false,
      })),
    };
  }
}

/** Whether `log` passes an `eth_getLogs` filter: emitting contract (any when none) and topics position by position. */
function matches(log: RawLog, filter: LogFilter): boolean {
  if (filter.address?.length && !filter.address.some((a) => getAddress(a) === getAddress(log.address))) return false;
  return filter.topics.every((wanted, i) => {
    if (wanted === null) return true;
    const topic = log.topics[i]?.toLowerCase();
    return (Array.isArray(wanted) ? wanted : [wanted]).some((w) => w.toLowerCase() === topic);
  });
}
