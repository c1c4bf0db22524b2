/**
 * The confirmer, for one chain: re-checks every `seen` transfer, whoever reported it, against our own node — final
 * when the chain's finality rule holds, its block is still canonical and our receipt confirms it; moved or removed
 * when its block left the chain — and re-reads final transfers once more at the deeper depth (settled, or gone and to
 * be annulled). What it learns goes to the transfers queue as `TransferObserved`; reconciliation decides what it
 * means. It runs apart from log discovery (shared/app/scan-chain.ts), so webhook-reported payments reach finality
 * with the scanner paused.
 */
import { logger } from '../adapters/observability';
import { type ChainConfig, isDeeplyFinal, isFinal } from '../domain/chains';
import type { StoredTransfer } from '../domain/reconcile';
import { sightingKey, type TransferObserved, type TransferObservedInput } from '../domain/transfers';
import { checkSighting } from '../domain/verify-sighting';
import type { ChainRpc, TransfersToRecheck, TxReceipt } from '../ports';
import { type ChainTip, readTip } from './chain-tip';

export interface ConfirmDeps {
  rpc: ChainRpc;
  transfers: TransfersToRecheck;
  /** What was already sent (one per container, kept across runs; a fresh one in each test). */
  reported: RecentReports;
  now: () => Date;
  send: (messages: TransferObservedInput[]) => Promise<void>;
}

export interface ConfirmReport {
  chainId: number;
  head: number;
  checked: number;
  finalized: number;
  removed: number;
  moved: number;
  /** Final transfers re-checked at the deeper depth: still there (settled) or gone (to be annulled). */
  settled: number;
  gone: number;
  /** `eth_getTransactionReceipt` calls this run (one per transaction at most). */
  receiptReads: number;
  /** Transfers whose block is still canonical but whose receipt our node did not give as recorded: left for later. */
  unsure: number;
}

/** How long a report counts as sent: after that it is sent again, in case it was lost. */
const RESEND_AFTER_MS = 30_000;

/**
 * What was already reported, by transfer and block: a transfer stays `seen` in the table until its report is
 * reconciled, and re-sending the same report every run only adds duplicates to the queue. Reports are re-sent after
 * `resendAfterMs` in case one was lost.
 */
export class RecentReports {
  private readonly sentAt = new Map<string, number>();

  constructor(private readonly resendAfterMs = RESEND_AFTER_MS) {}

  /** Whether `report` was sent within the resend interval before `now` (records nothing). */
  sentRecently(report: TransferObservedInput, now: number): boolean {
    const at = this.sentAt.get(sightingKey(report));
    return at !== undefined && now - at < this.resendAfterMs;
  }

  /** Records `report` as sent at `now` unless it was sent recently; true when it is to be sent. */
  claim(report: TransferObservedInput, now: number): boolean {
    if (this.sentRecently(report, now)) return false;
    this.sentAt.set(sightingKey(report), now);
    if (this.sentAt.size > 10_000) {
      for (const [k, t] of this.sentAt) if (now - t >= this.resendAfterMs) this.sentAt.delete(k);
    }
    return true;
  }
}

/** One run's reads: each block and each transaction's receipt at most once, against the tip read at its start. */
interface Run {
  chain: ChainConfig;
  tip: ChainTip;
  at: Date;
  report: ConfirmReport;
  reported: RecentReports;
  canonical: (t: StoredTransfer) => Promise<boolean>;
  receiptOf: (txHash: string) => Promise<TxReceipt | null>;
}

/**
 * Re-checks every `seen` transfer of a chain, whoever reported it, and every final one not yet re-checked deeper.
 * A `seen` transfer whose block is still canonical but not yet final costs one cached block read. One that is
 * final by the chain's rule, or whose block is gone, is checked against our node's transaction receipt (DESIGN.md,
 * Trust): final when its log is there as recorded, moved when the same log now sits in another block, removed
 * otherwise. At the deeper depth ({@link isDeeplyFinal}) a final transfer is read once more: still there → settled;
 * gone → reported removed with `deep`, and reconciliation annuls its receipt.
 */
export async function confirmTransfers(chain: ChainConfig, deps: ConfirmDeps): Promise<ConfirmReport> {
  const { rpc } = deps;
  const at = deps.now();
  const tip = await readTip(chain, rpc);
  const report: ConfirmReport = {
    chainId: chain.chainId,
    head: tip.head,
    checked: 0,
    finalized: 0,
    removed: 0,
    moved: 0,
    settled: 0,
    gone: 0,
    receiptReads: 0,
    unsure: 0,
  };
  const blockAt = memo((n: number) => rpc.getBlock(n));
  const run: Run = {
    chain,
    tip,
    at,
    report,
    reported: deps.reported,
    canonical: async (t) => t.blockNumber <= tip.head && (await blockAt(t.blockNumber))?.hash === t.blockHash,
    receiptOf: memo((txHash: string) => {
      report.receiptReads++;
      return rpc.getTransactionReceipt(txHash);
    }),
  };
  const recheck = [
    ...(await recheckSeen(run, await deps.transfers.seen(chain.chainId))),
    ...(await recheckDeep(run, await deps.transfers.finalUnsettled(chain.chainId))),
  ];
  const nowMs = at.getTime();
  await deps.send(recheck.filter((m) => deps.reported.claim(m, nowMs)));
  return report;
}

/** The reports on `seen` transfers: final, moved or removed (counted in the run's report). */
async function recheckSeen(run: Run, seen: StoredTransfer[]): Promise<TransferObservedInput[]> {
  const { report } = run;
  const messages: TransferObservedInput[] = [];
  for (const t of seen) {
    report.checked++;
    const inBlock = await run.canonical(t);
    if (inBlock && !isFinal(run.chain, t.blockNumber, run.tip)) continue;
    // Reported final moments ago and still in its block: reconciliation has not caught up yet; no need to read again.
    if (inBlock && run.reported.sentRecently({ ...sightingOf(t, run.at), final: true }, run.at.getTime())) continue;
    const reading = readTransfer(t, inBlock, await run.receiptOf(t.txHash), run.at);
    const message = seenMessage(run.chain, reading, run.tip);
    if (!message) {
      if (reading.kind === 'unsure') report.unsure++;
      continue;
    }
    messages.push(message);
    if (message.removed) report.removed++;
    else if (reading.kind === 'moved') report.moved++;
    else report.finalized++;
  }
  return messages;
}

/** The deep re-check of final transfers (lowest block first): settled when still there, gone otherwise. */
async function recheckDeep(run: Run, unsettled: StoredTransfer[]): Promise<TransferObservedInput[]> {
  const { report } = run;
  const messages: TransferObservedInput[] = [];
  for (const t of unsettled) {
    if (!isDeeplyFinal(run.chain, t.blockNumber, run.tip)) break; // lowest block first: the rest are shallower still
    const settled = { ...sightingOf(t, run.at), deep: true, final: true };
    if (run.reported.sentRecently(settled, run.at.getTime())) continue;
    const reading = readTransfer(t, await run.canonical(t), await run.receiptOf(t.txHash), run.at);
    if (reading.kind === 'unsure') {
      report.unsure++;
      continue;
    }
    const gone = reading.kind === 'gone';
    messages.push({ ...reading.sighting, removed: gone, deep: true, ...(gone ? {} : { final: true }) });
    if (gone) report.gone++;
    else report.settled++;
  }
  return messages;
}

/** A stored transfer as the sighting the confirmer reports (its recorded block, not removed). */
function sightingOf(t: StoredTransfer, at: Date): TransferObserved {
  return {
    chainId: t.chainId,
    token: t.token,
    txHash: t.txHash,
    logIndex: t.logIndex,
    blockNumber: t.blockNumber,
    blockHash: t.blockHash,
    from: t.from,
    to: t.to,
    amount: t.amount.toString(),
    removed: false,
    source: 'confirmer',
    observedAt: at.toISOString(),
    // What the transfer is matched to: reconciliation reads transfer, invoice and chain head in one request.
    ...(t.invoiceId && t.ministry ? { hint: { invoiceId: t.invoiceId, ministry: t.ministry } } : {}),
  };
}

/**
 * What our node says of a recorded transfer: its log is there as recorded (`holds`); the same log now sits in
 * another block (`moved`); it is gone. One empty or different receipt read while the recorded block is still
 * canonical proves nothing (a lagging or load-balanced node, a pruned transaction index): `unsure`, read again next
 * run. A receipt in the recorded block that contradicts the record is definitive.
 */
type Reading =
  | { kind: 'holds' | 'moved' | 'gone'; sighting: TransferObserved }
  | { kind: 'unsure'; sighting: TransferObserved };

function readTransfer(t: StoredTransfer, blockCanonical: boolean, receipt: TxReceipt | null, at: Date): Reading {
  const recorded = sightingOf(t, at);
  if (checkSighting(recorded, receipt).ok) return { kind: 'holds', sighting: recorded };
  if (receipt && receipt.blockHash !== t.blockHash) {
    const elsewhere = { ...recorded, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash };
    if (blockCanonical) return { kind: 'unsure', sighting: recorded };
    return checkSighting(elsewhere, receipt).ok
      ? { kind: 'moved', sighting: elsewhere }
      : { kind: 'gone', sighting: recorded };
  }
  if (!receipt && blockCanonical) return { kind: 'unsure', sighting: recorded };
  return { kind: 'gone', sighting: recorded };
}

/** The confirmer's report of a `seen` transfer from what the node says, or nothing (not final yet, or unsure). */
function seenMessage(chain: ChainConfig, reading: Reading, tip: ChainTip): TransferObservedInput | undefined {
  const { sighting } = reading;
  switch (reading.kind) {
    case 'holds':
      return isFinal(chain, sighting.blockNumber, tip) ? { ...sighting, final: true } : undefined;
    case 'moved':
      return { ...sighting, final: isFinal(chain, sighting.blockNumber, tip) };
    case 'gone':
      return { ...sighting, removed: true };
    case 'unsure':
      logger.warn('our node has no receipt as recorded for a transfer in a canonical block; re-checked later', {
        txHash: sighting.txHash,
        blockNumber: sighting.blockNumber,
      });
      return undefined;
  }
}

/** Memoizes an async read for one run, so each block or transaction is read once. */
function memo<K, V>(read: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const cache = new Map<K, Promise<V>>();
  return (key) => {
    let value = cache.get(key);
    if (!value) {
      value = read(key);
      cache.set(key, value);
    }
    return value;
  };
}
