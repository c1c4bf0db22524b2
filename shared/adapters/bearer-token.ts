/**
 * Bearer-token verification inside the function, as API Gateway's HTTP API JWT authorizer does it (signature by
 * the issuer's JWKS, issuer, audience as `aud` or else Cognito's `client_id`, expiry and not-before), so that a
 * missing or bad token is answered like every other error: an RFC 9457 problem (an HTTP API cannot customise its
 * authorizer's `{"message":"Unauthorized"}`; docs/architecture.md, *Authentication*). The JWKS is fetched once per
 * container and cached by jose (refetched when a token names an unknown key, at most every 30 s).
 */
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** The token issuer and audience a deployment trusts, and where the issuer publishes its keys. */
export interface JwtTrust {
  issuer: string;
  /** The audiences (app clients) accepted: the API's, and the console's whose ID tokens the browser sends. */
  audiences: string[];
  jwksUrl: string;
}

/**
 * Environment names of the trust (set by the stack from the JwtIssuer/JwtAudience parameters and the console's app
 * client, locally by the runtime); the audience is a comma-separated list.
 */
export const JWT_ENV = { issuer: 'JWT_ISSUER', audience: 'JWT_AUDIENCE', jwksUrl: 'JWT_JWKS_URL' } as const;

/** Only asymmetric signatures: never `none`, never a shared-secret HMAC a verifier could be tricked into. */
const ALGORITHMS = ['RS256', 'ES256'];

/** The trust configured in the environment, or undefined when none is (the function then admits no token). */
export function jwtTrustFromEnv(env: NodeJS.ProcessEnv = process.env): JwtTrust | undefined {
  const issuer = env[JWT_ENV.issuer];
  const audiences = (env[JWT_ENV.audience] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (!issuer || !audiences.length) return undefined;
  // Cognito (and most OIDC issuers) publish their keys here; JWT_JWKS_URL names another place.
  const jwksUrl = env[JWT_ENV.jwksUrl] || `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
  return { issuer, audiences, jwksUrl };
}

let cachedKeys: { url: string; keys: JWTVerifyGetKey } | undefined;

function keysAt(url: string): JWTVerifyGetKey {
  if (cachedKeys?.url !== url) cachedKeys = { url, keys: createRemoteJWKSet(new URL(url)) };
  return cachedKeys.keys;
}

/** API Gateway checks `aud` when the token has one, else `client_id` (Cognito access tokens carry no `aud`). */
function audienceMatches(payload: JWTPayload, audiences: readonly string[]): boolean {
  if (payload.aud !== undefined) {
    return (Array.isArray(payload.aud) ? payload.aud : [payload.aud]).some((aud) => audiences.includes(aud));
  }
  return typeof payload.client_id === 'string' && audiences.includes(payload.client_id);
}

/**
 * The claims of a valid bearer token in an `Authorization` header, as strings (as the JWT authorizer hands them to
 * a function); undefined when there is no token, no trust configured, or the token fails any check.
 */
export async function verifiedBearerClaims(
  authorization: string | undefined,
  trust: JwtTrust | undefined = jwtTrustFromEnv(),
): Promise<Record<string, string> | undefined> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token || !trust) return undefined;
  try {
    const { payload } = await jwtVerify(token, keysAt(trust.jwksUrl), {
      issuer: trust.issuer,
      algorithms: ALGORITHMS,
      requiredClaims: ['exp'],
    });
    if (!audienceMatches(payload, trust.audiences)) return undefined;
    return Object.fromEntries(
      Object.entries(payload).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  } catch (error) {
    // A token that fails a check is no token; the issuer's keys out of reach is our outage, not the caller's fault.
    if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) return undefined;
    throw error;
  }
}
