/**
 * The `?lang=` rule of the pay routes, through the handler: a well-formed tag we do not translate into falls back to
 * a language; an over-long or malformed value is a 400 problem. Unknown invoice ids keep the table out of it.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/pay-page/handler';

const context = { functionName: 'pay-page', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 1000 } as Context;

async function get(path: string, lang: string, acceptLanguage?: string) {
  const event = {
    version: '2.0',
    routeKey: path.startsWith('/pay/')
      ? 'GET /pay/{id}'
      : path.endsWith('/receipt')
        ? 'GET /v1/pay/{id}/receipt'
        : 'GET /v1/pay/{id}',
    rawPath: path,
    rawQueryString: `lang=${encodeURIComponent(lang)}`,
    queryStringParameters: { lang },
    pathParameters: { id: path.split('/')[path.startsWith('/pay/') ? 2 : 3] },
    headers: acceptLanguage ? { 'accept-language': acceptLanguage } : {},
    requestContext: { http: { method: 'GET', path }, requestId: 'req-1' },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
  const result = await handler(event, context);
  return { status: result.statusCode, headers: result.headers ?? {}, body: String(result.body ?? '') };
}

describe('?lang= on the pay routes', () => {
  it('uses a language of the page, and falls back on a well-formed tag it does not have', async () => {
    expect((await get('/pay/inv_unknown', 'kk')).headers['content-language']).toBe('kk');
    expect((await get('/pay/inv_unknown', 'de')).headers['content-language']).toBe('ru');
    const long = await get('/pay/inv_unknown', 'en-GB-oxendict-x-private1', 'en');
    expect(long.status).toBe(404);
    expect(long.headers['content-language']).toBe('en');
  });

  it.each([
    ['markup', '<script>'],
    ['a space', 'en US'],
    ['an empty subtag', 'en--GB'],
    ['over 35 characters', `en-${'abcdefgh-'.repeat(3)}abcdefg`],
    ['a huge value', 'x'.repeat(5_000)],
  ])('refuses %s with a 400 problem naming lang', async (_what, lang) => {
    for (const path of ['/pay/inv_unknown', '/v1/pay/inv_unknown', '/v1/pay/inv_unknown/receipt']) {
      const r = await get(path, lang);
      expect(r.status, `${path} ${lang.slice(0, 40)}`).toBe(400);
      expect(r.headers['content-type']).toBe('application/problem+json');
      expect(new Set(JSON.parse(r.body).errors.map((e: { field: string }) => e.field))).toEqual(new Set(['lang']));
    }
  });
});
