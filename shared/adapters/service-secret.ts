/**
 * The service secret: one Secrets Manager JSON document (its ARN in `WEBHOOK_SECRETS_ARN`) holding the providers'
 * signing keys and API credentials and the registries' HMAC secrets, read through Powertools with a 5-minute cache
 * (a rotated value is picked up without a redeploy). Without the ARN (locally), each value comes from its own
 * environment variable. Values are trimmed; an absent or blank value is undefined (the feature is then off).
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { secretsManager } from './aws/secrets-manager';

/** The environment variable naming the secret's ARN. */
export const WEBHOOK_SECRETS_ARN_ENV = 'WEBHOOK_SECRETS_ARN';

const CACHE_SECONDS = 300;

/** Powertools' reader over the service's own client (emulator endpoint, timeouts, tracing). */
const secrets = new SecretsProvider({ awsSdkV3Client: secretsManager });

type Env = Record<string, string | undefined>;

/**
 * The value at `path` in the service secret (`['alchemy']`, `['registries', 'AFSA']`), or, when the deployment has
 * no secret (locally), the environment variable `fallbackEnv`.
 */
export async function serviceSecretValue(
  path: readonly string[],
  fallbackEnv: string,
  env: Env = process.env,
): Promise<string | undefined> {
  const arn = env[WEBHOOK_SECRETS_ARN_ENV];
  let value: unknown;
  if (arn) {
    value = await secrets.get<Record<string, unknown>>(arn, { transform: 'json', maxAge: CACHE_SECONDS });
    for (const key of path)
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  } else value = env[fallbackEnv];
  const text = typeof value === 'string' ? value.trim() : '';
  return text ? text : undefined;
}
