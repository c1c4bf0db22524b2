/**
 * The DepositFactory on a Hardhat chain (real EVM, real tokens): the off-chain prediction of a deposit address equals
 * the contract's view and the address the forwarder is deployed at; a sweep moves each address's whole balance of a
 * 6- or 18-decimal token, or of a token whose `transfer` returns nothing, to custody and nowhere else; an empty
 * address is skipped, so sweeping twice is a no-op; a frozen address does not block its batch; nobody can redirect
 * funds. Gas per sweep is asserted loosely (figures in docs/custody.md). Needs no moto: it is here because a chain
 * is a server, which unit tests never start.
 */
import { Contract, ContractFactory, type Interface, type JsonRpcSigner, type Log, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChain } from '../../infra/local/chain';
import { type ContractName, compileContract } from '../../infra/local/contracts';
import {
  forwarderAddress,
  forwarderImplementation,
  forwarderInitCode,
  forwarderSalt,
} from '../../shared/domain/forwarder-address';

// Blocks only when a transaction is sent, so balances are read exactly after each sweep.
const chain = await startChain({ port: 0, blockIntervalMs: 3_600_000 });
await chain.provider.send('evm_setIntervalMining', [0]);
const [deployerAddress] = (await chain.provider.send('eth_accounts', [])) as string[];
const deployer = await chain.provider.getSigner(deployerAddress);
const payer = await chain.provider.getSigner(chain.payers[0]);
const stranger = await chain.provider.getSigner(chain.payers[1]);
// A fresh address: it holds nothing at start, so its balance is exactly what was swept.
const custody = Wallet.createRandom().address;
const tokenAddress = (symbol: string) => chain.tokens.find((t) => t.symbol === symbol)?.address as string;
const USDT = tokenAddress('USDT');
const USD18 = tokenAddress('USD18');

let factory: Contract;
let factoryAddress: string;

afterAll(async () => {
  await chain.close();
});

beforeAll(async () => {
  factory = await deploy('DepositFactory', custody);
  factoryAddress = await factory.getAddress();
});

async function deploy(name: ContractName, ...args: unknown[]): Promise<Contract> {
  const { abi, bytecode } = compileContract(name);
  const contract = await new ContractFactory(abi as never, bytecode, deployer).deploy(...args);
  await contract.waitForDeployment();
  return contract as Contract;
}

const erc20 = (address: string, signer: JsonRpcSigner = payer) =>
  new Contract(address, compileContract('TestToken').abi as never, signer);

async function balance(token: string, holder: string): Promise<bigint> {
  return (await erc20(token).getFunction('balanceOf')(holder)) as bigint;
}

/** Pays `amount` of `token` to the deposit address of `invoiceId`; returns that address. */
async function pay(token: string, invoiceId: string, amount: bigint): Promise<string> {
  const to = forwarderAddress({ factory: factoryAddress }, invoiceId);
  await (await erc20(token).getFunction('transfer')(to, amount)).wait();
  return to;
}

/** Sends one sweep; returns its receipt's gas and the factory's decoded events. */
async function sweep(invoiceIds: string[], token: string) {
  const tx = await factory.getFunction('sweep')(invoiceIds.map(forwarderSalt), token);
  const receipt = await tx.wait();
  const events = receipt.logs
    .filter((log: Log) => log.address === factoryAddress)
    .map((log: Log) => (factory.interface as Interface).parseLog(log))
    .map((e: { name: string; args: { toObject(): Record<string, unknown> } }) => ({
      name: e.name,
      ...e.args.toObject(),
    }));
  return { gasUsed: receipt.gasUsed as bigint, events, logCount: receipt.logs.length as number };
}

let invoiceSeq = 0;
const newInvoiceId = () => `inv_factory-test-${String(++invoiceSeq)}`;
const newInvoiceIds = (n: number) => Array.from({ length: n }, newInvoiceId);

describe('deposit address prediction', () => {
  it('the TS prediction equals the contract view and the address the forwarder is deployed at', async () => {
    const invoiceId = newInvoiceId();
    const implementation = (await factory.getFunction('implementation')()) as string;
    expect(forwarderImplementation(factoryAddress)).toBe(implementation);
    const predicted = forwarderAddress({ factory: factoryAddress }, invoiceId);
    expect(forwarderAddress({ factory: factoryAddress, implementation }, invoiceId)).toBe(predicted);
    expect(await factory.getFunction('depositAddress')(forwarderSalt(invoiceId))).toBe(predicted);

    expect(await chain.provider.getCode(predicted)).toBe('0x');
    await pay(USDT, invoiceId, 1_000_000n);
    const { events } = await sweep([invoiceId], USDT);
    expect(events).toEqual([expect.objectContaining({ name: 'Swept', forwarder: predicted })]);
    // What is deployed there is the EIP-1167 clone the init code returns: its runtime part, after the 10-byte header.
    const runtime = `0x${forwarderInitCode(implementation).slice(2 + 20)}`;
    expect(await chain.provider.getCode(predicted)).toBe(runtime.toLowerCase());
  });
});

describe('sweep', () => {
  it.each([
    ['a 6-decimal token', 'USDT', 10n ** 6n],
    ['an 18-decimal token', 'USD18', 10n ** 18n],
  ])(
    'moves the whole balance of %s from several addresses to custody and skips an empty one',
    async (_, symbol, unit) => {
      const token = tokenAddress(symbol);
      const [a, b, c, empty] = [newInvoiceId(), newInvoiceId(), newInvoiceId(), newInvoiceId()];
      const amounts: [bigint, bigint, bigint] = [1234n * unit + 1n, 5n * unit, 7n];
      const addresses = [
        await pay(token, a, amounts[0]),
        await pay(token, b, amounts[1]),
        await pay(token, c, amounts[2]),
      ];
      const custodyBefore = await balance(token, custody);

      const { events } = await sweep([a, empty, b, c], token);

      expect(await balance(token, custody)).toBe(custodyBefore + amounts[0] + amounts[1] + amounts[2]);
      for (const address of addresses) expect(await balance(token, address)).toBe(0n);
      expect(events).toEqual(
        [a, b, c].map((id, i) => ({
          name: 'Swept',
          salt: forwarderSalt(id),
          forwarder: addresses[i],
          token,
          amount: amounts[i],
        })),
      );
      // The empty address was not deployed: nothing was spent on it.
      expect(await chain.provider.getCode(forwarderAddress({ factory: factoryAddress }, empty))).toBe('0x');
    },
  );

  it('a second sweep is a no-op: no transfer, no event, no revert', async () => {
    const [a, b] = [newInvoiceId(), newInvoiceId()];
    await pay(USDT, a, 300n);
    await pay(USDT, b, 400n);
    await sweep([a, b], USDT);
    const custodyBefore = await balance(USDT, custody);

    const again = await sweep([a, b], USDT);

    expect(again.logCount).toBe(0);
    expect(await balance(USDT, custody)).toBe(custodyBefore);
  });

  it('anyone may sweep, and the money still goes to custody, not to the caller', async () => {
    const invoiceId = newInvoiceId();
    const address = await pay(USDT, invoiceId, 777n);
    const [custodyBefore, strangerBefore] = [await balance(USDT, custody), await balance(USDT, stranger.address)];

    const asStranger = factory.connect(stranger) as Contract;
    await (await asStranger.getFunction('sweep')([forwarderSalt(invoiceId)], USDT)).wait();

    expect(await balance(USDT, custody)).toBe(custodyBefore + 777n);
    expect(await balance(USDT, stranger.address)).toBe(strangerBefore);
    expect(await balance(USDT, address)).toBe(0n);
  });

  it('a forwarder deployed by a first sweep receives more money, and the next sweep moves it', async () => {
    const invoiceId = newInvoiceId();
    const address = await pay(USD18, invoiceId, 10n ** 18n);
    await sweep([invoiceId], USD18);
    expect(await chain.provider.getCode(address)).not.toBe('0x');
    await pay(USD18, invoiceId, 2n * 10n ** 18n);
    const custodyBefore = await balance(USD18, custody);

    const { events } = await sweep([invoiceId], USD18);

    expect(events).toEqual([expect.objectContaining({ name: 'Swept', amount: 2n * 10n ** 18n })]);
    expect(await balance(USD18, custody)).toBe(custodyBefore + 2n * 10n ** 18n);
    expect(await balance(USD18, address)).toBe(0n);
  });

  it('works with a token whose transfer returns nothing (USDT on Ethereum), through SafeERC20', async () => {
    const tether = await deploy('TetherLikeToken');
    const tetherAddress = await tether.getAddress();
    const invoiceId = newInvoiceId();
    const address = forwarderAddress({ factory: factoryAddress }, invoiceId);
    await (await tether.getFunction('mint')(address, 99_000_000n)).wait();

    const { events } = await sweep([invoiceId], tetherAddress);

    expect(events).toEqual([expect.objectContaining({ name: 'Swept', amount: 99_000_000n })]);
    expect(await tether.getFunction('balanceOf')(custody)).toBe(99_000_000n);
    expect(await tether.getFunction('balanceOf')(address)).toBe(0n);
  });

  it.each([
    ['USDT-like (TetherLikeToken.addBlackList)', 'TetherLikeToken', 'addBlackList'],
    ['USDC-like (TestToken.blacklist)', 'TestToken', 'blacklist'],
  ] as const)('a frozen address, %s, is reported and does not block the rest of its batch', async (_, name, freeze) => {
    const token = await deploy(name, ...(name === 'TestToken' ? ['Frozen USD', 'FUSD', 6] : []));
    const address = await token.getAddress();
    const [frozen, fine] = [newInvoiceId(), newInvoiceId()];
    const frozenAddress = forwarderAddress({ factory: factoryAddress }, frozen);
    await (await token.getFunction('mint')(frozenAddress, 5n)).wait();
    await (await token.getFunction('mint')(forwarderAddress({ factory: factoryAddress }, fine), 6n)).wait();
    await (await token.getFunction(freeze)(frozenAddress)).wait();

    const { events } = await sweep([frozen, fine], address);

    expect(events.map((e: { name: string }) => e.name)).toEqual(['SweepFailed', 'Swept']);
    expect(await token.getFunction('balanceOf')(frozenAddress)).toBe(5n);
    expect(await token.getFunction('balanceOf')(custody)).toBe(6n);
  });
});

describe('nobody can redirect funds', () => {
  it('calling a deployed forwarder (or the implementation) directly from another account moves nothing', async () => {
    const invoiceId = newInvoiceId();
    const address = await pay(USDT, invoiceId, 10n);
    await sweep([invoiceId], USDT);
    await pay(USDT, invoiceId, 20n);
    const implementation = (await factory.getFunction('implementation')()) as string;
    const forwarderAbi = compileContract('DepositForwarder').abi as never;

    for (const target of [address, implementation]) {
      const forwarder = new Contract(target, forwarderAbi, stranger);
      await expect(forwarder.getFunction('sweep')(USDT)).rejects.toThrow(/NotFactory|revert/);
    }
    // Neither does sending it the native coin or arbitrary calldata (there is no fallback).
    await expect(stranger.sendTransaction({ to: address, value: 1n })).rejects.toThrow();
    await expect(stranger.sendTransaction({ to: address, data: '0xa9059cbb' })).rejects.toThrow();
    expect(await balance(USDT, address)).toBe(20n);
    expect(await new Contract(address, forwarderAbi, stranger).getFunction('custody')()).toBe(custody);
  });

  it('no function takes a destination and none changes custody: no owner, no setter, custody immutable', () => {
    const functions = (name: ContractName) =>
      (
        compileContract(name).abi as {
          type: string;
          name: string;
          stateMutability: string;
          inputs: { name: string }[];
        }[]
      )
        .filter((item) => item.type === 'function')
        .map((f) => `${f.name}(${f.inputs.map((i) => i.name).join(',')}) ${f.stateMutability}`)
        .sort();
    expect(functions('DepositFactory')).toEqual([
      'custody() view',
      'depositAddress(salt) view',
      'implementation() view',
      'sweep(salts,token) nonpayable',
    ]);
    expect(functions('DepositForwarder')).toEqual(['custody() view', 'factory() view', 'sweep(token) nonpayable']);
    const all = [...compileContract('DepositFactory').abi, ...compileContract('DepositForwarder').abi] as {
      type: string;
    }[];
    expect(all.some((item) => item.type === 'fallback' || item.type === 'receive')).toBe(false);
  });

  it('custody is what the constructor was given, and a zero custody is refused', async () => {
    expect(await factory.getFunction('custody')()).toBe(custody);
    await expect(deploy('DepositFactory', '0x0000000000000000000000000000000000000000')).rejects.toThrow(
      /ZeroCustody|revert/,
    );
  });
});

describe('gas (machine-independent; figures in docs/custody.md)', () => {
  it('sweeping 1 and N = 10 fresh addresses, and re-sweeping deployed ones, stays within loose bounds', async () => {
    const one = newInvoiceIds(1);
    const ten = newInvoiceIds(10);
    for (const id of [...one, ...ten]) await pay(USDT, id, 1_000n);
    const sweepOne = await sweep(one, USDT);
    const sweepTen = await sweep(ten, USDT);
    for (const id of ten) await pay(USDT, id, 1_000n);
    const resweepTen = await sweep(ten, USDT);
    const emptyTen = await sweep(ten, USDT);
    console.info(
      `DepositFactory gas: sweep of 1 fresh = ${sweepOne.gasUsed}, of 10 fresh = ${sweepTen.gasUsed}, ` +
        `of 10 deployed = ${resweepTen.gasUsed}, of 10 empty = ${emptyTen.gasUsed}`,
    );
    expect(sweepOne.gasUsed).toBeLessThan(150_000n);
    expect(sweepTen.gasUsed / 10n).toBeLessThan(110_000n);
    expect(resweepTen.gasUsed / 10n).toBeLessThan(60_000n);
    expect(emptyTen.gasUsed / 10n).toBeLessThan(10_000n);
  });
});
