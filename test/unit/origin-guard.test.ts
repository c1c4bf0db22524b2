/**
 * The edge's origin guard (shared/adapters/origin-guard.ts): with the guard configured, a request without the
 * header CloudFront adds, or with a wrong value, is a 403 problem before anything else; the current value and,
 * during a rotation, the previous one are accepted; without the guard (locally) nothing is checked.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpRoute } from '../../shared/adapters/http';
import {
  EDGE_ORIGIN_HEADER,
  EDGE_ORIGIN_SECRET_ARN_ENV,
  isAcceptedOrigin,
  requireEdgeOrigin,
} from '../../shared/adapters/origin-guard';
import { ForbiddenError } from '../../shared/domain/errors';

const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:EdgeOriginSecret-abc';
const CURRENT = 'k3Pq9sV2mX7wZ1cR8tY4uB6nH0jL5dFa';
const PREVIOUS = 'Q1w2E3r4T5y6U7i8O9p0AsDfGhJkLzXc';
const env = { [EDGE_ORIGIN_SECRET_ARN_ENV]: ARN };
const read = vi.fn(async (_arn: string): Promise<unknown> => ({ current: CURRENT }));

afterEach(() => {
  read.mockClear();
  vi.restoreAllMocks();
  delete process.env[EDGE_ORIGIN_SECRET_ARN_ENV];
});

describe('requireEdgeOrigin', () => {
  it('accepts the current value, read from the secret the environment names', async () => {
    await expect(requireEdgeOrigin({ [EDGE_ORIGIN_HEADER]: CURRENT }, env, read)).resolves.toBeUndefined();
    expect(read).toHaveBeenCalledWith(ARN);
  });

  it.each([
    ['missing', {}],
    ['wrong', { [EDGE_ORIGIN_HEADER]: PREVIOUS }],
    ['a prefix of the value', { [EDGE_ORIGIN_HEADER]: CURRENT.slice(0, 10) }],
    ['empty', { [EDGE_ORIGIN_HEADER]: '' }],
  ])('refuses a header that is %s', async (_, headers: Record<string, string>) => {
    await expect(requireEdgeOrigin(headers, env, read)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('accepts the previous value too during a rotation, and nothing once the secret holds none', async () => {
    read.mockResolvedValueOnce({ current: CURRENT, previous: PREVIOUS });
    await expect(requireEdgeOrigin({ [EDGE_ORIGIN_HEADER]: PREVIOUS }, env, read)).resolves.toBeUndefined();
    read.mockResolvedValueOnce({ current: '' });
    await expect(requireEdgeOrigin({ [EDGE_ORIGIN_HEADER]: '' }, env, read)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('checks nothing without the guard configured (locally)', async () => {
    await expect(requireEdgeOrigin({}, {}, read)).resolves.toBeUndefined();
    expect(read).not.toHaveBeenCalled();
  });

  it('compares values of any length', () => {
    expect(isAcceptedOrigin(CURRENT, [PREVIOUS, CURRENT])).toBe(true);
    expect(isAcceptedOrigin(`${CURRENT}x`, [CURRENT])).toBe(false);
    expect(isAcceptedOrigin(undefined, [CURRENT])).toBe(false);
    expect(isAcceptedOrigin(CURRENT, [])).toBe(false);
  });
});

describe('an HTTP route behind the guard', () => {
  const context = { functionName: 'test', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 1000 } as Context;
  const route = httpRoute({ auth: 'public' }, async () => ({ status: 200, body: { ok: true } }));
  const event = (headers: Record<string, string>) =>
    ({
      version: '2.0',
      routeKey: 'GET /v1/fees',
      rawPath: '/v1/fees',
      rawQueryString: '',
      headers,
      requestContext: { http: { method: 'GET', path: '/v1/fees' }, requestId: 'req-1' },
      isBase64Encoded: false,
    }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

  it('answers 403 problem+json without the header, and serves the request with it', async () => {
    process.env[EDGE_ORIGIN_SECRET_ARN_ENV] = ARN;
    // The service's Powertools reader, answered here (unit tests reach no AWS).
    vi.spyOn(SecretsProvider.prototype, 'get').mockResolvedValue(JSON.stringify({ current: CURRENT }) as never);
    const refused = await route(event({}), context);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(refused.body ?? '')).toMatchObject({
      status: 403,
      type: 'https://stablefee.dev/problems/forbidden',
    });
    const served = await route(event({ 'X-Stablefee-Origin': CURRENT }), context);
    expect(served.statusCode).toBe(200);
  });
});
