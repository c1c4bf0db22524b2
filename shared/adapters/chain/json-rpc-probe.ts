/**
 * A minimal JSON-RPC call over fetch with a deadline, for probes that need one answer from a chain node
 * without loading a full provider. An RPC URL may carry an API key (in its path, query or user info), so no error
 * that leaves here names more of it than its scheme and host (`withoutRpcUrl`).
 */

/** `url` as an error or a log may show it: scheme and host only. */
export function shownRpcUrl(url: string): string {
  try {
    const { protocol, host } = new URL(url);
    return `${protocol}//${host}`;
  } catch {
    return '(RPC URL)';
  }
}

/** The text of `error` and of its causes, joined. */
function messageChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 5; e = (e as { cause?: unknown }).cause) {
    parts.push(e instanceof Error ? e.message : String(e));
    if (!(e instanceof Error)) break;
  }
  return parts.join(': ');
}

/**
 * `error` (with its causes' messages) as a new error in which `url`, as given or as normalised, shows as
 * {@link shownRpcUrl}; its `code` (ethers' `TIMEOUT`, `SERVER_ERROR`) is kept, its cause dropped (a cause is logged
 * whole, and ethers puts the request URL in its errors).
 */
export function withoutRpcUrl(error: unknown, url: string): Error {
  let text = messageChain(error);
  const forms = new Set([url]);
  try {
    forms.add(new URL(url).href);
  } catch {
    // not a URL: only its given form can appear
  }
  for (const form of [...forms].sort((a, b) => b.length - a.length)) text = text.split(form).join(shownRpcUrl(url));
  const redacted = new Error(text);
  const code = (error as { code?: unknown })?.code;
  if (code !== undefined) Object.assign(redacted, { code });
  return redacted;
}

/** Calls `method` on the node at `url`; rejects on transport errors, JSON-RPC errors and timeouts, never naming `url`. */
export async function jsonRpc<T>(url: string, method: string, params: unknown[] = [], timeoutMs = 2_000): Promise<T> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`RPC answered HTTP ${response.status}`);
    const payload = (await response.json()) as { result?: T; error?: { message?: string } };
    if (payload.error) throw new Error(`RPC error: ${payload.error.message ?? 'unknown'}`);
    return payload.result as T;
  } catch (error) {
    // fetch names the whole URL in some errors (a URL with user info, one it cannot parse).
    throw withoutRpcUrl(error, url);
  }
}
