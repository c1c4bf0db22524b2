/**
 * `npm start`: the whole service on this machine. Prints where everything is, then runs until Ctrl-C, when it
 * stops every part (moto's process included) before exiting.
 */
import { webhookSecretEnv } from '../../shared/adapters/providers/secrets';
import { startLocalRuntime } from './runtime';

const port = Number(process.env.PORT ?? 3000);
const chainPort = Number(process.env.CHAIN_PORT ?? 8545);

// Read before the runtime starts: it puts every secret (a random one for each not given) into process.env.
const givenWebhookSecrets = Object.values(webhookSecretEnv).filter((name) => process.env[name]?.trim());

const runtime = await startLocalRuntime({
  apiPort: port,
  chainPort,
  awsEndpoint: process.env.AWS_ENDPOINT_URL || undefined,
  webhookSecretsFrom: process.env,
  log: (line) => console.log(line),
});

/** A sample AFSA invoice, so there is a payment page to open right away. */
async function sampleInvoiceLink(): Promise<string> {
  try {
    const token = await runtime.issuer.issue({ role: 'ministry', ministry: 'AFSA' });
    const response = await fetch(`${runtime.apiUrl}/v1/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        feeCode: 'AFSA-SUP-PMS',
        payer: { bin: '940140000385', name: 'Sample Firm LLP' },
        expiresInMinutes: 24 * 60,
      }),
    });
    const invoice = (await response.json()) as { payUrl?: string };
    return invoice.payUrl ?? `(sample invoice failed: HTTP ${response.status})`;
  } catch (error) {
    return `(sample invoice failed: ${String(error)})`;
  }
}

/** Which provider signing secrets came from the environment; the others are random for this run. */
function webhookSecretsLine(): string {
  return givenWebhookSecrets.length
    ? `${givenWebhookSecrets.join(', ')} from the environment (POST ${runtime.apiUrl}/v1/webhooks/{provider})`
    : 'random; set WEBHOOK_SECRET_ALCHEMY, _MORALIS or _QUICKNODE to sign deliveries by hand';
}

const invoiceLink = await sampleInvoiceLink();
// `pay` defaults to the usual local RPC port; another port must be named.
const rpcOption = runtime.chain.rpcUrl === 'http://127.0.0.1:8545' ? '' : ` --rpc ${runtime.chain.rpcUrl}`;
const lines = [
  '',
  'stablefee is running',
  `  API            ${runtime.apiUrl}   (try ${runtime.apiUrl}/v1/health)`,
  `  console        ${runtime.apiUrl}/console/   (sign in with any role on its dev page)`,
  `  dev tokens     POST ${runtime.apiUrl}/dev/tokens {"role":"ministry","ministry":"AFSA"}`,
  `  chain RPC      ${runtime.chain.rpcUrl} (chain ${runtime.chain.chainId})`,
  ...runtime.chain.tokens.map((t) => `  token ${t.symbol.padEnd(8)} ${t.address} (${t.decimals} decimals)`),
  `  funded payers  Hardhat accounts 1..9, e.g. ${runtime.chain.payers[0]}`,
  `  factory        ${runtime.chain.depositFactory} (DepositFactory: invoices get forwarder deposit addresses)`,
  `  custody        ${runtime.chain.custody} (Hardhat account 19: swept money arrives here)`,
  `  sweeper        gas from Hardhat account 18; sweeps final payments to custody every few seconds`,
  `  AWS emulator   ${runtime.aws.endpoint}`,
  `  registry mock  ${runtime.registry.url}`,
  `  mail sink      ${runtime.mail.smtpUrl} (payers' mail; read it at ${runtime.apiUrl}/dev/mail)`,
  `  custodian mock ${runtime.custodian.url} (executes approved refunds from custody; POST /settlements converts and answers a settlement report and camt.053)`,
  `  webhook keys   ${webhookSecretsLine()}`,
  `  invoice link   ${invoiceLink}`,
  `  pay it         npx stablefee pay ${invoiceLink} [--token USDC] [--amount 100] [--payer 1..9]${rpcOption}`,
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
