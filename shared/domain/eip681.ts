/**
 * EIP-681 payment links for an ERC-20 `transfer`, the form wallets open from a QR code:
 * `ethereum:<token>@<chainId>/transfer?address=<to>&uint256=<base units>`.
 * The amount is a plain integer in base units: the exponent form EIP-681 allows (`2.5e6`) is misread by several
 * wallets, and a mis-read amount here means an underpaid invoice.
 */
import { getAddress } from 'ethers';
import { MAX_UINT256 } from './money';

/** The parts of an ERC-20 transfer request. */
export interface Eip681Transfer {
  /** Token contract address (EIP-55). */
  token: string;
  chainId: number;
  /** Recipient (the deposit address, EIP-55). */
  to: string;
  /** Amount in token base units. */
  amount: bigint;
}

function checkChainId(chainId: number): void {
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new RangeError(`invalid chainId ${chainId}`);
}

function checkAmount(amount: bigint): void {
  if (typeof amount !== 'bigint' || amount < 0n || amount > MAX_UINT256) throw new RangeError('invalid amount');
}

/** Builds the EIP-681 URI of an ERC-20 transfer; addresses are checksummed (ethers `getAddress` throws on bad input). */
export function eip681TransferUri({ token, chainId, to, amount }: Eip681Transfer): string {
  checkChainId(chainId);
  checkAmount(amount);
  return `ethereum:${getAddress(token)}@${chainId}/transfer?address=${getAddress(to)}&uint256=${amount.toString()}`;
}

const URI_RE =
  /^ethereum:(0x[0-9a-fA-F]{40})@([1-9]\d{0,15})\/transfer\?address=(0x[0-9a-fA-F]{40})&uint256=(0|[1-9]\d{0,77})$/;

/**
 * Parses a URI in exactly the form {@link eip681TransferUri} produces (inverse of it; used by tests and the pay page
 * check). Returns checksummed addresses.
 * @throws Error when the URI is not such a transfer link.
 */
export function parseEip681TransferUri(uri: string): Eip681Transfer {
  const m = URI_RE.exec(uri);
  if (!m) throw new Error('not an EIP-681 ERC-20 transfer URI');
  const chainId = Number(m[2]);
  const amount = BigInt(m[4] ?? '0');
  checkChainId(chainId);
  checkAmount(amount);
  return { token: getAddress(m[1] ?? ''), chainId, to: getAddress(m[3] ?? ''), amount };
}
