/** Small HTTP helpers for tests that talk to the local runtime's API. */

export interface ApiClient {
  token(claims: { role: 'ministry' | 'auditor' | 'operator' | 'compliance'; ministry?: string }): Promise<string>;
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ): Promise<{ status: number; headers: Headers; json: any; text: string }>;
}

/** A client for the API at `baseUrl`. */
export function apiClient(baseUrl: string): ApiClient {
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
      return { status: response.status, headers: response.headers, json, text };
    },
  };
}
