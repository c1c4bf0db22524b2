/**
 * Completing refunds from the chain, never from the custodian's word (DESIGN.md, Trust; Refunds): for each
 * `instructed` refund, our own node's `Transfer` logs of the refund's token from the custody account to the refund's
 * destination, from the block the order was sent at, are searched for one of exactly the refund's amount that is
 * final by the chain's rule. The first such transfer not already completing another refund completes it: the
 * refund, its ledger, the claim of that transfer (one transfer completes at most one refund), the signed refund
 * receipt and the journal entry (overpayment or suspense → out of custody) are committed in ONE transaction; the receipt then goes to the ministry's registry through the outbox.
 */
import { getAddress, zeroPadValue } from 'ethers';
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { type ChainConfig, findChain, isFinal } from '../domain/chains';
import { buildRefundReceipt } from '../domain/refund-documents';
import { completeRefund, ledgerAfter, type Refund, type RefundTransfer, refundJournalEntry } from '../domain/refunds';
import { decodeTransferLog, ERC20_TRANSFER_TOPIC } from '../domain/transfers';
import type { ChainRpc, Custodian, RawLog, ReceiptSigner, RefundQueue, RefundStore } from '../ports';
import { type ChainTip, readTip } from './chain-tip';

export interface CompleteRefundsDeps {
  refunds: RefundStore;
  chains: readonly ChainConfig[];
  rpcFor: (chainId: number) => ChainRpc;
  custodian: Pick<Custodian, 'custodyAccount'>;
  signer: ReceiptSigner;
  /** Hands a completed refund's receipt to the publisher (the outbox). */
  publishReceipt: (refund: Refund) => Promise<void>;
  now: () => Date;
  fault?: (step: 'after-commit') => void;
  /** The queue of approved refunds' orders: an approval whose message was lost is queued again. */
  orders?: RefundQueue;
  /** The widest block range one `getLogs` asks for (providers cap it); default {@link LOG_RANGE_BLOCKS}. */
  maxLogRange?: number;
}

/** The widest block range one `getLogs` of the completion asks for: within common providers' limits. */
export const LOG_RANGE_BLOCKS = 2_000;

/** How long a refund may stay approved (its order not yet delivered) before its order is queued again. */
export const ORDER_REQUEUE_AFTER_MS = 15 * 60_000;

/** How long a completed refund's receipt may wait for its first outbox message before it is sent again. */
export const RECEIPT_RESEND_AFTER_MS = 5 * 60_000;

/** Completes what the chain shows done; answers the ids completed in this run. */
export async function completeRefunds(deps: CompleteRefundsDeps): Promise<string[]> {
  await resendLostReceipts(deps);
  await requeueStaleApprovals(deps);
  const tips = new Map<number, Promise<ChainTip>>();
  const completed: string[] = [];
  for (const refund of await deps.refunds.instructed()) {
    const chain = findChain(deps.chains, refund.chainId);
    const custody = deps.custodian.custodyAccount(refund.chainId);
    if (!chain || !custody) {
      logger.warn('refund waits: its chain or custody account is not configured', { refundId: refund.id });
      continue;
    }
    const rpc = deps.rpcFor(chain.chainId);
    const tip = tips.get(chain.chainId) ?? readTip(chain, rpc);
    tips.set(chain.chainId, tip);
    try {
      const span = deps.maxLogRange ?? LOG_RANGE_BLOCKS;
      const candidates = await finalTransfersOf(refund, custody, chain, rpc, await tip, span);
      if (await completeWithFirst(refund, candidates, deps)) completed.push(refund.id);
    } catch (error) {
      // One refund's failure (its chain's node down, a log range the node refuses) holds up no other refund.
      logger.error('refund completion check failed', { refundId: refund.id, error: (error as Error).message });
    }
  }
  return completed;
}

/** The refund's final custody → destination transfers of exactly its token and amount, oldest first. */
async function finalTransfersOf(
  refund: Refund,
  custody: string,
  chain: ChainConfig,
  rpc: ChainRpc,
  tip: ChainTip,
  span: number,
): Promise<RefundTransfer[]> {
  // The head read before the first send: a transfer in that block was mined before the order existed.
  const fromBlock = (refund.instructedBlock ?? -1) + 1;
  const filter = { address: [refund.token], topics: [ERC20_TRANSFER_TOPIC, topicOf(custody), topicOf(refund.to)] };
  const logs: RawLog[] = [];
  // In windows of at most `span` blocks (a node caps a query's range), each halved again when the node refuses it.
  for (let from = fromBlock; from <= tip.head; from += span) {
    logs.push(...(await logsInRange(rpc, filter, from, Math.min(tip.head, from + span - 1))));
  }
  return logs
    .filter((log) => isRefundTransfer(log, refund, custody) && isFinal(chain, log.blockNumber, tip))
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
    .map((log) => ({
      txHash: log.transactionHash.toLowerCase(),
      logIndex: log.logIndex,
      blockNumber: log.blockNumber,
    }));
}

/** Logs over [from, to], halving the range when the node refuses it (as the scanner does). */
export async function logsInRange(
  rpc: ChainRpc,
  filter: { address: string[]; topics: string[] },
  from: number,
  to: number,
): Promise<RawLog[]> {
  try {
    return await rpc.getLogs({ ...filter, fromBlock: from, toBlock: to });
  } catch (error) {
    if (from === to) throw error;
    const mid = from + Math.floor((to - from) / 2);
    return [...(await logsInRange(rpc, filter, from, mid)), ...(await logsInRange(rpc, filter, mid + 1, to))];
  }
}

/** Whether a log is a transfer of the refund's token and exact amount from custody to its destination. */
function isRefundTransfer(log: RawLog, refund: Refund, custody: string): boolean {
  const decoded = decodeTransferLog(log);
  return Boolean(
    decoded &&
      !log.removed &&
      getAddress(log.address) === getAddress(refund.token) &&
      getAddress(decoded.from) === getAddress(custody) &&
      getAddress(decoded.to) === getAddress(refund.to) &&
      decoded.amount === refund.amount,
  );
}

/** Completes `refund` with the first candidate no other refund has taken; whether it was completed. */
async function completeWithFirst(
  refund: Refund,
  candidates: RefundTransfer[],
  deps: CompleteRefundsDeps,
): Promise<boolean> {
  for (const transfer of candidates) {
    const done = { ...completeRefund(refund, transfer, deps.now()).refund, version: refund.version + 1 };
    const receipt = await buildRefundReceipt(done, deps.signer);
    const read = await deps.refunds.ledger(refund.source);
    const ledger = { read, next: ledgerAfter(read, done) };
    const outcome = await deps.refunds.complete(done, refund.version, ledger, receipt, refundJournalEntry(done));
    if (outcome === 'transfer-taken') continue;
    if (outcome === 'changed') return false; // another run completed it meanwhile: the next run sees it
    deps.fault?.('after-commit');
    countMetric('RefundsCompleted');
    logger.info('refund completed from the chain', { refundId: refund.id, txHash: transfer.txHash });
    if (done.ministry) await deps.publishReceipt(done);
    return true;
  }
  return false;
}

/**
 * Refunds approved a while ago and still not instructed: a crash between writing `approved` and queueing the order
 * lost the message, or the order is still being retried. Queued again either way: the executor is idempotent (a
 * refund already instructed, or one whose order is in flight, is sent at most as the same bytes again).
 */
async function requeueStaleApprovals(deps: CompleteRefundsDeps): Promise<void> {
  if (!deps.orders) return;
  const before = new Date(deps.now().getTime() - ORDER_REQUEUE_AFTER_MS);
  for (const refund of await deps.refunds.approvedBefore(before)) {
    logger.warn('refund order queued again: approved long ago and not instructed', { refundId: refund.id });
    await deps.orders.enqueue(refund.id);
  }
}

/** Receipts of refunds completed a while ago whose outbox message never reached the publisher (a crash). */
async function resendLostReceipts(deps: CompleteRefundsDeps): Promise<void> {
  const before = new Date(deps.now().getTime() - RECEIPT_RESEND_AFTER_MS);
  for (const refund of await deps.refunds.unsentReceipts(before)) {
    logger.warn('refund receipt sent again: its outbox message never reached the publisher', { refundId: refund.id });
    if (refund.ministry) await deps.publishReceipt(refund);
  }
}

/** An address as a 32-byte indexed topic. */
function topicOf(address: string): string {
  return zeroPadValue(getAddress(address).toLowerCase(), 32);
}
