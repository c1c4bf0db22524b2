/**
 * Stablecoin issuers' own blacklists (USDT and USDC can freeze any address). Two styles exist: Tether's
 * (`isBlackListed(address)`, events `AddedBlackList(address)` / `RemovedBlackList(address)` with the address in the
 * data) and Circle's (`isBlacklisted(address)`, events `Blacklisted(address indexed)` / `UnBlacklisted(address
 * indexed)`). Screening reads the view on chain; the freeze watch reads the events.
 */
import { getAddress, id } from 'ethers';
import type { ChainConfig, TokenConfig } from './chains';
import { LOCAL_CHAIN_ID } from './chains';

export type BlacklistStyle = 'usdt' | 'usdc';

/** The view function of each style, as its selector's signature. */
export const BLACKLIST_VIEW: Record<BlacklistStyle, string> = {
  usdt: 'isBlackListed(address)',
  usdc: 'isBlacklisted(address)',
};

/** Event topics of both styles: an address added to or removed from an issuer's blacklist. */
export const BLACKLIST_EVENTS = {
  usdtAdded: id('AddedBlackList(address)'),
  usdtRemoved: id('RemovedBlackList(address)'),
  usdcAdded: id('Blacklisted(address)'),
  usdcRemoved: id('UnBlacklisted(address)'),
} as const;

/** Every blacklist event topic, for one `eth_getLogs` topic0 alternative. */
export const BLACKLIST_TOPICS: string[] = Object.values(BLACKLIST_EVENTS);

/**
 * The blacklist style of each mainnet token by contract address (lower case). Only contracts whose issuer
 * publishes the function are listed: Tether's USDT on Ethereum, Circle's native USDC everywhere it is deployed.
 * Bridged or pegged tokens (USDT on Polygon and Arbitrum, both on BNB Chain) are not: their blacklists, if any, are
 * another contract's, so no view is read and no event is expected from them (docs/compliance.md).
 */
const MAINNET_STYLES: Record<string, BlacklistStyle> = {
  '0xdac17f958d2ee523a2206206994597c13d831ec7': 'usdt', // Ethereum USDT
  '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48': 'usdc', // Ethereum USDC
  '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359': 'usdc', // Polygon USDC
  '0xaf88d065e77c8cc2239327c5edb3a432268e5831': 'usdc', // Arbitrum USDC
  '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913': 'usdc', // Base USDC
};

/**
 * The blacklist style of `token` on `chain`, or undefined when it has none we read. The local chain's tokens are the
 * project's own (contracts/): the USDT stand-in is Tether-style, the others Circle-style.
 */
export function blacklistStyle(chain: Pick<ChainConfig, 'chainId'>, token: TokenConfig): BlacklistStyle | undefined {
  if (chain.chainId === LOCAL_CHAIN_ID) return token.symbol === 'USDT' ? 'usdt' : 'usdc';
  return MAINNET_STYLES[token.address.toLowerCase()];
}

/** A blacklist change read from a token's log. */
export interface BlacklistEvent {
  token: string;
  address: string;
  change: 'added' | 'removed';
  blockNumber: number;
  blockHash: string;
  txHash: string;
  logIndex: number;
}

/**
 * Decodes a blacklist event log of either style (the address is topic 1 for Circle's, the first data word for
 * Tether's); undefined for any other log.
 */
export function decodeBlacklistEvent(log: {
  address: string;
  topics: readonly string[];
  data: string;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  logIndex: number;
}): BlacklistEvent | undefined {
  const topic = log.topics[0]?.toLowerCase();
  const { usdtAdded, usdtRemoved, usdcAdded, usdcRemoved } = BLACKLIST_EVENTS;
  let word: string | undefined;
  if (topic === usdtAdded || topic === usdtRemoved) word = log.data.length >= 66 ? log.data.slice(0, 66) : undefined;
  else if (topic === usdcAdded || topic === usdcRemoved) word = log.topics[1];
  if (!word || !/^0x0{24}[0-9a-fA-F]{40}$/.test(word)) return undefined;
  return {
    token: getAddress(log.address),
    address: getAddress(`0x${word.slice(26)}`),
    change: topic === usdtAdded || topic === usdcAdded ? 'added' : 'removed',
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    txHash: log.transactionHash,
    logIndex: log.logIndex,
  };
}
