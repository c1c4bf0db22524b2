/**
 * Per-invoice deposit addresses, derived watch-only. A Lambda holds only an ACCOUNT-level extended PUBLIC key
 * (m/44'/60'/0'); it can compute m/44'/60'/0'/0/i for any i but can never sign, so a compromised function cannot
 * move the money. The keys that spend live offline with the treasury.
 */
import { HDNodeVoidWallet, HDNodeWallet } from 'ethers';

/** Largest non-hardened BIP-32 child index (2^31 − 1); hardened children cannot be derived from an xpub anyway. */
export const MAX_DEPOSIT_INDEX = 0x7fff_ffff;

/**
 * Account-level xpub (m/44'/60'/0') of a fixed DEV-ONLY mnemonic, for the local runtime and tests. Public data, fine
 * to commit; its mnemonic appears only in test/unit/deposit-address.test.ts and must never receive real funds.
 * It is deliberately NOT Hardhat's default "test test … junk" mnemonic, so deposit addresses never coincide with
 * Hardhat's pre-funded accounts (which would make every local "payment" look like it came from the depositor).
 */
export const DEV_ACCOUNT_XPUB =
  'xpub6Cbdde4Qd8ux3fWSu1eHTt47xRtyefdwBFF4BBUJUSx7x6TKiF9Jsb7DXFHV6hEHHpsNuRcce9hKQEVWUeiR3jmd7VUHmSzdGeDa8ZWbwAQ';

// BIP-44 account level: m(0) / purpose'(1) / coin_type'(2) / account'(3).
const ACCOUNT_DEPTH = 3;

/** An account xpub that cannot be used: private, malformed, or not at the account level. */
export class DepositKeyError extends Error {}

const accountCache = new Map<string, HDNodeVoidWallet>();

/**
 * Parses and checks an account-level xpub once per process (derivation is cheap, parsing is not free).
 * @throws DepositKeyError for an xprv, a malformed key, or a key at a depth other than the account level.
 */
export function parseAccountXpub(accountXpub: string): HDNodeVoidWallet {
  const cached = accountCache.get(accountXpub);
  if (cached) return cached;
  if (typeof accountXpub !== 'string' || accountXpub.length === 0) throw new DepositKeyError('account xpub missing');
  // Refuse before parsing: a private key must never be accepted here, not even to neuter it, since the Lambda
  // receiving one would already be holding spending power.
  if (/^[xtyzuv]prv/.test(accountXpub)) {
    throw new DepositKeyError('a private extended key (xprv) was supplied; configure the account xpub only');
  }
  let node: HDNodeWallet | HDNodeVoidWallet;
  try {
    node = HDNodeWallet.fromExtendedKey(accountXpub);
  } catch (e) {
    throw new DepositKeyError(`invalid extended public key: ${(e as Error).message}`);
  }
  if (!(node instanceof HDNodeVoidWallet)) {
    throw new DepositKeyError('a private extended key was supplied; configure the account xpub only');
  }
  if (node.depth !== ACCOUNT_DEPTH) {
    // Another depth would silently derive a different address set than the treasury's wallet expects.
    throw new DepositKeyError(`expected an account-level xpub (m/44'/60'/0', depth 3), got depth ${node.depth}`);
  }
  accountCache.set(accountXpub, node);
  return node;
}

/**
 * The EIP-55 deposit address at m/44'/60'/0'/0/`index`, derived from the account xpub (external chain 0, child
 * `index`). The index is allocated atomically elsewhere; the same (xpub, index) always yields the same address.
 *
 * @throws RangeError for an index outside 0..2^31−1; DepositKeyError for an unusable key.
 */
export function deriveDepositAddress(accountXpub: string, index: number): string {
  if (!Number.isSafeInteger(index) || index < 0 || index > MAX_DEPOSIT_INDEX) {
    throw new RangeError(`deposit index must be an integer in 0..${MAX_DEPOSIT_INDEX}, got ${index}`);
  }
  return parseAccountXpub(accountXpub).deriveChild(0).deriveChild(index).address;
}

/**
 * How an invoice's deposit address is made (DESIGN.md, Custody): `forwarder`, a CREATE2 forwarder of the chain's
 * `DepositFactory` whose money can only be swept to custody (shared/domain/forwarder-address.ts); `xpub`, derived
 * watch-only from the account xpub (the custodian holds the spending keys and sweeps by itself).
 */
export type DepositScheme = 'xpub' | 'forwarder';

/** Enabled chains whose deposit factories do not give one deposit address per invoice. */
export class DepositFactoryConfigError extends Error {}

/**
 * The `DepositFactory` every enabled chain names, or undefined when none names one (then invoices use the xpub
 * scheme). An invoice has ONE deposit address, offered on every enabled chain, and a forwarder address depends on
 * the factory's address alone: so either every chain names the same factory (deployed at that address on each), or
 * none does. Anything else fails closed, since a payment on a chain without that factory could never be swept.
 *
 * @throws DepositFactoryConfigError when chains name different factories, or some name one and others none.
 */
export function commonDepositFactory(
  chains: readonly { chainId: number; depositFactory?: string }[],
): string | undefined {
  const named = chains.filter((c) => c.depositFactory !== undefined);
  if (named.length === 0) return undefined;
  const factories = new Set(named.map((c) => (c.depositFactory as string).toLowerCase()));
  if (factories.size > 1) {
    const list = named.map((c) => `${c.chainId}: ${c.depositFactory}`).join(', ');
    throw new DepositFactoryConfigError(
      `enabled chains name different deposit factories (${list}); an invoice has one deposit address on every ` +
        'chain, so every chain must name the same factory (deployed at the same address on each)',
    );
  }
  if (named.length < chains.length) {
    const missing = chains.filter((c) => c.depositFactory === undefined).map((c) => c.chainId);
    throw new DepositFactoryConfigError(
      `chains ${missing.join(', ')} name no deposit factory while others do; money paid to a forwarder address on ` +
        'a chain without its factory could never be swept: name the same factory on every chain, or on none',
    );
  }
  return named[0]?.depositFactory;
}
