import { getCreate2Address, keccak256, solidityPackedKeccak256 } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  forwarderAddress,
  forwarderImplementation,
  forwarderInitCode,
  forwarderSalt,
} from '../../shared/domain/forwarder-address';

// Any factory address will do: the scheme is pure arithmetic on it.
const FACTORY = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

describe('forwarderSalt', () => {
  it("is keccak256 of the invoice id's bytes, as Solidity's keccak256(bytes(invoiceId))", () => {
    expect(forwarderSalt('inv_AAAAAAAAAAAAAAAAAAAAAA')).toBe(
      solidityPackedKeccak256(['string'], ['inv_AAAAAAAAAAAAAAAAAAAAAA']),
    );
  });

  it('refuses an empty invoice id', () => {
    expect(() => forwarderSalt('')).toThrow();
  });
});

describe('forwarderInitCode', () => {
  it('is the 55-byte EIP-1167 clone creation code with the implementation at bytes 20..40', () => {
    const implementation = forwarderImplementation(FACTORY);
    const code = forwarderInitCode(implementation);
    expect((code.length - 2) / 2).toBe(55);
    expect(`0x${code.slice(2 + 40, 2 + 80)}`).toBe(implementation.toLowerCase());
  });
});

describe('forwarderAddress', () => {
  it('is the CREATE2 address of the clone init code under the factory and the salt', () => {
    const implementation = forwarderImplementation(FACTORY);
    expect(forwarderAddress({ factory: FACTORY }, 'inv_x')).toBe(
      getCreate2Address(FACTORY, forwarderSalt('inv_x'), keccak256(forwarderInitCode(implementation))),
    );
    expect(forwarderAddress({ factory: FACTORY, implementation }, 'inv_x')).toBe(
      forwarderAddress({ factory: FACTORY }, 'inv_x'),
    );
  });

  it('gives distinct checksummed addresses for distinct invoices and factories', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `inv_${i}`);
    const addresses = ids.map((id) => forwarderAddress({ factory: FACTORY }, id));
    for (const a of addresses) expect(a).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(new Set(addresses).size).toBe(50);
    const otherFactory = '0x0000000000000000000000000000000000000001';
    expect(forwarderAddress({ factory: otherFactory }, 'inv_0')).not.toBe(addresses[0]);
  });

  it('pins one address so an accidental change of the scheme (salt, init code) is noticed', () => {
    expect(forwarderAddress({ factory: FACTORY }, 'inv_AAAAAAAAAAAAAAAAAAAAAA')).toBe(
      '0x0c7aA3f1CeD136c0462469a6d9faDDC5B5a3cC57',
    );
  });
});
