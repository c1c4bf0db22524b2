/**
 * The chain port (shared/ports.ts `ChainRpc`) over plain JSON-RPC with fetch: four methods, one request each, nothing
 * cached, so mined blocks and reorgs are seen as they happen. It replaces ethers' `JsonRpcProvider` in the chain
 * functions, whose provider, formatters and ENS normalisation (~210 KB of bundle) these four calls never needed.
 * Errors (transport, HTTP status, JSON-RPC error, deadline) reject; the schedule or the queue retries.
 */
import { getAddress } from 'ethers';
import type { ChainRpc, RawLog, TxReceipt } from '../../ports';
import { faultHook } from '../faults';
import { jsonRpc } from './json-rpc-probe';

export type { BlockRef, ChainRpc, RawLog, TxReceipt } from '../../ports';

/** A call's deadline: below the chain functions' Lambda timeout, far above a node's usual answer. */
const CALL_TIMEOUT_MS = 8_000;

/** A log as a node answers it (quantities in hex). */
interface WireLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  logIndex: string;
  removed?: boolean;
}

interface WireReceipt {
  transactionHash: string;
  /** Absent before Byzantium (a state root instead); counted as failed, as ethers' adapter did. */
  status?: string | null;
  blockNumber: string;
  blockHash: string;
  logs: WireLog[];
}

const quantity = (hex: string): number => Number(BigInt(hex));
const toQuantity = (n: number): string => `0x${n.toString(16)}`;

function rawLog(l: WireLog): RawLog {
  return {
    address: l.address,
    topics: [...l.topics],
    data: l.data,
    blockNumber: quantity(l.blockNumber),
    blockHash: l.blockHash.toLowerCase(),
    transactionHash: l.transactionHash.toLowerCase(),
    logIndex: quantity(l.logIndex),
    removed: Boolean(l.removed),
  };
}

function txReceipt(r: WireReceipt): TxReceipt {
  return {
    txHash: r.transactionHash.toLowerCase(),
    status: r.status ? quantity(r.status) : 0,
    blockNumber: quantity(r.blockNumber),
    blockHash: r.blockHash.toLowerCase(),
    // Checksummed, as the ethers adapter answered receipt logs.
    logs: r.logs.map((l) => ({ ...rawLog(l), address: getAddress(l.address) })),
  };
}

/** The RPC adapter for a chain endpoint (`chainId` names it in errors; the health probe checks the node serves it). */
export function jsonRpcChain(rpcUrl: string, chainId: number): ChainRpc {
  // Test-only: `FAULTS=rpc:call*<n>` on a local stage makes the next n calls fail as a refusing node would.
  const fault = faultHook('rpc');
  const call = async <T>(method: string, params: unknown[]): Promise<T> => {
    fault?.('call');
    try {
      return await jsonRpc<T>(rpcUrl, method, params, CALL_TIMEOUT_MS);
    } catch (error) {
      throw new Error(`chain ${chainId} ${method}: ${(error as Error).message}`, { cause: error });
    }
  };
  return {
    async blockNumber() {
      return quantity(await call<string>('eth_blockNumber', []));
    },
    async getBlock(block) {
      const tag = typeof block === 'number' ? toQuantity(block) : block;
      const b = await call<{ number: string; hash: string | null } | null>('eth_getBlockByNumber', [tag, false]);
      return b?.hash ? { number: quantity(b.number), hash: b.hash.toLowerCase() } : null;
    },
    async getLogs(filter) {
      const logs = await call<WireLog[]>('eth_getLogs', [
        {
          // Omitted rather than sent empty, so "any contract" does not depend on how a node reads an empty list.
          ...(filter.address?.length ? { address: filter.address } : {}),
          topics: filter.topics,
          fromBlock: toQuantity(filter.fromBlock),
          toBlock: toQuantity(filter.toBlock),
        },
      ]);
      return logs.map(rawLog);
    },
    async getTransactionReceipt(txHash) {
      const receipt = await call<WireReceipt | null>('eth_getTransactionReceipt', [txHash]);
      return receipt ? txReceipt(receipt) : null;
    },
  };
}
