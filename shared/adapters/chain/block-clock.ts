/**
 * Block timestamps over plain JSON-RPC (the BlockClock port): `eth_getBlockByNumber` answered for a block that
 * exists, its `timestamp` read. Timestamps of mined blocks never change, so they are remembered per container.
 */
import * as z from 'zod';
import type { BlockClock } from '../../ports';
import { jsonRpc } from './json-rpc-probe';

const CALL_TIMEOUT_MS = 8_000;
const blockSchema = z.object({ timestamp: z.string().regex(/^0x[0-9a-fA-F]{1,16}$/) });
const remembered = new Map<string, number>();

/** The clock of the chain at `rpcUrl`. */
export function jsonRpcBlockClock(rpcUrl: string, chainId: number): BlockClock {
  return {
    async timestamp(block) {
      const key = `${chainId}:${block}`;
      const known = remembered.get(key);
      if (known !== undefined) return known;
      const answer = await jsonRpc<unknown>(
        rpcUrl,
        'eth_getBlockByNumber',
        [`0x${block.toString(16)}`, false],
        CALL_TIMEOUT_MS,
      );
      const parsed = blockSchema.safeParse(answer);
      if (!parsed.success) throw new Error(`chain ${chainId} eth_getBlockByNumber ${block}: no such block`);
      const time = Number(BigInt(parsed.data.timestamp));
      if (remembered.size > 100_000) remembered.clear();
      remembered.set(key, time);
      return time;
    },
  };
}
