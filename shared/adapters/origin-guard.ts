/**
 * The edge's origin guard: CloudFront adds the header `EDGE_ORIGIN_HEADER` to every request it forwards to the API
 * (infra/edge.ts), with the `current` value of the edge origin secret, and every HTTP function (shared/adapters/http.ts
 * `httpRoute`) refuses a request without it, so the execute-api URL is no way around the WAF and its rate limits.
 * The secret (`EDGE_ORIGIN_SECRET_ARN`) is JSON `{"current": "…", "previous"?: "…"}`: both values are accepted, so a
 * rotation has a window in which CloudFront may send either (docs/operations.md, *Edge*). Read through Powertools,
 * cached 5 minutes. Without the variable (locally, in tests) there is no guard.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { ForbiddenError } from '../domain/errors';
import { EDGE_ORIGIN_HEADER, EDGE_ORIGIN_SECRET_ARN_ENV } from '../resources';

export { EDGE_ORIGIN_HEADER, EDGE_ORIGIN_SECRET_ARN_ENV };

const CACHE_SECONDS = 300;

/** Reads the accepted values from the secret an ARN names. */
export type ReadOriginValues = (arn: string) => Promise<unknown>;

let secrets: SecretsProvider | undefined;
/**
 * Powertools' reader over the service's client, made at the first read: this module loads with every HTTP function
 * (and with the local API server), where the guard is mostly off and the client's configuration not yet set.
 */
const readOriginValues: ReadOriginValues = async (arn) => {
  secrets ??= new SecretsProvider({ awsSdkV3Client: (await import('./aws/secrets-manager')).secretsManager });
  const text = await secrets.get(arn, { maxAge: CACHE_SECONDS });
  try {
    return JSON.parse(typeof text === 'string' ? text : '');
  } catch {
    // JSON's syntax errors quote the start of the text, here the secret itself: never repeated (fails closed).
    throw new Error('the edge origin secret is not a JSON object {"current": "…", "previous"?: "…"}');
  }
};

/** The accepted values in the secret's document: `current`, and `previous` during a rotation; blank ones ignored. */
function acceptedValues(document: unknown): string[] {
  if (!document || typeof document !== 'object') return [];
  const { current, previous } = document as Record<string, unknown>;
  return [current, previous].filter((v): v is string => typeof v === 'string' && v.trim() !== '');
}

// Digests of equal length, so timingSafeEqual compares without revealing where (or whether by length) they differ.
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Whether `given` is one of `accepted`, compared in constant time (every value is compared). */
export function isAcceptedOrigin(given: string | undefined, accepted: readonly string[]): boolean {
  if (given === undefined || accepted.length === 0) return false;
  const presented = digest(given);
  let match = false;
  for (const value of accepted) match = timingSafeEqual(presented, digest(value)) || match;
  return match;
}

/**
 * Refuses a request that did not come through the edge: with the guard configured (`EDGE_ORIGIN_SECRET_ARN`), the
 * header `EDGE_ORIGIN_HEADER` (of `headers`, lower-cased names) must carry an accepted value.
 * @throws ForbiddenError (403) otherwise; the answer does not say which header is missing.
 */
export async function requireEdgeOrigin(
  headers: Record<string, string>,
  env: Record<string, string | undefined> = process.env,
  read: ReadOriginValues = readOriginValues,
): Promise<void> {
  const arn = env[EDGE_ORIGIN_SECRET_ARN_ENV];
  if (!arn) return;
  if (isAcceptedOrigin(headers[EDGE_ORIGIN_HEADER], acceptedValues(await read(arn)))) return;
  throw new ForbiddenError('This API is served only through its public address.');
}
