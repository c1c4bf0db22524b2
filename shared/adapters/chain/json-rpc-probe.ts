/**
 * A minimal JSON-RPC call over fetch with a deadline, for probes that need one answer from a chain node
 * without loading a full provider.
 */

/** Calls `method` on the node at `url`; rejects on transport errors, JSON-RPC errors and timeouts. */
export async function jsonRpc<T>(url: string, method: string, params: unknown[] = [], timeoutMs = 2_000): Promise<T> {
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
}
