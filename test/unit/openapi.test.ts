/**
 * The OpenAPI document (shared/adapters/api/openapi.ts): valid OpenAPI 3.1 by an independent validator, exactly the
 * topology's routes with their auth, generated from the handlers' own schemas; the wire mappers' output conforms to
 * the response schemas (by type and by value); the reference page is self-contained and escapes what it shows.
 */
import { createHash } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import { functions } from '../../infra/topology';
import { buildOpenApiDocument } from '../../shared/adapters/api/openapi';
import { invoicesQuery, issueInvoiceBody } from '../../shared/adapters/api/requests';
import type {
  invoiceSchema,
  payViewSchema,
  receiptSchemaWithDelivery,
  signedReceiptSchema,
} from '../../shared/adapters/api/responses';
import { apiRoutes } from '../../shared/adapters/api/routes';
import { errorResponse } from '../../shared/adapters/http';
import { NotFoundError, ValidationError } from '../../shared/domain/errors';
import { feeToJson, sampleFeeCatalog } from '../../shared/domain/fees';
import { type InvoiceWire, invoiceToWire } from '../../shared/domain/invoices';
import type { Receipt } from '../../shared/domain/receipts';
import { apiDocsHeaders, renderApiDocsPage } from '../../shared/web/api-docs/page';
import { type PayView, toPayView } from '../../shared/web/pay-page/view';
import { openApiResponseChecker } from '../helpers/openapi';
import { anInvoice } from '../support/invoices';

const document = buildOpenApiDocument();
const topologyRoutes = functions.flatMap((fn) =>
  fn.triggers.flatMap((t) => (t.kind === 'http' ? t.routes.map((r) => ({ key: `${r.method} ${r.path}`, ...r })) : [])),
);

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as never);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists exactly the routes of the topology, each with its method and auth', () => {
    const documented = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        key: `${method.toUpperCase()} ${path}`,
        jwt: op.security.length > 0,
      })),
    );
    const templated = (key: string) => key.replace(/\{(\w+)\+\}/g, '{$1}');
    expect(documented.map((d) => d.key).sort()).toEqual(topologyRoutes.map((r) => templated(r.key)).sort());
    expect(Object.keys(apiRoutes).sort()).toEqual(topologyRoutes.map((r) => r.key).sort());
    for (const route of topologyRoutes) {
      expect(apiRoutes[route.key]?.auth, route.key).toBe(route.auth);
      expect(documented.find((d) => d.key === templated(route.key))?.jwt, route.key).toBe(route.auth === 'jwt');
    }
  });

  it('names every path parameter and documents problem+json for errors on every operation', () => {
    for (const [path, ops] of Object.entries(document.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops)) {
        expect(op.parameters?.filter((p) => p.in === 'path').map((p) => p.name) ?? [], path).toEqual(names);
        expect(Object.keys(op.responses['4XX']?.content ?? {}), path).toEqual(['application/problem+json']);
        expect(Object.keys(op.responses['5XX']?.content ?? {}), path).toEqual(['application/problem+json']);
        if (op.security.length) expect(op.responses['401']?.content?.['application/problem+json'], path).toBeDefined();
      }
    }
  });

  it("is generated from the handlers' schemas: query and body say what the handler enforces", () => {
    const issue = document.paths['/v1/invoices']?.post;
    expect(issue?.requestBody?.content['application/json']?.schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['feeCode', 'payer'],
    });
    const list = document.paths['/v1/invoices']?.get;
    const limit = list?.parameters?.find((p) => p.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', maximum: 100 } });
    expect(list?.parameters?.map((p) => p.name).sort()).toEqual(Object.keys(invoicesQuery.shape).sort());
    expect(
      Object.keys((issue?.requestBody?.content['application/json']?.schema as any)?.properties ?? {}).sort(),
    ).toEqual(Object.keys(issueInvoiceBody.shape).sort());
  });
});

describe("the wire mappers' output conforms to the response schemas", () => {
  const check = openApiResponseChecker(document);

  it('by type', () => {
    expectTypeOf<InvoiceWire>().toExtend<z.input<typeof invoiceSchema>>();
    expectTypeOf<PayView>().toExtend<z.input<typeof payViewSchema>>();
    expectTypeOf<Receipt>().toExtend<z.input<typeof signedReceiptSchema>>();
    expectTypeOf<ReturnType<typeof import('../../functions/read-receipts/handler').receiptToWire>>().toExtend<
      z.input<typeof receiptSchemaWithDelivery>
    >();
  });

  it('by value: an invoice, its list, its pay view, the fee catalog, health and problems', () => {
    const now = new Date('2026-03-10T06:30:00.000Z');
    const invoice = invoiceToWire(anInvoice(), now, 'https://pay.example');
    const ok = (method: string, path: string, status: number, body: unknown, type = 'application/json') =>
      expect(check(method, path, status, type, body).problems).toEqual([]);
    ok('POST', '/v1/invoices', 201, invoice);
    ok('GET', '/v1/invoices', 200, { items: [invoice], nextCursor: null });
    ok('GET', `/v1/pay/${invoice.id}`, 200, toPayView(anInvoice(), now, 'https://pay.example'));
    ok('GET', '/v1/fees', 200, {
      items: sampleFeeCatalog.map((fee) => ({ ...feeToJson(fee), version: `seed:fee:${fee.code}` })),
    });
    ok('POST', '/v1/invoices', 201, { ...invoice, pricedWith: { fee: 'seed:fee:AFSA-APP-AI', mrp: 'mrp_1' } });
    const health = { status: 'ok', checks: { table: { status: 'ok', latencyMs: 3 } }, signer: null };
    ok('GET', '/v1/ops/health', 200, health);
    ok('GET', '/v1/health', 200, { status: 'ok', signer: null });
    for (const error of [new NotFoundError('No invoice x.'), new ValidationError([{ field: 'a', message: 'b' }])]) {
      const res = errorResponse(error, '/v1/invoices/x');
      ok('GET', '/v1/invoices/x', res.statusCode ?? 0, JSON.parse(res.body ?? ''), 'application/problem+json');
    }
  });

  it('and a body that does not conform is caught, with the field named', () => {
    const { problems } = check('GET', '/v1/invoices', 200, 'application/json', { items: [{ id: 1 }] });
    expect(problems.join('\n')).toMatch(/\/items\/0/);
    expect(check('GET', '/v1/invoices', 401, 'application/json', { message: 'Unauthorized' }).problems).not.toEqual([]);
  });
});

describe('the reference page', () => {
  it('shows every operation, loads nothing from elsewhere and runs no script', () => {
    const html = renderApiDocsPage(document);
    for (const route of topologyRoutes) expect(html).toContain(`<code>${route.path}</code>`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!stablefee\.dev)[^"<\s]*\.(js|css)/i);
  });

  it('allows its one stylesheet by hash and nothing else', () => {
    const html = renderApiDocsPage(document);
    const style = /<style>([^<]*)<\/style>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    const csp = apiDocsHeaders()['content-security-policy'];
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).toMatch(/^default-src 'none'/);
    expect(csp).not.toMatch(/script-src|https?:/);
  });

  it('escapes what the document says', () => {
    const evil = structuredClone(document);
    evil.info.title = '<img src=x onerror=alert(1)>';
    const html = renderApiDocsPage(evil);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
