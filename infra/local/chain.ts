/**
 * The local EVM chain: Hardhat 2 in-process on loopback (chain 31337), mining a block every second as well as on
 * each transaction, with the test stablecoins deployed, Hardhat's standard accounts 1..9 funded with each, and a
 * DepositFactory (contracts/) whose custody is account 19, which pays nothing, so its balance is what was swept.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractFactory, Contract as EthersContract, getAddress, JsonRpcProvider, type JsonRpcSigner } from 'ethers';
import { compileContract, compileTestToken } from './contracts';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** A token the local runtime deploys. */
export interface LocalToken {
  address: string;
  symbol: string;
  name: string;
  decimals: number;
}

export interface LocalChain {
  chainId: number;
  rpcUrl: string;
  tokens: LocalToken[];
  /** Hardhat's standard accounts 1..9, each funded with every token. */
  payers: string[];
  /** The DepositFactory deployed at start by account 0: invoices' forwarder deposit addresses are its clones. */
  depositFactory: string;
  /** The factory's custody (EIP-55): Hardhat account 19, never a payer, holding no token at start. */
  custody: string;
  /** A provider set up the way Hardhat needs (no caching, static network). */
  provider: JsonRpcProvider;
  close(): Promise<void>;
}

/** The tokens deployed on the local chain, in deployment order (so their addresses are deterministic). */
export const LOCAL_TOKEN_SPECS = [
  // Like Ethereum's USDT, its `transfer` returns nothing (contracts/TetherLikeToken.sol), so every path that moves it
  // (payers, the sweep, refunds) meets the real token's quirk locally.
  { name: 'Tether-like USD', symbol: 'USDT', decimals: 6, contract: 'TetherLikeToken' },
  { name: 'Test USD Coin', symbol: 'USDC', decimals: 6, contract: 'TestToken' },
  { name: 'Test USD 18', symbol: 'USD18', decimals: 18, contract: 'TestToken' },
] as const;

/** The Hardhat account that is the local deposit factory's custody (the config has 20 accounts, 0..19). */
const CUSTODY_ACCOUNT = 19;

/** How much of each token every payer account holds at start: one million tokens. */
const FUNDING_TOKENS = 1_000_000n;

interface JsonRpcServerLike {
  listen(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

/** Starts the chain on `port` (0 = any free port) and deploys and funds the test tokens. */
export async function startChain(options: { port?: number; blockIntervalMs?: number } = {}): Promise<LocalChain> {
  process.env.HARDHAT_CONFIG = join(here, 'hardhat.config.cjs');
  process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = 'true';
  process.env.STABLEFEE_BLOCK_INTERVAL_MS = String(options.blockIntervalMs ?? 1000);
  const hre = require('hardhat') as { network: { provider: unknown } };
  const { JsonRpcServer } = require('hardhat/internal/hardhat-network/jsonrpc/server') as {
    JsonRpcServer: new (config: { hostname: string; port: number; provider: unknown }) => JsonRpcServerLike;
  };
  const server = new JsonRpcServer({ hostname: '127.0.0.1', port: options.port ?? 0, provider: hre.network.provider });
  const { port } = await server.listen();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const provider = new JsonRpcProvider(rpcUrl, 31337, { cacheTimeout: -1, staticNetwork: true, polling: true });
  provider.pollingInterval = 250;

  const accounts = (await provider.send('eth_accounts', [])) as string[];
  const deployer = await provider.getSigner(accounts[0]);
  const payers = accounts.slice(1, 10);
  const tokens = await deployTokens(deployer);
  await fund(deployer, tokens, payers);
  const custodyAccount = accounts[CUSTODY_ACCOUNT];
  if (!custodyAccount) throw new Error(`the local chain has no account ${CUSTODY_ACCOUNT} for custody`);
  const custody = getAddress(custodyAccount);
  // After the tokens, so their addresses stay where they were before the factory existed.
  const depositFactory = await deployDepositFactory(deployer, custody);

  return {
    chainId: 31337,
    rpcUrl,
    tokens,
    payers,
    depositFactory,
    custody,
    provider,
    close: async () => {
      provider.destroy();
      await server.close();
    },
  };
}

async function deployTokens(deployer: JsonRpcSigner): Promise<LocalToken[]> {
  const tokens: LocalToken[] = [];
  for (const { contract: contractName, ...spec } of LOCAL_TOKEN_SPECS) {
    const { abi, bytecode } = compileContract(contractName);
    const factory = new ContractFactory(abi as never, bytecode, deployer);
    // The Tether-like token fixes its name, symbol and decimals (USDT's are constants too).
    const args = contractName === 'TestToken' ? [spec.name, spec.symbol, spec.decimals] : [];
    const contract = await factory.deploy(...args);
    await contract.waitForDeployment();
    tokens.push({ ...spec, address: await contract.getAddress() });
  }
  return tokens;
}

async function deployDepositFactory(deployer: JsonRpcSigner, custody: string): Promise<string> {
  const { abi, bytecode } = compileContract('DepositFactory');
  const contract = await new ContractFactory(abi as never, bytecode, deployer).deploy(custody);
  await contract.waitForDeployment();
  return contract.getAddress();
}

async function fund(deployer: JsonRpcSigner, tokens: LocalToken[], payers: string[]): Promise<void> {
  const { abi } = compileTestToken();
  let nonce = await deployer.getNonce();
  const sent = [];
  for (const token of tokens) {
    const contract = new EthersContract(token.address, abi as never, deployer);
    const amount = FUNDING_TOKENS * 10n ** BigInt(token.decimals);
    for (const payer of payers) {
      const mint = contract.getFunction('mint');
      sent.push(await mint.send(payer, amount, { nonce: nonce++ }));
    }
  }
  await Promise.all(sent.map((tx) => tx.wait()));
}
