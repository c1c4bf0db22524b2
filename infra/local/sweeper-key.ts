/**
 * The local sweeper's gas key: Hardhat account 18 from Hardhat's public test mnemonic (funded with test ether at
 * start like every account). Never a payer (1..9), the deployer (0) or custody (19): it pays gas and holds no token.
 */
import { HDNodeWallet, Mnemonic } from 'ethers';

/** Hardhat's default, public test mnemonic: its keys are known to everyone and worthless off a local chain. */
const HARDHAT_TEST_MNEMONIC = 'test test test test test test test test test test test junk';

/** The Hardhat account index the local sweeper signs with. */
export const SWEEPER_ACCOUNT = 18;

/** The private key of Hardhat account `index` (m/44'/60'/0'/0/index). */
export function hardhatAccountKey(index: number): { privateKey: string; address: string } {
  const wallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_TEST_MNEMONIC), `m/44'/60'/0'/0/${index}`);
  return { privateKey: wallet.privateKey, address: wallet.address };
}
