/**
 * Checks HTTP answers against the service's OpenAPI document (shared/adapters/api/openapi.ts) with Ajv (JSON
 * Schema 2020-12, formats included): the route a request reaches is found as the local gateway finds it (the
 * topology's routes, most specific first), then its documented response for the status (exact, else `4XX`/`5XX`),
 * then the media type, whose schema the body must satisfy.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { compileRoutes } from '../../infra/local/api-server';
import { buildOpenApiDocument, type OpenApiDocument, openApiPath } from '../../shared/adapters/api/openapi';

// ajv-formats is CommonJS: its default export arrives wrapped under `default` in some loaders.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2020,
) => void;

const DOCUMENT_ID = 'urn:stablefee:openapi';

/** A pointer segment (RFC 6901), URI-encoded for a `$ref`-style fragment. */
const pointer = (segment: string) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));

/** What a response was checked against, and the failures (empty when it conforms). */
export interface ResponseCheck {
  route?: string;
  problems: string[];
}

/** A checker of responses against `doc` (by default the service's document, built in process). */
export function openApiResponseChecker(doc: OpenApiDocument = buildOpenApiDocument()) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOCUMENT_ID, ...doc });
  const routes = compileRoutes();

  return function check(
    method: string,
    pathname: string,
    status: number,
    contentType: string | null,
    body: unknown,
  ): ResponseCheck {
    const upper = method.toUpperCase();
    const match = routes.find((r) => r.route.method === upper && r.pattern.test(pathname));
    if (!match) return { problems: [] };
    const route = `${upper} ${match.route.path}`;
    const path = openApiPath(match.route.path);
    const operation = doc.paths[path]?.[upper.toLowerCase()];
    if (!operation) return { route, problems: [`${route} is not in the OpenAPI document`] };
    const statusKey = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in operation.responses);
    if (!statusKey) return { route, problems: [`${route}: status ${status} is not documented`] };
    const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const content = operation.responses[statusKey]?.content ?? {};
    if (!(media in content)) {
      return { route, problems: [`${route} ${status}: content type ${media || '(none)'} is not documented`] };
    }
    if (!content[media]?.schema) return { route, problems: [] };
    const ref = ['paths', path, upper.toLowerCase(), 'responses', statusKey, 'content', media, 'schema'];
    const validate = ajv.getSchema(`${DOCUMENT_ID}#/${ref.map(pointer).join('/')}`);
    if (!validate) return { route, problems: [`${route} ${status}: no schema at ${ref.join('/')}`] };
    if (validate(body)) return { route, problems: [] };
    const problems = (validate.errors ?? []).map(
      (e) => `${route} ${status} ${e.instancePath || '(body)'} ${e.message}`,
    );
    return { route, problems };
  };
}
