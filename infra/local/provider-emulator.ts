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

export interface EmulatorToken {
  address: string;
  symbol: string;
  decimals: number;
}

export interface ProviderEmulatorSwitches {
  /** Deliver every followed Transfer, watched or not (until deposit addresses are registered with the API). */
  watchAll: boolean;
  paused: boolean;
  duplicates: number;
  delayMs: number;
  reorder: boolean;
}

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

/** Starts following the chain and serving the address-management API. */
export async function startProviderEmulator(options: ProviderEmulatorOptions): Promise<ProviderEmulator> {
  const network = networkName(options.chainId);
  const webhookId = options.webhookId ?? `wh_local${randomBytes(6).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const pollMs = options.pollMs ?? 300;
  const retries = options.retries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const onError = options.onError ?? (() => {});
  const target = `${options.apiUrl.replace(/\/$/, '')}/v1/webhooks/alchemy`;
  const tokens = new Map(options.tokens.map((t) => [t.address.toLowerCase(), t]));
  const watched = new Set((options.addresses ?? []).map((a) => a.toLowerCase()));
  const switches: ProviderEmulatorSwitches = {
    watchAll: false,
    paused: false,
    duplicates: 0,
    delayMs: 0,
    reorder: false,
    ...options.switches,
  };
  const sent = new Map<string, AlchemyActivity>();
  const provider = new JsonRpcProvider(options.rpcUrl, options.chainId, { cacheTimeout: -1, staticNetwork: true });

  let closed = false;
  let next: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  /** Deliveries go out one after another, in the order they were queued. */
  let deliveries: Promise<void> = Promise.resolve();

  function watch(addresses: readonly string[]): void {
    for (const a of addresses) watched.add(a.toLowerCase());
  }
  function unwatch(addresses: readonly string[]): void {
    for (const a of addresses) watched.delete(a.toLowerCase());
  }

  function activityOf(log: RawLog, removed: boolean): AlchemyActivity | undefined {
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

  function payloadOf(activity: AlchemyActivity[]): string {
    const payload: AlchemyAddressActivityPayload = {
      webhookId,
      id: `whevt_${randomBytes(8).toString('hex')}`,
      createdAt: new Date().toISOString(),
      type: 'ADDRESS_ACTIVITY',
      event: { network, activity },
    };
    return JSON.stringify(payload);
  }

  async function post(body: string): Promise<void> {
    const signature = alchemySignature(body, options.signingKey);
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries && !closed; attempt++) {
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
    if (!closed) onError(new Error(`webhook not delivered to ${target}: ${String(lastError)}`));
  }

  /** Queues webhooks for `activities` (grouped per block unless reordering), honouring the switches. */
  function deliver(activities: AlchemyActivity[], force = false): Promise<void> {
    if (!activities.length || (switches.paused && !force)) return deliveries;
    const { duplicates, delayMs, reorder } = switches;
    let groups: AlchemyActivity[][];
    if (reorder) {
      groups = activities.map((a) => [a]).reverse();
    } else {
      const byBlock = new Map<string, AlchemyActivity[]>();
      for (const a of activities) byBlock.set(a.blockNum, [...(byBlock.get(a.blockNum) ?? []), a]);
      groups = [...byBlock.values()];
    }
    const bodies = groups.map(payloadOf);
    deliveries = deliveries
      .then(async () => {
        for (const body of bodies) {
          for (let copy = 0; copy <= duplicates && !closed; copy++) {
            if (delayMs > 0) await sleep(delayMs);
            await post(body);
          }
        }
      })
      .catch((error) => onError(error));
    return deliveries;
  }

  function remember(activity: AlchemyActivity): void {
    const key = `${activity.hash.toLowerCase()}:${Number(activity.log?.logIndex)}`;
    sent.set(key, activity);
    if (sent.size > SENT_MEMORY) sent.delete(sent.keys().next().value as string);
  }

  async function poll(): Promise<void> {
    const head = Number(await provider.send('eth_blockNumber', []));
    if (next === undefined || head < next - 1) next = head + 1; // start at the tip; follow a reverted local chain
    while (next <= head && !closed) {
      const to = Math.min(head, next + MAX_BLOCK_RANGE - 1);
      const logs = (await provider.send('eth_getLogs', [
        {
          fromBlock: `0x${next.toString(16)}`,
          toBlock: `0x${to.toString(16)}`,
          address: [...tokens.keys()],
          topics: [ERC20_TRANSFER_TOPIC],
        },
      ])) as RawLog[];
      next = to + 1;
      const activities: AlchemyActivity[] = [];
      for (const log of logs) {
        if (log.removed) continue;
        const activity = activityOf(log, false);
        if (!activity) continue;
        if (!switches.watchAll && !watched.has(activity.toAddress) && !watched.has(activity.fromAddress)) continue;
        remember(activity);
        activities.push(activity);
      }
      void deliver(activities);
    }
  }

  /** Scans run one at a time: two overlapping scans would deliver the same blocks twice. */
  function scan(): Promise<void> {
    polling = polling.then(() => (closed ? undefined : poll())).catch((error) => onError(error));
    return polling;
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => void scan().finally(schedule), pollMs);
  }

  const server: Server = createServer((req, res) => {
    handleApi(req, res).catch((error) => {
      onError(error);
      if (!res.headersSent) reply(res, 500, { message: 'internal error' });
    });
  });

  async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const given = Buffer.from(String(req.headers['x-alchemy-token'] ?? ''));
    const expected = Buffer.from(authToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reply(res, 401, { message: 'Unauthenticated request. AUTH header missing or invalid.' });
    }
    if (url.pathname === '/api/webhook-addresses' && req.method === 'GET') {
      if (url.searchParams.get('webhook_id') !== webhookId) return reply(res, 404, { message: 'webhook not found' });
      const data = [...watched];
      return reply(res, 200, { data, pagination: { cursors: { after: null }, total_count: data.length } });
    }
    if (url.pathname !== '/api/update-webhook-addresses' || (req.method !== 'PATCH' && req.method !== 'PUT')) {
      return reply(res, 404, { message: 'not found' });
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(res, 400, { message: 'body is not JSON' });
    }
    if (req.method === 'PATCH') {
      const body = patchSchema.safeParse(json);
      if (!body.success) return reply(res, 400, { message: body.error.issues.map((i) => i.message).join('; ') });
      if (body.data.webhook_id !== webhookId) return reply(res, 404, { message: 'webhook not found' });
      watch(body.data.addresses_to_add);
      unwatch(body.data.addresses_to_remove);
    } else {
      const body = putSchema.safeParse(json);
      if (!body.success) return reply(res, 400, { message: body.error.issues.map((i) => i.message).join('; ') });
      if (body.data.webhook_id !== webhookId) return reply(res, 404, { message: 'webhook not found' });
      watched.clear();
      watch(body.data.addresses);
    }
    return reply(res, 200, {});
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  await poll(); // fixes the starting block (the current tip) before anything else happens
  schedule();

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    webhookId,
    authToken,
    watch,
    unwatch,
    watched: () => [...watched],
    setSwitches(update) {
      if (update.duplicates !== undefined && (!Number.isInteger(update.duplicates) || update.duplicates < 0)) {
        throw new RangeError('duplicates must be a non-negative integer');
      }
      if (update.delayMs !== undefined && !(update.delayMs >= 0)) throw new RangeError('delayMs must be ≥ 0');
      Object.assign(switches, Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)));
    },
    async notifyRemoved(txHash, logIndex) {
      const hash = txHash.toLowerCase();
      let activities = [...sent.entries()]
        .filter(([key]) => key.startsWith(`${hash}:`) && (logIndex === undefined || key === `${hash}:${logIndex}`))
        .map(([, a]) => a);
      if (!activities.length) {
        const receipt = (await provider.send('eth_getTransactionReceipt', [txHash])) as { logs: RawLog[] } | null;
        activities = (receipt?.logs ?? [])
          .filter((l) => logIndex === undefined || Number(l.logIndex) === logIndex)
          .map((l) => activityOf(l, false))
          .filter((a): a is AlchemyActivity => a !== undefined);
      }
      if (!activities.length) throw new Error(`no followed Transfer log in ${txHash}`);
      const removed = activities.map((a) => ({ ...a, log: a.log && { ...a.log, removed: true } }));
      await deliver(removed, true);
    },
    async settle() {
      await scan();
      await deliveries;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await polling.catch(() => {});
      await deliveries.catch(() => {});
      provider.destroy();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** The Alchemy network name of `chainId` (`LOCAL_HARDHAT` for 31337). */
function networkName(chainId: number): string {
  if (chainId === 31337) return ALCHEMY_LOCAL_NETWORK;
  const name = Object.entries(alchemyNetworks).find(([, id]) => id === chainId)?.[0];
  if (!name) throw new Error(`no Alchemy network name for chain ${chainId}`);
  return name;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
