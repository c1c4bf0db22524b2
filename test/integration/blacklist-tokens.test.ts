/**
 * The local chain's test stablecoins carry their issuers' blacklists: the USDT stand-in Tether's (`addBlackList`,
 * `removeBlackList`, `isBlackListed`, events `AddedBlackList(address)`/`RemovedBlackList(address)` with the address
 * in the data), the USDC stand-in Circle's (`blacklist`, `unBlacklist`, `isBlacklisted`, events
 * `Blacklisted(address indexed)`/`UnBlacklisted(address indexed)`), changed only by the deployer (account 0).
 */
import { type Contract, ContractFactory, id, Wallet, zeroPadValue } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { startChain } from '../../infra/local/chain';
import { type ContractName, compileContract } from '../../infra/local/contracts';

// Blocks only when a transaction is sent: each call's receipt is at hand at once.
const chain = await startChain({ port: 0, blockIntervalMs: 3_600_000 });
await chain.provider.send('evm_setIntervalMining', [0]);
afterAll(() => chain.close());

const accounts = (await chain.provider.send('eth_accounts', [])) as string[];
const deployer = await chain.provider.getSigner(accounts[0]);
const stranger = await chain.provider.getSigner(accounts[1]);

async function deploy(name: ContractName, ...args: unknown[]): Promise<Contract> {
  const { abi, bytecode } = compileContract(name);
  const contract = await new ContractFactory(abi as never, bytecode, deployer).deploy(...args);
  await contract.waitForDeployment();
  return contract as Contract;
}

const styles = [
  {
    style: 'USDT (TetherLikeToken)',
    deploy: () => deploy('TetherLikeToken'),
    add: 'addBlackList',
    remove: 'removeBlackList',
    read: 'isBlackListed',
    added: 'AddedBlackList(address)',
    removed: 'RemovedBlackList(address)',
    indexed: false,
  },
  {
    style: 'USDC (TestToken)',
    deploy: () => deploy('TestToken', 'Test USD Coin', 'USDC', 6),
    add: 'blacklist',
    remove: 'unBlacklist',
    read: 'isBlacklisted',
    added: 'Blacklisted(address)',
    removed: 'UnBlacklisted(address)',
    indexed: true,
  },
] as const;

describe.each(styles)('$style blacklist', (s) => {
  it('the deployer adds and removes, emitting the issuer’s events; the address cannot send while listed', async () => {
    const token = await s.deploy();
    const frozen = Wallet.createRandom().address;
    await (await token.getFunction('mint')(accounts[2], 10n)).wait();
    const add = await (await token.getFunction(s.add)(accounts[2])).wait();
    expect(await token.getFunction(s.read)(accounts[2])).toBe(true);
    const [log] = add.logs;
    const topic = zeroPadValue(accounts[2] as string, 32).toLowerCase();
    expect(log.topics[0]).toBe(id(s.added));
    // USDT puts the address in the data, USDC in an indexed topic: the watcher reads both.
    if (s.indexed) expect(log.topics[1]).toBe(topic);
    else expect(log.data.toLowerCase()).toBe(topic);
    const sender = token.connect(await chain.provider.getSigner(accounts[2])) as Contract;
    await expect(sender.getFunction('transfer')(frozen, 1n)).rejects.toThrow();
    const remove = await (await token.getFunction(s.remove)(accounts[2])).wait();
    expect(remove.logs[0].topics[0]).toBe(id(s.removed));
    expect(await token.getFunction(s.read)(accounts[2])).toBe(false);
    await (await sender.getFunction('transfer')(frozen, 1n)).wait();
    expect(await token.getFunction('balanceOf')(frozen)).toBe(1n);
  });

  it('refuses anyone but the deployer', async () => {
    const token = (await s.deploy()).connect(stranger) as Contract;
    await expect(token.getFunction(s.add)(accounts[3])).rejects.toThrow();
    await expect(token.getFunction(s.remove)(accounts[3])).rejects.toThrow();
    expect(await token.getFunction(s.read)(accounts[3])).toBe(false);
  });
});
