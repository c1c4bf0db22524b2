/**
 * Forwarder deposit addresses (`depositScheme: "forwarder"`), predicted off-chain: the address of an invoice is where
 * the chain's `DepositFactory` (contracts/DepositFactory.sol) deploys, with CREATE2, an EIP-1167 clone of its
 * forwarder implementation under the salt keccak256(bytes(invoiceId)). The address can be paid before anything is
 * deployed there, and the money it receives can only ever be swept to the factory's custody (docs/custody.md).
 * Pure: the same (factory, invoiceId) always gives the same address, without asking the chain.
 */
import { concat, getAddress, getCreate2Address, getCreateAddress, keccak256, toUtf8Bytes } from 'ethers';

/** A chain's deployed `DepositFactory`: its address and, when known, its forwarder implementation's. */
export interface ForwarderFactory {
  /** The factory contract's address. */
  factory: string;
  /**
   * The factory's `implementation()`. Defaults to {@link forwarderImplementation}(factory), where the factory's
   * constructor creates it; give it to use a value read from the chain instead.
   */
  implementation?: string;
}

// EIP-1167 minimal proxy creation code, as OpenZeppelin's Clones.cloneDeterministic deploys it: a 10-byte
// constructor that returns the 45-byte runtime code, which DELEGATECALLs the implementation at byte 20 of it.
const CLONE_CODE_PREFIX = '0x3d602d80600a3d3981f3363d3d373d3d3d363d73';
const CLONE_CODE_SUFFIX = '0x5af43d82803e903d91602b57fd5bf3';

/** The CREATE2 salt of an invoice's forwarder: keccak256 of the invoice id's UTF-8 bytes (the contract's salt). */
export function forwarderSalt(invoiceId: string): string {
  if (invoiceId.length === 0) throw new Error('an invoice id is required for a forwarder salt');
  return keccak256(toUtf8Bytes(invoiceId));
}

/**
 * The forwarder implementation a factory created in its constructor: its first CREATE (a contract's nonce starts at
 * 1, EIP-161), so it follows from the factory's address alone.
 */
export function forwarderImplementation(factory: string): string {
  return getCreateAddress({ from: factory, nonce: 1 });
}

/** The init code of a forwarder: the EIP-1167 clone of `implementation` (hash it for CREATE2). */
export function forwarderInitCode(implementation: string): string {
  return concat([CLONE_CODE_PREFIX, getAddress(implementation), CLONE_CODE_SUFFIX]);
}

/** The EIP-55 deposit address of `invoiceId` under `factory`: equal to the contract's `depositAddress(salt)`. */
export function forwarderAddress(factory: ForwarderFactory, invoiceId: string): string {
  const implementation = factory.implementation ?? forwarderImplementation(factory.factory);
  return getCreate2Address(factory.factory, forwarderSalt(invoiceId), keccak256(forwarderInitCode(implementation)));
}
