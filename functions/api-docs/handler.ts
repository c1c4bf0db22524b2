/**
 * GET /v1/openapi.json — the API's OpenAPI 3.1 document, generated from the schemas the handlers validate with
 * (shared/adapters/api/openapi.ts); GET /docs — the same document as a reference page. Public, built once per
 * container: the document changes only with a deployment.
 */
import { buildOpenApiDocument } from '../../shared/adapters/api/openapi';
import { httpRoute, httpRoutes } from '../../shared/adapters/http';
import { apiDocsHeaders, renderApiDocsPage } from '../../shared/web/api-docs/page';

const document = buildOpenApiDocument();
const page = renderApiDocsPage(document);

const openApi = httpRoute({ auth: 'public' }, async () => ({
  status: 200,
  body: document,
  headers: { 'cache-control': 'public, max-age=300' },
}));

const docs = httpRoute({ auth: 'public' }, async () => ({
  status: 200,
  contentType: 'text/html; charset=utf-8',
  body: page,
  headers: apiDocsHeaders(),
}));

export const handler = httpRoutes({ 'GET /v1/openapi.json': openApi, 'GET /docs': docs });
