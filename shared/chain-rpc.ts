/**
 * The chain port the scanner needs, and its adapter over an ethers JSON-RPC provider. Providers are created once per
 * chain and container, without caching (`cacheTimeout: -1`) so mined blocks and reorgs are seen as they happen.
 */
import { JsonRpcProvider } from 'ethers';
import { faultHook } from './faults';

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

const providers = new Map<string, JsonRpcProvider>();

/** The RPC adapter for a chain endpoint. */
export function ethersChainRpc(rpcUrl: string, chainId: number): ChainRpc {
  let provider = providers.get(rpcUrl);
  if (!provider) {
    provider = new JsonRpcProvider(rpcUrl, chainId, { cacheTimeout: -1, staticNetwork: true, batchMaxCount: 1 });
    providers.set(rpcUrl, provider);
  }
  const p = provider;
  // Test-only: `FAULTS=rpc:call*<n>` on a local stage makes the next n calls fail as a refusing node would.
  const fault = faultHook('rpc');
  const refuse = () => fault?.('call');
  return {
    async blockNumber() {
      refuse();
      return p.getBlockNumber();
    },
    async getBlock(block) {
      refuse();
      const b = await p.getBlock(block);
      return b?.hash ? { number: b.number, hash: b.hash.toLowerCase() } : null;
    },
    async getLogs(filter) {
      refuse();
      const logs = (await p.send('eth_getLogs', [
        {
          // Omitted rather than sent empty, so "any contract" does not depend on how a node reads an empty list.
          ...(filter.address?.length ? { address: filter.address } : {}),
          topics: filter.topics,
          fromBlock: `0x${filter.fromBlock.toString(16)}`,
          toBlock: `0x${filter.toBlock.toString(16)}`,
        },
      ])) as {
        address: string;
        topics: string[];
        data: string;
        blockNumber: string;
        blockHash: string;
        transactionHash: string;
        logIndex: string;
        removed?: boolean;
      }[];
      return logs.map((l) => ({
        address: l.address,
        topics: l.topics,
        data: l.data,
        blockNumber: Number(BigInt(l.blockNumber)),
        blockHash: l.blockHash.toLowerCase(),
        transactionHash: l.transactionHash.toLowerCase(),
        logIndex: Number(BigInt(l.logIndex)),
        removed: Boolean(l.removed),
      }));
    },
    async getTransactionReceipt(txHash) {
      refuse();
      const receipt = await p.getTransactionReceipt(txHash);
      if (!receipt) return null;
      return {
        txHash: receipt.hash.toLowerCase(),
        status: receipt.status ?? 0,
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash.toLowerCase(),
        logs: receipt.logs.map((l) => ({
          address: l.address,
          topics: [...l.topics],
          data: l.data,
          blockNumber: l.blockNumber,
          blockHash: l.blockHash.toLowerCase(),
          transactionHash: l.transactionHash.toLowerCase(),
          logIndex: l.index,
          removed: l.removed,
        })),
      };
    },
  };
}
