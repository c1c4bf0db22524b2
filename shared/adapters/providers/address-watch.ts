/**
 * The address-watch adapters (the AddressWatcher port, shared/ports.ts): webhook providers only notify about addresses they watch, so each invoice's deposit address
 * is registered with every enabled provider when the invoice is issued and removed when it is settled or long
 * expired. Work goes through the `addressWatch` queue (message: `AddressWatchMessage`), consumed by
 * functions/watch-addresses (the use case: shared/app/watch-addresses.ts); a failed call is retried by SQS and ends in the DLQ, and the chain scanner covers any
 * gap meanwhile, so a watch is an optimisation of latency, never a condition of correctness.
 *
 * Every operation is idempotent at the provider (adding a watched address or removing an unwatched one changes
 * nothing), so a retry may safely repeat calls that already succeeded. Addresses are sent lower-case.
 *
 * Adapters (enabled by `watchersFromConfig` when their settings are present):
 * - Alchemy Notify: `PATCH {ALCHEMY_NOTIFY_URL}/api/update-webhook-addresses`, header `X-Alchemy-Token`, body
 *   `{webhook_id, addresses_to_add, addresses_to_remove}` (documented idempotent; at most 500 per list). Settings:
 *   `ALCHEMY_NOTIFY_URL` (default `https://dashboard.alchemy.com`), `ALCHEMY_WEBHOOK_ID`, auth token.
 * - Moralis Streams (EVM): `POST {MORALIS_STREAMS_URL}/streams/evm/{MORALIS_STREAM_ID}/address` to add and
 *   `DELETE` on the same path to remove, header `x-api-key`, body `{address: [...]}` (a string or a list). Settings:
 *   `MORALIS_STREAMS_URL` (default `https://api.moralis-streams.com`), `MORALIS_STREAM_ID`, API key. Assumed, not
 *   confirmed by Moralis' docs: re-adding an attached address and removing a detached one are answered 2xx.
 * - QuickNode: neither Streams nor Webhooks take an address list of their own; their filters read a Key-Value Store
 *   list (a Webhook's `evmWalletFilter` template names it as `walletsListName`, a Streams filter checks it with
 *   `qnLib.qnContainsListItems`). So we edit that list: `PATCH {QUICKNODE_API_URL}/kv/rest/v1/lists/{QUICKNODE_WATCH_LIST}`,
 *   header `x-api-key`, body `{addItems, removeItems}` ("upsert list": creates the list if missing; a list holds each
 *   item once). Settings: `QUICKNODE_API_URL` (default `https://api.quicknode.com`), `QUICKNODE_WATCH_LIST`, API key.
 *   The filter must compare lower-case addresses (log topics are lower-case hex).
 *
 * Credentials: locally (no `WEBHOOK_SECRETS_ARN`) from `ALCHEMY_AUTH_TOKEN`, `MORALIS_API_KEY`, `QUICKNODE_API_KEY`; in
 * the cloud from the same Secrets Manager JSON as the webhook signing secrets (shared/adapters/providers/secrets.ts), under
 * `alchemyAuthToken`, `moralisApiKey`, `quicknodeApiKey`, read through Powertools Parameters and cached five minutes.
 * Credentials never appear in errors or logs.
 */

import * as z from 'zod';
import type { ProviderName } from '../../domain/transfers';
import type { AddressWatcher } from '../../ports';
import { serviceSecretValue } from '../service-secret';

/** A provider answered non-2xx, or could not be reached. The message never carries credentials. */
export class AddressWatchError extends Error {
  override readonly name = 'AddressWatchError';
  constructor(
    readonly provider: string,
    readonly operation: 'watch' | 'unwatch',
    readonly status: number | undefined,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `${provider} ${operation} failed: ${status === undefined ? detail : `HTTP ${status} ${detail}`}`.trim(),
      options,
    );
  }
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

interface AdapterOptions {
  /** Base URL of the provider's API (no trailing slash needed). */
  baseUrl: string;
  /** Per-request timeout; 5 s by default. */
  timeoutMs?: number;
  /** For tests; the global `fetch` by default. */
  fetch?: FetchLike;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/** Lower-case, without duplicates, in first-seen order. */
function normalize(addresses: readonly string[]): string[] {
  return [...new Set(addresses.map((a) => a.toLowerCase()))];
}

async function send(
  provider: string,
  operation: 'watch' | 'unwatch',
  options: AdapterOptions,
  path: string,
  init: { method: string; headers: Record<string, string>; body: unknown },
): Promise<void> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}${path}`;
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: init.method,
      headers: { accept: 'application/json', 'content-type': 'application/json', ...init.headers },
      body: JSON.stringify(init.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'error';
    throw new AddressWatchError(provider, operation, undefined, `request failed (${reason})`, { cause: error });
  }
  // Read the body either way, so that the connection is released; a short excerpt helps diagnose a refusal.
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new AddressWatchError(provider, operation, response.status, text.slice(0, 200));
}

/** Alchemy Notify: add/remove the addresses of an Address Activity webhook. */
export function alchemyWatcher(options: AdapterOptions & { webhookId: string; authToken: string }): AddressWatcher {
  const update = (operation: 'watch' | 'unwatch', addresses: string[]) =>
    send('alchemy', operation, options, '/api/update-webhook-addresses', {
      method: 'PATCH',
      headers: { 'x-alchemy-token': options.authToken },
      body: {
        webhook_id: options.webhookId,
        addresses_to_add: operation === 'watch' ? normalize(addresses) : [],
        addresses_to_remove: operation === 'unwatch' ? normalize(addresses) : [],
      },
    });
  return {
    provider: 'alchemy',
    watch: (addresses) => update('watch', addresses),
    unwatch: (addresses) => update('unwatch', addresses),
  };
}

/** Moralis Streams (EVM): attach/detach addresses of a stream. */
export function moralisWatcher(options: AdapterOptions & { streamId: string; apiKey: string }): AddressWatcher {
  const path = `/streams/evm/${encodeURIComponent(options.streamId)}/address`;
  const update = (operation: 'watch' | 'unwatch', addresses: string[]) =>
    send('moralis', operation, options, path, {
      method: operation === 'watch' ? 'POST' : 'DELETE',
      headers: { 'x-api-key': options.apiKey },
      body: { address: normalize(addresses) },
    });
  return {
    provider: 'moralis',
    watch: (addresses) => update('watch', addresses),
    unwatch: (addresses) => update('unwatch', addresses),
  };
}

/** QuickNode: add/remove items of the Key-Value Store list that the stream's or webhook's filter reads. */
export function quicknodeWatcher(options: AdapterOptions & { listKey: string; apiKey: string }): AddressWatcher {
  const path = `/kv/rest/v1/lists/${encodeURIComponent(options.listKey)}`;
  const update = (operation: 'watch' | 'unwatch', addresses: string[]) =>
    send('quicknode', operation, options, path, {
      method: 'PATCH',
      headers: { 'x-api-key': options.apiKey },
      body: {
        addItems: operation === 'watch' ? normalize(addresses) : [],
        removeItems: operation === 'unwatch' ? normalize(addresses) : [],
      },
    });
  return {
    provider: 'quicknode',
    watch: (addresses) => update('watch', addresses),
    unwatch: (addresses) => update('unwatch', addresses),
  };
}

/** The credential of each provider: environment variable locally, key in the Secrets Manager JSON in the cloud. */
export const watchCredentials = {
  alchemy: { env: 'ALCHEMY_AUTH_TOKEN', secretKey: 'alchemyAuthToken' },
  moralis: { env: 'MORALIS_API_KEY', secretKey: 'moralisApiKey' },
  quicknode: { env: 'QUICKNODE_API_KEY', secretKey: 'quicknodeApiKey' },
} as const satisfies Record<ProviderName, { env: string; secretKey: string }>;

export const ALCHEMY_NOTIFY_DEFAULT_URL = 'https://dashboard.alchemy.com';
export const MORALIS_STREAMS_DEFAULT_URL = 'https://api.moralis-streams.com';
export const QUICKNODE_API_DEFAULT_URL = 'https://api.quicknode.com';

type Env = Record<string, string | undefined>;

/** A provider's credential (trimmed), or undefined when the deployment has none (its watcher is then disabled). */
export function watchCredential(provider: ProviderName, env: Env = process.env): Promise<string | undefined> {
  return serviceSecretValue([watchCredentials[provider].secretKey], watchCredentials[provider].env, env);
}

/** A setting, trimmed; undefined when absent or blank. */
function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function baseUrl(env: Env, name: string, fallback: string): string {
  const value = setting(env, name) ?? fallback;
  if (!z.url({ protocol: /^https?$/ }).safeParse(value).success) throw new Error(`${name} is not an http(s) URL`);
  return value;
}

export interface WatchersFromConfigOptions {
  env?: Env;
  fetch?: FetchLike;
  timeoutMs?: number;
}

/**
 * The watchers of every provider whose settings and credential are present, in the order alchemy, moralis,
 * quicknode. Reads the credentials at each call (Secrets Manager values are cached), so call it per batch.
 */
export async function watchersFromConfig(options: WatchersFromConfigOptions = {}): Promise<AddressWatcher[]> {
  const env = options.env ?? process.env;
  const common = { fetch: options.fetch, timeoutMs: options.timeoutMs };
  const watchers: AddressWatcher[] = [];

  const webhookId = setting(env, 'ALCHEMY_WEBHOOK_ID');
  if (webhookId) {
    const authToken = await watchCredential('alchemy', env);
    if (authToken) {
      const url = baseUrl(env, 'ALCHEMY_NOTIFY_URL', ALCHEMY_NOTIFY_DEFAULT_URL);
      watchers.push(alchemyWatcher({ ...common, baseUrl: url, webhookId, authToken }));
    }
  }

  const streamId = setting(env, 'MORALIS_STREAM_ID');
  if (streamId) {
    const apiKey = await watchCredential('moralis', env);
    if (apiKey) {
      const url = baseUrl(env, 'MORALIS_STREAMS_URL', MORALIS_STREAMS_DEFAULT_URL);
      watchers.push(moralisWatcher({ ...common, baseUrl: url, streamId, apiKey }));
    }
  }

  const listKey = setting(env, 'QUICKNODE_WATCH_LIST');
  if (listKey) {
    const apiKey = await watchCredential('quicknode', env);
    if (apiKey) {
      const url = baseUrl(env, 'QUICKNODE_API_URL', QUICKNODE_API_DEFAULT_URL);
      watchers.push(quicknodeWatcher({ ...common, baseUrl: url, listKey, apiKey }));
    }
  }

  return watchers;
}
