/**
 * The payment pipeline on the local runtime, webhook path: N invoices are issued through the API, N transfers paid
 * on the local chain to their deposit addresses, and the provider emulator's webhooks carry them through ingest →
 * SQS → reconcile (seen) → confirmer → reconcile (final, receipt) → outbox → publisher → registry.
 *
 * Measured: the service's own chain reads per transfer (every provider hint is checked against our node's
 * transaction receipt; the confirmer reads it again at finality and at the deep re-check), throughput and p50/p99 latency from the webhook's arrival at the API to the receipt's delivery to the
 * registry (to the receipt's issuance when the topology has no publisher yet); DynamoDB time per transfer (SDK
 * middleware on the handlers' clients) against the minimal transaction a transfer needs, run on the same emulator
 * in the same run (the store overhead ratio).
 *
 * The deep re-check is set beyond the run (it settles a transfer long after its receipt). The scanner, expiry,
 * rate and sweeper schedules are paused while measuring (the sweeper works per run and batch, not per transfer):
 * discovery is the webhooks' job here, and
 * every DynamoDB request seen then belongs to the pipeline.
 */
import { performance } from 'node:perf_hooks';
import { startLocalRuntime } from '../../../infra/local/runtime';
import { functions } from '../../../infra/topology';
import { apiClient } from '../../helpers/api';
import { payAll } from '../lib/chain-pay';
import { type DdbCall, type DdbSummary, summarize, timeDynamoDb } from '../lib/ddb-timer';
import { intEnv, onInterrupt, progress, runSection } from '../lib/section';
import { nowMs, quantile, round } from '../lib/stats';

const log = (m: string) => progress('pipeline', m);

/** Fees issued round robin: one per ministry, so both ministries' receipt chains are exercised. */
const FEES = [
  { ministry: 'AFSA', feeCode: 'AFSA-APP-AI' },
  { ministry: 'MINFIN', feeCode: 'MINFIN-LIC-FEE' },
] as const;
const payer = { bin: '940140000385', name: 'Bench Firm LLP' };

interface IssuedInvoice {
  id: string;
  ministry: string;
  depositAddress: string;
  amount: bigint;
}

/** A string attribute, marshalled (`{S: 'x'}`) or not, depending on where in the stack the input is seen. */
function attr(value: unknown): string {
  if (typeof value === 'string') return value;
  const s = (value as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : '';
}

async function pipelineBench() {
  const n = intEnv('BENCH_N', 200);
  const storeSample = Math.min(n, intEnv('BENCH_STORE_SAMPLE', 100));
  const hasPublisher = functions.some((f) => f.name === 'publish-receipts');

  // Webhook arrivals: observed where the provider emulator calls the API (the request's start, per tx hash).
  const arrivals = new Map<string, number>();
  let watchingWebhooks = false;
  // The service's chain reads: its JSON-RPC client (shared/adapters/chain/json-rpc-chain.ts) is the only one that
  // calls the node through fetch; the payers, the provider emulator and the chain's own provider use ethers (node:http).
  const rpcCalls = new Map<string, number>();
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (watchingWebhooks && typeof init?.body === 'string' && init.body.startsWith('{"jsonrpc"')) {
      const { method } = JSON.parse(init.body) as { method: string };
      rpcCalls.set(method, (rpcCalls.get(method) ?? 0) + 1);
    }
    if (watchingWebhooks && url.endsWith('/v1/webhooks/alchemy') && typeof init?.body === 'string') {
      const at = nowMs();
      const activity = (JSON.parse(init.body) as { event?: { activity?: { hash: string }[] } }).event?.activity ?? [];
      for (const a of activity) if (!arrivals.has(a.hash.toLowerCase())) arrivals.set(a.hash.toLowerCase(), at);
    }
    return realFetch(input, init);
  }) as typeof fetch;

  // The deep re-check (a third sighting per transfer, settling it) is put beyond the run: deployed it comes minutes to
  // hours after the receipt (2 × the chain's finality), not inside the seen → final → delivered path measured here.
  const runtime = await startLocalRuntime({
    apiPort: 0,
    chainPort: 0,
    blockIntervalMs: 250,
    finalityDepth: 3,
    deepCheckDepth: 100_000,
  });
  onInterrupt(() => runtime.stop());
  try {
    for (const name of ['scan-chain', 'expire-invoices', 'refresh-rates', 'sweep-deposits'])
      await runtime.schedules.get(name)?.pause();
    // shared/adapters/aws/dynamodb reads AWS_ENDPOINT_URL at load: import it only now that the runtime has set it.
    const { dynamodb } = await import('../../../shared/adapters/aws/dynamodb');
    const { storeBaseline } = await import('../lib/store-baseline');
    const timer = timeDynamoDb(dynamodb, { serialize: true });

    // Receipt issuance: the transaction that puts a receipt item. Delivery: the registry storing it.
    const issued = new Map<string, number>();
    timer.onSuccess((command, input, _output, end) => {
      if (command !== 'TransactWriteItems') return;
      for (const item of (input as { TransactItems?: { Put?: { Item?: Record<string, unknown> } }[] }).TransactItems ??
        []) {
        const it = item.Put?.Item;
        if (it && attr(it.type) === 'receipt' && attr(it.invoiceId)) issued.set(attr(it.invoiceId), end);
      }
    });
    // What the pipeline asks of the table, by operation and key kind (`GetItem INVOICE`, `TransactWriteItems x5`).
    const operations = new Map<string, number>();
    let recordingOperations = false;
    timer.onSuccess((command, input) => {
      if (!recordingOperations) return;
      const i = input as { Key?: Record<string, unknown>; TransactItems?: unknown[]; IndexName?: string };
      const detail = i.TransactItems
        ? `x${i.TransactItems.length}`
        : i.Key
          ? attr(i.Key.pk).replace(/#.*$/, '')
          : (i.IndexName ?? '');
      const key = `${command} ${detail}`.trim();
      operations.set(key, (operations.get(key) ?? 0) + 1);
    });
    const delivered = new Map<string, number>();
    const received = runtime.registry.received;
    const set = received.set.bind(received);
    received.set = (key, value) => {
      try {
        const invoiceId = (JSON.parse(value.body) as { invoiceId?: string }).invoiceId;
        if (invoiceId && !delivered.has(invoiceId)) delivered.set(invoiceId, nowMs());
      } catch {
        // not a receipt body: not ours to time
      }
      return set(key, value);
    };

    // 1. Invoices, through the API (not measured).
    const api = apiClient(runtime.apiUrl);
    const tokens = new Map<string, string>();
    for (const f of FEES) tokens.set(f.ministry, await api.token({ role: 'ministry', ministry: f.ministry }));
    const usdt = runtime.chain.tokens.find((t) => t.symbol === 'USDT');
    if (!usdt) throw new Error('no USDT on the local chain');
    const invoices: IssuedInvoice[] = new Array(n);
    let next = 0;
    const issueStarted = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = next++; i < n; i = next++) {
          const fee = FEES[i % FEES.length] as (typeof FEES)[number];
          const r = await api.call('POST', '/v1/invoices', {
            token: tokens.get(fee.ministry),
            body: { feeCode: fee.feeCode, payer },
          });
          if (r.status !== 201) throw new Error(`issue invoice: ${r.status} ${r.text}`);
          const option = (r.json.options as { chainId: number; token: string; amount: string }[]).find(
            (o) => o.chainId === runtime.chain.chainId && o.token.toLowerCase() === usdt.address.toLowerCase(),
          );
          if (!option) throw new Error(`invoice ${r.json.id} has no local USDT option`);
          invoices[i] = {
            id: r.json.id,
            ministry: fee.ministry,
            depositAddress: r.json.depositAddress,
            amount: BigInt(option.amount),
          };
        }
      }),
    );
    runtime.provider.watch(invoices.map((i) => i.depositAddress));
    log(`${n} invoices issued in ${((performance.now() - issueStarted) / 1000).toFixed(1)} s`);

    // 2. The minimal transaction per transfer, on the table as the pipeline starts (items removed afterwards).
    const before = await storeBaseline(storeSample, invoices[0]?.id as string, true);
    log(`store baseline (before): ${round(before.busyMs / storeSample, 1)} ms/transaction`);

    // 3. Pay every invoice; time the pipeline.
    watchingWebhooks = true;
    recordingOperations = true;
    timer.start();
    const payStarted = nowMs();
    const hashes = await payAll(
      runtime.chain.rpcUrl,
      usdt.address,
      runtime.chain.payers,
      invoices.map((i) => ({ to: i.depositAddress, amount: i.amount })),
    );
    const paidAt = nowMs();
    log(`${n} transfers mined in ${((paidAt - payStarted) / 1000).toFixed(1)} s`);

    const done = hasPublisher ? delivered : issued;
    const stallMs = intEnv('BENCH_STALL_SECONDS', 90) * 1000;
    let lastCount = -1;
    let lastProgress = nowMs();
    while (done.size < n) {
      await new Promise((r) => setTimeout(r, 250));
      if (done.size !== lastCount) {
        lastCount = done.size;
        lastProgress = nowMs();
        if (done.size % Math.max(1, Math.round(n / 10)) === 0)
          log(`${done.size}/${n} ${hasPublisher ? 'delivered' : 'issued'}`);
      } else if (nowMs() - lastProgress > stallMs) {
        log(`no progress for ${stallMs / 1000} s: stopping at ${done.size}/${n}`);
        break;
      }
    }
    timer.stop();
    watchingWebhooks = false;
    recordingOperations = false;
    const pipelineDdb = summarize(timer.calls());

    const latencies: number[] = [];
    let firstArrival = Number.POSITIVE_INFINITY;
    let lastEnd = 0;
    invoices.forEach((invoice, i) => {
      const arrival = arrivals.get(hashes[i] as string);
      const end = done.get(invoice.id);
      if (arrival === undefined || end === undefined) return;
      latencies.push(end - arrival);
      firstArrival = Math.min(firstArrival, arrival);
      lastEnd = Math.max(lastEnd, end);
    });
    const completed = latencies.length;
    const spanS = (lastEnd - firstArrival) / 1000;

    // 4. The minimal transaction again, on the table as the pipeline left it.
    await runtime.schedules.get('confirm-transfers')?.pause();
    const after = await storeBaseline(storeSample, invoices[0]?.id as string, false);
    log(`store baseline (after): ${round(after.busyMs / storeSample, 1)} ms/transaction`);

    const perTransfer = (s: DdbSummary, count: number) => ({
      busyMs: round(s.busyMs / count, 2),
      sumMs: round(s.sumMs / count, 2),
      requests: round(s.requests / count, 2),
    });
    const baselineBusy = (before.busyMs + after.busyMs) / (2 * storeSample);
    const baselineSum = (before.sumMs + after.sumMs) / (2 * storeSample);
    const pipelinePer = perTransfer(pipelineDdb, Math.max(1, completed));
    const work = storeWork(timer.calls(), Math.max(1, completed));
    return {
      n,
      completed,
      endpoint: hasPublisher ? 'receipt delivered to the registry' : 'receipt issued (delivery pending: no publisher)',
      delivery: hasPublisher ? 'measured' : 'pending',
      transfersMinedInS: round((paidAt - payStarted) / 1000, 1),
      throughputPerS: round(completed / spanS, 2),
      spanS: round(spanS, 1),
      latencyMs: {
        p50: round(quantile(latencies, 0.5), 0),
        p99: round(quantile(latencies, 0.99), 0),
        min: round(Math.min(...latencies), 0),
        max: round(Math.max(...latencies), 0),
      },
      chainReadsPerTransfer: Object.fromEntries(
        [...rpcCalls.entries()].sort((a, b) => b[1] - a[1]).map(([m, v]) => [m, round(v / Math.max(1, completed), 2)]),
      ),
      store: {
        ...work,
        pipelinePerTransfer: pipelinePer,
        byCommand: Object.fromEntries(
          Object.entries(pipelineDdb.byCommand).map(([c, v]) => [
            c,
            {
              perTransfer: round(v.requests / Math.max(1, completed), 2),
              msPerTransfer: round(v.sumMs / Math.max(1, completed), 2),
            },
          ]),
        ),
        operationsPerTransfer: Object.fromEntries(
          [...operations.entries()]
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) => [k, round(v / Math.max(1, completed), 2)]),
        ),
        waitedForEmulatorMsPerTransfer: round(timer.waitedMs() / Math.max(1, completed), 1),
        baseline: {
          transactions: storeSample,
          itemsPerTransaction: 3,
          busyMsBefore: round(before.busyMs / storeSample, 2),
          busyMsAfter: round(after.busyMs / storeSample, 2),
          busyMs: round(baselineBusy, 2),
        },
        ratio: round(pipelinePer.busyMs / baselineBusy, 2),
        ratioOfSums: round(pipelinePer.sumMs / baselineSum, 2),
      },
    };
  } finally {
    globalThis.fetch = realFetch;
    await runtime.stop();
  }
}

/** Whether a request is one of the confirmer's list Queries (one per run and chain, whatever the transfers). */
function isRecheckListQuery(call: DdbCall): boolean {
  if (call.command !== 'Query') return false;
  const values = JSON.stringify((call.input as { ExpressionAttributeValues?: unknown }).ExpressionAttributeValues);
  return values.includes('SEEN_TRANSFERS#') || values.includes('FINAL_UNSETTLED#');
}

/**
 * The store work per transfer, counted: every DynamoDB request the handlers made while the pipeline ran, except the
 * confirmer's list Queries (a cost per run, not per transfer: reported apart), and the items of the transactions
 * that committed.
 */
function storeWork(calls: readonly DdbCall[], completed: number) {
  const lists = calls.filter(isRecheckListQuery).length;
  const items = calls
    .filter((c) => c.ok && c.command === 'TransactWriteItems')
    .reduce((sum, c) => sum + ((c.input as { TransactItems?: unknown[] }).TransactItems?.length ?? 0), 0);
  const cancelled = calls.filter((c) => !c.ok && c.command === 'TransactWriteItems').length;
  return {
    requestsPerTransfer: round((calls.length - lists) / completed, 2),
    transactionItemsPerTransfer: round(items / completed, 2),
    cancelledTransactionsPerTransfer: round(cancelled / completed, 2),
    confirmerListQueries: lists,
  };
}

runSection('pipeline', pipelineBench);
