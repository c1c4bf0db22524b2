/**
 * The published receipt signer: what the verifier checks signatures against. `GET /v1/health` answers it as
 * `signer` (also when the service reports itself degraded, 503); the auditor may type another (the address their
 * organisation published), and without one nothing verifies (the verifier fails closed).
 */
import { useEffect, useState } from 'preact/hooks';
import type { ConsoleApi } from '../../contract';

/** The signer the service publishes, or undefined when it answers none. */
export async function publishedSigner(api: ConsoleApi): Promise<string | undefined> {
  try {
    const health = await api.request<{ signer?: string | null }>('GET', '/v1/health');
    return health.body?.signer ?? undefined;
  } catch {
    return undefined;
  }
}

/** The expected signer as a form field: fetched from the health endpoint once, editable. */
export function useExpectedSigner(api: ConsoleApi): [string, (value: string) => void] {
  const [signer, setSigner] = useState('');
  useEffect(() => {
    let live = true;
    publishedSigner(api).then((published) => {
      if (live && published) setSigner((typed) => typed || published);
    });
    return () => {
      live = false;
    };
  }, [api]);
  return [signer, setSigner];
}
