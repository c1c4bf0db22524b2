/**
 * Compiles the local chain's test token with solc-js (Hardhat's own compile task downloads a compiler, which an
 * offline machine cannot do). The result is cached by source hash under node_modules/.cache.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CompiledContract {
  abi: unknown[];
  bytecode: string;
}

/** The TestToken contract (ERC-20 with chosen decimals and open minting), compiled. */
export function compileTestToken(): CompiledContract {
  const source = readFileSync(join(root, 'contracts', 'TestToken.sol'), 'utf8');
  const solcVersion = (require('solc/package.json') as { version: string }).version;
  const key = createHash('sha256').update(solcVersion).update(source).digest('hex').slice(0, 16);
  const cacheFile = join(root, 'node_modules', '.cache', 'stablefee', `TestToken-${key}.json`);
  try {
    return JSON.parse(readFileSync(cacheFile, 'utf8')) as CompiledContract;
  } catch {
    // not cached yet
  }
  const solc = require('solc') as { compile(input: string, callbacks: object): string };
  const input = {
    language: 'Solidity',
    sources: { 'TestToken.sol': { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const findImports = (path: string) => {
    try {
      return { contents: readFileSync(require.resolve(path), 'utf8') };
    } catch (error) {
      return { error: String(error) };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const contract = output.contracts?.['TestToken.sol']?.TestToken;
  if (!contract) throw new Error('solc produced no TestToken');
  const compiled = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(compiled));
  return compiled;
}
