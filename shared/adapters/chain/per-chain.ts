/**
 * Runs a chain job for every enabled chain with its RPC adapter. A chain whose job fails does not stop the others;
 * the run then fails as a whole so the schedule's error metric and alarm see it.
 */

import type { ChainConfig } from '../../domain/chains';
import { logger } from '../observability';
import { enabledChains, rpcUrlOf } from './enabled-chains';
import { type ChainRpc, jsonRpcChain } from './json-rpc-chain';

export async function forEachChain<R extends object>(
  job: string,
  run: (chain: ChainConfig, rpc: ChainRpc) => Promise<R>,
  isNoteworthy: (report: R) => boolean = () => true,
): Promise<R[]> {
  const reports: R[] = [];
  const failures: number[] = [];
  for (const chain of enabledChains) {
    try {
      const report = await run(chain, jsonRpcChain(rpcUrlOf(chain.chainId), chain.chainId));
      if (isNoteworthy(report)) logger.info(`${job} done`, { chainId: chain.chainId, ...report });
      reports.push(report);
    } catch (error) {
      logger.error(`${job} failed`, { chainId: chain.chainId, error: (error as Error).message });
      failures.push(chain.chainId);
    }
  }
  if (failures.length) throw new Error(`${job} failed for chain(s) ${failures.join(', ')}`);
  return reports;
}
