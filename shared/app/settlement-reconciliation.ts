/**
 * The three-way reconciliation of a period (DESIGN.md, "Settlement"; GET /v1/reconciliation): custody outflows read
 * from our own node — every enabled chain's accepted tokens' `Transfer` logs FROM its custody account, final by the
 * chain's rule, in the blocks of the period's days (Kazakhstan time) — against the stored settlement lines and bank
 * entries of the period, with the NBK rate of each value date (the rates refresh-rates stores for quotes). Nothing
 * is written: the answer is recomputed from the facts every time (shared/domain/settlement-reconciliation.ts).
 */
import { zeroPadValue } from 'ethers';
import { type ChainConfig, isFinal } from '../domain/chains';
import { ValidationError } from '../domain/errors';
import { addDays } from '../domain/fx';
import {
  type CustodyOutflow,
  reconcileSettlement,
  type SettlementReconciliation,
} from '../domain/settlement-reconciliation';
import { isIsoDay } from '../domain/settlements';
import { kazakhstanDay } from '../domain/time';
import { decodeTransferLog, ERC20_TRANSFER_TOPIC } from '../domain/transfers';
import type { BlockClock, ChainRpc, RateStore, RawLog, RefundStore, SettlementStore } from '../ports';
import { readTip } from './chain-tip';
import { LOG_RANGE_BLOCKS, logsInRange } from './complete-refunds';

export interface ReconciliationDeps {
  store: Pick<SettlementStore, 'linesBetween' | 'entriesBetween'>;
  rates: Pick<RateStore, 'usdKztRateFor'>;
  chains: readonly ChainConfig[];
  /** The custody account money leaves from on a chain (the custodian's configuration). */
  custodyAccount: (chainId: number) => string | undefined;
  rpcFor: (chainId: number) => ChainRpc;
  clockFor: (chainId: number) => BlockClock;
  /** The widest block range one `getLogs` asks for; default LOG_RANGE_BLOCKS. */
  maxLogRange?: number;
  /** A custodian rate's largest distance from the NBK rate, in basis points (default 200). */
  toleranceBp?: bigint;
  /** The refunds store: its completed refunds' transactions are custody outflows that need no settlement. */
  refunds?: Pick<RefundStore, 'list'>;
}

/** The longest period one request reconciles (a quarter and a bit): a month is the usual close. */
export const MAX_RECONCILIATION_DAYS = 100;

/** Reconciles the days `from`..`to` (inclusive, `YYYY-MM-DD`). @throws ValidationError for a bad period. */
export async function reconcilePeriod(
  from: string,
  to: string,
  deps: ReconciliationDeps,
): Promise<SettlementReconciliation> {
  if (!isIsoDay(from) || !isIsoDay(to) || from > to || to > addDays(from, MAX_RECONCILIATION_DAYS - 1)) {
    throw new ValidationError([
      {
        field: 'from',
        message: `from and to must be days YYYY-MM-DD, from ≤ to, at most ${MAX_RECONCILIATION_DAYS} days`,
      },
    ]);
  }
  return reconcileDays(from, to, deps);
}

/** Reconciles valid days `from`..`to` of any length (an export's period, up to a year). */
export async function reconcileDays(
  from: string,
  to: string,
  deps: ReconciliationDeps,
): Promise<SettlementReconciliation> {
  const [outflows, lines, entries, refundTxs] = await Promise.all([
    custodyOutflows(from, to, deps),
    deps.store.linesBetween(from, to),
    deps.store.entriesBetween(from, to),
    completedRefundTxs(deps.refunds),
  ]);
  const days = [...new Set(lines.filter((l) => l.fiatCurrency === 'KZT').map((l) => l.valueDate))];
  const rates = new Map(await Promise.all(days.map(async (d) => [d, await deps.rates.usdKztRateFor(d)] as const)));
  return reconcileSettlement({
    from,
    to,
    outflows,
    lines,
    entries,
    nbkRate: (day) => rates.get(day),
    refundTxs,
    ...(deps.toleranceBp !== undefined ? { toleranceBp: deps.toleranceBp } : {}),
  });
}

/** `chainId:txHash` of every completed refund's transfer (a refund leaves custody like a conversion). */
async function completedRefundTxs(refunds: Pick<RefundStore, 'list'> | undefined): Promise<Set<string>> {
  const out = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = refunds
      ? await refunds.list({ state: 'completed', limit: 100, ...(cursor ? { cursor } : {}) })
      : undefined;
    for (const refund of page?.items ?? [])
      if (refund.txHash) out.add(`${refund.chainId}:${refund.txHash.toLowerCase()}`);
    cursor = page?.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** Final custody outflows of every chain with a custody account, in the period's blocks. */
export async function custodyOutflows(from: string, to: string, deps: ReconciliationDeps): Promise<CustodyOutflow[]> {
  const perChain = await Promise.all(
    deps.chains.map(async (chain) => {
      const custody = deps.custodyAccount(chain.chainId);
      return custody ? chainOutflows(chain, custody, from, to, deps) : [];
    }),
  );
  return perChain.flat();
}

/** Kazakhstan's midnight starting `day`, in Unix seconds (UTC+5). */
const kzMidnight = (day: string) => Date.parse(`${day}T00:00:00+05:00`) / 1000;

async function chainOutflows(
  chain: ChainConfig,
  custody: string,
  from: string,
  to: string,
  deps: ReconciliationDeps,
): Promise<CustodyOutflow[]> {
  const rpc = deps.rpcFor(chain.chainId);
  const clock = deps.clockFor(chain.chainId);
  const tip = await readTip(chain, rpc);
  const first = await firstBlockAtOrAfter(clock, kzMidnight(from), tip.head);
  const end = await firstBlockAtOrAfter(clock, kzMidnight(addDays(to, 1)), tip.head);
  const last = end.found ? end.block - 1 : tip.head;
  if (!first.found || first.block > last) return [];
  const tokens = chain.tokens.map((t) => t.address);
  const filter = { address: tokens, topics: [ERC20_TRANSFER_TOPIC, zeroPadValue(custody.toLowerCase(), 32)] };
  const span = deps.maxLogRange ?? LOG_RANGE_BLOCKS;
  const logs: RawLog[] = [];
  for (let start = first.block; start <= last; start += span) {
    logs.push(...(await logsInRange(rpc, filter, start, Math.min(last, start + span - 1))));
  }
  const times = new Map<number, number>();
  const out: CustodyOutflow[] = [];
  for (const log of logs) {
    const decoded = decodeTransferLog(log);
    const token = chain.tokens.find((t) => t.address.toLowerCase() === log.address.toLowerCase());
    if (!decoded || !token || log.removed || !isFinal(chain, log.blockNumber, tip)) continue;
    if (decoded.from.toLowerCase() !== custody.toLowerCase()) continue;
    const time = times.get(log.blockNumber) ?? (await clock.timestamp(log.blockNumber));
    times.set(log.blockNumber, time);
    out.push({
      chainId: chain.chainId,
      token: token.address,
      tokenDecimals: token.decimals,
      txHash: log.transactionHash.toLowerCase(),
      logIndex: log.logIndex,
      blockNumber: log.blockNumber,
      from: decoded.from,
      to: decoded.to,
      amount: decoded.amount,
      day: kazakhstanDay(new Date(time * 1000)),
    });
  }
  return out;
}

/** The first block at or after `time` (binary search over block timestamps, which never decrease). */
async function firstBlockAtOrAfter(
  clock: BlockClock,
  time: number,
  head: number,
): Promise<{ found: boolean; block: number }> {
  if ((await clock.timestamp(head)) < time) return { found: false, block: head + 1 };
  let low = 0;
  let high = head;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if ((await clock.timestamp(mid)) >= time) high = mid;
    else low = mid + 1;
  }
  return { found: true, block: low };
}
