/**
 * `stablefee deploy-factory` against a Hardhat chain: the factory is the deployer's first contract (the same address
 * on every chain for one key), names the custody asked for, and a second run deploys nothing. Refused: a deployer
 * that has sent a transaction without deploying the factory first (its factory would sit elsewhere on this chain),
 * and an existing first contract that is not a factory for this custody. The command itself runs once, as an
 * operator would run it (bin/stablefee.js, key in the environment).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { getCreateAddress, parseEther, Wallet } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { startChain } from '../../infra/local/chain';
import { deployFactory, FactoryDeploymentError } from '../../tools/deploy-factory';

const chain = await startChain({ port: 0, blockIntervalMs: 1_000 });
const [funderAddress] = (await chain.provider.send('eth_accounts', [])) as string[];
const funder = await chain.provider.getSigner(funderAddress);

afterAll(async () => {
  await chain.close();
});

/** A key that has sent nothing yet, with gas. */
async function freshDeployer() {
  const wallet = Wallet.createRandom().connect(chain.provider);
  await (await funder.sendTransaction({ to: wallet.address, value: parseEther('1') })).wait();
  return wallet;
}

describe('deploy-factory', () => {
  it("deploys the factory as the deployer's first contract, and a second run finds it and sends nothing", async () => {
    const deployer = await freshDeployer();
    const custody = Wallet.createRandom().address;
    const first = await deployFactory(deployer, chain.provider, custody);
    expect(first).toMatchObject({
      factory: getCreateAddress({ from: deployer.address, nonce: 0 }),
      custody,
      deployed: true,
    });
    const again = await deployFactory(deployer, chain.provider, custody);
    expect(again).toEqual({ ...first, deployed: false });
    expect(await chain.provider.getTransactionCount(deployer.address)).toBe(1);

    // Asked again for another custody, the existing factory is refused, not redeployed.
    await expect(deployFactory(deployer, chain.provider, Wallet.createRandom().address)).rejects.toThrow(
      FactoryDeploymentError,
    );
  });

  it('refuses a deployer that has already sent a transaction (its factory would not be at its nonce-0 address)', async () => {
    const deployer = await freshDeployer();
    await (await deployer.sendTransaction({ to: funderAddress, value: 1n })).wait();
    await expect(deployFactory(deployer, chain.provider, Wallet.createRandom().address)).rejects.toThrow(
      /has sent 1 transaction/,
    );
    expect(await chain.provider.getTransactionCount(deployer.address)).toBe(1);
  });

  it('runs as an operator runs it: the key from the environment, the addresses printed', async () => {
    const deployer = await freshDeployer();
    const custody = Wallet.createRandom().address;
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['bin/stablefee.js', 'deploy-factory', ...args], {
        env: { ...process.env, STABLEFEE_DEPLOYER_KEY: deployer.privateKey },
      });
    const { stdout } = await run(['--rpc', chain.rpcUrl, '--custody', custody]);
    expect(stdout).toContain(`deployed on chain ${chain.chainId}`);
    expect(stdout).toContain(`factory        ${getCreateAddress({ from: deployer.address, nonce: 0 })}`);
    expect(stdout).toContain(`custody        ${custody}`);
    expect(stdout).not.toContain(deployer.privateKey.slice(2));
    await expect(run(['--rpc', chain.rpcUrl])).rejects.toMatchObject({ code: 2 });
    await expect(run(['--rpc', chain.rpcUrl, '--custody', '0x1234'])).rejects.toMatchObject({ code: 2 });
  });
});
