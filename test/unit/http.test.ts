import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import { startApiServer } from '../../infra/local/api-server';
import { createDevIssuer } from '../../infra/local/dev-issuer';
import { type Caller, httpRoute, rawBody, readScope } from '../../shared/adapters/http';
import { ConflictError, NotFoundError } from '../../shared/domain/errors';

const context = { functionName: 'test', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 1000 } as Context;

function event(overrides: Partial<APIGatewayProxyEventV2WithJWTAuthorizer> = {}, claims?: Record<string, string>) {
  return {
    version: '2.0',
    routeKey: 'POST /things',
    rawPath: '/things',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      http: { method: 'POST', path: '/things' },
      requestId: 'req-1',
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
    isBase64Encoded: false,
    ...overrides,
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

const ministry = { sub: 'u1', role: 'ministry', ministry: 'AFSA' };
const body = z.strictObject({ payer: z.strictObject({ bin: z.string().length(12) }) });
const route = httpRoute({ auth: ['ministry'], body, maxBodyBytes: 200 }, async (req) => ({
  status: 201,
  body: { bin: req.body.payer.bin, ministry: req.caller.ministry },
}));

async function call(e: APIGatewayProxyEventV2WithJWTAuthorizer) {
  const result = await route(e, context);
  return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
}

describe('httpRoute', () => {
  it('passes a valid body and the caller to the use case', async () => {
    const r = await call(event({ body: '{"payer":{"bin":"940140000385"}}' }, ministry));
    expect(r.statusCode).toBe(201);
    expect(r.json).toEqual({ bin: '940140000385', ministry: 'AFSA' });
  });

  it('names the invalid field in a 400 problem', async () => {
    const r = await call(event({ body: '{"payer":{"bin":"1"}}' }, ministry));
    expect(r.statusCode).toBe(400);
    expect(r.headers?.['content-type']).toBe('application/problem+json');
    expect(r.json.errors[0].field).toBe('payer.bin');
    expect(r.json.status).toBe(400);
  });

  it('refuses a wrong content type (415), a large body (413) and broken JSON (400)', async () => {
    const plain = await call(event({ body: '{}', headers: { 'content-type': 'text/plain' } }, ministry));
    expect(plain.statusCode).toBe(415);
    const large = await call(event({ body: JSON.stringify({ x: 'a'.repeat(300) }) }, ministry));
    expect(large.statusCode).toBe(413);
    const broken = await call(event({ body: '{"payer":' }, ministry));
    expect(broken.statusCode).toBe(400);
  });

  it('answers 401 without claims and 403 for a role not allowed', async () => {
    expect((await call(event({ body: '{}' }))).statusCode).toBe(401);
    const auditor = await call(event({ body: '{}' }, { sub: 'a', role: 'auditor' }));
    expect(auditor.statusCode).toBe(403);
    const noMinistry = await call(event({ body: '{}' }, { sub: 'm', role: 'ministry' }));
    expect(noMinistry.statusCode).toBe(403);
  });

  it('maps typed errors and hides unexpected ones', async () => {
    const failing = (error: Error) => httpRoute({ auth: 'public' }, async () => Promise.reject(error));
    const notFound = await failing(new NotFoundError('no such invoice'))(event(), context);
    expect(notFound.statusCode).toBe(404);
    const conflict = await failing(new ConflictError('key reused'))(event(), context);
    expect(conflict.statusCode).toBe(409);
    const internal = await failing(new Error('secret connection string'))(event(), context);
    expect(internal.statusCode).toBe(500);
    expect(internal.body).not.toContain('secret');
  });

  it('decodes base64 bodies to the raw bytes', () => {
    expect(rawBody({ body: Buffer.from('{"a":1}').toString('base64'), isBase64Encoded: true }).toString()).toBe(
      '{"a":1}',
    );
    expect(rawBody({}).length).toBe(0);
  });
});

describe('request types follow the route auth', () => {
  const noContent = async () => ({ status: 204 });

  it('types the caller by the roles a route admits (checked by tsc)', () => {
    httpRoute({ auth: ['ministry'] }, async (req) => {
      expectTypeOf(req.caller.ministry).toEqualTypeOf<string>();
      return noContent();
    });
    httpRoute({ auth: ['auditor', 'operator'] }, async (req) => {
      expectTypeOf(req.caller.role).toEqualTypeOf<'auditor' | 'operator'>();
      // @ts-expect-error an auditor or operator acts for no ministry
      void req.caller.ministry;
      return noContent();
    });
    httpRoute({ auth: ['ministry', 'auditor'] }, async (req) => {
      const own = req.caller.role === 'ministry' ? req.caller.ministry : undefined;
      expectTypeOf(own).toEqualTypeOf<string | undefined>();
      return noContent();
    });
    httpRoute({ auth: 'public' }, async (req) => {
      expectTypeOf(req.caller).toEqualTypeOf<Caller | undefined>();
      return noContent();
    });
  });

  it('confines a ministry caller to its own ministry, and staff to none', () => {
    expect(readScope({ subject: 'u1', role: 'ministry', ministry: 'AFSA' })).toBe('AFSA');
    expect(readScope({ subject: 'a1', role: 'auditor' })).toBeUndefined();
    expect(readScope({ subject: 'o1', role: 'operator' })).toBeUndefined();
  });

  it('hands a ministry route the caller of one of its roles at run time', async () => {
    const seen: unknown[] = [];
    const both = httpRoute({ auth: ['ministry', 'auditor'] }, async (req) => {
      seen.push(req.caller);
      return noContent();
    });
    await both(event({}, ministry), context);
    await both(event({}, { sub: 'a1', role: 'auditor', ministry: 'AFSA' }), context);
    expect(seen).toEqual([
      { subject: 'u1', role: 'ministry', ministry: 'AFSA' },
      { subject: 'a1', role: 'auditor' },
    ]);
  });
});

describe('security headers', () => {
  const HSTS = 'max-age=63072000; includeSubDomains';

  it('puts HSTS on every response and nosniff on JSON and problem+json', async () => {
    const ok = await call(event({ body: '{"payer":{"bin":"940140000385"}}' }, ministry));
    expect(ok.headers?.['strict-transport-security']).toBe(HSTS);
    expect(ok.headers?.['x-content-type-options']).toBe('nosniff');
    const problem = await call(event({ body: '{"payer":{"bin":"1"}}' }, ministry));
    expect(problem.headers?.['content-type']).toBe('application/problem+json');
    expect(problem.headers?.['strict-transport-security']).toBe(HSTS);
    expect(problem.headers?.['x-content-type-options']).toBe('nosniff');
    const internal = await httpRoute({ auth: 'public' }, async () => Promise.reject(new Error('x')))(event(), context);
    expect(internal.headers?.['strict-transport-security']).toBe(HSTS);
  });

  it('puts HSTS on HTML, and no route can drop or weaken it', async () => {
    const page = httpRoute({ auth: 'public' }, async () => ({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: '<!doctype html>',
      headers: { 'strict-transport-security': 'max-age=0' },
    }));
    const html = await page(event(), context);
    expect(html.headers?.['strict-transport-security']).toBe(HSTS);
    expect(html.headers?.['content-type']).toBe('text/html; charset=utf-8');
  });

  it('puts them on the answers the local API server makes itself (404, dev-token 400)', async () => {
    const server = await startApiServer({ port: 0, functions: [], issuer: (url) => createDevIssuer(`${url}/dev`) });
    try {
      const missing = await fetch(`${server.url}/v1/nothing-here`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('strict-transport-security')).toBe(HSTS);
      expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
      const bad = await fetch(`${server.url}/dev/tokens`, { method: 'POST', body: '{"role":"nobody"}' });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('strict-transport-security')).toBe(HSTS);
      expect(bad.headers.get('x-content-type-options')).toBe('nosniff');
    } finally {
      await server.close();
    }
  });
});
