/**
 * The service's secrets, one Secrets Manager JSON document per purpose, so each function reads only what it uses:
 * the providers' webhook signing keys (`WEBHOOK_SECRETS_ARN`: `{"alchemy", "moralis", "quicknode"}`), the providers'
 * API credentials (`PROVIDER_API_SECRET_ARN`: `{"alchemyAuthToken", "moralisApiKey", "quicknodeApiKey"}`), the
 * registries' HMAC secrets (`REGISTRY_SECRETS_ARN`: `{"registries": {"AFSA": …}}`) and the custodian's
 * (`CUSTODIAN_SECRET_ARN`: `{"custodian": …}`). Each holds its keys exactly as the former single document did.
 * Read through Powertools with a 5-minute cache (a rotated value is picked up without a redeploy). A deployment that
 * names only `WEBHOOK_SECRETS_ARN` keeps every value there (the single document of earlier releases). Without any
 * ARN (locally), each value comes from its own environment variable. Values are trimmed; an absent or blank value
 * is undefined (the feature is then off).
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { type SecretPurpose, secretArnEnv } from '../resources';
import { secretsManager } from './aws/secrets-manager';

/** The environment variable naming the webhook signing keys' secret (and, alone, every value's). */
export const WEBHOOK_SECRETS_ARN_ENV = secretArnEnv.webhooks;

/** The purpose of a value, by its path's first key. */
export function secretPurposeOf(path: readonly string[]): SecretPurpose {
  const [first] = path;
  if (first === 'registries') return 'registries';
  if (first === 'custodian') return 'custodian';
  if (first === 'alchemyAuthToken' || first === 'moralisApiKey' || first === 'quicknodeApiKey') return 'providerApi';
  return 'webhooks';
}

const CACHE_SECONDS = 300;

/** Powertools' reader over the service's own client (emulator endpoint, timeouts, tracing). */
const secrets = new SecretsProvider({ awsSdkV3Client: secretsManager });

type Env = Record<string, string | undefined>;

/**
 * The value at `path` in its purpose's secret (`['alchemy']`, `['registries', 'AFSA']`), or, when the deployment
 * has no secret (locally), the environment variable `fallbackEnv`.
 */
export async function serviceSecretValue(
  path: readonly string[],
  fallbackEnv: string,
  env: Env = process.env,
): Promise<string | undefined> {
  const arn = env[secretArnEnv[secretPurposeOf(path)]] || env[WEBHOOK_SECRETS_ARN_ENV];
  let value: unknown;
  if (arn) {
    value = await secrets.get<Record<string, unknown>>(arn, { transform: 'json', maxAge: CACHE_SECONDS });
    for (const key of path)
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  } else value = env[fallbackEnv];
  const text = typeof value === 'string' ? value.trim() : '';
  return text ? text : undefined;
}
