/**
 * The chain port (shared/ports.ts `ChainRpc`) over plain JSON-RPC with fetch: four methods, one request each, nothing
 * cached, so mined blocks and reorgs are seen as they happen. It replaces ethers' `JsonRpcProvider` in the chain
 * functions, whose provider, formatters and ENS normalisation (~210 KB of bundle) these four calls never needed.
 * Errors (transport, HTTP status, JSON-RPC error, deadline) reject; the schedule or the queue retries.
 */
import { getAddress } from 'ethers';
import * as z from 'zod';
import type { ChainRpc, RawLog, TxReceipt } from '../../ports';
import { faultHook } from '../faults';
import { jsonRpc } from './json-rpc-probe';

export type { BlockRef, ChainRpc, RawLog, TxReceipt } from '../../ports';

/** A call's deadline: below the chain functions' Lambda timeout, far above a node's usual answer. */
const CALL_TIMEOUT_MS = 8_000;

// The node is an outside party (an RPC provider in the cloud): every answer is checked for shape before it is read,
// and a malformed one rejects like a failed call (ethers' formatters did this before).
const hexData = z.string().regex(/^0x([0-9a-fA-F]{2})*$/);
const hash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);
const addressHex = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const hexQuantity = z.string().regex(/^0x[0-9a-fA-F]{1,64}$/);

/** A log as a node answers it (quantities in hex). */
const wireLogSchema = z.object({
  address: addressHex,
  topics: z.array(hash32).max(4),
  data: hexData,
  blockNumber: hexQuantity,
  blockHash: hash32,
  transactionHash: hash32,
  logIndex: hexQuantity,
  removed: z.boolean().optional(),
});
type WireLog = z.infer<typeof wireLogSchema>;

const wireReceiptSchema = z.object({
  transactionHash: hash32,
  /** Absent before Byzantium (a state root instead); counted as failed, as ethers' adapter did. */
  status: hexQuantity.nullish(),
  blockNumber: hexQuantity,
  blockHash: hash32,
  logs: z.array(wireLogSchema),
});
type WireReceipt = z.infer<typeof wireReceiptSchema>;

const wireBlockSchema = z.object({ number: hexQuantity, hash: hash32.nullable() }).nullable();

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
  const call = async <S extends z.ZodType>(method: string, params: unknown[], schema: S): Promise<z.output<S>> => {
    fault?.('call');
    let answer: unknown;
    try {
      answer = await jsonRpc<unknown>(rpcUrl, method, params, CALL_TIMEOUT_MS);
    } catch (error) {
      throw new Error(`chain ${chainId} ${method}: ${(error as Error).message}`, { cause: error });
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') || '(result)';
      throw new Error(`chain ${chainId} ${method}: malformed answer at ${where}`);
    }
    return parsed.data;
  };
  return {
    async blockNumber() {
      return quantity(await call('eth_blockNumber', [], hexQuantity));
    },
    async getBlock(block) {
      const tag = typeof block === 'number' ? toQuantity(block) : block;
      const b = await call('eth_getBlockByNumber', [tag, false], wireBlockSchema);
      return b?.hash ? { number: quantity(b.number), hash: b.hash.toLowerCase() } : null;
    },
    async getLogs(filter) {
      const logs = await call(
        'eth_getLogs',
        [
          {
            // Omitted rather than sent empty, so "any contract" does not depend on how a node reads an empty list.
            ...(filter.address?.length ? { address: filter.address } : {}),
            topics: filter.topics,
            fromBlock: toQuantity(filter.fromBlock),
            toBlock: toQuantity(filter.toBlock),
          },
        ],
        z.array(wireLogSchema),
      );
      return logs.map(rawLog);
    },
    async getTransactionReceipt(txHash) {
      const receipt = await call('eth_getTransactionReceipt', [txHash], wireReceiptSchema.nullable());
      return receipt ? txReceipt(receipt) : null;
    },
  };
}
