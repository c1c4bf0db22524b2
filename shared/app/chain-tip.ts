/** Where a chain's tip stands for its finality rule: read once at the start of a scanner or confirmer run. */
import type { ChainConfig } from '../domain/chains';
import type { ChainRpc } from '../ports';

/** The head, and for a chain whose finality is a block tag, the block that tag names (null: the node has none). */
export interface ChainTip {
  head: number;
  finalizedBlock?: number | null;
}

/** Reads the tip of `chain` from our node: the head, and the finality tag's block only when the chain uses one. */
export async function readTip(chain: ChainConfig, rpc: ChainRpc): Promise<ChainTip> {
  const head = await rpc.blockNumber();
  if (chain.finality.kind !== 'tag') return { head };
  return { head, finalizedBlock: (await rpc.getBlock(chain.finality.tag))?.number ?? null };
}
