/**
 * The address-watch port without a network: the queue message schema, which adapters `watchersFromConfig` enables
 * from which settings (and where they send), and how one message is applied across watchers.
 */
import { describe, expect, it } from 'vitest';
import { AddressWatchError, type FetchLike, watchersFromConfig } from '../../shared/adapters/providers/address-watch';
import { applyAddressWatch } from '../../shared/app/watch-addresses';
import { addressWatchMessageSchema } from '../../shared/domain/address-watch';
import type { AddressWatcher } from '../../shared/ports';

const A = `0x${'Ab'.repeat(20)}`;
const B = `0x${'12'.repeat(20)}`;

describe('addressWatchMessageSchema', () => {
  it('accepts watch and unwatch messages, with optional invoiceId and providers', () => {
    expect(addressWatchMessageSchema.parse({ action: 'watch', addresses: [A] })).toEqual({
      action: 'watch',
      addresses: [A],
    });
    const full = { action: 'unwatch', addresses: [A, B], invoiceId: 'inv_1', providers: ['moralis', 'quicknode'] };
    expect(addressWatchMessageSchema.parse(full)).toEqual(full);
  });

  it.each([
    ['unknown action', { action: 'add', addresses: [A] }],
    ['no addresses', { action: 'watch', addresses: [] }],
    ['more than 100 addresses', { action: 'watch', addresses: Array(101).fill(A) }],
    ['short address', { action: 'watch', addresses: ['0x1234'] }],
    ['address without 0x', { action: 'watch', addresses: ['ab'.repeat(20)] }],
    ['non-hex address', { action: 'watch', addresses: [`0x${'zz'.repeat(20)}`] }],
    ['unknown provider', { action: 'watch', addresses: [A], providers: ['infura'] }],
    ['empty providers', { action: 'watch', addresses: [A], providers: [] }],
    ['empty invoiceId', { action: 'watch', addresses: [A], invoiceId: '' }],
    ['missing action', { addresses: [A] }],
  ])('rejects %s', (_, message) => {
    expect(addressWatchMessageSchema.safeParse(message).success).toBe(false);
  });

  it('accepts exactly 100 addresses', () => {
    expect(addressWatchMessageSchema.safeParse({ action: 'watch', addresses: Array(100).fill(B) }).success).toBe(true);
  });
});

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function recordingFetch(status = 200): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({
      url,
      method: String(init.method),
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: JSON.parse(String(init.body)),
    });
    return new Response(status === 200 ? '{}' : '{"message":"nope"}', { status });
  };
  return { fetch, calls };
}

describe('watchersFromConfig (local: credentials from the environment)', () => {
  it('enables nothing without settings', async () => {
    expect(await watchersFromConfig({ env: {} })).toEqual([]);
  });

  it('needs both the resource id and the credential of a provider', async () => {
    const partial = {
      ALCHEMY_WEBHOOK_ID: 'wh_1',
      MORALIS_API_KEY: 'k',
      QUICKNODE_WATCH_LIST: 'deposits',
      QUICKNODE_API_KEY: ' ',
    };
    expect(await watchersFromConfig({ env: partial })).toEqual([]);
  });

  it('enables each configured provider, in order, at its default API', async () => {
    const { fetch, calls } = recordingFetch();
    const watchers = await watchersFromConfig({
      fetch,
      env: {
        ALCHEMY_WEBHOOK_ID: 'wh_1',
        ALCHEMY_AUTH_TOKEN: 'alchemy-token',
        MORALIS_STREAM_ID: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
        MORALIS_API_KEY: 'moralis-key',
        QUICKNODE_WATCH_LIST: 'stablefee-deposits',
        QUICKNODE_API_KEY: 'qn-key',
      },
    });
    expect(watchers.map((w) => w.provider)).toEqual(['alchemy', 'moralis', 'quicknode']);
    for (const w of watchers) await w.watch([A]);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'PATCH https://dashboard.alchemy.com/api/update-webhook-addresses',
      'POST https://api.moralis-streams.com/streams/evm/3fa85f64-5717-4562-b3fc-2c963f66afa6/address',
      'PATCH https://api.quicknode.com/kv/rest/v1/lists/stablefee-deposits',
    ]);
    expect(calls.map((c) => c.body)).toEqual([
      { webhook_id: 'wh_1', addresses_to_add: [A.toLowerCase()], addresses_to_remove: [] },
      { address: [A.toLowerCase()] },
      { addItems: [A.toLowerCase()], removeItems: [] },
    ]);
    expect(calls[0]?.headers['x-alchemy-token']).toBe('alchemy-token');
    expect(calls[1]?.headers['x-api-key']).toBe('moralis-key');
    expect(calls[2]?.headers['x-api-key']).toBe('qn-key');
  });

  it('honours base URL overrides (trailing slash or not) and rejects a non-http one', async () => {
    const { fetch, calls } = recordingFetch();
    const [alchemy] = await watchersFromConfig({
      fetch,
      env: { ALCHEMY_NOTIFY_URL: 'http://127.0.0.1:9999/', ALCHEMY_WEBHOOK_ID: 'wh', ALCHEMY_AUTH_TOKEN: 't' },
    });
    await alchemy?.unwatch([B, B.toUpperCase().replace('0X', '0x')]);
    expect(calls[0]?.url).toBe('http://127.0.0.1:9999/api/update-webhook-addresses');
    expect(calls[0]?.body).toEqual({ webhook_id: 'wh', addresses_to_add: [], addresses_to_remove: [B] });
    await expect(
      watchersFromConfig({ env: { ALCHEMY_NOTIFY_URL: 'ftp://x', ALCHEMY_WEBHOOK_ID: 'wh', ALCHEMY_AUTH_TOKEN: 't' } }),
    ).rejects.toThrow('ALCHEMY_NOTIFY_URL is not an http(s) URL');
  });

  it('a non-2xx answer throws with the status and without the credential', async () => {
    const { fetch } = recordingFetch(401);
    const [moralis] = await watchersFromConfig({
      fetch,
      env: { MORALIS_STREAM_ID: 's', MORALIS_API_KEY: 'very-secret-key' },
    });
    const error = await moralis?.unwatch([A]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AddressWatchError);
    expect(error).toMatchObject({ provider: 'moralis', operation: 'unwatch', status: 401 });
    expect(String((error as Error).message)).toContain('HTTP 401');
    expect(String((error as Error).message)).not.toContain('very-secret-key');
  });

  it('a network failure throws an AddressWatchError without status', async () => {
    const failing: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    const [qn] = await watchersFromConfig({
      fetch: failing,
      env: { QUICKNODE_WATCH_LIST: 'l', QUICKNODE_API_KEY: 'k' },
    });
    await expect(qn?.watch([A])).rejects.toMatchObject({ provider: 'quicknode', status: undefined });
  });
});

describe('applyAddressWatch', () => {
  function fake(provider: string, fail = false): AddressWatcher & { calls: string[] } {
    const calls: string[] = [];
    const op = (action: string) => async (addresses: string[]) => {
      calls.push(`${action} ${addresses.join(',')}`);
      if (fail) throw new Error(`${provider} down`);
    };
    return { provider, calls, watch: op('watch'), unwatch: op('unwatch') };
  }

  it('calls every watcher, or only the named providers', async () => {
    const watchers = [fake('alchemy'), fake('moralis'), fake('quicknode')];
    expect(await applyAddressWatch(watchers, { action: 'watch', addresses: [A] })).toEqual([
      'alchemy',
      'moralis',
      'quicknode',
    ]);
    expect(await applyAddressWatch(watchers, { action: 'unwatch', addresses: [B], providers: ['moralis'] })).toEqual([
      'moralis',
    ]);
    expect(watchers.map((w) => w.calls)).toEqual([[`watch ${A}`], [`watch ${A}`, `unwatch ${B}`], [`watch ${A}`]]);
  });

  it('a named provider that is not enabled is a no-op', async () => {
    expect(
      await applyAddressWatch([fake('alchemy')], { action: 'watch', addresses: [A], providers: ['moralis'] }),
    ).toEqual([]);
  });

  it('still calls the others when one fails, then rejects naming the failed ones', async () => {
    const ok = fake('alchemy');
    const down = fake('moralis', true);
    const error = await applyAddressWatch([ok, down], { action: 'watch', addresses: [A] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).message).toBe('address watch failed for moralis');
    expect(ok.calls).toEqual([`watch ${A}`]);
  });
});
