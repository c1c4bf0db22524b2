import { describe, expect, it } from 'vitest';
import {
  type ChainConfig,
  findChain,
  findToken,
  isFinal,
  LOCAL_CHAIN_ID,
  lastFinalBlock,
  localChain,
  mainnetChains,
  token,
} from '../../shared/domain/chains';

// Copied verbatim from /work/shared/DESIGN.md ("Tokens").
const DESIGN_TABLE: { chainId: number; symbol: string; address: string; decimals: number }[] = [
  { chainId: 1, symbol: 'USDT', address: '0xdAC17F958D2ee523a2206206994597C13D831ec7', decimals: 6 },
  { chainId: 1, symbol: 'USDC', address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', decimals: 6 },
  { chainId: 137, symbol: 'USDT', address: '0xc2132D05D31c914a87C6611C10748AEb04B58e8F', decimals: 6 },
  { chainId: 137, symbol: 'USDC', address: '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359', decimals: 6 },
  { chainId: 42161, symbol: 'USDT', address: '0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9', decimals: 6 },
  { chainId: 42161, symbol: 'USDC', address: '0xaf88d065e77c8cC2239327C5EDb3A432268e5831', decimals: 6 },
  { chainId: 8453, symbol: 'USDC', address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', decimals: 6 },
  { chainId: 56, symbol: 'USDT', address: '0x55d398326f99059fF775485246999027B3197955', decimals: 18 },
  { chainId: 56, symbol: 'USDC', address: '0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d', decimals: 18 },
];

describe('mainnetChains', () => {
  it('holds exactly the chains of the design', () => {
    expect(mainnetChains.map((c) => [c.chainId, c.key])).toEqual([
      [1, 'ethereum'],
      [137, 'polygon'],
      [42161, 'arbitrum'],
      [8453, 'base'],
      [56, 'bsc'],
    ]);
    expect(findChain(mainnetChains, 56)?.name).toBe('BNB Smart Chain');
  });

  it.each(DESIGN_TABLE)('has $symbol on chain $chainId at $address with $decimals decimals', (row) => {
    const chain = findChain(mainnetChains, row.chainId);
    expect(chain).toBeDefined();
    const t = findToken(chain as ChainConfig, row.address);
    expect(t).toEqual({ address: row.address, symbol: row.symbol, decimals: row.decimals });
  });

  it('holds no token beyond the design table', () => {
    const count = mainnetChains.reduce((n, c) => n + c.tokens.length, 0);
    expect(count).toBe(DESIGN_TABLE.length);
  });

  it('uses the finalized tag except on BSC, which uses a depth', () => {
    for (const c of mainnetChains) {
      if (c.key === 'bsc') expect(c.finality).toEqual({ kind: 'depth', blocks: 15 });
      else expect(c.finality).toEqual({ kind: 'tag', tag: 'finalized' });
    }
  });
});

describe('findToken', () => {
  const eth = findChain(mainnetChains, 1) as ChainConfig;

  it('matches the address case-insensitively', () => {
    expect(findToken(eth, '0xdac17f958d2ee523a2206206994597c13d831ec7')?.symbol).toBe('USDT');
    expect(findToken(eth, '0xDAC17F958D2EE523A2206206994597C13D831EC7')?.symbol).toBe('USDT');
  });

  it('never matches by symbol or by an address from another chain', () => {
    expect(findToken(eth, 'USDT')).toBeUndefined();
    // Polygon's USDT is not accepted on Ethereum.
    expect(findToken(eth, '0xc2132D05D31c914a87C6611C10748AEb04B58e8F')).toBeUndefined();
    expect(findToken(eth, '0x0000000000000000000000000000000000000000')).toBeUndefined();
  });
});

describe('token / localChain', () => {
  it('checksums addresses and rejects a bad checksum', () => {
    expect(token('0xdac17f958d2ee523a2206206994597c13d831ec7', 'USDT', 6).address).toBe(
      '0xdAC17F958D2ee523a2206206994597C13D831ec7',
    );
    // Mixed case with one letter flipped: a wrong EIP-55 checksum.
    expect(() => token('0xDAC17F958D2ee523a2206206994597C13D831ec7', 'USDT', 6)).toThrow();
    expect(() => token('0x1234', 'USDT', 6)).toThrow();
    expect(() => token('0xdac17f958d2ee523a2206206994597c13d831ec7', 'USDT', -1)).toThrow(RangeError);
  });

  it('builds the Hardhat chain with the deployed tokens and a small depth', () => {
    const c = localChain([
      { address: '0x5fbdb2315678afecb367f032d93f642f64180aa3', symbol: 'USDT', decimals: 6 },
      { address: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512', symbol: 'DAI18', decimals: 18 },
    ]);
    expect(c.chainId).toBe(LOCAL_CHAIN_ID);
    expect(c.chainId).toBe(31337);
    expect(c.key).toBe('local');
    expect(c.name).toBe('Hardhat local');
    expect(c.finality).toEqual({ kind: 'depth', blocks: 3 });
    expect(c.tokens[0]?.address).toBe('0x5FbDB2315678afecb367f032d93F642f64180aa3');
    expect(localChain([], 1).finality).toEqual({ kind: 'depth', blocks: 1 });
    expect(() => localChain([], 0)).toThrow(RangeError);
  });
});

describe('isFinal', () => {
  const eth = findChain(mainnetChains, 1) as ChainConfig;
  const local = localChain([], 3);

  it('tag finality follows the finalized block and nothing else', () => {
    expect(isFinal(eth, 100, { head: 1_000 })).toBe(false);
    expect(isFinal(eth, 100, { head: 1_000, finalizedBlock: null })).toBe(false);
    expect(isFinal(eth, 100, { head: 1_000, finalizedBlock: 99 })).toBe(false);
    expect(isFinal(eth, 100, { head: 1_000, finalizedBlock: 100 })).toBe(true);
    expect(isFinal(eth, 100, { head: 101, finalizedBlock: 150 })).toBe(true);
  });

  it('depth finality counts the block itself as the first confirmation', () => {
    expect(isFinal(local, 10, { head: 10 })).toBe(false); // 1 confirmation
    expect(isFinal(local, 10, { head: 11 })).toBe(false); // 2
    expect(isFinal(local, 10, { head: 12 })).toBe(true); // 3
    expect(isFinal(local, 10, { head: 9 })).toBe(false); // head behind the block (lagging node)
    // A finalized hint does not shortcut a depth rule.
    expect(isFinal(local, 10, { head: 10, finalizedBlock: 20 })).toBe(false);
  });

  it('lastFinalBlock is the highest block isFinal accepts', () => {
    expect(lastFinalBlock(eth, { head: 1_000, finalizedBlock: 950 })).toBe(950);
    expect(lastFinalBlock(eth, { head: 1_000, finalizedBlock: null })).toBeUndefined();
    expect(lastFinalBlock(local, { head: 12 })).toBe(10);
    expect(isFinal(local, 10, { head: 12 }) && !isFinal(local, 11, { head: 12 })).toBe(true);
    expect(lastFinalBlock(local, { head: 1 })).toBeUndefined();
  });
});
