/** Chain configuration: each entry's optional deposit factory, checksummed, and one factory for all chains or none. */
import { describe, expect, it } from 'vitest';
import { resolveChains } from '../../shared/adapters/chain/enabled-chains';
import { chainEndpointSchema } from '../../shared/adapters/config';
import { DepositFactoryConfigError } from '../../shared/domain/deposit-address';

const FACTORY = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const OTHER_FACTORY = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const endpoint = (chainId: number, depositFactory?: string) => ({
  chainId,
  rpcUrl: `https://rpc.example/${chainId}`,
  ...(depositFactory ? { depositFactory } : {}),
});

describe('a CHAINS entry', () => {
  it('takes an optional deposit factory and checksums it', () => {
    expect(chainEndpointSchema.parse(endpoint(137))).toEqual(endpoint(137));
    expect(chainEndpointSchema.parse(endpoint(137, FACTORY.toLowerCase())).depositFactory).toBe(FACTORY);
  });

  it.each([
    ['not an address', '0x1234'],
    ['a wrong checksum', FACTORY.replace('FbDB', 'fbDB')],
    ['the zero address', '0x0000000000000000000000000000000000000000'],
  ])('refuses a deposit factory that is %s', (_, depositFactory) => {
    expect(chainEndpointSchema.safeParse(endpoint(137, depositFactory)).success).toBe(false);
  });

  it('refuses an unknown key, so a misspelt factory is not silently ignored', () => {
    expect(chainEndpointSchema.safeParse({ ...endpoint(137), depositfactory: FACTORY }).success).toBe(false);
  });
});

describe('resolveChains', () => {
  it('carries the factory every chain names into their configuration', () => {
    const chains = resolveChains([endpoint(1, FACTORY), endpoint(137, FACTORY)]);
    expect(chains.map((c) => [c.chainId, c.depositFactory])).toEqual([
      [1, FACTORY],
      [137, FACTORY],
    ]);
  });

  it('names no factory when the configuration names none', () => {
    expect(resolveChains([endpoint(1), endpoint(137)]).map((c) => c.depositFactory)).toEqual([undefined, undefined]);
  });

  it('fails closed on different factories, or a factory on some chains only', () => {
    expect(() => resolveChains([endpoint(1, FACTORY), endpoint(137, OTHER_FACTORY)])).toThrow(
      DepositFactoryConfigError,
    );
    expect(() => resolveChains([endpoint(1, FACTORY), endpoint(137, OTHER_FACTORY)])).toThrow(
      /one deposit address on every chain/,
    );
    expect(() => resolveChains([endpoint(1, FACTORY), endpoint(137)])).toThrow(/137 name no deposit factory/);
  });
});
