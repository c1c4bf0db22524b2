/**
 * Configuration, read from the environment and validated once at module load. Resource locations come from the
 * deployment (CDK in the cloud, the local runtime on a laptop) under the names declared in infra/topology.ts.
 * A function asks only for what it uses; a missing value fails loudly at the first use, naming the variable.
 */
import { getAddress, ZeroAddress } from 'ethers';
import * as z from 'zod';
import { type BucketName, type QueueName, resourceEnv } from '../resources';

/**
 * A contract address in configuration, EIP-55 checksummed by ethers `getAddress`, which also refuses a mixed-case
 * address whose checksum is wrong (a typo must not name another contract). Never the zero address.
 */
const contractAddressSchema = z.string().transform((text, ctx) => {
  try {
    const address = getAddress(text);
    if (address !== ZeroAddress) return address;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: `${text} is not a contract address (EIP-55 checksum, not zero)` });
  return z.NEVER;
});

/**
 * One entry of `CHAINS` (the `ChainsJson` parameter); an unknown key is refused, so a misspelt one is not ignored.
 * Its RPC endpoint is either `rpcUrl`, in the clear (a public or local node, or a key restricted by origin), or
 * `rpcUrlInSecret: true`: a keyed URL (Alchemy, Infura) kept in the RPC URL secret under the chain id
 * (shared/adapters/chain/rpc-urls.ts), so the key is in no parameter and no function configuration. Exactly one.
 */
export const chainEndpointSchema = z
  .strictObject({
    chainId: z.number().int().positive(),
    rpcUrl: z.url().optional(),
    rpcUrlInSecret: z.literal(true).optional(),
    /** The chain's deployed DepositFactory: invoices then use forwarder deposit addresses (docs/custody.md). */
    depositFactory: contractAddressSchema.optional(),
  })
  .refine((entry) => (entry.rpcUrl === undefined) !== (entry.rpcUrlInSecret === undefined), {
    message: 'give exactly one of rpcUrl (in the clear) and rpcUrlInSecret: true (the URL is in the RPC URL secret)',
  });

/**
 * One enabled chain as deployment configuration: where to reach it and, optionally, its deposit factory. Tokens and
 * finality live in shared/domain/chains.
 */
export type ChainEndpoint = z.infer<typeof chainEndpointSchema>;

const envSchema = z.object({
  STAGE: z.enum(['local', 'cloud']).default('cloud'),
  CHAINS: z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      try {
        return z.array(chainEndpointSchema).parse(JSON.parse(text));
      } catch (error) {
        // Node's JSON syntax errors quote the text around the fault, which may be an RPC URL: never repeated here.
        const detail = error instanceof z.ZodError ? z.prettifyError(error) : 'not valid JSON';
        ctx.addIssue({
          code: 'custom',
          message: `CHAINS is not a JSON array of {chainId, rpcUrl | rpcUrlInSecret, depositFactory?}: ${detail}`,
        });
        return z.NEVER;
      }
    }),
});

const env = envSchema.parse(process.env);

/** Where payers open invoice links: the API's public origin. */
export const publicBaseUrl = (): string => required('PUBLIC_BASE_URL').replace(/\/$/, '');

/** The account-level xpub (m/44'/60'/0') deposit addresses are derived from. Public key only. */
export const depositXpub = (): string => required('DEPOSIT_XPUB');

/** Deployment stage: `local` enables dev-only conveniences; nothing dev-only runs in `cloud`. */
export const stage = env.STAGE;

/** Chains this deployment watches, with their RPC endpoints (a URL, or where in the RPC URL secret it is). */
export const chainEndpoints: readonly ChainEndpoint[] = env.CHAINS;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Configuration ${name} is not set for this function (see infra/topology.ts).`);
  return value;
}

/** The single table's name. */
export const tableName = (): string => required(resourceEnv.table);
/** A queue's URL. */
export const queueUrl = (queue: QueueName): string => required(resourceEnv.queueUrl(queue));
/** A queue's dead-letter queue URL. */
export const dlqUrl = (queue: QueueName): string => required(resourceEnv.dlqUrl(queue));
/** A bucket's name. */
export const bucketName = (bucket: BucketName): string => required(resourceEnv.bucket(bucket));

/**
 * Mail to payers: the sender (`MAIL_FROM`, an SES verified identity in the cloud) and, locally or with a relay, the
 * SMTP server (`MAIL_SMTP_URL`); undefined when `MAIL_FROM` is unset, and then no mail is sent or queued.
 */
export function mailConfig(): { from: string; smtpUrl?: string } | undefined {
  const from = process.env.MAIL_FROM?.trim();
  if (!from) return undefined;
  const smtpUrl = process.env.MAIL_SMTP_URL?.trim();
  return { from, ...(smtpUrl ? { smtpUrl } : {}) };
}
