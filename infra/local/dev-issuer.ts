/**
 * The local runtime's JWT issuer: its own ES256 key, a JWKS, tokens for any role, and verification the way the
 * cloud's HTTP API JWT authorizer does it (signature by JWKS, issuer, audience, expiry). Local only: nothing here
 * is part of the cloud stack.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, type JSONWebKeySet, jwtVerify, SignJWT } from 'jose';
import * as z from 'zod';
import { roles } from '../../shared/adapters/http';
import { ministryCodeSchema } from '../../shared/domain/ministry';

/** Body of `POST /dev/tokens`. */
export const devTokenRequestSchema = z
  .strictObject({
    role: z.enum(roles),
    ministry: ministryCodeSchema.optional(),
    subject: z.string().min(1).max(128).optional(),
    expiresInSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .refine((r) => (r.role === 'ministry') === Boolean(r.ministry), {
    message: 'a ministry token needs `ministry`; auditor, operator and compliance tokens carry none',
    path: ['ministry'],
  });

export type DevTokenRequest = z.infer<typeof devTokenRequestSchema>;

export interface DevIssuer {
  issuer: string;
  audience: string;
  jwks: JSONWebKeySet;
  issue(request: DevTokenRequest): Promise<string>;
  /**
   * Test only: signs `claims` with the same key, overriding what `issue` fixes — the audience, issuer, subject,
   * issue and expiry times (seconds since the epoch, or a Date) — to build tokens the authorizer must refuse.
   */
  issueWith(claims: Record<string, unknown>, options?: DevTokenOverrides): Promise<string>;
  /** Verifies a bearer token; resolves with its claims as the authorizer hands them on (string values). */
  verify(token: string): Promise<Record<string, string>>;
}

/** What `issueWith` may set differently from `issue`. */
export interface DevTokenOverrides {
  audience?: string;
  issuer?: string;
  subject?: string;
  issuedAt?: Date | number;
  expiresAt?: Date | number;
}

/** Creates an issuer whose `iss` is `issuer` and whose tokens are for `audience`. */
export async function createDevIssuer(issuer: string, audience = 'stablefee-local'): Promise<DevIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'dev-1', alg: 'ES256', use: 'sig' };
  const jwks: JSONWebKeySet = { keys: [jwk] };
  const keySet = createLocalJWKSet(jwks);
  return {
    issuer,
    audience,
    jwks,
    async issue(request) {
      const claims: Record<string, string> = { role: request.role };
      if (request.ministry) claims.ministry = request.ministry;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'dev-1', typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(request.subject ?? `dev|${request.role}${request.ministry ? `|${request.ministry}` : ''}`)
        .setIssuedAt()
        .setExpirationTime(`${request.expiresInSeconds ?? 3600}s`)
        .sign(privateKey);
    },
    async issueWith(claims, options = {}) {
      const seconds = (t: Date | number) => (t instanceof Date ? Math.floor(t.getTime() / 1000) : t);
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'dev-1', typ: 'JWT' })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? audience)
        .setSubject(options.subject ?? `dev|${String(claims.role ?? 'none')}`)
        .setIssuedAt(seconds(options.issuedAt ?? now))
        .setExpirationTime(seconds(options.expiresAt ?? now + 3600))
        .sign(privateKey);
    },
    async verify(token) {
      const { payload } = await jwtVerify(token, keySet, { issuer, audience, algorithms: ['ES256'] });
      // API Gateway hands JWT claims to the function as strings.
      return Object.fromEntries(
        Object.entries(payload).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      );
    },
  };
}
