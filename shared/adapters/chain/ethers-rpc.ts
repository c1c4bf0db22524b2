/**
 * The chain port the scanner needs, and its adapter over an ethers JSON-RPC provider. Providers are created once per
 * chain and container, without caching (`cacheTimeout: -1`) so mined blocks and reorgs are seen as they happen.
 */
import { JsonRpcProvider } from 'ethers';
import type { ChainRpc } from '../../ports';
import { faultHook } from '../faults';

export type { BlockRef, ChainRpc, RawLog, TxReceipt } from '../../ports';

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
