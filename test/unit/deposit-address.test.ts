import { HDNodeWallet, Mnemonic } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  DEV_ACCOUNT_XPUB,
  DepositKeyError,
  deriveDepositAddress,
  MAX_DEPOSIT_INDEX,
} from '../../shared/domain/deposit-address';

// The dev-only mnemonic behind DEV_ACCOUNT_XPUB. It lives only in this test: never fund these addresses.
const DEV_MNEMONIC = 'answer special cushion renew federal frown dragon immense eagle broom income cinnamon';
const HARDHAT_MNEMONIC = 'test test test test test test test test test test test junk';

const fromPath = (phrase: string, path: string) => HDNodeWallet.fromPhrase(phrase, undefined, path);

describe('DEV_ACCOUNT_XPUB', () => {
  it("is the neutered account key m/44'/60'/0' of the dev mnemonic", () => {
    const account = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), "m/44'/60'/0'");
    expect(account.neuter().extendedKey).toBe(DEV_ACCOUNT_XPUB);
    expect(DEV_ACCOUNT_XPUB.startsWith('xpub')).toBe(true);
  });
});

describe('deriveDepositAddress', () => {
  it.each([0, 1, 2, 7, 1000, 123_456, MAX_DEPOSIT_INDEX])(
    "index %i equals m/44'/60'/0'/0/i of the dev mnemonic",
    (i) => {
      expect(deriveDepositAddress(DEV_ACCOUNT_XPUB, i)).toBe(fromPath(DEV_MNEMONIC, `m/44'/60'/0'/0/${i}`).address);
    },
  );

  it('pins index 0 so an accidental change of the dev key is noticed', () => {
    expect(deriveDepositAddress(DEV_ACCOUNT_XPUB, 0)).toBe('0x0a8431CAf3F8634AeECA5a6909Cc39dc33145E2c');
  });

  it("never coincides with Hardhat's funded accounts", () => {
    const hardhat = new Set(
      Array.from({ length: 20 }, (_, i) => fromPath(HARDHAT_MNEMONIC, `m/44'/60'/0'/0/${i}`).address),
    );
    for (let i = 0; i < 20; i++) expect(hardhat.has(deriveDepositAddress(DEV_ACCOUNT_XPUB, i))).toBe(false);
  });

  it('gives distinct checksummed addresses for distinct indices', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const a = deriveDepositAddress(DEV_ACCOUNT_XPUB, i);
      expect(a).toMatch(/^0x[0-9a-fA-F]{40}$/);
      seen.add(a);
    }
    expect(seen.size).toBe(50);
  });

  it('refuses an xprv, even a valid one', () => {
    const account = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), "m/44'/60'/0'");
    expect(account.extendedKey.startsWith('xprv')).toBe(true);
    expect(() => deriveDepositAddress(account.extendedKey, 0)).toThrow(DepositKeyError);
    expect(() => deriveDepositAddress(account.extendedKey, 0)).toThrow(/private/);
  });

  it('refuses a key that is not at the account level, and garbage', () => {
    const change = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), "m/44'/60'/0'/0").neuter();
    expect(() => deriveDepositAddress(change.extendedKey, 0)).toThrow(/depth 4/);
    expect(() => deriveDepositAddress('xpub-not-a-key', 0)).toThrow(DepositKeyError);
    expect(() => deriveDepositAddress('', 0)).toThrow(DepositKeyError);
  });

  it.each([-1, 1.5, MAX_DEPOSIT_INDEX + 1, Number.NaN, 2 ** 53])('refuses index %d', (i) => {
    expect(() => deriveDepositAddress(DEV_ACCOUNT_XPUB, i)).toThrow(RangeError);
  });
});
