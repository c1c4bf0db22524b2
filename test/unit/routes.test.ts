/**
 * Handlers dispatch on API Gateway's route key, never on the path's text: every function serving several routes
 * exports an `httpRoutes` handler whose keys are exactly its routes in the topology, and an unknown key is a 404.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { functions } from '../../infra/topology';

process.env.CHAINS ??= '[]';

const routesOf = (fn: (typeof functions)[number]) =>
  fn.triggers.flatMap((t) => (t.kind === 'http' ? t.routes.map((r) => `${r.method} ${r.path}`) : []));
const multiRoute = functions.filter((f) => routesOf(f).length > 1);

describe('route-key dispatch', () => {
  it('covers every function with several routes', () => {
    expect(multiRoute.map((f) => f.name).sort()).toEqual([
      'api-docs',
      'health',
      'licence-register',
      'pay-page',
      'read-invoices',
      'read-receipts',
      'reference-data',
      'refunds',
      'request-export',
      'screening',
      'settlements',
    ]);
  });

  it.each(multiRoute.map((f) => [f.name, f] as const))('%s serves exactly its topology routes', async (name, fn) => {
    const { handler } = (await import(`../../functions/${name}/handler.ts`)) as {
      handler: { routeKeys?: readonly string[] } & ((e: unknown, c: unknown) => Promise<{ statusCode?: number }>);
    };
    expect([...(handler.routeKeys ?? [])].sort()).toEqual(routesOf(fn).sort());
    const stray = {
      routeKey: 'GET /v1/nowhere',
      rawPath: '/v1/nowhere',
      headers: {},
      requestContext: { http: { method: 'GET', path: '/v1/nowhere' }, requestId: 'r' },
    } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect((await handler(stray, {} as Context)).statusCode).toBe(404);
  });
});
