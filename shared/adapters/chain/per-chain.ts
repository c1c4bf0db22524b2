/**
 * Runs a chain job for every enabled chain with its RPC adapter, all chains at once and each on its own: a chain
 * whose node fails or hangs neither fails nor delays the others' jobs (they finish, and save what they did, while it
 * is still waiting on its node). Each chain's outcome is logged with its chain id; once all have settled, the run
 * fails as a whole if any chain failed, naming them, so the schedule's error metric and alarm see it.
 */

import type { ChainConfig } from '../../domain/chains';
import { logger } from '../observability';
import { enabledChains, rpcUrlOf } from './enabled-chains';
import { type ChainRpc, jsonRpcChain } from './json-rpc-chain';

/** Which chains a run covers and how it reaches them (tests replace both). */
export interface ChainSet {
  chains: readonly ChainConfig[];
  rpcFor: (chain: ChainConfig) => ChainRpc;
}

const deployed: ChainSet = {
  chains: enabledChains,
  rpcFor: (chain) => jsonRpcChain(rpcUrlOf(chain.chainId), chain.chainId),
};

/**
 * Runs `run` for every chain of `chainSet` (the deployment's enabled chains) side by side; logs each report that
 * `isNoteworthy` and each failure with its chain id. Resolves with the reports in chain order once all succeeded;
 * rejects, naming the failed chains, once all have settled.
 */
export async function forEachChain<R extends object>(
  job: string,
  run: (chain: ChainConfig, rpc: ChainRpc) => Promise<R>,
  isNoteworthy: (report: R) => boolean = () => true,
  { chains, rpcFor }: ChainSet = deployed,
): Promise<R[]> {
  const outcomes = await Promise.allSettled(
    chains.map(async (chain) => {
      try {
        const report = await run(chain, rpcFor(chain));
        if (isNoteworthy(report)) logger.info(`${job} done`, { chainId: chain.chainId, ...report });
        return report;
      } catch (error) {
        logger.error(`${job} failed`, { chainId: chain.chainId, error: (error as Error).message });
        throw error;
      }
    }),
  );
  const failures = chains.filter((_, i) => outcomes[i]?.status === 'rejected').map((c) => c.chainId);
  if (failures.length) throw new Error(`${job} failed for chain(s) ${failures.join(', ')}`);
  return outcomes.map((o) => (o as PromiseFulfilledResult<R>).value);
}
