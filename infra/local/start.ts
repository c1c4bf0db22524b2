/**
 * `npm start`: the whole service on this machine. Prints where everything is, then runs until Ctrl-C, when it
 * stops every part (moto's process included) before exiting.
 */
import { startLocalRuntime } from './runtime';

const port = Number(process.env.PORT ?? 3000);
const chainPort = Number(process.env.CHAIN_PORT ?? 8545);

const runtime = await startLocalRuntime({
  apiPort: port,
  chainPort,
  awsEndpoint: process.env.AWS_ENDPOINT_URL || undefined,
  log: (line) => console.log(line),
});

const lines = [
  '',
  'stablefee is running',
  `  API            ${runtime.apiUrl}   (try ${runtime.apiUrl}/v1/health)`,
  `  dev tokens     POST ${runtime.apiUrl}/dev/tokens {"role":"ministry","ministry":"AFSA"}`,
  `  chain RPC      ${runtime.chain.rpcUrl} (chain ${runtime.chain.chainId})`,
  ...runtime.chain.tokens.map((t) => `  token ${t.symbol.padEnd(8)} ${t.address} (${t.decimals} decimals)`),
  `  funded payers  Hardhat accounts 1..9, e.g. ${runtime.chain.payers[0]}`,
  `  AWS emulator   ${runtime.aws.endpoint}`,
  `  registry mock  ${runtime.registry.url}`,
  '',
  'Ctrl-C stops everything.',
];
console.log(lines.join('\n'));

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await runtime.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
