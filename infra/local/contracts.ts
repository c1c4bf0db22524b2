/**
 * Compiles the contracts of contracts/ with solc-js (Hardhat's own compile task downloads a compiler, which an
 * offline machine cannot do). One compiler input holds every contracts/*.sol file, so one contract may import
 * another (`./DepositForwarder.sol`) and OpenZeppelin is found in node_modules. The output is cached under
 * node_modules/.cache by a hash of the compiler version, the settings and every source of contracts/.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const contractsDir = join(root, 'contracts');

export interface CompiledContract {
  abi: unknown[];
  bytecode: string;
}

/** The contracts of contracts/, each in the file of its name (`DepositFactory` in DepositFactory.sol). */
export type ContractName = 'TestToken' | 'TetherLikeToken' | 'DepositFactory' | 'DepositForwarder';

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  // Cancun: every chain the service supports (Ethereum, Polygon, Arbitrum, Base, BNB) runs it, so the factory's
  // bytecode is the same everywhere and its deposit addresses are too (they depend on the factory's address only).
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
};

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
};

let compiledInProcess: Record<string, CompiledContract> | undefined;

/** The contract `name` of contracts/`name`.sol, compiled (from the cache when its sources did not change). */
export function compileContract(name: ContractName): CompiledContract {
  compiledInProcess ??= compileAll();
  const contract = compiledInProcess[name];
  if (!contract) throw new Error(`solc produced no ${name}`);
  return contract;
}

/** The TestToken contract (ERC-20 with chosen decimals, open minting and a USDC-like blacklist), compiled. */
export function compileTestToken(): CompiledContract {
  return compileContract('TestToken');
}

function compileAll(): Record<string, CompiledContract> {
  const files = readdirSync(contractsDir)
    .filter((file) => file.endsWith('.sol'))
    .sort();
  const sources = Object.fromEntries(
    files.map((file) => [file, { content: readFileSync(join(contractsDir, file), 'utf8') }]),
  );
  const solcVersion = (require('solc/package.json') as { version: string }).version;
  const key = createHash('sha256').update(solcVersion).update(JSON.stringify({ SETTINGS, sources })).digest('hex');
  const cacheFile = join(root, 'node_modules', '.cache', 'stablefee', `contracts-${key.slice(0, 16)}.json`);
  try {
    return JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, CompiledContract>;
  } catch {
    // not cached yet
  }
  const solc = require('solc') as { compile(input: string, callbacks: object): string };
  // Only imports that are not in `sources` reach the callback: the OpenZeppelin ones, resolved in node_modules.
  const findImports = (path: string) => {
    try {
      return { contents: readFileSync(require.resolve(path), 'utf8') };
    } catch (error) {
      return { error: String(error) };
    }
  };
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const compiled: Record<string, CompiledContract> = {};
  for (const file of files) {
    for (const [name, contract] of Object.entries(output.contracts?.[file] ?? {})) {
      compiled[name] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
    }
  }
  mkdirSync(dirname(cacheFile), { recursive: true });
  // Written aside and renamed: test workers compiling at once never read a half-written cache file.
  const partFile = `${cacheFile}.${process.pid}.part`;
  writeFileSync(partFile, JSON.stringify(compiled));
  renameSync(partFile, cacheFile);
  return compiled;
}
