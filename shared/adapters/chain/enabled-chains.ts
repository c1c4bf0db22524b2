/**
 * The chains and tokens this deployment accepts: the chain ids named in configuration (`CHAINS`), each with its
 * token allowlist — the mainnet table of shared/domain/chains.ts, or for the local chain 31337 the test tokens the local
 * runtime deployed (`LOCAL_CHAIN_TOKENS`) — and its `depositFactory` when configured. Read once at module load, and
 * refused there when the chains' deposit factories do not give one deposit address per invoice. Their RPC URLs:
 * ./rpc-urls.ts.
 */
import * as z from 'zod';
import { type ChainConfig, findChain, LOCAL_CHAIN_ID, localChain, mainnetChains, token } from '../../domain/chains';
import { commonDepositFactory } from '../../domain/deposit-address';
import { type ChainEndpoint, chainEndpoints } from '../config';

const localTokensSchema = z.array(
  z.object({ address: z.string(), symbol: z.string().min(1), decimals: z.number().int().min(0).max(36) }),
);

function localTokens(env: NodeJS.ProcessEnv): ChainConfig['tokens'] {
  const raw = env.LOCAL_CHAIN_TOKENS;
  if (!raw) throw new Error('LOCAL_CHAIN_TOKENS must list the local chain tokens when chain 31337 is enabled');
  return localTokensSchema.parse(JSON.parse(raw)).map((t) => token(t.address, t.symbol, t.decimals));
}

function chainOf(chainId: number, env: NodeJS.ProcessEnv): ChainConfig {
  if (chainId === LOCAL_CHAIN_ID) {
    const chain = localChain(localTokens(env), Number(env.LOCAL_FINALITY_DEPTH ?? 3));
    const deep = env.LOCAL_DEEP_CHECK_DEPTH;
    return deep ? { ...chain, deepCheckBlocks: Number(deep) } : chain;
  }
  const chain = findChain(mainnetChains, chainId);
  if (!chain) throw new Error(`chain ${chainId} in CHAINS is not a chain stablefee knows`);
  return chain;
}

/**
 * The chain configurations of `endpoints`, in their order, each with its configured `depositFactory`.
 * @throws for an unknown chain id, missing local tokens, or deposit factories that differ between the chains
 *   (`DepositFactoryConfigError`: every chain names the same factory, or none does).
 */
export function resolveChains(
  endpoints: readonly ChainEndpoint[],
  env: NodeJS.ProcessEnv = process.env,
): ChainConfig[] {
  const chains = endpoints.map(({ chainId, depositFactory }) => ({
    ...chainOf(chainId, env),
    ...(depositFactory ? { depositFactory } : {}),
  }));
  commonDepositFactory(chains);
  return chains;
}

/** Enabled chains with their accepted tokens, in configuration order. */
export const enabledChains: readonly ChainConfig[] = resolveChains(chainEndpoints);

/** The RPC URL of an enabled chain (in the clear, or read from the RPC URL secret at cold start: ./rpc-urls.ts). */
export { rpcUrlOf } from './rpc-urls';
