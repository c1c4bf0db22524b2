/**
 * Deploying a chain's DepositFactory (contracts/DepositFactory.sol, docs/custody.md) for operators:
 * `stablefee deploy-factory --rpc <url> --custody <address>`.
 *
 * An invoice has one deposit address on every chain, so the factory must sit at the same address on each: it is the
 * deployer's FIRST contract (CREATE at nonce 0), deployed from a key that has sent nothing on any chain. The command
 * is safe to run twice: when the deployer's first contract already exists it checks that it is a factory for this
 * custody and deploys nothing. It refuses a deployer that has sent transactions without deploying the factory first.
 */
import {
  Contract,
  ContractFactory,
  getAddress,
  getCreateAddress,
  type Provider,
  type Signer,
  ZeroAddress,
} from 'ethers';
import { compileContract } from '../infra/local/contracts';
import { forwarderImplementation } from '../shared/domain/forwarder-address';

export interface FactoryDeployment {
  chainId: bigint;
  factory: string;
  implementation: string;
  custody: string;
  /** False when the deployer's first contract was already this factory (nothing sent). */
  deployed: boolean;
}

/** A refusal: the deployment would not give the factory its expected address or custody. */
export class FactoryDeploymentError extends Error {}

/** Deploys (or finds) the deployer's first contract as the DepositFactory for `custody`, and checks it on chain. */
export async function deployFactory(deployer: Signer, provider: Provider, custody: string): Promise<FactoryDeployment> {
  const custodyAddress = getAddress(custody);
  if (custodyAddress === ZeroAddress) throw new FactoryDeploymentError('custody must not be the zero address');
  const from = await deployer.getAddress();
  const factory = getCreateAddress({ from, nonce: 0 });
  const { chainId } = await provider.getNetwork();
  const existing = await provider.getCode(factory);
  if (existing === '0x') {
    const nonce = await provider.getTransactionCount(from, 'latest');
    if (nonce !== 0) {
      throw new FactoryDeploymentError(
        `deployer ${from} has sent ${nonce} transaction(s) on chain ${chainId} and its first contract is not a factory: the factory would not be at the same address on every chain; use a key that has sent nothing`,
      );
    }
    const { abi, bytecode } = compileContract('DepositFactory');
    const contract = await new ContractFactory(abi as never, bytecode, deployer).deploy(custodyAddress);
    await contract.waitForDeployment();
  }
  const found = await readFactory(provider, factory);
  if (found.custody !== custodyAddress || found.implementation !== forwarderImplementation(factory)) {
    throw new FactoryDeploymentError(
      `the contract at ${factory} (deployer ${from}'s first) is not a DepositFactory for custody ${custodyAddress} (it names custody ${found.custody})`,
    );
  }
  return {
    chainId,
    factory,
    implementation: found.implementation,
    custody: found.custody,
    deployed: existing === '0x',
  };
}

/** The custody and implementation a deployed factory names (a contract that is not one answers neither). */
async function readFactory(provider: Provider, factory: string): Promise<{ custody: string; implementation: string }> {
  const contract = new Contract(factory, compileContract('DepositFactory').abi as never, provider);
  try {
    const [custody, implementation] = await Promise.all([
      contract.getFunction('custody').staticCall(),
      contract.getFunction('implementation').staticCall(),
    ]);
    return { custody: getAddress(custody as string), implementation: getAddress(implementation as string) };
  } catch {
    return { custody: ZeroAddress, implementation: ZeroAddress };
  }
}
