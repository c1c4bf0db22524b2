/**
 * Chains and the stablecoins accepted on them. Tokens are allowlisted by CONTRACT ADDRESS, never by symbol: anyone can
 * deploy a token called "USDT", so a symbol proves nothing. Finality is per-chain configuration.
 */
import { getAddress } from 'ethers';

/**
 * When a block counts as final: a block tag the node answers (`finalized`/`safe`), or a depth of confirmations
 * for chains whose tag is missing or not trusted.
 */
export type Finality = { kind: 'tag'; tag: 'finalized' | 'safe' } | { kind: 'depth'; blocks: number };

/** An accepted token: EIP-55 checksummed contract address, display symbol and decimals. */
export interface TokenConfig {
  address: string;
  symbol: string;
  decimals: number;
}

/** Keys of the chains the service knows. */
export type ChainKey = 'ethereum' | 'polygon' | 'arbitrum' | 'base' | 'bsc' | 'local';

/** One chain: id, key, display name, finality rule and accepted tokens. */
export interface ChainConfig {
  chainId: number;
  key: ChainKey;
  name: string;
  finality: Finality;
  tokens: TokenConfig[];
  nativeCurrency?: { symbol: string; decimals: number };
  /** Depth chains: confirmations at which a final transfer is re-checked (default twice the finality depth). */
  deepCheckBlocks?: number;
  /**
   * The chain's deployed `DepositFactory` (EIP-55), when invoices use forwarder deposit addresses
   * (shared/domain/forwarder-address.ts). Deployment configuration (`CHAINS`), never part of the mainnet table.
   */
  depositFactory?: string;
}

/**
 * Builds a token entry, checksumming the address with ethers `getAddress` (which also rejects a mixed-case address
 * whose checksum is wrong: a typo in configuration must not silently allowlist another contract).
 */
export function token(address: string, symbol: string, decimals: number): TokenConfig {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) throw new RangeError(`bad decimals ${decimals}`);
  return { address: getAddress(address), symbol, decimals };
}

const FINALIZED: Finality = { kind: 'tag', tag: 'finalized' };

/**
 * Mainnet chains and their accepted tokens, exactly the design's table. The decimals are the expected ones; the
 * scanner still reads `decimals()` on start and refuses a mismatch.
 *
 * Finality: Ethereum, Arbitrum and Base (L2s whose `finalized` follows L1 finality of their batches) and Polygon PoS
 * (milestone-based finality since Heimdall v2) answer a trustworthy `finalized` tag. BSC gets a depth of 15 blocks:
 * its fast finality (BEP-126) finalizes within a few blocks, but RPC providers' support of the `finalized` tag has
 * been uneven, and 15 blocks is well beyond any reorg BSC has seen while costing seconds.
 */
export const mainnetChains: ChainConfig[] = [
  {
    chainId: 1,
    key: 'ethereum',
    name: 'Ethereum',
    finality: FINALIZED,
    nativeCurrency: { symbol: 'ETH', decimals: 18 },
    tokens: [
      token('0xdAC17F958D2ee523a2206206994597C13D831ec7', 'USDT', 6),
      token('0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', 'USDC', 6),
    ],
  },
  {
    chainId: 137,
    key: 'polygon',
    name: 'Polygon',
    finality: FINALIZED,
    nativeCurrency: { symbol: 'POL', decimals: 18 },
    tokens: [
      token('0xc2132D05D31c914a87C6611C10748AEb04B58e8F', 'USDT', 6),
      token('0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359', 'USDC', 6),
    ],
  },
  {
    chainId: 42161,
    key: 'arbitrum',
    name: 'Arbitrum One',
    finality: FINALIZED,
    nativeCurrency: { symbol: 'ETH', decimals: 18 },
    tokens: [
      token('0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9', 'USDT', 6),
      token('0xaf88d065e77c8cC2239327C5EDb3A432268e5831', 'USDC', 6),
    ],
  },
  {
    chainId: 8453,
    key: 'base',
    name: 'Base',
    finality: FINALIZED,
    nativeCurrency: { symbol: 'ETH', decimals: 18 },
    tokens: [token('0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', 'USDC', 6)],
  },
  {
    chainId: 56,
    key: 'bsc',
    name: 'BNB Smart Chain',
    finality: { kind: 'depth', blocks: 15 },
    nativeCurrency: { symbol: 'BNB', decimals: 18 },
    tokens: [
      token('0x55d398326f99059fF775485246999027B3197955', 'USDT', 18),
      token('0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d', 'USDC', 18),
    ],
  },
];

/** Chain id of the local Hardhat chain. */
export const LOCAL_CHAIN_ID = 31337;

/**
 * The local Hardhat chain with the tokens the project deploys itself (their addresses are known only after deploy).
 * A small depth because a local chain never reorgs by itself, yet tests still exercise the confirmation path.
 */
export function localChain(tokens: TokenConfig[], depth = 3): ChainConfig {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError('depth must be a positive integer');
  return {
    chainId: LOCAL_CHAIN_ID,
    key: 'local',
    name: 'Hardhat local',
    finality: { kind: 'depth', blocks: depth },
    nativeCurrency: { symbol: 'ETH', decimals: 18 },
    tokens: tokens.map((t) => token(t.address, t.symbol, t.decimals)),
  };
}

/** The chain with `chainId` among `chains`, or undefined. */
export function findChain(chains: readonly ChainConfig[], chainId: number): ChainConfig | undefined {
  return chains.find((c) => c.chainId === chainId);
}

/**
 * The accepted token at `address` on `chain`, matched case-insensitively by address (logs and webhooks deliver
 * lower-case addresses), never by symbol. Undefined when the contract is not allowlisted.
 */
export function findToken(chain: ChainConfig, address: string): TokenConfig | undefined {
  if (typeof address !== 'string') return undefined;
  const a = address.toLowerCase();
  return chain.tokens.find((t) => t.address.toLowerCase() === a);
}

/**
 * Whether a block is final on `chain`.
 * - tag finality: final iff the node reported a `finalizedBlock` (the number of the block tagged
 *   `finalized`/`safe`) and `blockNumber ≤ finalizedBlock`; without it nothing is final yet.
 * - depth finality: final iff the block has at least `blocks` confirmations, counting the block itself as one
 *   (confirmations = head − blockNumber + 1, as ethers counts them).
 */
export function isFinal(
  chain: ChainConfig,
  blockNumber: number,
  at: { head: number; finalizedBlock?: number | null },
): boolean {
  if (chain.finality.kind === 'tag') {
    return at.finalizedBlock !== undefined && at.finalizedBlock !== null && blockNumber <= at.finalizedBlock;
  }
  return at.head - blockNumber + 1 >= chain.finality.blocks;
}

/**
 * The highest block final on `chain` by {@link isFinal}'s rule (undefined: none yet): the tag's block, or the block
 * with exactly the required confirmations.
 */
export function lastFinalBlock(
  chain: ChainConfig,
  at: { head: number; finalizedBlock?: number | null },
): number | undefined {
  if (chain.finality.kind === 'tag') return at.finalizedBlock ?? undefined;
  const block = at.head - chain.finality.blocks + 1;
  return block >= 0 ? block : undefined;
}

/**
 * Blocks past finality at which a final transfer is checked once more (DESIGN.md, Trust): a transfer that is gone
 * then has its receipt annulled. Depth chains: twice their depth. Tag chains: this many blocks below the block the
 * node tags final.
 */
export const DEEP_CHECK_TAG_MARGIN = 64;

/** Whether a block is deep enough for the re-check after finality (see {@link DEEP_CHECK_TAG_MARGIN}). */
export function isDeeplyFinal(
  chain: ChainConfig,
  blockNumber: number,
  at: { head: number; finalizedBlock?: number | null },
): boolean {
  if (chain.finality.kind === 'tag') {
    return isFinal(chain, blockNumber + DEEP_CHECK_TAG_MARGIN, at);
  }
  return at.head - blockNumber + 1 >= (chain.deepCheckBlocks ?? 2 * chain.finality.blocks);
}
