/**
 * One job per chain (shared/adapters/chain/per-chain.ts): every chain's job runs, side by side, so a chain whose node
 * fails neither stops nor holds up the others; the run fails as a whole, naming the failed chains, once all settled.
 */
import { describe, expect, it } from 'vitest';
import { forEachChain } from '../../shared/adapters/chain/per-chain';
import { type ChainConfig, localChain } from '../../shared/domain/chains';
import type { ChainRpc } from '../../shared/ports';
import { MemoryChain } from '../support/memory-chain';

const chains: ChainConfig[] = [1, 2, 3].map((chainId) => ({ ...localChain([], 3), chainId }));
const rpcs = new Map(chains.map((c) => [c.chainId, new MemoryChain(5)]));
const rpcFor = (chain: ChainConfig): ChainRpc => rpcs.get(chain.chainId) as MemoryChain;

/** A promise and what settles it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('forEachChain', () => {
  it('returns every chain’s report when all succeed, in chain order', async () => {
    const reports = await forEachChain(
      'job',
      async (chain, rpc) => ({ chainId: chain.chainId, head: await rpc.blockNumber() }),
      undefined,
      { chains, rpcFor },
    );
    expect(reports).toEqual([
      { chainId: 1, head: 5 },
      { chainId: 2, head: 5 },
      { chainId: 3, head: 5 },
    ]);
  });

  it('finishes the other chains while one chain’s node hangs, and fails the run naming that chain once it fails', async () => {
    const hanging = deferred<{ chainId: number }>();
    const done: number[] = [];
    const run = forEachChain(
      'chain scan',
      async (chain) => {
        if (chain.chainId === 2) return hanging.promise;
        done.push(chain.chainId);
        return { chainId: chain.chainId };
      },
      undefined,
      { chains, rpcFor },
    );
    // Chain 2 is still waiting on its node; chains 1 and 3 are done, not queued behind it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual([1, 3]);
    hanging.reject(new Error('chain 2 eth_getLogs: timeout'));
    await expect(run).rejects.toThrow('chain scan failed for chain(s) 2');
  });

  it('names every failed chain', async () => {
    const run = forEachChain(
      'job',
      async (chain) => {
        if (chain.chainId !== 2) throw new Error(`node ${chain.chainId} down`);
        return { chainId: chain.chainId };
      },
      undefined,
      { chains, rpcFor },
    );
    await expect(run).rejects.toThrow('job failed for chain(s) 1, 3');
  });
});
