/**
 * The ministry registry adapter: where each ministry's registry is (`REGISTRIES`, JSON
 * `{"AFSA": {"url": "https://…", "timeoutMs": 5000}}`), its shared HMAC secret (locally `REGISTRY_SECRET`; in the
 * cloud the service secret's `registries.<MINISTRY>` entry, read like the webhook secrets), and the signed POST:
 * `Idempotency-Key: <receiptId>` and `Stablefee-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
 * JSON over HTTPS is the one format built; the boundary (`RegistryDelivery`) leaves room for the e-government bus.
 * Registry URLs must be `https` outside the local stage, and a delivery never follows a redirect.
 */
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import * as z from 'zod';
import { ministryCodeSchema } from '../domain/ministry';
import { isForbiddenAddress, registryUrlProblem } from '../domain/registry-url';
import type { Registry, RegistryDelivery } from '../ports';
import { stage } from './config';
import { serviceSecretValue } from './service-secret';

/** `REGISTRIES` for `forStage`: plain `http` is a local-stage convenience (the mock registry), never deployed. */
function registriesSchema(forStage: typeof stage) {
  const url = forStage === 'local' ? z.url({ protocol: /^https?$/ }) : z.url({ protocol: /^https$/ });
  return z.record(
    ministryCodeSchema,
    z.object({ url, timeoutMs: z.number().int().min(100).max(30_000).default(5_000) }),
  );
}

export type RegistryEndpoint = z.output<ReturnType<typeof registriesSchema>>[string];

/** Parses `REGISTRIES` JSON; throws when an entry is malformed or not `https` outside the local stage. */
export function parseRegistries(json: string, forStage: typeof stage): Record<string, RegistryEndpoint> {
  return registriesSchema(forStage).parse(JSON.parse(json || '{}'));
}

const registries = parseRegistries(process.env.REGISTRIES ?? '', stage);

/** The configured registry of `ministry`, or undefined (then receipts wait, and the DLQ alarm tells operators). */
export function registryFor(ministry: string): RegistryEndpoint | undefined {
  return registries[ministry];
}

/** The HMAC secret shared with `ministry`'s registry. */
export function registrySecret(ministry: string): Promise<string | undefined> {
  return serviceSecretValue(['registries', ministry], 'REGISTRY_SECRET');
}

/** The signature header value for `body` at unix time `t`. */
export function registrySignature(body: string, secret: string, t: number): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/**
 * POSTs a signed receipt. 2xx and 409 (the registry has this key already) count as delivered; everything else —
 * 3xx, 5xx, 429, other 4xx (a misconfigured secret is fixed by an operator, then the retry or a replay succeeds),
 * timeouts and network errors — is retried by the caller. Redirects are never followed: a 301/302 would turn the
 * POST into a GET whose 200 looks like a delivery, and a 307/308 would carry the signed receipt and its signature
 * to wherever the registry (or whoever answers for it) points; an operator fixes the configured URL instead.
 */
export function deliverReceipt(
  endpoint: RegistryEndpoint,
  secret: string,
  receiptId: string,
  body: string,
  now: Date,
): Promise<Exclude<RegistryDelivery, { outcome: 'not-configured' }>> {
  return postSigned(endpoint, secret, receiptId, body, now, 'registry');
}

/**
 * The signed POST every outgoing document takes (a receipt to a registry, a refund order to the custodian):
 * `Idempotency-Key`, the timestamped HMAC header, no redirects, a timeout; 2xx and 409 are delivered, the rest is
 * a retry whose error names `peer`.
 */
export async function postSigned(
  endpoint: { url: string; timeoutMs: number },
  secret: string,
  idempotencyKey: string,
  body: string,
  now: Date,
  peer: string,
): Promise<Exclude<RegistryDelivery, { outcome: 'not-configured' }>> {
  const t = Math.floor(now.getTime() / 1000);
  try {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
        'stablefee-signature': registrySignature(body, secret, t),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    });
    await response.body?.cancel().catch(() => {});
    if (response.ok || response.status === 409) return { outcome: 'delivered', status: response.status };
    const redirect = response.status >= 300 && response.status < 400 ? ' (a redirect: not followed)' : '';
    return { outcome: 'retry', status: response.status, error: `${peer} answered HTTP ${response.status}${redirect}` };
  } catch (error) {
    const name = (error as Error).name;
    return {
      outcome: 'retry',
      error:
        name === 'TimeoutError' || name === 'AbortError'
          ? `no answer within ${endpoint.timeoutMs} ms`
          : 'network error',
    };
  }
}

/**
 * Why `url` may not be posted to now, or undefined. Outside the local stage its host must be public as written AND
 * as resolved at this moment: a name that resolves (for any of its addresses) to a private, loopback, link-local or
 * metadata address is refused, so re-pointing an approved name (DNS rebinding) does not reach inside. What is left:
 * fetch resolves the name again when it connects; a resolver flipping in that moment is not caught here (pinning the
 * checked address needs a connect-time lookup hook in the HTTP client).
 */
export async function unsafeRegistryTarget(url: string, forStage: typeof stage): Promise<string | undefined> {
  if (forStage === 'local') return registryUrlProblem(url, { allowLocalLoopback: true });
  const problem = registryUrlProblem(url);
  if (problem) return problem;
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  try {
    const addresses = await lookup(host, { all: true, verbatim: true });
    if (addresses.some((a) => isForbiddenAddress(a.address))) return `${host} resolves to a private address`;
  } catch {
    return `${host} does not resolve`;
  }
  return undefined;
}

/**
 * The registry port (shared/ports.ts): each ministry's registry — the approved reference-data version when
 * `approvedUrl` knows one (shared/app/reference-data.ts), else the deployment's configuration — over HTTPS with its
 * shared secret, checked against server-side request forgery at request time.
 */
export function ministryRegistriesWith(approvedUrl?: (ministry: string) => Promise<string | undefined>): Registry {
  return {
    async deliver(ministry, documentId, body, at) {
      const configured = registryFor(ministry);
      const url = (await approvedUrl?.(ministry)) ?? configured?.url;
      const secret = url && (await registrySecret(ministry));
      if (!url || !secret) return { outcome: 'not-configured' };
      const unsafe = await unsafeRegistryTarget(url, stage);
      if (unsafe) return { outcome: 'retry', error: `registry URL refused: ${unsafe}` };
      return deliverReceipt({ url, timeoutMs: configured?.timeoutMs ?? 5_000 }, secret, documentId, body, at);
    },
  };
}

/** {@link ministryRegistriesWith} on the deployment's configuration alone. */
export const ministryRegistries: Registry = ministryRegistriesWith();

/**
 * Seconds until the next try after `attempt` failed ones: exponential from `base`, capped, with ±20 % jitter so a
 * registry coming back is not hit by every receipt at once.
 */
export function backoffSeconds(attempt: number, base: number, cap: number, random = Math.random): number {
  const exp = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(exp * (0.8 + 0.4 * random())));
}
