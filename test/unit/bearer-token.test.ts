/**
 * The functions verify bearer tokens themselves (shared/adapters/bearer-token.ts), as API Gateway's JWT authorizer
 * would: signature by the issuer's JWKS (fetched over HTTP, here from the local API server's dev issuer), issuer,
 * audience (`aud`, else `client_id`), expiry and algorithm. A role-guarded route answers a missing or bad token with
 * a 401 problem naming the Bearer scheme; a good one reaches the route with its caller.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../infra/local/api-server';
import { createDevIssuer, type DevIssuer } from '../../infra/local/dev-issuer';
import { JWT_ENV, type JwtTrust, jwtTrustFromEnv, verifiedBearerClaims } from '../../shared/adapters/bearer-token';
import { httpRoute } from '../../shared/adapters/http';

const context = { functionName: 'test', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 1000 } as Context;

let server: ApiServer & { issuer: DevIssuer };
let trust: JwtTrust;

beforeAll(async () => {
  server = await startApiServer({ port: 0, functions: [], issuer: (url) => createDevIssuer(`${url}/dev`) });
  trust = jwtTrustFromEnv({
    [JWT_ENV.issuer]: server.issuer.issuer,
    [JWT_ENV.audience]: server.issuer.audience,
  }) as JwtTrust;
});
afterAll(() => server.close());

const bearer = (token: string) => `Bearer ${token}`;

describe('verifiedBearerClaims', () => {
  it("finds the issuer's keys at its well-known JWKS unless told another place", () => {
    expect(trust.jwksUrl).toBe(`${server.url}/dev/.well-known/jwks.json`);
    expect(jwtTrustFromEnv({})).toBeUndefined();
  });

  it("admits the issuer's token and hands its claims on as strings", async () => {
    const token = await server.issuer.issue({ role: 'ministry', ministry: 'AFSA' });
    const claims = await verifiedBearerClaims(bearer(token), trust);
    expect(claims).toMatchObject({ role: 'ministry', ministry: 'AFSA', iss: trust.issuer, aud: trust.audiences[0] });
    expect(typeof claims?.exp).toBe('string');
  });

  it('admits an RS256 Cognito-style access token whose client_id is the audience (no aud)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' }] };
    const keys = createServer((_, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)),
    );
    await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = keys.address() as AddressInfo;
      const cognito = {
        issuer: 'https://cognito-idp.example/pool',
        audiences: ['client-1', 'console-1'],
        jwksUrl: `http://127.0.0.1:${port}/`,
      };
      const sign = (claims: Record<string, unknown>) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
          .setIssuer(cognito.issuer)
          .setExpirationTime('5m')
          .sign(privateKey);
      const access = await sign({ sub: 'u', token_use: 'access', client_id: 'client-1', 'custom:role': 'auditor' });
      expect(await verifiedBearerClaims(bearer(access), cognito)).toMatchObject({ client_id: 'client-1' });
      // The console's ID token: its own app client as `aud`, the second audience accepted.
      const idToken = await sign({ sub: 'u', token_use: 'id', aud: 'console-1', 'custom:role': 'auditor' });
      expect(await verifiedBearerClaims(bearer(idToken), cognito)).toMatchObject({ aud: 'console-1' });
      const otherClient = await sign({ sub: 'u', token_use: 'access', client_id: 'client-2' });
      expect(await verifiedBearerClaims(bearer(otherClient), cognito)).toBeUndefined();
      // With an `aud`, the audience is checked there, whatever client_id says.
      const wrongAud = await sign({ sub: 'u', aud: 'client-2', client_id: 'client-1' });
      expect(await verifiedBearerClaims(bearer(wrongAud), cognito)).toBeUndefined();
    } finally {
      keys.close();
    }
  });

  it('refuses no token, garbage, an expired token, another audience or issuer, and another key', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const refused = [
      undefined,
      'Bearer',
      'Basic dXNlcjpwYXNz',
      bearer('not.a.jwt'),
      bearer(await server.issuer.issueWith({ role: 'auditor' }, { issuedAt: past - 60, expiresAt: past })),
      bearer(await server.issuer.issueWith({ role: 'auditor' }, { audience: 'someone-else' })),
      bearer(await server.issuer.issueWith({ role: 'auditor' }, { issuer: 'https://evil.example' })),
    ];
    const other = await createDevIssuer(trust.issuer, trust.audiences[0]);
    refused.push(bearer(await other.issue({ role: 'auditor' })));
    for (const header of refused) expect(await verifiedBearerClaims(header, trust), String(header)).toBeUndefined();
  });

  it('refuses an unsigned token (alg none) and a shared-secret one (HS256)', async () => {
    const claims = {
      role: 'auditor',
      iss: trust.issuer,
      aud: trust.audiences[0],
      exp: Math.floor(Date.now() / 1000) + 60,
    };
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'dev-1' }).sign(new Uint8Array(32));
    expect(await verifiedBearerClaims(bearer(none), trust)).toBeUndefined();
    expect(await verifiedBearerClaims(bearer(hs), trust)).toBeUndefined();
  });
});

describe('a role-guarded route', () => {
  const route = httpRoute({ auth: ['auditor'] }, async (req) => ({ status: 200, body: { who: req.caller.subject } }));
  const event = (authorization?: string) =>
    ({
      version: '2.0',
      routeKey: 'GET /things',
      rawPath: '/things',
      headers: authorization ? { Authorization: authorization } : {},
      requestContext: { http: { method: 'GET', path: '/things' }, requestId: 'req-1' },
      isBase64Encoded: false,
    }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

  beforeAll(() => {
    process.env[JWT_ENV.issuer] = trust.issuer;
    process.env[JWT_ENV.audience] = trust.audiences.join(',');
  });
  afterAll(() => {
    delete process.env[JWT_ENV.issuer];
    delete process.env[JWT_ENV.audience];
  });

  it('answers a missing or bad token with a 401 problem naming Bearer', async () => {
    for (const header of [undefined, bearer('x.y.z')]) {
      const r = await route(event(header), context);
      expect(r.statusCode).toBe(401);
      expect(r.headers?.['content-type']).toBe('application/problem+json');
      expect(r.headers?.['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(r.body ?? '')).toMatchObject({
        status: 401,
        type: 'https://stablefee.dev/problems/unauthorized',
      });
    }
  });

  it('reaches the route with a good token, and refuses a good token of another role (403)', async () => {
    const ok = await route(event(bearer(await server.issuer.issue({ role: 'auditor', subject: 'a-1' }))), context);
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body ?? '')).toEqual({ who: 'a-1' });
    const other = await route(event(bearer(await server.issuer.issue({ role: 'operator' }))), context);
    expect(other.statusCode).toBe(403);
  });
});
