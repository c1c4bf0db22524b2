/**
 * The chains and tokens this deployment accepts: the chain ids named in configuration (`CHAINS`), each with its
 * token allowlist — the mainnet table of shared/domain/chains.ts, or for the local chain 31337 the test tokens the local
 * runtime deployed (`LOCAL_CHAIN_TOKENS`). Read once at module load.
 */
import * as z from 'zod';
import { type ChainConfig, findChain, LOCAL_CHAIN_ID, localChain, mainnetChains, token } from '../../domain/chains';
import { chainEndpoints } from '../config';

const localTokensSchema = z.array(
  z.object({ address: z.string(), symbol: z.string().min(1), decimals: z.number().int().min(0).max(36) }),
);

function localTokens(): ChainConfig['tokens'] {
  const raw = process.env.LOCAL_CHAIN_TOKENS;
  if (!raw) throw new Error('LOCAL_CHAIN_TOKENS must list the local chain tokens when chain 31337 is enabled');
  return localTokensSchema.parse(JSON.parse(raw)).map((t) => token(t.address, t.symbol, t.decimals));
}

function resolve(): ChainConfig[] {
  return chainEndpoints.map(({ chainId }) => {
    if (chainId === LOCAL_CHAIN_ID) {
      const chain = localChain(localTokens(), Number(process.env.LOCAL_FINALITY_DEPTH ?? 3));
      const deep = process.env.LOCAL_DEEP_CHECK_DEPTH;
      return deep ? { ...chain, deepCheckBlocks: Number(deep) } : chain;
    }
    const chain = findChain(mainnetChains, chainId);
    if (!chain) throw new Error(`chain ${chainId} in CHAINS is not a chain stablefee knows`);
    return chain;
  });
}

/** Enabled chains with their accepted tokens, in configuration order. */
export const enabledChains: readonly ChainConfig[] = resolve();

/** The RPC URL of an enabled chain. */
export function rpcUrlOf(chainId: number): string {
  const endpoint = chainEndpoints.find((c) => c.chainId === chainId);
  if (!endpoint) throw new Error(`chain ${chainId} is not enabled`);
  return endpoint.rpcUrl;
}
