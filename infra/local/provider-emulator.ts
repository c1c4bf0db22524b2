/**
 * A local stand-in for Alchemy Notify (Address Activity), so that `npm start` exercises the webhook path end to end:
 * it follows the local chain, and for every ERC-20 Transfer of the test tokens that touches a watched address (as
 * sender or recipient, as Alchemy does) it POSTs a signed Address Activity webhook — exactly the payload shape
 * shared/adapters/providers/alchemy.ts reads, network `LOCAL_HARDHAT` — to `${apiUrl}/v1/webhooks/alchemy`, retrying a few times
 * on a non-2xx answer as Alchemy does.
 *
 * Watched addresses are managed through an Alchemy-like Notify API on the emulator's own port:
 * - `PATCH /api/update-webhook-addresses` `{webhook_id, addresses_to_add, addresses_to_remove}`
 * - `PUT /api/update-webhook-addresses` `{webhook_id, addresses}` (replace the list)
 * - `GET /api/webhook-addresses?webhook_id=…` → `{data: [addresses], pagination}`
 * each with header `X-Alchemy-Token: <authToken>`; or in-process through `watch`/`unwatch`.
 *
 * Switches, for exercising the consumer's robustness (all off by default):
 * - `watchAll`: every Transfer of the followed tokens is delivered, watched or not;
 * - `paused`: nothing is delivered; activity seen meanwhile is lost, as when a provider misses events (the chain
 *   scanner must catch it);
 * - `duplicates: n`: each webhook is delivered n extra times (same id, same body, as a provider's redelivery);
 * - `delayMs`: each delivery waits that long first;
 * - `reorder`: each activity goes in its own webhook and a poll's webhooks go out in reverse order;
 * `notifyRemoved(txHash, logIndex?)` sends the activity again with `log.removed: true`, Alchemy's reorg notification.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { formatUnits, JsonRpcProvider } from 'ethers';
import * as z from 'zod';
import {
  ALCHEMY_LOCAL_NETWORK,
  type AlchemyActivity,
  type AlchemyAddressActivityPayload,
  type AlchemyLog,
  alchemyNetworks,
  alchemySignature,
} from '../../shared/adapters/providers/alchemy';
import { ERC20_TRANSFER_TOPIC } from '../../shared/domain/transfers';

/** A token whose Transfers are followed, with what Alchemy reports of it. */
export interface EmulatorToken {
  address: string;
  symbol: string;
  decimals: number;
}

/** How deliveries misbehave, to exercise the consumer (see the file's header). */
export interface ProviderEmulatorSwitches {
  /** Deliver every followed Transfer, watched or not (until deposit addresses are registered with the API). */
  watchAll: boolean;
  paused: boolean;
  duplicates: number;
  delayMs: number;
  reorder: boolean;
}

/** What to follow, where to deliver, and how. */
export interface ProviderEmulatorOptions {
  /** The chain to follow. */
  rpcUrl: string;
  chainId: number;
  /** The API's base URL; webhooks go to `${apiUrl}/v1/webhooks/alchemy`. */
  apiUrl: string;
  /** The webhook's signing key: the API must hold the same value as its Alchemy secret. */
  signingKey: string;
  /** Tokens whose Transfers are followed (the chain's allowlist). */
  tokens: readonly EmulatorToken[];
  /** The `X-Alchemy-Token` the address-management API requires; random when omitted (see `authToken`). */
  authToken?: string;
  webhookId?: string;
  /** Port of the address-management API; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Addresses to watch from the start. */
  addresses?: readonly string[];
  /** Milliseconds between polls of the chain (default 300). */
  pollMs?: number;
  /** Redeliveries after a failed POST (default 3), with exponential backoff from `retryDelayMs` (default 200). */
  retries?: number;
  retryDelayMs?: number;
  /** Initial switches (all off by default). */
  switches?: Partial<ProviderEmulatorSwitches>;
  /** Told of delivery and polling failures. */
  onError?: (error: unknown) => void;
}

/** A running emulator: its address-management API, the watch list, the switches, and control over deliveries. */
export interface ProviderEmulator {
  /** Base URL of the address-management API. */
  url: string;
  webhookId: string;
  authToken: string;
  watch(addresses: readonly string[]): void;
  unwatch(addresses: readonly string[]): void;
  /** Watched addresses, lower-case. */
  watched(): string[];
  setSwitches(switches: Partial<ProviderEmulatorSwitches>): void;
  /** Sends the activity of `txHash` (one log, or every followed Transfer log of it) again with `log.removed: true`. */
  notifyRemoved(txHash: string, logIndex?: number): Promise<void>;
  /** Resolves once the chain has been scanned up to its current head and every delivery so far has finished. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  transactionHash: string;
  transactionIndex: string;
  blockHash: string;
  logIndex: string;
  removed?: boolean;
}

const MAX_BLOCK_RANGE = 500;
/** How many sent activities are remembered for `notifyRemoved`. */
const SENT_MEMORY = 10_000;

const addressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const patchSchema = z.object({
  webhook_id: z.string(),
  addresses_to_add: z.array(addressSchema).default([]),
  addresses_to_remove: z.array(addressSchema).default([]),
});
const putSchema = z.object({ webhook_id: z.string(), addresses: z.array(addressSchema) });

/** The options with their defaults filled in, and what follows from them. */
interface EmulatorSettings {
  network: string;
  webhookId: string;
  authToken: string;
  signingKey: string;
  /** Where webhooks go: `${apiUrl}/v1/webhooks/alchemy`. */
  target: string;
  pollMs: number;
  retries: number;
  retryDelayMs: number;
  onError: (error: unknown) => void;
}

/** What the chain follower, the webhook queue and the address-management API share. */
interface EmulatorState {
  readonly settings: EmulatorSettings;
  /** The followed tokens, by lower-case contract address. */
  readonly tokens: ReadonlyMap<string, EmulatorToken>;
  /** Lower-case. */
  readonly watched: Set<string>;
  readonly switches: ProviderEmulatorSwitches;
  /** Activities delivered, by `hash:logIndex` (the latest SENT_MEMORY), for `notifyRemoved`. */
  readonly sent: Map<string, AlchemyActivity>;
  closed: boolean;
}

/** Starts following the chain and serving the address-management API. */
export async function startProviderEmulator(options: ProviderEmulatorOptions): Promise<ProviderEmulator> {
  const state: EmulatorState = {
    settings: emulatorSettings(options),
    tokens: new Map(options.tokens.map((t) => [t.address.toLowerCase(), t])),
    watched: new Set((options.addresses ?? []).map((a) => a.toLowerCase())),
    switches: { watchAll: false, paused: false, duplicates: 0, delayMs: 0, reorder: false, ...options.switches },
    sent: new Map(),
    closed: false,
  };
  const provider = new JsonRpcProvider(options.rpcUrl, options.chainId, { cacheTimeout: -1, staticNetwork: true });
  const webhooks = webhookQueue(state);
  const follower = chainFollower(state, provider, webhooks);
  const server: Server = createServer((req, res) => {
    handleAddressApi(state, req, res).catch((error) => {
      state.settings.onError(error);
      if (!res.headersSent) reply(res, 500, { message: 'internal error' });
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  await follower.start();

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    webhookId: state.settings.webhookId,
    authToken: state.settings.authToken,
    watch: (addresses) => addWatched(state.watched, addresses),
    unwatch: (addresses) => removeWatched(state.watched, addresses),
    watched: () => [...state.watched],
    setSwitches: (update) => updateSwitches(state.switches, update),
    async notifyRemoved(txHash, logIndex) {
      await webhooks.deliver(await removalActivities(state, provider, txHash, logIndex), true);
    },
    async settle() {
      await follower.scan();
      await webhooks.idle();
    },
    async close() {
      state.closed = true;
      await follower.stop();
      await webhooks.idle().catch(() => {});
      provider.destroy();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function emulatorSettings(options: ProviderEmulatorOptions): EmulatorSettings {
  return {
    network: networkName(options.chainId),
    webhookId: options.webhookId ?? `wh_local${randomBytes(6).toString('hex')}`,
    authToken: options.authToken ?? randomBytes(16).toString('hex'),
    signingKey: options.signingKey,
    target: `${options.apiUrl.replace(/\/$/, '')}/v1/webhooks/alchemy`,
    pollMs: options.pollMs ?? 300,
    retries: options.retries ?? 3,
    retryDelayMs: options.retryDelayMs ?? 200,
    onError: options.onError ?? (() => {}),
  };
}

/** The Alchemy network name of `chainId` (`LOCAL_HARDHAT` for 31337). */
function networkName(chainId: number): string {
  if (chainId === 31337) return ALCHEMY_LOCAL_NETWORK;
  const name = Object.entries(alchemyNetworks).find(([, id]) => id === chainId)?.[0];
  if (!name) throw new Error(`no Alchemy network name for chain ${chainId}`);
  return name;
}

function addWatched(watched: Set<string>, addresses: readonly string[]): void {
  for (const a of addresses) watched.add(a.toLowerCase());
}

function removeWatched(watched: Set<string>, addresses: readonly string[]): void {
  for (const a of addresses) watched.delete(a.toLowerCase());
}

/** Applies the switches given (undefined ones left as they are), refusing a nonsensical count or delay. */
function updateSwitches(switches: ProviderEmulatorSwitches, update: Partial<ProviderEmulatorSwitches>): void {
  if (update.duplicates !== undefined && (!Number.isInteger(update.duplicates) || update.duplicates < 0)) {
    throw new RangeError('duplicates must be a non-negative integer');
  }
  if (update.delayMs !== undefined && !(update.delayMs >= 0)) throw new RangeError('delayMs must be ≥ 0');
  Object.assign(switches, Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)));
}

// ---------------------------------------------------------------- activity and webhooks

/** Alchemy's Address Activity entry for a Transfer log of a followed token; undefined for any other log. */
function activityOf(
  tokens: ReadonlyMap<string, EmulatorToken>,
  log: RawLog,
  removed: boolean,
): AlchemyActivity | undefined {
  const token = tokens.get(log.address.toLowerCase());
  if (!token || log.topics.length !== 3 || log.topics[0]?.toLowerCase() !== ERC20_TRANSFER_TOPIC) return undefined;
  const from = `0x${(log.topics[1] ?? '').slice(26).toLowerCase()}`;
  const to = `0x${(log.topics[2] ?? '').slice(26).toLowerCase()}`;
  const amount = BigInt(log.data === '0x' ? 0 : log.data);
  const alchemyLog: AlchemyLog = {
    address: log.address.toLowerCase(),
    topics: log.topics,
    data: log.data,
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
    transactionIndex: log.transactionIndex,
    blockHash: log.blockHash,
    logIndex: log.logIndex,
    removed,
  };
  return {
    fromAddress: from,
    toAddress: to,
    blockNum: log.blockNumber,
    hash: log.transactionHash,
    // Alchemy's float: present for fidelity, never read by our parser.
    value: Number(formatUnits(amount, token.decimals)),
    asset: token.symbol,
    category: 'token',
    erc721TokenId: null,
    erc1155Metadata: null,
    rawContract: {
      rawValue: `0x${amount.toString(16).padStart(64, '0')}`,
      address: alchemyLog.address,
      decimals: token.decimals,
    },
    log: alchemyLog,
  };
}

/** One webhook's body: a fresh event id around `activity`. */
function webhookBody(settings: EmulatorSettings, activity: AlchemyActivity[]): string {
  const payload: AlchemyAddressActivityPayload = {
    webhookId: settings.webhookId,
    id: `whevt_${randomBytes(8).toString('hex')}`,
    createdAt: new Date().toISOString(),
    type: 'ADDRESS_ACTIVITY',
    event: { network: settings.network, activity },
  };
  return JSON.stringify(payload);
}

/** Activities as webhooks: one per block, as Alchemy groups them; or, reordering, one each in reverse order. */
function webhookGroups(activities: AlchemyActivity[], reorder: boolean): AlchemyActivity[][] {
  if (reorder) return activities.map((a) => [a]).reverse();
  const byBlock = new Map<string, AlchemyActivity[]>();
  for (const a of activities) byBlock.set(a.blockNum, [...(byBlock.get(a.blockNum) ?? []), a]);
  return [...byBlock.values()];
}

/** Deliveries go out one after another, in the order they were queued. */
interface WebhookQueue {
  /** Queues webhooks for `activities`, honouring the switches (`force`: even when paused); resolves once sent. */
  deliver(activities: AlchemyActivity[], force?: boolean): Promise<void>;
  /** Resolves once every delivery queued so far has finished. */
  idle(): Promise<void>;
}

function webhookQueue(state: EmulatorState): WebhookQueue {
  let deliveries: Promise<void> = Promise.resolve();
  return {
    deliver(activities, force = false) {
      if (!activities.length || (state.switches.paused && !force)) return deliveries;
      // The switches as they are now: a change meanwhile applies to later deliveries only.
      const { duplicates, delayMs, reorder } = state.switches;
      const bodies = webhookGroups(activities, reorder).map((group) => webhookBody(state.settings, group));
      deliveries = deliveries
        .then(async () => {
          for (const body of bodies) {
            for (let copy = 0; copy <= duplicates && !state.closed; copy++) {
              if (delayMs > 0) await sleep(delayMs);
              await postWebhook(state, body);
            }
          }
        })
        .catch((error) => state.settings.onError(error));
      return deliveries;
    },
    idle: () => deliveries,
  };
}

/** POSTs one signed webhook, retrying with exponential backoff on a failure or a non-2xx answer, as Alchemy does. */
async function postWebhook(state: EmulatorState, body: string): Promise<void> {
  const { target, retries, retryDelayMs, signingKey, onError } = state.settings;
  const signature = alchemySignature(body, signingKey);
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries && !state.closed; attempt++) {
    if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1));
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-alchemy-signature': signature },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      if (response.ok) return;
      lastError = new Error(`webhook answered ${response.status}`);
    } catch (error) {
      lastError = error;
    }
  }
  if (!state.closed) onError(new Error(`webhook not delivered to ${target}: ${String(lastError)}`));
}

/**
 * The activities of `txHash` (one log, or every followed Transfer log of it) marked `removed`: those sent, or else
 * read from the transaction's receipt. Throws when it has no followed Transfer log.
 */
async function removalActivities(
  state: EmulatorState,
  provider: JsonRpcProvider,
  txHash: string,
  logIndex: number | undefined,
): Promise<AlchemyActivity[]> {
  const hash = txHash.toLowerCase();
  let activities = [...state.sent.entries()]
    .filter(([key]) => key.startsWith(`${hash}:`) && (logIndex === undefined || key === `${hash}:${logIndex}`))
    .map(([, a]) => a);
  if (!activities.length) {
    const receipt = (await provider.send('eth_getTransactionReceipt', [txHash])) as { logs: RawLog[] } | null;
    activities = (receipt?.logs ?? [])
      .filter((l) => logIndex === undefined || Number(l.logIndex) === logIndex)
      .map((l) => activityOf(state.tokens, l, false))
      .filter((a): a is AlchemyActivity => a !== undefined);
  }
  if (!activities.length) throw new Error(`no followed Transfer log in ${txHash}`);
  return activities.map((a) => ({ ...a, log: a.log && { ...a.log, removed: true } }));
}

// ---------------------------------------------------------------- following the chain

interface ChainFollower {
  /** Fixes the starting block (the current tip), then polls every `pollMs`. */
  start(): Promise<void>;
  /** Scans up to the current head, after any scan under way. */
  scan(): Promise<void>;
  /** No more polls; resolves when the scan under way has finished. */
  stop(): Promise<void>;
}

function chainFollower(state: EmulatorState, provider: JsonRpcProvider, webhooks: WebhookQueue): ChainFollower {
  let next: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();

  async function poll(): Promise<void> {
    const head = Number(await provider.send('eth_blockNumber', []));
    if (next === undefined || head < next - 1) next = head + 1; // start at the tip; follow a reverted local chain
    while (next <= head && !state.closed) {
      const to = Math.min(head, next + MAX_BLOCK_RANGE - 1);
      const logs = await transferLogs(provider, [...state.tokens.keys()], next, to);
      next = to + 1;
      void webhooks.deliver(watchedActivities(state, logs));
    }
  }

  /** Scans run one at a time: two overlapping scans would deliver the same blocks twice. */
  function scan(): Promise<void> {
    polling = polling.then(() => (state.closed ? undefined : poll())).catch((error) => state.settings.onError(error));
    return polling;
  }

  function schedule(): void {
    if (state.closed) return;
    timer = setTimeout(() => void scan().finally(schedule), state.settings.pollMs);
  }

  return {
    async start() {
      await poll();
      schedule();
    },
    scan,
    async stop() {
      if (timer) clearTimeout(timer);
      await polling.catch(() => {});
    },
  };
}

/** The followed tokens' Transfer logs in blocks `from`..`to`. */
async function transferLogs(provider: JsonRpcProvider, tokens: string[], from: number, to: number): Promise<RawLog[]> {
  return (await provider.send('eth_getLogs', [
    {
      fromBlock: `0x${from.toString(16)}`,
      toBlock: `0x${to.toString(16)}`,
      address: tokens,
      topics: [ERC20_TRANSFER_TOPIC],
    },
  ])) as RawLog[];
}

/** The activities of `logs` that touch a watched address (every one with `watchAll`), each remembered as sent. */
function watchedActivities(state: EmulatorState, logs: RawLog[]): AlchemyActivity[] {
  const activities: AlchemyActivity[] = [];
  for (const log of logs) {
    if (log.removed) continue;
    const activity = activityOf(state.tokens, log, false);
    if (!activity) continue;
    const { watched } = state;
    if (!state.switches.watchAll && !watched.has(activity.toAddress) && !watched.has(activity.fromAddress)) continue;
    remember(state.sent, activity);
    activities.push(activity);
  }
  return activities;
}

function remember(sent: Map<string, AlchemyActivity>, activity: AlchemyActivity): void {
  const key = `${activity.hash.toLowerCase()}:${Number(activity.log?.logIndex)}`;
  sent.set(key, activity);
  if (sent.size > SENT_MEMORY) sent.delete(sent.keys().next().value as string);
}

// ---------------------------------------------------------------- address-management API

interface JsonReply {
  status: number;
  body: unknown;
}

/** A route of the address-management API: the request's URL and raw body in, the JSON answer out. */
type AddressApiRoute = (state: EmulatorState, url: URL, body: Buffer) => JsonReply;

const webhookNotFound: JsonReply = { status: 404, body: { message: 'webhook not found' } };

/** The address-management API, by `METHOD path`. */
const addressApiRoutes = new Map<string, AddressApiRoute>([
  ['GET /api/webhook-addresses', listWatched],
  [
    'PATCH /api/update-webhook-addresses',
    watchListUpdate(patchSchema, (watched, body) => {
      addWatched(watched, body.addresses_to_add);
      removeWatched(watched, body.addresses_to_remove);
    }),
  ],
  [
    'PUT /api/update-webhook-addresses',
    watchListUpdate(putSchema, (watched, body) => {
      watched.clear();
      addWatched(watched, body.addresses);
    }),
  ],
]);

/** Every request needs the auth token first, as Alchemy's API does; then its route answers. */
async function handleAddressApi(state: EmulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const given = Buffer.from(String(req.headers['x-alchemy-token'] ?? ''));
  const expected = Buffer.from(state.settings.authToken);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return reply(res, 401, { message: 'Unauthenticated request. AUTH header missing or invalid.' });
  }
  const route = addressApiRoutes.get(`${req.method} ${url.pathname}`);
  if (!route) return reply(res, 404, { message: 'not found' });
  const { status, body } = route(state, url, Buffer.concat(chunks));
  return reply(res, status, body);
}

function listWatched(state: EmulatorState, url: URL): JsonReply {
  if (url.searchParams.get('webhook_id') !== state.settings.webhookId) return webhookNotFound;
  const data = [...state.watched];
  return { status: 200, body: { data, pagination: { cursors: { after: null }, total_count: data.length } } };
}

/** A change of the watch list: a JSON body `schema` accepts, for this emulator's webhook, then `apply`. */
function watchListUpdate<T extends { webhook_id: string }>(
  schema: z.ZodType<T>,
  apply: (watched: Set<string>, body: T) => void,
): AddressApiRoute {
  return (state, _url, raw) => {
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return { status: 400, body: { message: 'body is not JSON' } };
    }
    const body = schema.safeParse(json);
    if (!body.success) return { status: 400, body: { message: body.error.issues.map((i) => i.message).join('; ') } };
    if (body.data.webhook_id !== state.settings.webhookId) return webhookNotFound;
    apply(state.watched, body.data);
    return { status: 200, body: {} };
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
