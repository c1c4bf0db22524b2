/**
 * The token blacklist port (shared/ports.ts `TokenBlacklist`) over JSON-RPC `eth_call`: USDT's `isBlackListed` or
 * USDC's `isBlacklisted` on the token contract, by the token's style (shared/domain/token-blacklist.ts), at the
 * latest block. A token without a style we read answers false without a call.
 */
import { id, zeroPadValue } from 'ethers';
import { findChain, findToken } from '../../domain/chains';
import { BLACKLIST_VIEW, blacklistStyle } from '../../domain/token-blacklist';
import type { TokenBlacklist } from '../../ports';
import { enabledChains, rpcUrlOf } from './enabled-chains';
import { jsonRpc } from './json-rpc-probe';

const CALL_TIMEOUT_MS = 5_000;

/** Reads blacklists on the enabled chains' nodes; `calls` counts the `eth_call`s made (tests, metrics). */
export function jsonRpcTokenBlacklist(
  chains = enabledChains,
  urlOf: (chainId: number) => string = rpcUrlOf,
): TokenBlacklist & { calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    async isBlacklisted(chainId, tokenAddress, address) {
      const chain = findChain(chains, chainId);
      const token = chain && findToken(chain, tokenAddress);
      const style = chain && token ? blacklistStyle(chain, token) : undefined;
      if (!style) return false;
      calls++;
      const data = `${id(BLACKLIST_VIEW[style]).slice(0, 10)}${zeroPadValue(address, 32).slice(2)}`;
      const answer = await jsonRpc<string>(
        urlOf(chainId),
        'eth_call',
        [{ to: tokenAddress, data }, 'latest'],
        CALL_TIMEOUT_MS,
      );
      if (typeof answer !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(answer)) {
        throw new Error(`chain ${chainId} ${BLACKLIST_VIEW[style]}: malformed answer`);
      }
      return BigInt(answer) !== 0n;
    },
  };
}
