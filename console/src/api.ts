/**
 * The console's API client (`ConsoleApi`): same origin, the signed-in user's bearer token added to every call,
 * JSON in and out. The token lives only in this closure (memory): never in storage, never in a URL.
 */
import type { ApiResult, ConsoleApi, Problem } from './contract';

/** Creates the client; `token` reads the current token, `onUnauthorized` runs when the API refuses it (401). */
export function createApi(token: () => string | undefined, onUnauthorized: () => void): ConsoleApi {
  return {
    async request<T>(
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      path: string,
      options: { body?: unknown; contentType?: string; headers?: Record<string, string> } = {},
    ): Promise<ApiResult<T>> {
      const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
      const bearer = token();
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      let body: BodyInit | undefined;
      if (typeof options.body === 'string' || options.body instanceof Blob) {
        body = options.body;
        headers['content-type'] = options.contentType ?? 'text/plain';
      } else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      let response: Response;
      try {
        response = await fetch(path, { method, headers, body, credentials: 'omit' });
      } catch (error) {
        const problem: Problem = { title: 'Network error', detail: String(error) };
        return { status: 0, ok: false, body: problem as T, headers: new Headers() };
      }
      if (response.status === 401) onUnauthorized();
      return {
        status: response.status,
        ok: response.ok,
        body: (await parseBody(response)) as T,
        headers: response.headers,
      };
    },
    async download(url: string): Promise<Uint8Array> {
      const response = await fetch(url, { credentials: 'omit' });
      if (!response.ok) throw new Error(`download failed: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

/** JSON (or problem+json) parsed; API Gateway's own `{"message"}` errors made into a problem; other text as is. */
async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  if (!/json/i.test(type))
    return response.ok ? text : ({ title: response.statusText || `HTTP ${response.status}`, detail: text } as Problem);
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    return { title: `HTTP ${response.status}`, detail: text } as Problem;
  }
  if (!response.ok && parsed && typeof parsed === 'object' && !('title' in parsed) && 'message' in parsed) {
    return { title: String((parsed as { message: unknown }).message), status: response.status } as Problem;
  }
  return parsed;
}
