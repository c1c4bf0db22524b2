/**
 * `stablefee` — offline checks for auditors and payers, the deposit factory's deployment for operators, and local
 * payments for developers.
 *
 *   stablefee verify-export <dir> [--signer 0x…] [--api https://…]
 *   stablefee verify-receipt <file> [--signer 0x…] [--api https://…]
 *   stablefee deploy-factory --rpc <url> --custody 0x… [--unlocked 0x…]
 *   stablefee pay <invoice link> [--token USDT] [--amount 12.50] [--payer 1..9] [--rpc <local node>]
 *   stablefee gas-address --key <KMS key id or ARN>
 *
 * `pay` pays an invoice from one of the local chain's funded accounts, and refuses any other chain (tools/pay.ts).
 *
 * `gas-address` prints the Ethereum address of the sweeper's KMS gas key (the stack's SweeperGasKeyArn output), the
 * address operators fund with gas on every chain; it needs the operator's AWS credentials with kms:GetPublicKey.
 *
 * `deploy-factory` signs with the key in STABLEFEE_DEPLOYER_KEY (never an argument: shell history keeps those), or
 * with an account the node holds unlocked (`--unlocked`, a local Hardhat node); see tools/deploy-factory.ts.
 *
 * `--signer` is the published receipt signer (`GET /v1/health` answers it as `signer`); `--api` fetches it from a
 * deployment's health endpoint instead. Without either nothing verifies (exit 1): a forged document re-signed with
 * any key is valid against the signer it names. Exit code 0 when everything verifies, 1 on any problem, 2 on a usage
 * error. On a failure the problems come first, then what was checked.
 */
import { formatUnits, getAddress, isAddress, JsonRpcProvider, Wallet } from 'ethers';
import { deployFactory, FactoryDeploymentError } from './deploy-factory';
import { PayRefusal, payInvoice } from './pay';
import { type VerifyReport, verifyExportDir, verifyReceiptFile } from './verify-export';

const USAGE = `usage:
  stablefee verify-export <dir> [--signer 0x…] [--api https://api.example]
  stablefee verify-receipt <file> [--signer 0x…] [--api https://api.example]
  STABLEFEE_DEPLOYER_KEY=0x… stablefee deploy-factory --rpc https://rpc.example --custody 0x…
  stablefee deploy-factory --rpc http://127.0.0.1:8545 --custody 0x… --unlocked 0x…
  stablefee pay http://localhost:3000/pay/<id> [--token USDT] [--amount 12.50] [--payer 1..9] [--rpc http://127.0.0.1:8545]
  stablefee gas-address --key arn:aws:kms:…`;

function usage(message?: string): never {
  if (message) process.stderr.write(`${message}\n`);
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

/** `--name value` or `--name=value` options of `args`; anything else is a usage error. */
function options(args: string[], names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const name = names.find((n) => arg === `--${n}` || arg.startsWith(`--${n}=`));
    if (!name) usage(arg === '--help' || arg === '-h' ? undefined : `unknown argument ${arg}`);
    out[name] = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (args[++i] ?? usage(`--${name} needs a value`));
  }
  return out;
}

async function deployFactoryCommand(args: string[]): Promise<number> {
  const { rpc, custody, unlocked } = options(args, ['rpc', 'custody', 'unlocked']);
  if (!rpc || !custody) usage('deploy-factory needs --rpc and --custody');
  if (!isAddress(custody)) usage(`--custody ${custody} is not an address`);
  const provider = new JsonRpcProvider(rpc, undefined, { cacheTimeout: -1 });
  const key = process.env.STABLEFEE_DEPLOYER_KEY;
  if (!key && !unlocked) usage('deploy-factory signs with STABLEFEE_DEPLOYER_KEY, or --unlocked <account of the node>');
  const deployer = key ? new Wallet(key, provider) : await provider.getSigner(unlocked);
  try {
    const d = await deployFactory(deployer, provider, custody);
    process.stdout.write(
      `${d.deployed ? 'deployed' : 'already deployed'} on chain ${d.chainId}\n` +
        `factory        ${d.factory}\nimplementation ${d.implementation}\ncustody        ${d.custody}\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof FactoryDeploymentError)) throw error;
    process.stderr.write(`refused: ${error.message}\n`);
    return 1;
  } finally {
    provider.destroy();
  }
}

async function payCommand(args: string[]): Promise<number> {
  const [link, ...rest] = args;
  if (!link || link.startsWith('--')) usage('pay needs the invoice link');
  const { token, amount, payer, rpc } = options(rest, ['token', 'amount', 'payer', 'rpc']);
  try {
    const paid = await payInvoice({ link, token, amount, rpc, payer: payer === undefined ? undefined : Number(payer) });
    process.stdout.write(
      `paid ${formatUnits(paid.amount, paid.decimals)} ${paid.symbol} to ${paid.to} from local account ${paid.from}\n` +
        `tx ${paid.txHash}\nthe invoice page follows it live: ${link}\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof PayRefusal)) throw error;
    process.stderr.write(`refused: ${error.message}\n`);
    return 1;
  }
}

/** Prints the address of a KMS secp256k1 key (the sweeper's gas key), read with GetPublicKey. */
async function gasAddressCommand(args: string[]): Promise<number> {
  const { key } = options(args, ['key']);
  if (!key) usage('gas-address needs --key <KMS key id or ARN>');
  const { KMSClient } = await import('@aws-sdk/client-kms');
  const { KmsSigner } = await import('../shared/adapters/signing/key-signers');
  const client = new KMSClient({});
  try {
    process.stdout.write(`${await new KmsSigner({ keyId: key, client }).address()}\n`);
    return 0;
  } finally {
    client.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'deploy-factory') return deployFactoryCommand(rest);
  if (command === 'pay') return payCommand(rest);
  if (command === 'gas-address') return gasAddressCommand(rest);
  const positional: string[] = [];
  let signer: string | undefined;
  let api: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--signer') signer = rest[++i];
    else if (arg.startsWith('--signer=')) signer = arg.slice('--signer='.length);
    else if (arg === '--api') api = rest[++i];
    else if (arg.startsWith('--api=')) api = arg.slice('--api='.length);
    else if (arg === '--help' || arg === '-h') usage();
    else if (arg.startsWith('--')) usage(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (!command || positional.length !== 1) usage();
  if (signer !== undefined) {
    try {
      signer = getAddress(signer);
    } catch {
      usage(`--signer ${signer} is not an address`);
    }
  } else if (api) {
    const health = await fetch(`${api.replace(/\/$/, '')}/v1/health`);
    const body = (await health.json().catch(() => ({}))) as { signer?: string };
    if (!body.signer) {
      process.stderr.write(`${api}/v1/health publishes no signer (HTTP ${health.status})\n`);
      return 1;
    }
    signer = getAddress(body.signer);
  }
  let report: VerifyReport;
  if (command === 'verify-export') report = await verifyExportDir(positional[0] as string, { expectedSigner: signer });
  else if (command === 'verify-receipt') {
    report = await verifyReceiptFile(positional[0] as string, { expectedSigner: signer });
  } else usage(`unknown command ${command}`);
  if (report.ok) {
    for (const note of report.notes) process.stdout.write(`  ${note}\n`);
    process.stdout.write(`OK: ${positional[0]} verifies\n`);
    return 0;
  }
  // The verdict first: nothing reassuring may be read above a failure.
  process.stderr.write(`FAILED: ${positional[0]} does not verify (${report.problems.length} problem(s)):\n`);
  for (const problem of report.problems) process.stderr.write(`  - ${problem}\n`);
  for (const note of report.notes) process.stderr.write(`  checked: ${note}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`stablefee: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
