/**
 * The HTTP adapter shared by every API function: turns an API Gateway v2 event into a typed request, enforces the
 * caller's role, validates query and body with zod, and maps typed errors (shared/domain/errors.ts) to RFC 9457
 * `application/problem+json` in one place. Use cases never see API Gateway types. In the cloud, a request that did
 * not come through the edge is refused first (./origin-guard.ts).
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { ZodType } from 'zod';
import * as z from 'zod';
import {
  DomainError,
  type DomainErrorType,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/errors';
import { ministryCodeSchema } from '../domain/ministry';
import { verifiedBearerClaims } from './bearer-token';
import { lambdaHandler } from './lambda';
import { logger } from './observability';
import { requireEdgeOrigin } from './origin-guard';
import { responseSecurityHeaders } from './security-headers';

/** Roles a token may carry (claim `role`, or `custom:role` from a Cognito ID token). */
export const roles = ['ministry', 'auditor', 'operator', 'compliance'] as const;
export type Role = (typeof roles)[number];

/** The authenticated caller of each role, as the JWT authorizer hands it to us. */
export interface CallerOfRole {
  /** A ministry's user: `ministry` is the short upper-case ministry code the caller acts for. */
  ministry: { subject: string; role: 'ministry'; ministry: string };
  auditor: { subject: string; role: 'auditor' };
  operator: { subject: string; role: 'operator' };
  /** A compliance officer: the licensed-firm register, screening lists, held transfers. */
  compliance: { subject: string; role: 'compliance' };
}

/** Any authenticated caller: narrow on `role` to reach a ministry caller's `ministry`. */
export type Caller = CallerOfRole[Role];

/**
 * The ministry whose records `caller` may read: a ministry caller its own only (another ministry's records read as
 * absent, never forbidden, so their ids cannot be probed); auditors and operators every ministry's (undefined).
 */
export function readScope(caller: Caller): string | undefined {
  return caller.role === 'ministry' ? caller.ministry : undefined;
}

/** Who may call a route: anyone (`public`), or a token carrying one of the listed roles. */
export type RouteAuth = 'public' | readonly Role[];

/**
 * The caller a route with `auth` receives: on a role-guarded route, always present and exactly one of its roles (a
 * `['ministry']` route sees a `ministry` string); on a public route, whoever presented a valid token, if anyone.
 */
export type CallerFor<A extends RouteAuth> = A extends readonly Role[] ? CallerOfRole[A[number]] : Caller | undefined;

/** What a route handler receives; `C` is the caller its route's `auth` admits (see `CallerFor`). */
export interface HttpRequest<Q, B, C extends Caller | undefined = Caller | undefined> {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Q;
  body: B;
  headers: Record<string, string>;
  /** The body exactly as received, base64-decoded when API Gateway says so (webhook signatures are checked on it). */
  rawBody?: Buffer;
  caller: C;
  requestId: string;
}

/** What a route handler answers: JSON by default, or any text with its content type. */
export interface HttpResult {
  status: number;
  body?: unknown;
  /** When set, `body` must be a string sent as is. */
  contentType?: string;
  headers?: Record<string, string>;
}

/** Route options. `auth: 'public'` routes take no token; otherwise the caller's role must be listed. */
export interface RouteOptions<Q extends ZodType, B extends ZodType, A extends RouteAuth = RouteAuth> {
  auth: A;
  query?: Q;
  body?: B;
  /** Largest accepted body, in bytes after base64 decoding. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

export type ApiHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** A handler serving several routes of one function, with the route keys it serves (checked against the topology). */
export type RoutesHandler = ApiHandler & { routeKeys: readonly string[] };

/**
 * One Lambda handler for several routes: dispatches on API Gateway's `routeKey` (`GET /v1/pay/{id}`), never on the
 * path's text. A route key the function does not serve is a 404 (the topology and the handler disagree).
 */
export function httpRoutes(routes: Record<string, ApiHandler>): RoutesHandler {
  const handler = (async (event, context) => {
    const route = Object.hasOwn(routes, event.routeKey) ? routes[event.routeKey] : undefined;
    if (!route) return errorResponse(new NotFoundError(`No route ${event.routeKey}.`), event.rawPath);
    return route(event, context);
  }) as RoutesHandler;
  handler.routeKeys = Object.keys(routes);
  return handler;
}

/**
 * Builds a Lambda handler for one HTTP route. The request's `caller` is typed by `options.auth`: a route guarded by
 * roles gets a caller of one of those roles (never undefined), so a ministry route reads `req.caller.ministry` as a
 * string without a cast.
 */
export function httpRoute<
  Q extends ZodType = ZodType<Record<string, never>>,
  B extends ZodType = ZodType<undefined>,
  const A extends RouteAuth = RouteAuth,
>(
  options: RouteOptions<Q, B, A>,
  run: (req: HttpRequest<z.output<Q>, z.output<B>, CallerFor<A>>) => Promise<HttpResult>,
): ApiHandler {
  const base = async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      const headers = lowerCaseHeaders(event.headers);
      // Before anything else: a request that did not come through the edge (CloudFront, WAF) is refused.
      await requireEdgeOrigin(headers);
      // requireCaller admits only the listed roles, so the caller is the route's CallerFor<A>.
      const caller = (
        options.auth === 'public' ? optionalCaller(event) : await requireCaller(event, headers, options.auth)
      ) as CallerFor<A>;
      const query = options.query ? parseWith(options.query, event.queryStringParameters ?? {}) : {};
      const body = options.body
        ? parseWith(options.body, readJsonBody(event, headers, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES))
        : undefined;
      const result = await run({
        method: event.requestContext.http.method,
        path: event.rawPath,
        params: Object.fromEntries(Object.entries(event.pathParameters ?? {}).map(([k, v]) => [k, v ?? ''])),
        query: query as z.output<Q>,
        body: body as z.output<B>,
        headers,
        rawBody: rawBody(event),
        caller,
        requestId: event.requestContext.requestId,
      });
      return toResponse(result);
    } catch (error) {
      const response = errorResponse(error, event.rawPath);
      // RFC 6750: a 401 for a missing or bad token names the scheme to use.
      if (error instanceof BearerTokenRequired)
        response.headers = { ...response.headers, 'www-authenticate': 'Bearer' };
      return response;
    }
  };
  return lambdaHandler(base) as unknown as ApiHandler;
}

/** The one place a domain error becomes an HTTP status. */
const HTTP_STATUS: Record<DomainErrorType, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  // A quote needs data we lack for now (an NBK rate, next year's MRP): the service's outage, retryable.
  'fx-rate-unavailable': 503,
  'mrp-unavailable': 503,
  // A fee that requires a licence, for a payer whose licence is not active (the problem names the status found).
  payer_not_licensed: 422,
  // A refund to an address the screening lists or the token's blacklist name (the problem names the hits).
  refund_destination_screened: 422,
};

/** Maps any thrown value to a problem response. Unknown errors become a 500 that reveals nothing internal. */
export function errorResponse(error: unknown, instance?: string): APIGatewayProxyStructuredResultV2 {
  if (error instanceof DomainError) {
    const extra = error instanceof ValidationError ? { errors: error.issues } : (error.details ?? {});
    const status = HTTP_STATUS[error.type];
    if (status >= 500) logger.error('request failed', { error });
    return problem(status, error.type, error.title, error.message, instance, extra);
  }
  logger.error('unexpected error', { error: error as Error });
  return problem(500, 'internal', 'Internal error', 'The request could not be completed.', instance);
}

/** An RFC 9457 problem response. */
export function problem(
  status: number,
  type: string,
  title: string,
  detail: string,
  instance?: string,
  extra: Record<string, unknown> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      ...responseSecurityHeaders('application/problem+json'),
    },
    body: JSON.stringify({ type: `https://stablefee.dev/problems/${type}`, title, status, detail, instance, ...extra }),
  };
}

function toResponse(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  const contentType = result.contentType ?? 'application/json';
  // The security headers last: no route can drop them.
  const headers: Record<string, string> = {
    'content-type': contentType,
    'cache-control': 'no-store',
    ...result.headers,
    ...responseSecurityHeaders(contentType),
  };
  if (result.contentType) return { statusCode: result.status, headers, body: String(result.body ?? '') };
  return {
    statusCode: result.status,
    headers,
    body: result.body === undefined ? '' : JSON.stringify(result.body),
  };
}

/** Zod issues become field-named validation errors (`payer.bin`). */
export function parseWith<S extends ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.map(String).join('.') : '(body)',
      message: issue.message,
    })),
  );
}

function lowerCaseHeaders(headers: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/** The raw body as bytes, base64-decoded when API Gateway says so. Signatures are checked on exactly this. */
export function rawBody(event: { body?: string; isBase64Encoded?: boolean }): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

function readJsonBody(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  headers: Record<string, string>,
  maxBytes: number,
): unknown {
  const bytes = rawBody(event);
  if (bytes.length > maxBytes)
    throw new PayloadTooLargeError(`The body is ${bytes.length} bytes; at most ${maxBytes}.`);
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new UnsupportedMediaTypeError('Send the body as application/json.');
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ValidationError([{ field: '(body)', message: 'The body is not valid JSON.' }]);
  }
}

/** No bearer token, or one that fails verification (a 401 that names the Bearer scheme). */
class BearerTokenRequired extends UnauthorizedError {}

const claimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(roles),
  ministry: ministryCodeSchema.optional(),
});

function claimsOf(raw: Record<string, string | number | boolean | string[]> | undefined): Caller | undefined {
  if (!raw) return undefined;
  const parsed = claimsSchema.safeParse({
    sub: raw.sub,
    role: raw.role ?? raw['custom:role'],
    ministry: raw.ministry ?? raw['custom:ministry'],
  });
  if (!parsed.success) return undefined;
  const { sub, role, ministry } = parsed.data;
  if (role !== 'ministry') return { subject: sub, role };
  return ministry ? { subject: sub, role, ministry } : undefined;
}

/** A public route's caller: whoever a gateway authorizer vouched for, if one ran (public routes verify no token). */
function optionalCaller(event: APIGatewayProxyEventV2WithJWTAuthorizer): Caller | undefined {
  return claimsOf(event.requestContext.authorizer?.jwt?.claims);
}

/**
 * The caller of a role-guarded route. The function verifies the bearer token itself (./bearer-token.ts: the HTTP
 * API route has no authorizer, whose 401 could not be a problem); claims a gateway authorizer already put in the
 * event (none is configured; tests stand in for one) are taken as verified.
 */
async function requireCaller(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  headers: Record<string, string>,
  allowed: readonly Role[],
): Promise<Caller> {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? (await verifiedBearerClaims(headers.authorization));
  if (!claims) throw new BearerTokenRequired('A valid bearer token is required.');
  const caller = claimsOf(claims);
  if (!caller) throw new ForbiddenError('The token carries no valid role.');
  if (!allowed.includes(caller.role)) throw new ForbiddenError(`Role ${caller.role} may not call this route.`);
  return caller;
}
