/**
 * The chain scanner against the node's own speed: a 10,000-block local chain (Hardhat `hardhat_mine`) with
 * transfers of the test tokens spread across it — most to some of 1,000 watched deposit addresses, the rest to
 * addresses nobody watches — and the 1,000 addresses seeded in the table as the issue path writes them. Timed:
 * `scanChain` (shared/app/scan-chain.ts; real RPC adapter and store, a `send` that only counts) run until it
 * has caught up with the head, against raw `eth_getLogs` over the same range with the same filter (the same
 * 200-address topic chunks, any token contract). Alternated, median of several repetitions.
 *
 * Beside it, the same catch-up by a warm container (its `WatchedAddressSet` kept across runs, reading only the watches
 * written since its previous run), and an untimed check that such a container finds a payment to an address issued
 * just after its previous run in its very next run.
 *
 * Counted, not timed, before all that: the items one scanner run reads from the store (each response's
 * `ScannedCount`, or 1 for an item got), with 100 active addresses alone and again beside 10,000 expired ones —
 * expired addresses must cost nothing — both by a cold container (the whole active range), and the items a warm
 * container's run reads when nothing new was issued. Those 10,100 items are deleted before the timed part.
 */
import { randomBytes } from 'node:crypto';
import { getAddress } from 'ethers';
import { startChain } from '../../../infra/local/chain';
import { startEmulator } from '../../../infra/local/moto';
import { provision } from '../../../infra/local/provision';
import { rpc } from '../lib/chain-pay';
import { intEnv, onInterrupt, pointAwsAt, progress, runSection } from '../lib/section';
import { median, round } from '../lib/stats';

const log = (m: string) => progress('scanner', m);
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
const randomAddress = () => getAddress(`0x${randomBytes(20).toString('hex')}`);
/** Items a DynamoDB response read: a Query's or Scan's `ScannedCount`, 1 for a GetItem that found one. */
const itemsIn = (output: unknown): number => {
  const o = output as { ScannedCount?: number; Item?: unknown; Responses?: Record<string, unknown[]> };
  if (typeof o.ScannedCount === 'number') return o.ScannedCount;
  if (o.Item) return 1;
  return Object.values(o.Responses ?? {}).reduce((sum, items) => sum + (Array.isArray(items) ? items.length : 0), 0);
};
const topic = (a: string) => `0x${a.toLowerCase().slice(2).padStart(64, '0')}`;

runSection('scanner', async () => {
  const blocks = intEnv('BENCH_SCAN_BLOCKS', 10_000);
  const watchedCount = intEnv('BENCH_SCAN_ADDRESSES', 1_000);
  const transfers = intEnv('BENCH_SCAN_TRANSFERS', 500);
  const reps = intEnv('BENCH_SCAN_REPS', 5);
  // The handler's default (shared/app/scan-chain.ts) unless set: blocks per scanner run.
  const maxBlocksPerRun = process.env.BENCH_SCAN_MAX_BLOCKS ? intEnv('BENCH_SCAN_MAX_BLOCKS', 1) : undefined;

  const aws = await startEmulator();
  onInterrupt(() => aws.stop());
  const chain = await startChain({ port: 0, blockIntervalMs: 3_600_000 });
  onInterrupt(() => chain.close());
  try {
    pointAwsAt(aws.endpoint);
    Object.assign(process.env, (await provision(aws.endpoint)).env);
    const { ddb, dynamodb } = await import('../../../shared/adapters/aws/dynamodb');
    const { timeDynamoDb, summarize } = await import('../lib/ddb-timer');
    const timer = timeDynamoDb(dynamodb);
    const { BatchWriteCommand, DeleteCommand } = await import('@aws-sdk/lib-dynamodb');
    let counting = false;
    let itemsRead = 0;
    timer.onSuccess((_command, _input, output) => {
      if (counting) itemsRead += itemsIn(output);
    });
    const { invoiceKeys } = await import('../../../shared/adapters/dynamo/invoices');
    const { checkpointKey } = await import('../../../shared/adapters/dynamo/checkpoints');
    const { jsonRpcChain } = await import('../../../shared/adapters/chain/json-rpc-chain');
    const { localChain } = await import('../../../shared/domain/chains');
    const { ADDRESS_CHUNK, scanChain } = await import('../../../shared/app/scan-chain');
    const { WatchedAddressSet } = await import('../../../shared/app/watched-address-set');
    const { dynamoScanCheckpoints } = await import('../../../shared/adapters/dynamo/checkpoints');
    const { dynamoWatchedAddresses } = await import('../../../shared/adapters/dynamo/invoices');
    const { tableName } = await import('../../../shared/adapters/config');

    const watchUntil = new Date(Date.now() + 86_400_000).toISOString();
    /** An address item as createInvoice writes it (issued at `createdAt`, its watch written then). */
    const addressItem = (address: string, until: string, createdAt: string, n: number) => ({
      ...invoiceKeys.address(address),
      ...invoiceKeys.watched(address, until),
      ...invoiceKeys.watchWritten(address, createdAt),
      watchUntil: until,
      watchWrittenAt: createdAt,
      type: 'address',
      address,
      invoiceId: `inv_bench${n}`,
      ministry: 'AFSA',
      depositIndex: n,
      createdAt,
    });
    /** Address items issued 2 days before their watch ends, 25 a BatchWriteItem (or their deletion). */
    async function writeAddresses(addresses: string[], until: string, del = false): Promise<void> {
      const createdAt = new Date(Date.parse(until) - 2 * 86_400_000).toISOString();
      for (let i = 0; i < addresses.length; i += 25) {
        const batch = addresses
          .slice(i, i + 25)
          .map((address, j) =>
            del
              ? { DeleteRequest: { Key: invoiceKeys.address(address) } }
              : { PutRequest: { Item: addressItem(address, until, createdAt, i + j) } },
          );
        await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName()]: batch } }));
      }
    }

    /**
     * Items one scanner run (checkpoint in place, one new block) reads from the store: with `set`, that container's
     * set (warm after its first run); without, a cold container's (the whole active range).
     */
    async function itemsReadByOneRun(set?: InstanceType<typeof WatchedAddressSet>): Promise<number> {
      await rpc(chain.rpcUrl, 'hardhat_mine', ['0x1']);
      itemsRead = 0;
      counting = true;
      try {
        await scanChain(localChain(chain.tokens, 3), {
          rpc: jsonRpcChain(chain.rpcUrl, chain.chainId),
          checkpoints: dynamoScanCheckpoints,
          watchedAddresses: dynamoWatchedAddresses,
          now: () => new Date(),
          send: async () => {},
          initialLookback: 0,
          ...(set ? { watchedSet: set } : {}),
        });
      } finally {
        counting = false;
      }
      return itemsRead;
    }

    // Store items per run: 100 active addresses, then the same beside 10,000 expired ones.
    const activeCount = intEnv('BENCH_SCAN_ACTIVE', 100);
    const expiredCount = intEnv('BENCH_SCAN_EXPIRED', 10_000);
    const active = Array.from({ length: activeCount }, randomAddress);
    const expired = Array.from({ length: expiredCount }, randomAddress);
    await writeAddresses(active, watchUntil);
    await itemsReadByOneRun(); // leaves a checkpoint: every counted run reads it, as in steady state
    const itemsNoHistory = await itemsReadByOneRun();
    await writeAddresses(expired, new Date(Date.now() - 86_400_000).toISOString());
    const itemsWithHistory = await itemsReadByOneRun();
    const warmSet = new WatchedAddressSet();
    await itemsReadByOneRun(warmSet); // the container's first run: the whole active range
    const itemsWarm = await itemsReadByOneRun(warmSet);
    log(
      `store items read per run: ${itemsWithHistory} with ${expiredCount} expired addresses, ${itemsNoHistory} without, ${itemsWarm} by a warm container`,
    );
    await writeAddresses([...active, ...expired], watchUntil, true);
    await ddb.send(new DeleteCommand({ TableName: tableName(), Key: checkpointKey(chain.chainId) }));

    // 1,000 watched deposit addresses, as createInvoice writes their address items.
    const watched = Array.from({ length: watchedCount }, randomAddress);
    await writeAddresses(watched, watchUntil);

    // The chain: `transfers` transfers spread evenly over `blocks` blocks; 4 in 5 to watched addresses.
    const start = Number(await rpc<string>(chain.rpcUrl, 'eth_blockNumber', [])) + 1;
    const gap = Math.floor(blocks / transfers) - 1;
    const { Interface } = await import('ethers');
    const erc20 = new Interface(['function transfer(address to, uint256 amount) returns (bool)']);
    let toWatched = 0;
    const built = performance.now();
    for (let k = 0; k < transfers; k++) {
      if (gap > 0) await rpc(chain.rpcUrl, 'hardhat_mine', [`0x${gap.toString(16)}`]);
      const watchedTarget = k % 5 !== 4;
      const to = watchedTarget ? (watched[(k * 7919) % watched.length] as string) : randomAddress();
      if (watchedTarget) toWatched++;
      const token = chain.tokens[k % chain.tokens.length] as (typeof chain.tokens)[number];
      await rpc(chain.rpcUrl, 'eth_sendTransaction', [
        {
          from: chain.payers[k % chain.payers.length],
          to: token.address,
          data: erc20.encodeFunctionData('transfer', [to, 10n ** BigInt(token.decimals)]),
          gas: '0x30d40',
        },
      ]);
    }
    let head = Number(await rpc<string>(chain.rpcUrl, 'eth_blockNumber', []));
    if (head - start + 1 < blocks) {
      await rpc(chain.rpcUrl, 'hardhat_mine', [`0x${(blocks - (head - start + 1)).toString(16)}`]);
      head = Number(await rpc<string>(chain.rpcUrl, 'eth_blockNumber', []));
    }
    const range = head - start + 1;
    log(
      `chain of ${range} blocks with ${transfers} transfers built in ${((performance.now() - built) / 1000).toFixed(1)} s`,
    );

    const config = localChain(chain.tokens, 3);
    const chainRpc = jsonRpcChain(chain.rpcUrl, chain.chainId);

    /** The container's watched-address set, kept across catch-ups (warm after the first). */
    const containerSet = new WatchedAddressSet();

    /**
     * One catch-up from no checkpoint. Cold: each run reads the whole active range, as a fresh container does;
     * warm: the runs share the container's set, so they read only the watches written since its previous run.
     */
    async function scanOnce(
      warm: boolean,
    ): Promise<{ ms: number; logs: number; runs: number; storeMs: number; storeRequests: number }> {
      await ddb.send(new DeleteCommand({ TableName: tableName(), Key: checkpointKey(chain.chainId) }));
      let logs = 0;
      let runs = 0;
      timer.start();
      const t0 = performance.now();
      for (;;) {
        runs++;
        const report = await scanChain(config, {
          rpc: chainRpc,
          checkpoints: dynamoScanCheckpoints,
          watchedAddresses: dynamoWatchedAddresses,
          now: () => new Date(),
          send: async (messages) => {
            logs += messages.length;
          },
          initialLookback: head - start,
          ...(warm ? { watchedSet: containerSet } : {}),
          ...(maxBlocksPerRun ? { maxBlocksPerRun } : {}),
        });
        if (report.lagBlocks === 0 || report.to === undefined) break;
      }
      const ms = performance.now() - t0;
      timer.stop();
      const summary = summarize(timer.calls());
      return { ms, logs, runs, storeMs: summary.busyMs, storeRequests: summary.requests };
    }

    async function rawOnce(): Promise<{ ms: number; logs: number }> {
      const t0 = performance.now();
      let logs = 0;
      for (let i = 0; i < watched.length; i += ADDRESS_CHUNK) {
        const result = await rpc<unknown[]>(chain.rpcUrl, 'eth_getLogs', [
          {
            topics: [TRANSFER_TOPIC, null, watched.slice(i, i + ADDRESS_CHUNK).map(topic)],
            fromBlock: `0x${start.toString(16)}`,
            toBlock: `0x${head.toString(16)}`,
          },
        ]);
        logs += result.length;
      }
      return { ms: performance.now() - t0, logs };
    }

    /**
     * Not timed: a warm container finds a payment to an address issued just after its previous run in its very next
     * run (the watch read as a write since then), reading only that write besides its checkpoint.
     */
    async function issuedAddressCheck() {
      await ddb.send(new DeleteCommand({ TableName: tableName(), Key: checkpointKey(chain.chainId) }));
      const set = new WatchedAddressSet();
      const run = async () => {
        const seen: string[] = [];
        itemsRead = 0;
        counting = true;
        try {
          const report = await scanChain(config, {
            rpc: chainRpc,
            checkpoints: dynamoScanCheckpoints,
            watchedAddresses: dynamoWatchedAddresses,
            now: () => new Date(),
            send: async (messages) => {
              for (const m of messages) seen.push(m.to.toLowerCase());
            },
            initialLookback: 0,
            watchedSet: set,
          });
          return { report, seen, itemsRead };
        } finally {
          counting = false;
        }
      };
      await run(); // the container's first run: the whole active range
      const address = randomAddress();
      const item = addressItem(address, watchUntil, new Date().toISOString(), watchedCount);
      await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName()]: [{ PutRequest: { Item: item } }] } }));
      const token = chain.tokens[0] as (typeof chain.tokens)[number];
      await rpc(chain.rpcUrl, 'eth_sendTransaction', [
        {
          from: chain.payers[0],
          to: token.address,
          data: erc20.encodeFunctionData('transfer', [address, 10n ** BigInt(token.decimals)]),
          gas: '0x30d40',
        },
      ]);
      const next = await run();
      const result = {
        foundByNextWarmRun: next.seen.filter((a) => a === address.toLowerCase()).length === 1,
        addressRead: next.report.addressRead,
        storeItemsRead: next.itemsRead,
      };
      if (!result.foundByNextWarmRun || result.addressRead?.kind !== 'increment') {
        throw new Error(`issued-address check failed: ${JSON.stringify(result)}`);
      }
      log(`address issued after a warm run: found by the next run (${result.storeItemsRead} store items read)`);
      return result;
    }

    await scanOnce(false); // warm-up: connections, JIT, moto's first query
    await scanOnce(true);
    await rawOnce();
    type Scan = Awaited<ReturnType<typeof scanOnce>>;
    const scans: Scan[] = [];
    const cached: Scan[] = [];
    const raws: { ms: number; logs: number }[] = [];
    for (let r = 0; r < reps; r++) {
      scans.push(await scanOnce(false));
      cached.push(await scanOnce(true));
      raws.push(await rawOnce());
    }
    const scanMs = median(scans.map((s) => s.ms));
    const cachedMs = median(cached.map((s) => s.ms));
    const rawMs = median(raws.map((s) => s.ms));
    const found = scans[0]?.logs ?? 0;
    if (found !== toWatched || cached[0]?.logs !== toWatched || raws[0]?.logs !== toWatched) {
      throw new Error(
        `expected ${toWatched} watched transfers; scanner found ${found} (${cached[0]?.logs} warm), raw getLogs ${raws[0]?.logs}`,
      );
    }
    const issued = await issuedAddressCheck();
    log(
      `scanner ${round(scanMs, 0)} ms (${round(cachedMs, 0)} ms by a warm container), raw getLogs ${round(rawMs, 0)} ms over ${range} blocks`,
    );
    return {
      storeItemsReadPerRun: itemsWithHistory,
      storeItemsReadPerRunNoHistory: itemsNoHistory,
      storeItemsReadRatio: round(itemsWithHistory / itemsNoHistory, 2),
      storeItemsReadPerWarmRun: itemsWarm,
      storeItemsReadAddresses: { active: activeCount, expired: expiredCount },
      blocks: range,
      watchedAddresses: watched.length,
      transfers,
      transfersToWatched: toWatched,
      scannerRunsToCatchUp: scans[0]?.runs,
      repetitions: reps,
      scannerMs: round(scanMs, 1),
      rawGetLogsMs: round(rawMs, 1),
      scannerBlocksPerS: round((range / scanMs) * 1000, 0),
      rawBlocksPerS: round((range / rawMs) * 1000, 0),
      ratio: round(scanMs / rawMs, 2),
      scannerStoreMs: round(median(scans.map((s) => s.storeMs)), 1),
      scannerRunsMs: scans.map((s) => round(s.ms, 1)),
      warmAddressSet: {
        scannerMs: round(cachedMs, 1),
        blocksPerS: round((range / cachedMs) * 1000, 0),
        ratio: round(cachedMs / rawMs, 2),
        storeMs: round(median(cached.map((s) => s.storeMs)), 1),
        storeRequests: cached[0]?.storeRequests,
        runsMs: cached.map((s) => round(s.ms, 1)),
        issuedAddressCheck: issued,
      },
      rawRunsMs: raws.map((s) => round(s.ms, 1)),
    };
  } finally {
    await chain.close();
    await aws.stop();
  }
});
