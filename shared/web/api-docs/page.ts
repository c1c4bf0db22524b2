/**
 * The API reference page (`GET /docs`): rendered on the server from the OpenAPI document, one section per operation
 * and one per named schema. No script at all, one stylesheet allowed by its hash, no other origin: the CSP is
 * `default-src 'none'`. Every text from the document is escaped.
 */
import { createHash } from 'node:crypto';
import type { OpenApiDocument, OpenApiOperation, OpenApiParameter } from '../../adapters/api/openapi';
import { escapeHtml } from '../pay-page/render';

const STYLE = [
  'body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#1b1b1b}',
  'h1{font-size:1.8rem}h2{border-bottom:2px solid #ccc;margin-top:2.5rem}h3{font-size:1.1rem;margin-bottom:.25rem}',
  'code,pre{font:14px/1.4 ui-monospace,monospace}pre{background:#f4f4f4;padding:.75rem;overflow:auto;max-height:28rem}',
  '.op{border:1px solid #ddd;border-radius:6px;padding:.25rem 1rem 1rem;margin:1rem 0}',
  '.method{display:inline-block;min-width:4.5rem;font-weight:700;color:#0b5394}',
  'table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}',
  '.auth{font-size:.9rem;color:#555}nav ul{columns:2}a{color:#0b5394}',
].join('');

/** The `style-src` hash of the page's one stylesheet, so the CSP allows it and nothing else. */
const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

/** The response headers of the page: a CSP that allows its stylesheet only, and the service's usual hardening. */
export function apiDocsHeaders(): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      `style-src '${STYLE_HASH}'`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'public, max-age=300',
  };
}

const anchorOf = (method: string, path: string) => `op-${method}-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
const schemaAnchor = (name: string) => `schema-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
// Focusable, so a keyboard reaches a schema that scrolls.
const json = (value: unknown) => `<pre tabindex="0">${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;

/** A schema: a link to the named one it refers to, or the schema itself. */
function schemaHtml(schema: Record<string, unknown> | undefined): string {
  if (!schema) return '<p>No schema.</p>';
  const ref = typeof schema.$ref === 'string' ? schema.$ref.replace('#/components/schemas/', '') : undefined;
  return ref ? `<p>Schema <a href="#${escapeHtml(schemaAnchor(ref))}">${escapeHtml(ref)}</a></p>` : json(schema);
}

function parametersHtml(parameters: OpenApiParameter[] | undefined): string {
  if (!parameters?.length) return '';
  const rows = parameters.map(
    (p) =>
      `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td>` +
      `<td>${p.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`,
  );
  return `<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Required</th><th>Schema</th></tr>${rows.join('')}</table>`;
}

function bodyHtml(body: OpenApiOperation['requestBody']): string {
  if (!body) return '';
  const parts = Object.entries(body.content).map(
    ([type, media]) =>
      `<p>Content type <code>${escapeHtml(type)}</code></p>${media.schema ? schemaHtml(media.schema) : ''}`,
  );
  return `<h4>Request body</h4>${body.description ? `<p>${escapeHtml(body.description)}</p>` : ''}${parts.join('')}`;
}

function responsesHtml(responses: OpenApiOperation['responses']): string {
  const items = Object.entries(responses).map(([status, response]) => {
    const media = Object.entries(response.content ?? {}).map(
      ([type, m]) => `<code>${escapeHtml(type)}</code>${m.schema ? schemaHtml(m.schema) : ''}`,
    );
    return `<li><strong>${escapeHtml(status)}</strong> ${escapeHtml(response.description)} ${media.join(' ')}</li>`;
  });
  return `<h4>Responses</h4><ul>${items.join('')}</ul>`;
}

function operationHtml(method: string, path: string, op: OpenApiOperation): string {
  const auth = op.security.length ? 'Bearer JWT' : 'No token';
  return [
    `<section class="op" id="${escapeHtml(anchorOf(method, path))}">`,
    `<h3><span class="method">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>`,
    `<p>${escapeHtml(op.summary)}</p><p class="auth">${escapeHtml(auth)} · ${escapeHtml(op.description)}</p>`,
    parametersHtml(op.parameters),
    bodyHtml(op.requestBody),
    responsesHtml(op.responses),
    '</section>',
  ].join('');
}

/** The reference page of `doc`. */
export function renderApiDocsPage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
  const sections = doc.tags.map(({ name }) => {
    const ops = operations.filter((o) => o.op.tags.includes(name));
    return `<h2 id="tag-${escapeHtml(name)}">${escapeHtml(name)}</h2>${ops.map((o) => operationHtml(o.method, o.path, o.op)).join('')}`;
  });
  const toc = operations.map(
    (o) =>
      `<li><a href="#${escapeHtml(anchorOf(o.method, o.path))}">${escapeHtml(o.method.toUpperCase())} ${escapeHtml(o.path)}</a></li>`,
  );
  const schemas = Object.entries(doc.components.schemas).map(
    ([name, schema]) =>
      `<section id="${escapeHtml(schemaAnchor(name))}"><h3>${escapeHtml(name)}</h3>${json(schema)}</section>`,
  );
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.info.title)} reference</title><style>${STYLE}</style></head><body><main>`,
    `<h1>${escapeHtml(doc.info.title)}</h1><p>${escapeHtml(doc.info.description)}</p>`,
    '<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1).</p>',
    `<nav aria-label="Operations"><ul>${toc.join('')}</ul></nav>`,
    sections.join(''),
    `<h2 id="schemas">Schemas</h2>${schemas.join('')}`,
    '</main></body></html>',
  ].join('');
}
