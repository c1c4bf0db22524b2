/** Sends ERC-20 transfers on the local chain over raw JSON-RPC (Hardhat's unlocked accounts), many at once. */
import { Interface } from 'ethers';

const erc20 = new Interface(['function transfer(address to, uint256 amount) returns (bool)']);

export async function rpc<T>(rpcUrl: string, method: string, params: unknown[]): Promise<T> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

export interface Payment {
  to: string;
  amount: bigint;
}

/**
 * Pays every `payments[i]` from the payers (round robin, each payer's transfers in order); resolves with the
 * transaction hashes in the order of `payments`. With automining each transfer gets its own block.
 */
export async function payAll(
  rpcUrl: string,
  token: string,
  payers: readonly string[],
  payments: readonly Payment[],
  onSent?: (index: number, txHash: string) => void,
): Promise<string[]> {
  const hashes: string[] = new Array(payments.length);
  await Promise.all(
    payers.map(async (from, p) => {
      for (let i = p; i < payments.length; i += payers.length) {
        const payment = payments[i] as Payment;
        const data = erc20.encodeFunctionData('transfer', [payment.to, payment.amount]);
        const hash = await rpc<string>(rpcUrl, 'eth_sendTransaction', [{ from, to: token, data, gas: '0x30d40' }]);
        hashes[i] = hash.toLowerCase();
        onSent?.(i, hashes[i] as string);
      }
    }),
  );
  return hashes;
}
