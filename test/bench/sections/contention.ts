/**
 * Receipt numbering under contention, on the local runtime: C invoices of ONE ministry (default 20) are issued
 * through the API and paid at once on the local chain; the provider emulator's webhooks carry them to `seen`, the
 * confirmer finds them final together, and their receipts are numbered in the ministry's chain. Queue consumers run
 * with the concurrency the topology declares (the local poller emulates Lambda's scaling; a FIFO queue's group is
 * handed to one consumer at a time, as SQS does).
 *
 * Counted, never timed: every TransactWriteItems that tried to put a receipt (committed or cancelled) per receipt
 * issued (`attemptsPerReceipt`), and whether the chain came out gapless (numbers 1..C, the head at C).
 */
import { startLocalRuntime } from '../../../infra/local/runtime';
import { apiClient } from '../../helpers/api';
import { payAll } from '../lib/chain-pay';
import { timeDynamoDb } from '../lib/ddb-timer';
import { intEnv, onInterrupt, progress, runSection } from '../lib/section';
import { round } from '../lib/stats';

const log = (m: string) => progress('contention', m);
const MINISTRY = 'AFSA';
const FEE_CODE = 'AFSA-APP-AI';

/** A string attribute, marshalled (`{S: 'x'}`) or not. */
function attr(value: unknown): string {
  if (typeof value === 'string') return value;
  const s = (value as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : '';
}

/** The receipt numbers a transaction's input puts (none when it puts no receipt). */
function receiptsPut(input: unknown): string[] {
  const items = (input as { TransactItems?: { Put?: { Item?: Record<string, unknown> } }[] }).TransactItems ?? [];
  return items.flatMap((i) => (i.Put?.Item && attr(i.Put.Item.type) === 'receipt' ? [attr(i.Put.Item.receiptId)] : []));
}

async function contentionBench() {
  const concurrent = intEnv('BENCH_CONTENTION', 20);
  const runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, finalityDepth: 3 });
  onInterrupt(() => runtime.stop());
  try {
    for (const name of ['scan-chain', 'expire-invoices', 'refresh-rates', 'sweep-deposits'])
      await runtime.schedules.get(name)?.pause();
    const { dynamodb } = await import('../../../shared/adapters/aws/dynamodb');
    const { receiptChainHead } = await import('../../../shared/adapters/dynamo/receipts');
    const timer = timeDynamoDb(dynamodb, { serialize: true });

    const api = apiClient(runtime.apiUrl);
    const token = await api.token({ role: 'ministry', ministry: MINISTRY });
    const usdt = runtime.chain.tokens.find((t) => t.symbol === 'USDT');
    if (!usdt) throw new Error('no USDT on the local chain');
    const payments: { to: string; amount: bigint }[] = [];
    for (let i = 0; i < concurrent; i++) {
      const r = await api.call('POST', '/v1/invoices', { token, body: { feeCode: FEE_CODE, payer: PAYER } });
      if (r.status !== 201) throw new Error(`issue invoice: ${r.status} ${r.text}`);
      const option = (r.json.options as { chainId: number; token: string; amount: string }[]).find(
        (o) => o.chainId === runtime.chain.chainId && o.token.toLowerCase() === usdt.address.toLowerCase(),
      );
      if (!option) throw new Error('no local USDT option');
      payments.push({ to: r.json.depositAddress, amount: BigInt(option.amount) });
    }
    runtime.provider.watch(payments.map((p) => p.to));
    const headBefore = (await receiptChainHead(MINISTRY)).lastNo;
    log(`${concurrent} invoices of ${MINISTRY} issued; chain head at ${headBefore}`);

    timer.start();
    await payAll(runtime.chain.rpcUrl, usdt.address, runtime.chain.payers, payments);
    const stallMs = intEnv('BENCH_STALL_SECONDS', 90) * 1000;
    const issued = () =>
      new Set(
        timer
          .calls()
          .filter((c) => c.ok)
          .flatMap((c) => receiptsPut(c.input)),
      );
    let last = -1;
    let lastProgress = Date.now();
    while (issued().size < concurrent && Date.now() - lastProgress < stallMs) {
      await new Promise((r) => setTimeout(r, 250));
      if (issued().size !== last) [last, lastProgress] = [issued().size, Date.now()];
    }
    timer.stop();
    const transactions = timer.calls().filter((c) => c.command === 'TransactWriteItems' && receiptsPut(c.input).length);
    const receipts = issued().size;
    const head = (await receiptChainHead(MINISTRY)).lastNo;
    log(`${receipts} receipts in ${transactions.length} transaction attempts; head ${headBefore} → ${head}`);
    return {
      concurrent,
      ministry: MINISTRY,
      receipts,
      transactionAttempts: transactions.length,
      cancelled: transactions.filter((c) => !c.ok).length,
      attemptsPerReceipt: round(transactions.length / Math.max(1, receipts), 2),
      gapless: head - headBefore === receipts,
    };
  } finally {
    await runtime.stop();
  }
}

const PAYER = { bin: '940140000385', name: 'Bench Firm LLP' };

runSection('contention', contentionBench);
