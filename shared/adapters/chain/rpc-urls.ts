/**
 * Each enabled chain's RPC URL. A `CHAINS` entry gives it in the clear (`rpcUrl`: a public or local node), or says
 * `rpcUrlInSecret: true`: the URL carries an API key (Alchemy, Infura) and is kept in the RPC URL secret
 * (`RPC_URLS_SECRET_ARN`, the stack's `RpcUrlsSecret`: JSON `{"137": "https://polygon-mainnet.g.alchemy.com/v2/<key>"}`,
 * by chain id), granted only to the functions that read the chain (infra/topology.ts `secrets: ['rpcUrls']`).
 * Those URLs are read once per container, before its first invocation (shared/adapters/lambda.ts awaits
 * {@link rpcUrlsReady}), and never logged: errors about the secret name chain ids only, and the JSON-RPC clients
 * strip URLs from their errors (json-rpc-probe.ts `withoutRpcUrl`). Locally every URL is in the clear.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { secretArnEnv } from '../../resources';
import { secretsManager } from '../aws/secrets-manager';
import { type ChainEndpoint, chainEndpoints } from '../config';

/** The environment variable naming the RPC URL secret (set only on the functions granted it). */
export const RPC_URLS_SECRET_ARN_ENV = secretArnEnv.rpcUrls;

/** Reads a secret's string value by ARN. */
export type ReadSecretString = (arn: string) => Promise<string | undefined>;

const secrets = new SecretsProvider({ awsSdkV3Client: secretsManager });
const readSecretString: ReadSecretString = async (arn) => {
  const value = await secrets.get(arn);
  return typeof value === 'string' ? value : undefined;
};

const httpUrl = z.url({ protocol: /^https?$/ });

/** The URL for `chainId` in the secret's JSON text; the errors name the chain, never the text. */
function urlInSecret(text: string | undefined, chainId: number): string {
  let document: unknown;
  try {
    document = JSON.parse(text ?? '');
  } catch {
    // JSON's syntax errors quote the text: not repeated.
    throw new Error('the RPC URL secret is not a JSON object {"<chainId>": "https://…"}');
  }
  const value = document && typeof document === 'object' ? (document as Record<string, unknown>)[chainId] : undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new Error(`the RPC URL secret has no URL for chain ${chainId} (key "${chainId}")`);
  if (!httpUrl.safeParse(value.trim()).success)
    throw new Error(`the RPC URL secret's entry for chain ${chainId} is not an http(s) URL`);
  return value.trim();
}

/**
 * The RPC URL of every entry of `endpoints`, by chain id: an `rpcUrl` as given, an `rpcUrlInSecret` one read from
 * the secret `env` names (one read for all).
 * @throws when an entry keeps its URL in the secret and `env` names none, or the secret lacks a valid URL for it.
 */
export async function resolveRpcUrls(
  endpoints: readonly ChainEndpoint[],
  env: Record<string, string | undefined> = process.env,
  read: ReadSecretString = readSecretString,
): Promise<Map<number, string>> {
  const urls = new Map<number, string>();
  for (const { chainId, rpcUrl } of endpoints) if (rpcUrl) urls.set(chainId, rpcUrl);
  const kept = endpoints.filter((e) => e.rpcUrlInSecret).map((e) => e.chainId);
  if (kept.length === 0) return urls;
  const arn = env[RPC_URLS_SECRET_ARN_ENV];
  if (!arn) {
    throw new Error(
      `chain(s) ${kept.join(', ')} keep their RPC URL in the RPC URL secret, which this function is not given ` +
        `(${RPC_URLS_SECRET_ARN_ENV}; infra/topology.ts access.secrets 'rpcUrls')`,
    );
  }
  const text = await read(arn);
  for (const chainId of kept) urls.set(chainId, urlInSecret(text, chainId));
  return urls;
}

/** The URLs known so far: those in the clear at once, the secret's once {@link rpcUrlsReady} has resolved. */
let known = new Map<number, string>(
  chainEndpoints.flatMap(({ chainId, rpcUrl }) => (rpcUrl ? [[chainId, rpcUrl] as const] : [])),
);
let reading: Promise<void> | undefined;

/**
 * Resolves once the RPC URLs kept in the secret are known, reading it on the first call (a failed read is tried
 * again on the next call). Nothing to read, at once: no entry keeps its URL there, or this function is not given
 * the secret (it does not read the chain; `rpcUrlOf` would say so).
 */
export function rpcUrlsReady(env: Record<string, string | undefined> = process.env): Promise<void> {
  if (!chainEndpoints.some((e) => e.rpcUrlInSecret) || !env[RPC_URLS_SECRET_ARN_ENV]) return Promise.resolve();
  reading ??= resolveRpcUrls(chainEndpoints, env).then(
    (urls) => {
      known = urls;
    },
    (error: unknown) => {
      reading = undefined;
      throw error;
    },
  );
  return reading;
}

/**
 * The RPC URL of an enabled chain.
 * @throws for a chain not enabled, or one whose URL is in the secret and has not been read (this function is not
 *   given the secret, or runs outside the Lambda wrapper).
 */
export function rpcUrlOf(chainId: number): string {
  if (!chainEndpoints.some((c) => c.chainId === chainId)) throw new Error(`chain ${chainId} is not enabled`);
  const url = known.get(chainId);
  if (url === undefined) {
    throw new Error(
      `chain ${chainId}'s RPC URL is in the RPC URL secret, not read by this function ` +
        `(infra/topology.ts access.secrets 'rpcUrls'; shared/adapters/lambda.ts reads it before the first invocation)`,
    );
  }
  return url;
}
