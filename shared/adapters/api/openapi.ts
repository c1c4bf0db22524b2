/**
 * The API's OpenAPI 3.1 document, generated from the route table (./routes.ts) and the very zod schemas the
 * handlers validate with (`z.toJSONSchema`, JSON Schema draft 2020-12, which OpenAPI 3.1 uses as is): request
 * schemas as their input, response schemas as their output. Served at `GET /v1/openapi.json`, rendered at `/docs`.
 */
import * as z from 'zod';
import { namedResponseSchemas } from './responses';
import { apiRoutes, type RawBodyContract, type ResponseContract, type RouteContract } from './routes';

type JsonSchema = Record<string, unknown>;

/** The subset of OpenAPI 3.1 this service writes (enough for its readers and tests to be typed). */
export interface OpenApiDocument {
  openapi: '3.1.1';
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  tags: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; description?: string; content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: JsonSchema }> }>;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

const SCHEMA_REF = '#/components/schemas/';
const PROBLEM_JSON = 'application/problem+json';

/** A JSON Schema of a request part: what the caller may send (the schema's input). */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    // A refinement or transform has no JSON Schema: the handler still enforces it; the document says the shape.
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** The named response schemas as components, referring to each other by `$ref`. */
function responseComponents(): { schemas: Record<string, JsonSchema>; refOf: Map<z.ZodType, string> } {
  const registry = z.registry<{ id: string }>();
  const refOf = new Map<z.ZodType, string>();
  for (const [id, schema] of Object.entries(namedResponseSchemas)) {
    registry.add(schema, { id });
    refOf.set(schema, `${SCHEMA_REF}${id}`);
  }
  const generated = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `${SCHEMA_REF}${id}`,
  }).schemas as Record<string, JsonSchema>;
  const schemas = Object.fromEntries(
    Object.entries(generated).map(([id, { $schema: _dialect, $id: _id, ...rest }]) => [id, rest]),
  );
  return { schemas, refOf };
}

/** A route path as OpenAPI templates it: API Gateway's greedy `{proxy+}` is the parameter `{proxy}`. */
export function openApiPath(routePath: string): string {
  return routePath.replace(/\{(\w+)\+\}/g, '{$1}');
}

function pathParameters(path: string): OpenApiParameter[] {
  return [...openApiPath(path).matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name: name ?? '',
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1 },
  }));
}

function queryParameters(query: z.ZodType | undefined): OpenApiParameter[] {
  if (!query) return [];
  const object = inputSchema(query) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema as JsonSchema & { description?: string };
    return {
      name,
      in: 'query',
      required: object.required?.includes(name) ?? false,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function isRawBody(body: RouteContract['body']): body is RawBodyContract {
  return typeof body === 'object' && body !== null && 'contentTypes' in body;
}

function requestBody(body: RouteContract['body']): OpenApiOperation['requestBody'] {
  if (!body) return undefined;
  if (isRawBody(body)) {
    return {
      required: true,
      description: body.description,
      content: Object.fromEntries(body.contentTypes.map((type) => [type, {}])),
    };
  }
  return { required: true, content: { 'application/json': { schema: inputSchema(body) } } };
}

function responseEntry(contract: ResponseContract, refOf: Map<z.ZodType, string>) {
  const type = contract.contentType ?? 'application/json';
  const ref = contract.schema ? refOf.get(contract.schema) : undefined;
  const schema = contract.schema ? (ref ? { $ref: ref } : inputSchema(contract.schema)) : undefined;
  return { description: contract.description, content: { [type]: schema ? { schema } : {} } };
}

function operation(key: string, route: RouteContract, refOf: Map<z.ZodType, string>): OpenApiOperation {
  const [method = '', path = ''] = key.split(' ');
  const problem = (description: string) => ({
    description,
    content: { [PROBLEM_JSON]: { schema: { $ref: `${SCHEMA_REF}Problem` } } },
  });
  const responses: OpenApiOperation['responses'] = {};
  for (const [status, contract] of Object.entries({ ...route.responses, ...route.errorPages })) {
    responses[status] = responseEntry(contract, refOf);
  }
  if (route.auth === 'jwt') {
    responses['401'] ??= problem('No bearer token, or one that is not valid (signature, issuer, audience, expiry).');
    responses['403'] ??= problem("The token's role may not call this route.");
  }
  const gateway = { 'application/json': { schema: { $ref: `${SCHEMA_REF}GatewayMessage` } } };
  responses['429'] = { description: "API Gateway's throttle: retry later.", content: gateway };
  if (route.body) {
    responses['413'] ??= {
      description: "The body is too large: the route's own bound (a problem) or API Gateway's 10 MB (its message).",
      content: { ...problem('').content, ...gateway },
    };
  }
  responses['4XX'] = problem('The request was refused: the problem says why (validation names each field).');
  responses['5XX'] = problem('The service could not answer: retry later.');
  const body = requestBody(route.body);
  const parameters = [...pathParameters(path), ...queryParameters(route.query)];
  return {
    operationId: `${method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    description: `Callers: ${route.callers}.`,
    tags: [route.tag],
    security: route.auth === 'jwt' ? [{ bearer: [] }] : [],
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

/** Builds the document from `routes` (by default every route of the service). */
export function buildOpenApiDocument(routes: Record<string, RouteContract> = apiRoutes): OpenApiDocument {
  const { schemas, refOf } = responseComponents();
  const paths: OpenApiDocument['paths'] = {};
  for (const [key, route] of Object.entries(routes)) {
    const [method = '', routePath = ''] = key.split(' ');
    const path = openApiPath(routePath);
    paths[path] ??= {};
    (paths[path] as Record<string, OpenApiOperation>)[method.toLowerCase()] = operation(key, route, refOf);
  }
  const tags = [...new Set(Object.values(routes).map((r) => r.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.1',
    info: {
      title: 'stablefee API',
      version: '1',
      description:
        'Government fees paid in stablecoins: invoices, on-chain reconciliation, signed receipts, refunds, ' +
        'exports and settlement. Errors are RFC 9457 application/problem+json.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags,
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access or ID token of the service user pool, with the claim role (custom:role).',
        },
      },
    },
  };
}
