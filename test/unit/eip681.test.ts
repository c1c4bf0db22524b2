import { getAddress } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eip681TransferUri, parseEip681TransferUri } from '../../shared/domain/eip681';
import { MAX_UINT256 } from '../../shared/domain/money';

const USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
const TO = '0x0a8431CAf3F8634AeECA5a6909Cc39dc33145E2c';

describe('eip681TransferUri', () => {
  it('builds the ERC-20 transfer form with checksummed addresses and a plain integer amount', () => {
    const uri = eip681TransferUri({ token: USDT.toLowerCase(), chainId: 1, to: TO.toLowerCase(), amount: 91_210_000n });
    expect(uri).toBe(`ethereum:${USDT}@1/transfer?address=${TO}&uint256=91210000`);
  });

  it('never uses an exponent, even for 18-decimal amounts', () => {
    const uri = eip681TransferUri({ token: USDT, chainId: 56, to: TO, amount: 3_000n * 10n ** 18n });
    expect(uri.endsWith('&uint256=3000000000000000000000')).toBe(true);
    expect(uri).not.toMatch(/uint256=[^&]*[eE.]/);
  });

  it('refuses bad input', () => {
    expect(() => eip681TransferUri({ token: 'USDT', chainId: 1, to: TO, amount: 1n })).toThrow();
    expect(() => eip681TransferUri({ token: USDT, chainId: 0, to: TO, amount: 1n })).toThrow(RangeError);
    expect(() => eip681TransferUri({ token: USDT, chainId: 1, to: TO, amount: -1n })).toThrow(RangeError);
    expect(() => eip681TransferUri({ token: USDT, chainId: 1, to: TO, amount: MAX_UINT256 + 1n })).toThrow(RangeError);
  });
});

describe('parseEip681TransferUri', () => {
  it('inverts the builder', () => {
    expect(parseEip681TransferUri(`ethereum:${USDT}@137/transfer?address=${TO}&uint256=5`)).toEqual({
      token: USDT,
      chainId: 137,
      to: TO,
      amount: 5n,
    });
  });

  it.each([
    `ethereum:${USDT}/transfer?address=${TO}&uint256=5`,
    `ethereum:${USDT}@1/transfer?address=${TO}&uint256=5e6`,
    `ethereum:${USDT}@1/transfer?address=${TO}&uint256=05`,
    `ethereum:${USDT}@1/approve?address=${TO}&uint256=5`,
    `ethereum:${USDT}@1/transfer?uint256=5&address=${TO}`,
    `bitcoin:${USDT}@1/transfer?address=${TO}&uint256=5`,
    `ethereum:${USDT}@1/transfer?address=${TO}&uint256=5&extra=1`,
  ])('rejects %s', (uri) => {
    expect(() => parseEip681TransferUri(uri)).toThrow();
  });

  it('round-trips (property)', () => {
    const addr = fc
      .uint8Array({ minLength: 20, maxLength: 20 })
      .map((b) => getAddress(`0x${Buffer.from(b).toString('hex')}`));
    fc.assert(
      fc.property(
        addr,
        fc.integer({ min: 1, max: 2 ** 32 }),
        addr,
        fc.bigInt({ min: 0n, max: MAX_UINT256 }),
        (token, chainId, to, amount) => {
          const t = { token, chainId, to, amount };
          const uri = eip681TransferUri(t);
          expect(uri).toMatch(/^ethereum:0x[0-9a-fA-F]{40}@\d+\/transfer\?address=0x[0-9a-fA-F]{40}&uint256=\d+$/);
          expect(parseEip681TransferUri(uri)).toEqual(t);
        },
      ),
    );
  });
});
