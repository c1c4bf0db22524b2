/**
 * Public block explorers of the chains the service supports, by chain id: where a payer, a ministry or an auditor
 * sees a transaction for themselves. The local chain has none. The payment page's script and the receipt page both
 * read this one table.
 */

/** Transaction URL prefixes (`<prefix><txHash>`), by chain id. */
export const EXPLORER_TX_URLS: Readonly<Record<number, string>> = {
  1: 'https://etherscan.io/tx/',
  56: 'https://bscscan.com/tx/',
  137: 'https://polygonscan.com/tx/',
  8453: 'https://basescan.org/tx/',
  42161: 'https://arbiscan.io/tx/',
};

/** The explorer page of `txHash` on `chainId`, or undefined (unknown chain, or not a transaction hash). */
export function explorerTxUrl(chainId: number, txHash: string): string | undefined {
  const prefix = EXPLORER_TX_URLS[chainId];
  return prefix && /^0x[0-9a-fA-F]{64}$/.test(txHash) ? `${prefix}${txHash}` : undefined;
}
