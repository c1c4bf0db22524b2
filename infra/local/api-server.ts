/**
 * The local HTTP API: serves every HTTP route of the topology by turning each request into a real API Gateway
 * HTTP API (payload 2.0) event for the route's handler. As in the cloud, no authorizer runs in front: the functions
 * of `jwt` routes verify the bearer token against the dev issuer's JWKS (JWT_ISSUER, set by the runtime).
 * Also serves the dev issuer's `POST /dev/tokens` and JWKS, which exist only locally.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { responseSecurityHeaders } from '../../shared/adapters/security-headers';
import { functions as allFunctions, type FunctionSpec, type HttpRoute } from '../topology';
import { type DevIssuer, devTokenRequestSchema } from './dev-issuer';
import { invoke } from './lambda';
import { type StaticSite, staticAnswer } from './static-files';

interface CompiledRoute {
  route: HttpRoute;
  fn: FunctionSpec;
  pattern: RegExp;
  params: string[];
  /** Literal segments count: a more literal route wins over one with a parameter in the same place. */
  specificity: number;
}

/** API Gateway's own limit on request payloads. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

const TEXT_TYPES = /^(text\/|application\/(json|problem\+json|x-www-form-urlencoded|xml|javascript)|[^;]*\+json)/i;

/** Compiles the topology's routes into matchers, most specific first. */
export function compileRoutes(functions: FunctionSpec[] = allFunctions): CompiledRoute[] {
  const compiled: CompiledRoute[] = [];
  for (const fn of functions) {
    for (const trigger of fn.triggers) {
      if (trigger.kind !== 'http') continue;
      for (const route of trigger.routes) {
        const params: string[] = [];
        let specificity = 0;
        const source = route.path
          .split('/')
          .map((segment) => {
            const param = /^\{(\w+)\+?\}$/.exec(segment);
            if (param?.[1]) {
              params.push(param[1]);
              return segment.endsWith('+}') ? '(.+)' : '([^/]+)';
            }
            specificity++;
            return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          })
          .join('/');
        compiled.push({ route, fn, pattern: new RegExp(`^${source}$`), params, specificity });
      }
    }
  }
  return compiled.sort((a, b) => b.specificity - a.specificity);
}

/** A running local API: its base URL, the Node server, and `close` (drops open connections too). */
export interface ApiServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the API on `host:port` (port 0 = any free port). */
export async function startApiServer(options: {
  port: number;
  host?: string;
  issuer: (baseUrl: string) => Promise<DevIssuer>;
  functions?: FunctionSpec[];
  /** Local-only `GET /dev/…` pages beyond the issuer's (the mail sink's list), by path: each returns a JSON body. */
  devPages?: Record<string, () => unknown>;
  /** Static sites served beside the API (the console under `/console`); API routes are unaffected. */
  staticSites?: StaticSite[];
}): Promise<ApiServer & { issuer: DevIssuer }> {
  const routes = compileRoutes(options.functions);
  const host = options.host ?? '127.0.0.1';
  // The issuer needs the server's URL, known only once it listens; a request before then fails with a 500.
  let issuer: DevIssuer | undefined;
  const server = createServer((req, res) => {
    handleRequest(req, res, routes, () => issuer, options.devPages ?? {}, options.staticSites ?? []).catch((error) => {
      console.error('[api] request failed', error);
      if (!res.headersSent)
        send(res, 500, { 'content-type': 'application/json' }, '{"message":"Internal Server Error"}');
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port, host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host}:${port}`;
  issuer = await options.issuer(url);
  return {
    url,
    server,
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One request: the dev issuer's own routes, else the topology route it matches, as API Gateway would serve it. */
async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  routes: CompiledRoute[],
  readyIssuer: () => DevIssuer | undefined,
  devPages: Record<string, () => unknown>,
  staticSites: StaticSite[],
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const file = await staticAnswer(staticSites, (req.method ?? 'GET').toUpperCase(), url.pathname);
  if (file) {
    res.writeHead(file.status, { ...file.headers, 'content-length': Buffer.byteLength(file.body) });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return;
  }
  const body = await readBody(req);
  if (body === 'too-large') {
    send(res, 413, { 'content-type': 'application/json' }, '{"message":"Request Entity Too Large"}');
    return;
  }
  const issuer = readyIssuer();
  if (!issuer) throw new Error('issuer not ready');
  if (await serveDevIssuer(req, res, url, body, issuer)) return;
  const devPage = req.method === 'GET' && Object.hasOwn(devPages, url.pathname) ? devPages[url.pathname] : undefined;
  if (devPage) {
    send(res, 200, { 'content-type': 'application/json', 'cache-control': 'no-store' }, JSON.stringify(devPage()));
    return;
  }

  const method = (req.method ?? 'GET').toUpperCase();
  const matches = routes.filter((r) => r.pattern.test(url.pathname));
  const match = matches.find((r) => r.route.method === method);
  if (!match) {
    send(res, 404, { 'content-type': 'application/json' }, '{"message":"Not Found"}');
    return;
  }

  // No authorizer in front of the function, as in the cloud: a `jwt` route's function verifies the bearer token
  // itself (shared/adapters/bearer-token.ts, against this issuer's JWKS) and answers a bad one with a problem.
  const values = match.pattern.exec(url.pathname)?.slice(1) ?? [];
  const pathParameters = Object.fromEntries(match.params.map((name, i) => [name, decodePathSegment(values[i] ?? '')]));
  const event = toEvent(req, url, body, match, pathParameters);
  const result = (await invoke(match.fn, event)) as APIGatewayProxyStructuredResultV2 | undefined;
  sendResult(res, result);
}

/** Serves the dev issuer's JWKS and `POST /dev/tokens`; false when the request is for neither. */
async function serveDevIssuer(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
  issuer: DevIssuer,
): Promise<boolean> {
  if (url.pathname === '/dev/.well-known/jwks.json' && req.method === 'GET') {
    send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(issuer.jwks));
    return true;
  }
  if (url.pathname !== '/dev/tokens' || req.method !== 'POST') return false;
  let parsed: ReturnType<typeof devTokenRequestSchema.safeParse>;
  try {
    parsed = devTokenRequestSchema.safeParse(JSON.parse(body.toString('utf8') || '{}'));
  } catch {
    parsed = devTokenRequestSchema.safeParse(undefined);
  }
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
    const problem = {
      type: 'https://stablefee.dev/problems/validation',
      title: 'Invalid request',
      status: 400,
      errors,
    };
    send(res, 400, { 'content-type': 'application/problem+json' }, JSON.stringify(problem));
    return true;
  }
  send(res, 200, { 'content-type': 'application/json' }, JSON.stringify({ token: await issuer.issue(parsed.data) }));
  return true;
}

/** The function's result as API Gateway returns it: headers, cookies, and the body decoded when base64. */
function sendResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | undefined): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result?.headers ?? {})) headers[k] = String(v);
  if (result?.cookies?.length) headers['set-cookie'] = result.cookies;
  const payload = result?.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : Buffer.from(result?.body ?? '');
  send(res, result?.statusCode ?? 200, headers, payload);
}

/**
 * A path parameter as the function receives it: percent-decoded, or as sent when its escapes are malformed
 * (`%zz`, a cut UTF-8 sequence), so that the function's own validation answers rather than a crash here.
 */
function decodePathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
): void {
  const type = headers['content-type'];
  res.writeHead(status, {
    ...headers,
    ...responseSecurityHeaders(Array.isArray(type) ? type[0] : type),
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  match: CompiledRoute,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...String(value).split(/;\s*/));
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  const routeKey = `${match.route.method} ${match.route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: match.route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    } as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'],
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}
