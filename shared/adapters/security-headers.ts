/**
 * Transport security headers of every HTTP response the service produces. A module of its own, without imports, so
 * the local API server can add them to the answers it makes itself (as API Gateway answers in front of us) without
 * loading the Lambda adapter before the runtime's environment is set.
 */

/** Browsers reach the service over HTTPS only, for two years, subdomains included. */
const HSTS = 'max-age=63072000; includeSubDomains';

/**
 * Transport headers every response of the service carries, whatever built it: HSTS always, and `nosniff` on JSON
 * (`application/json`, `application/problem+json`) so a browser never reads an API body as a script or a page.
 */
export function responseSecurityHeaders(contentType: string | undefined): Record<string, string> {
  const json = /^application\/([a-z0-9.+-]*\+)?json\b/i.test(contentType ?? '');
  return { 'strict-transport-security': HSTS, ...(json ? { 'x-content-type-options': 'nosniff' } : {}) };
}
