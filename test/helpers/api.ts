/**
 * Small HTTP helpers for tests that talk to the local runtime's API. Every JSON answer is checked against the
 * OpenAPI document (test/helpers/openapi.ts): a body that does not conform to its route's documented response fails
 * the call, so the e2e suites keep the document honest. `apiClient(url, { checkResponses: false })` opts out.
 */
import { openApiResponseChecker } from './openapi';

let sharedChecker: ReturnType<typeof openApiResponseChecker> | undefined;

export interface ApiClient {
  token(claims: { role: 'ministry' | 'auditor' | 'operator' | 'compliance'; ministry?: string }): Promise<string>;
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ): Promise<{ status: number; headers: Headers; json: any; text: string }>;
}

/** A client for the API at `baseUrl`; its answers are checked against the OpenAPI document unless told not to. */
export function apiClient(baseUrl: string, options: { checkResponses?: boolean } = {}): ApiClient {
  if (options.checkResponses !== false) sharedChecker ??= openApiResponseChecker();
  const check = options.checkResponses === false ? undefined : sharedChecker;
  return {
    async token(claims) {
      const response = await fetch(`${baseUrl}/dev/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(claims),
      });
      if (response.status !== 200) throw new Error(`dev token: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { token: string }).token;
    },
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
      const text = await response.text();
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (check) {
        const { problems } = check(
          method,
          new URL(path, baseUrl).pathname,
          response.status,
          response.headers.get('content-type'),
          json,
        );
        if (problems.length) {
          throw new Error(
            `The answer does not conform to the OpenAPI document:\n${problems.join('\n')}\n${text.slice(0, 2000)}`,
          );
        }
      }
      return { status: response.status, headers: response.headers, json, text };
    },
  };
}
