/**
 * Reconciling one transfer sighting: load the transfer and its invoice, decide the change (shared/reconcile.ts),
 * and write transfer, invoice, journal entry and — when the invoice becomes paid — its signed receipt and the
 * ministry's receipt-chain head in ONE DynamoDB transaction, every write conditioned on what was read. A lost race
 * re-reads and decides again; a repeat sighting changes nothing. After a receipt is issued, a message goes to the
 * outbox queue for the registry publisher; a crash before that is mended by the next sighting of any of the
 * invoice's transfers (the receipt remembers whether its message was sent).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws-dynamodb';
import { type ChainConfig, findToken } from '../chains';
import { tableName } from '../config';
import { feeAmountToJson } from '../fees';
import type { FinalPayment, Invoice } from '../invoices';
import { transferFinalEntry } from '../journal';
import { countMetric } from '../metrics';
import { tokenUnitsToMicroUsd } from '../money';
import { logger } from '../observability';
import {
  buildReceipt,
  GENESIS_PREV_HASH,
  type Receipt,
  type ReceiptException,
  type UnsignedReceipt,
} from '../receipts';
import { applyToInvoice, decide, type InvoiceOutcome, matchTransfer, type TransferChange } from '../reconcile';
import type { ReceiptSigner } from '../signer';
import { findInvoiceIdByAddress, getInvoice, invoiceKeys, paymentToItem } from '../store/invoices';
import { putJournalEntry } from '../store/journal';
import { getReceipt, markOutboxEnqueued, putReceiptItems, receiptChainHead, receiptIdFor } from '../store/receipts';
import { getTransfer, type StoredTransfer, transferItem, transferKeys } from '../store/transfers';
import { type TransferObserved, transferId } from '../transfers';

/** The message the registry publisher consumes. */
export interface ReceiptIssued {
  receiptId: string;
  invoiceId: string;
  ministry: string;
  correlationId?: string;
}

export interface ReconcileDeps {
  chains: readonly ChainConfig[];
  signer: ReceiptSigner;
  now: () => Date;
  enqueueReceipt: (message: ReceiptIssued) => Promise<void>;
  /** Asks the webhook providers to stop watching a settled invoice's address (best effort). */
  unwatchAddress?: (address: string, invoiceId: string) => Promise<void>;
  /** Test-only fault injection between steps (see test/fault); absent in production. */
  fault?: (step: 'before-commit' | 'after-commit' | 'after-outbox') => void;
}

export interface ReconcileResult {
  transferId: string;
  change: TransferChange['kind'];
  invoiceId?: string;
  receiptId?: string;
}

const MAX_ATTEMPTS = 10;

/** Reconciles one sighting; retries itself when it loses a race on the same transfer or invoice. */
export async function reconcileTransfer(seen: TransferObserved, deps: ReconcileDeps): Promise<ReconcileResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await reconcileOnce(seen, deps);
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || attempt >= MAX_ATTEMPTS) throw error;
      // Another writer changed the transfer, invoice or receipt chain since we read it: read again.
      await new Promise((r) => setTimeout(r, Math.min(500, 25 * 2 ** attempt) * (0.5 + Math.random())));
    }
  }
}

async function reconcileOnce(seen: TransferObserved, deps: ReconcileDeps): Promise<ReconcileResult> {
  const id = transferId(seen);
  const now = deps.now();
  const at = now.toISOString();
  const existing = await getTransfer(id);
  const chain = deps.chains.find((c) => c.chainId === seen.chainId);
  const token = chain ? findToken(chain, seen.token) : undefined;

  const invoiceId = existing ? existing.invoiceId : await findInvoiceIdByAddress(seen.to);
  const invoice = invoiceId ? await getInvoice(invoiceId) : undefined;
  const firstSeenAt = existing?.firstSeenAt ?? seen.observedAt;
  const match = existing
    ? existing.invoiceId
      ? ({ matched: true } as const)
      : ({ matched: false, reason: existing.unmatchedReason ?? 'unknown_address' } as const)
    : matchTransfer(invoice, Boolean(token), firstSeenAt);
  const change = decide(existing, seen, match.matched);
  const result: ReconcileResult = {
    transferId: id,
    change: change.kind,
    ...(invoice ? { invoiceId: invoice.id } : {}),
  };

  if (change.kind === 'none') {
    await noteSource(existing, seen);
    if (invoice?.receiptId) await ensureOutbox(invoice, deps, seen.correlationId);
    return { ...result, ...(invoice?.receiptId ? { receiptId: invoice.receiptId } : {}) };
  }

  const conversion = token ? tokenUnitsToMicroUsd(BigInt(seen.amount), token.decimals) : undefined;
  const transfer: StoredTransfer = existing
    ? {
        ...existing,
        // The confirmer re-reports what others found; it is not a source of the transfer.
        sources:
          existing.sources.includes(seen.source) || seen.source === 'confirmer'
            ? existing.sources
            : [...existing.sources, seen.source],
      }
    : {
        id,
        chainId: seen.chainId,
        token: seen.token,
        txHash: seen.txHash,
        logIndex: seen.logIndex,
        blockNumber: seen.blockNumber,
        blockHash: seen.blockHash,
        from: seen.from,
        to: seen.to,
        amount: BigInt(seen.amount),
        microUsd: conversion?.microUsd ?? 0n,
        remainderUnits: conversion?.remainder ?? 0n,
        state: 'seen',
        removedBlockHashes: [],
        ...(match.matched && invoice ? { invoiceId: invoice.id } : {}),
        ...(match.matched ? {} : { unmatchedReason: match.reason }),
        sources: [seen.source],
        history: [],
        firstSeenAt,
        version: -1,
      };

  // What the change does to the transfer and to the invoice's pending/paid balances (micro-USD).
  let pendingDelta = 0n;
  let paidDelta = 0n;
  let becomesFinal = false;
  const credit = transfer.invoiceId ? transfer.microUsd : 0n;
  switch (change.kind) {
    case 'record':
      transfer.state = change.state;
      if (change.state === 'reverted') transfer.removedBlockHashes = [seen.blockHash];
      if (change.creditPending) pendingDelta = credit;
      if (change.state === 'final') {
        becomesFinal = true;
        paidDelta = change.creditFinal ? credit : 0n;
      }
      break;
    case 'finalize':
      transfer.state = 'final';
      becomesFinal = true;
      pendingDelta = -credit;
      paidDelta = credit;
      break;
    case 'revert':
      transfer.state = 'reverted';
      transfer.removedBlockHashes = [...transfer.removedBlockHashes, seen.blockHash];
      pendingDelta = -credit;
      break;
    case 'reinclude':
      transfer.state = change.state;
      transfer.blockHash = seen.blockHash;
      transfer.blockNumber = seen.blockNumber;
      if (change.state === 'final') {
        becomesFinal = true;
        paidDelta = credit;
      } else pendingDelta = credit;
      break;
    case 'fall-back':
      transfer.removedBlockHashes = [...transfer.removedBlockHashes, seen.blockHash];
      transfer.blockHash = change.blockHash;
      transfer.blockNumber = change.blockNumber;
      break;
    case 'move':
      transfer.previousBlocks = [
        ...(transfer.previousBlocks ?? []).filter((b) => b.blockHash !== transfer.blockHash),
        { blockHash: transfer.blockHash, blockNumber: transfer.blockNumber },
      ];
      transfer.blockHash = seen.blockHash;
      transfer.blockNumber = seen.blockNumber;
      if (change.finalNow) {
        transfer.state = 'final';
        becomesFinal = true;
        pendingDelta = -credit;
        paidDelta = credit;
      }
      break;
    case 'note-removed':
      transfer.removedBlockHashes = [...transfer.removedBlockHashes, seen.blockHash];
      break;
    case 'incident':
      logger.error('reorg after finality', { transferId: id, detail: change.detail });
      break;
  }
  transfer.history = [
    ...transfer.history,
    {
      at,
      event: change.kind,
      detail: `${seen.source}: block ${seen.blockNumber} ${seen.blockHash}${seen.removed ? ' removed' : ''}`,
    },
  ];
  const previousVersion = transfer.version;
  transfer.version = previousVersion + 1;

  const TableName = tableName();
  const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
    {
      Put: {
        TableName,
        Item: transferItem(transfer),
        ConditionExpression: existing ? '#version = :version' : 'attribute_not_exists(pk)',
        ...(existing
          ? {
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':version': previousVersion },
            }
          : {}),
      },
    },
  ];
  if (change.kind === 'incident') {
    items.push({
      Put: {
        TableName,
        Item: {
          pk: `INCIDENT#${id}`,
          sk: `REORG#${seen.blockHash}`,
          type: 'incident',
          kind: 'reorg-after-final',
          transferId: id,
          detail: change.detail,
          at,
        },
      },
    });
  }

  let outcome: InvoiceOutcome | undefined;
  let receipt: Receipt | undefined;
  if (invoice && transfer.invoiceId && (pendingDelta !== 0n || paidDelta !== 0n)) {
    outcome = applyToInvoice(invoice, { pendingDelta, paidDelta, firstSeenAt }, now);
    const payment: FinalPayment | undefined = becomesFinal
      ? {
          transferId: id,
          chainId: transfer.chainId,
          token: transfer.token,
          txHash: transfer.txHash,
          logIndex: transfer.logIndex,
          blockNumber: transfer.blockNumber,
          amount: transfer.amount,
          decimals: token?.decimals ?? 0,
          microUsd: transfer.microUsd,
        }
      : undefined;
    let receiptItems: ReturnType<typeof putReceiptItems> = [];
    if (outcome.becamePaid && !invoice.receiptId) {
      const head = await receiptChainHead(invoice.ministry);
      receipt = await buildReceipt(
        receiptFields(
          invoice,
          outcome,
          payment ? [...invoice.payments, payment] : invoice.payments,
          head.lastNo + 1,
          at,
        ),
        head.lastHash ?? GENESIS_PREV_HASH,
        deps.signer,
      );
      receiptItems = putReceiptItems(receipt, head.lastNo);
    }
    items.push(invoiceUpdate(invoice, outcome, payment, receipt, at), ...receiptItems);
  }
  if (becomesFinal && (transfer.invoiceId || token)) {
    items.push(
      putJournalEntry(
        transferFinalEntry({
          transferId: id,
          chainId: transfer.chainId,
          token: transfer.token,
          microUsd: transfer.microUsd,
          at,
          ...(invoice && transfer.invoiceId
            ? {
                matched: {
                  invoiceId: invoice.id,
                  ministry: invoice.ministry,
                  stillOwedMicroUsd: invoice.dueMicroUsd - invoice.paidMicroUsd,
                },
              }
            : { unmatchedReason: transfer.unmatchedReason ?? 'unknown_address' }),
        }),
      ),
    );
  }

  deps.fault?.('before-commit');
  await ddb.send(new TransactWriteCommand({ TransactItems: items }));
  deps.fault?.('after-commit');
  if (change.kind === 'record') {
    countMetric('TransfersSeen');
    if (!transfer.invoiceId) countMetric('TransfersUnmatched');
  }
  if (becomesFinal && transfer.invoiceId) countMetric('TransfersCredited');
  if (receipt) countMetric('ReceiptsIssued');
  if (change.kind === 'incident') countMetric('ReorgIncidents');
  logger.info('transfer reconciled', {
    transferId: id,
    change: change.kind,
    state: transfer.state,
    invoiceId: transfer.invoiceId,
    unmatchedReason: transfer.unmatchedReason,
    invoiceStatus: outcome?.status,
    correlationId: seen.correlationId,
  });
  if (receipt && invoice) {
    await deps.enqueueReceipt({
      receiptId: receipt.receiptId,
      invoiceId: invoice.id,
      ministry: invoice.ministry,
      ...(seen.correlationId ? { correlationId: seen.correlationId } : {}),
    });
    deps.fault?.('after-outbox');
    await markOutboxEnqueued(receipt.receiptId, at);
    await deps.unwatchAddress?.(invoice.depositAddress, invoice.id).catch((error: unknown) => {
      logger.warn('address unwatch request failed', { invoiceId: invoice.id, error: (error as Error).message });
    });
  }
  return { ...result, ...(receipt ? { receiptId: receipt.receiptId } : {}) };
}

function invoiceUpdate(
  invoice: Invoice,
  outcome: InvoiceOutcome,
  payment: FinalPayment | undefined,
  receipt: Receipt | undefined,
  at: string,
) {
  const names: Record<string, string> = { '#status': 'status', '#exception': 'exception', '#version': 'version' };
  const values: Record<string, unknown> = {
    ':version': invoice.version,
    ':next': invoice.version + 1,
    ':paid': outcome.paidMicroUsd.toString(),
    ':pending': outcome.pendingMicroUsd.toString(),
    ':overpaid': outcome.overpaidMicroUsd.toString(),
    ':status': outcome.status,
    ':exception': outcome.exception,
    ':at': at,
  };
  const sets = [
    'paidMicroUsd = :paid',
    'pendingMicroUsd = :pending',
    'overpaidMicroUsd = :overpaid',
    '#status = :status',
    '#exception = :exception',
    '#version = :next',
    'updatedAt = :at',
  ];
  if (payment) {
    sets.push('payments = list_append(if_not_exists(payments, :empty), :payment)');
    values[':empty'] = [];
    values[':payment'] = [paymentToItem(payment)];
  }
  if (receipt) {
    sets.push('receiptId = :receiptId', 'paidAt = :at');
    values[':receiptId'] = receipt.receiptId;
  }
  let remove = '';
  if (outcome.status === 'open' || outcome.status === 'processing') {
    const expiring = invoiceKeys.expiring(invoice.expiresAt, invoice.id);
    sets.push('gsi3pk = :g3pk', 'gsi3sk = :g3sk');
    values[':g3pk'] = expiring.gsi3pk;
    values[':g3sk'] = expiring.gsi3sk;
  } else remove = ' REMOVE gsi3pk, gsi3sk';
  return {
    Update: {
      TableName: tableName(),
      Key: invoiceKeys.invoice(invoice.id),
      ConditionExpression: '#version = :version',
      UpdateExpression: `SET ${sets.join(', ')}${remove}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

function receiptFields(
  invoice: Invoice,
  outcome: InvoiceOutcome,
  payments: FinalPayment[],
  receiptNo: number,
  at: string,
): UnsignedReceipt {
  return {
    receiptId: receiptIdFor(invoice.id),
    receiptNo: String(receiptNo),
    invoiceId: invoice.id,
    ministry: invoice.ministry,
    feeCode: invoice.feeCode,
    feeTitle: invoice.feeTitle.en,
    payer: invoice.payer,
    fee: feeAmountToJson(invoice.fee),
    ...(invoice.budget ? { budget: invoice.budget } : {}),
    quote: invoice.quote,
    dueMicroUsd: invoice.dueMicroUsd.toString(),
    paidMicroUsd: outcome.paidMicroUsd.toString(),
    overpaidMicroUsd: outcome.overpaidMicroUsd.toString(),
    // A receipt is issued only on reaching `paid`, whose exception is never `underpaid`.
    exception: outcome.exception as ReceiptException,
    payments: payments.map((p) => ({
      chainId: p.chainId,
      token: p.token,
      txHash: p.txHash,
      logIndex: p.logIndex,
      blockNumber: p.blockNumber,
      amount: p.amount.toString(),
      decimals: p.decimals,
      microUsd: p.microUsd.toString(),
    })),
    paidAt: at,
    issuedAt: at,
  };
}

/** Adds a newly reporting source to a transfer without touching anything else (best effort: it is bookkeeping). */
async function noteSource(existing: StoredTransfer | undefined, seen: TransferObserved): Promise<void> {
  if (!existing || existing.sources.includes(seen.source) || seen.source === 'confirmer') return;
  await ddb
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: transferKeys.transfer(existing.id),
        UpdateExpression: 'SET sources = list_append(sources, :source)',
        ConditionExpression: 'NOT contains(sources, :name)',
        ExpressionAttributeValues: { ':source': [seen.source], ':name': seen.source },
      }),
    )
    .catch((error: unknown) => {
      // Another sighting recorded the same source first: nothing to add.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

/**
 * Finishes what an earlier run that issued the receipt left undone when it crashed before recording the outbox
 * send: the outbox message and the request to stop watching the settled invoice's address.
 */
async function ensureOutbox(invoice: Invoice, deps: ReconcileDeps, correlationId?: string): Promise<void> {
  const receiptId = invoice.receiptId as string;
  const stored = await getReceipt(receiptId);
  if (!stored || stored.outboxEnqueuedAt) return;
  await deps.enqueueReceipt({
    receiptId,
    invoiceId: invoice.id,
    ministry: invoice.ministry,
    ...(correlationId ? { correlationId } : {}),
  });
  await markOutboxEnqueued(receiptId, deps.now().toISOString());
  await deps.unwatchAddress?.(invoice.depositAddress, invoice.id).catch((error: unknown) => {
    logger.warn('address unwatch request failed', { invoiceId: invoice.id, error: (error as Error).message });
  });
}
