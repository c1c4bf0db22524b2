/**
 * Paying an invoice from the local chain, for developers trying the service:
 * `stablefee pay <invoice link> [--token USDT] [--amount 12.50] [--payer 1] [--rpc http://127.0.0.1:8545]`.
 *
 * It reads the invoice's public JSON (`GET /v1/pay/{id}`, the same the payment page shows), picks the option of the
 * token asked for, and sends that token's `transfer` to the deposit address from one of Hardhat's funded standard
 * accounts (1..9, unlocked on the local node). It refuses any chain but the local one (31337), checked both in the
 * invoice's options and on the RPC itself: it must never be a way to send real money.
 */
import { Contract, getAddress, JsonRpcProvider, parseUnits } from 'ethers';

/** The local Hardhat chain, the only one `pay` sends on. */
export const LOCAL_CHAIN_ID = 31337;

/** A refusal or a bad request, said to the developer as is. */
export class PayRefusal extends Error {}

export interface PayRequest {
  /** The invoice link (`…/pay/{id}`) or its JSON URL (`…/v1/pay/{id}`). */
  link: string;
  /** Token symbol of one of the invoice's options; the first option when omitted. */
  token?: string;
  /** Amount in token units (e.g. `12.5`); the option's amount when omitted. */
  amount?: string;
  /** Hardhat standard account 1..9. */
  payer?: number;
  rpc?: string;
}

export interface PayResult {
  invoiceId: string;
  txHash: string;
  from: string;
  to: string;
  token: string;
  symbol: string;
  /** Base units. */
  amount: bigint;
  decimals: number;
}

interface PayOption {
  chainId: number;
  token: string;
  symbol: string;
  decimals: number;
  amount: string;
  depositAddress: string;
}

/** `https://host/pay/{id}` or `https://host/v1/pay/{id}` (query ignored) → the JSON URL and the id. */
export function invoiceJsonUrl(link: string): { url: string; id: string } {
  let parsed: URL;
  try {
    parsed = new URL(link);
  } catch {
    throw new PayRefusal(`${link} is not an invoice link (expected http(s)://…/pay/<id>)`);
  }
  const match = /^(.*?)\/(?:v1\/)?pay\/([A-Za-z0-9_-]{1,64})\/?$/.exec(parsed.pathname);
  if (!match || !/^https?:$/.test(parsed.protocol)) {
    throw new PayRefusal(`${link} is not an invoice link (expected http(s)://…/pay/<id>)`);
  }
  const [, prefix, id] = match as unknown as [string, string, string];
  return { url: `${parsed.origin}${prefix}/v1/pay/${id}`, id };
}

/** Reads the invoice, checks the chain is the local one, and pays the chosen option from a funded local account. */
export async function payInvoice(request: PayRequest): Promise<PayResult> {
  const payer = request.payer ?? 1;
  if (!Number.isInteger(payer) || payer < 1 || payer > 9) {
    throw new PayRefusal('--payer must be one of the funded local accounts 1..9');
  }
  const { url, id } = invoiceJsonUrl(request.link);
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new PayRefusal(`${url} answered HTTP ${response.status}`);
  const invoice = (await response.json()) as { status?: string; options?: PayOption[] };
  const option = chooseOption(invoice.options ?? [], request.token);
  if (option.chainId !== LOCAL_CHAIN_ID) {
    throw new PayRefusal(
      `the invoice's ${option.symbol} option is on chain ${option.chainId}: pay sends on the local chain only`,
    );
  }
  const amount = request.amount === undefined ? BigInt(option.amount) : units(request.amount, option.decimals);
  const provider = new JsonRpcProvider(request.rpc ?? 'http://127.0.0.1:8545', undefined, {
    cacheTimeout: -1,
  });
  try {
    const { chainId } = await provider.getNetwork();
    if (chainId !== BigInt(LOCAL_CHAIN_ID))
      throw new PayRefusal(`the RPC serves chain ${chainId}, not the local chain`);
    const accounts = (await provider.send('eth_accounts', [])) as string[];
    const from = accounts[payer];
    if (!from) throw new PayRefusal(`the node has no unlocked account ${payer}`);
    const signer = await provider.getSigner(from);
    // No `returns (bool)`: the local USDT, like Ethereum's, returns nothing from transfer.
    const token = new Contract(option.token, ['function transfer(address to, uint256 amount)'], signer);
    const tx = await token.getFunction('transfer')(option.depositAddress, amount);
    const mined = await tx.wait();
    if (mined?.status !== 1) throw new PayRefusal(`the transfer ${tx.hash} reverted`);
    return {
      invoiceId: id,
      txHash: tx.hash as string,
      from: getAddress(from),
      to: option.depositAddress,
      token: option.token,
      symbol: option.symbol,
      amount,
      decimals: option.decimals,
    };
  } finally {
    provider.destroy();
  }
}

function chooseOption(options: PayOption[], symbol: string | undefined): PayOption {
  const found = symbol ? options.find((o) => o.symbol.toLowerCase() === symbol.toLowerCase()) : options[0];
  if (found) return found;
  const offered = options.map((o) => o.symbol).join(', ') || 'nothing (the invoice takes no payment)';
  throw new PayRefusal(
    symbol ? `the invoice offers no ${symbol}; it offers ${offered}` : `the invoice offers ${offered}`,
  );
}

function units(amount: string, decimals: number): bigint {
  if (!/^\d{1,15}(\.\d+)?$/.test(amount)) throw new PayRefusal(`--amount ${amount} is not a positive decimal number`);
  let value: bigint;
  try {
    value = parseUnits(amount, decimals);
  } catch {
    throw new PayRefusal(`--amount ${amount} has more than ${decimals} decimals`);
  }
  if (value === 0n) throw new PayRefusal('--amount must be more than zero');
  return value;
}
