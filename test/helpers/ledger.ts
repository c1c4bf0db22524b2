/**
 * Helpers for tests that drive the money path through the real handlers against moto: SQS events built by hand,
 * queues drained, and the whole table read back as a ledger whose invariants can be checked (paid = final matched
 * transfers, one receipt per paid invoice, a gapless signed receipt chain, a balanced journal, every transfer
 * matched or in suspense) or normalized for comparing two runs of the same sequence.
 *
 * Modules that touch shared/adapters/aws/dynamodb are imported lazily, so importing this file before `useMoto()` is safe.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { StoredReceipt } from '../../shared/adapters/dynamo/receipts';
import type { StoredTransfer } from '../../shared/adapters/dynamo/transfers';
import type { Invoice } from '../../shared/domain/invoices';
import type { JournalEntry } from '../../shared/domain/journal';
import type { Receipt } from '../../shared/domain/receipts';

export function lambdaContext(functionName: string): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

let recordCounter = 0;

/**
 * An SQS record as Lambda delivers it; pass the same record again for a redelivery (with a higher count). `fifo`:
 * from a FIFO queue (its ARN ends in `.fifo`, as the finals queue's does).
 */
export function sqsRecord(
  body: unknown,
  opts: { messageId?: string; receiveCount?: number; fifo?: boolean; attributes?: Record<string, string> } = {},
): SQSRecord {
  const id = opts.messageId ?? `msg-${++recordCounter}`;
  return {
    messageId: id,
    receiptHandle: `handle-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(opts.receiveCount ?? 1),
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(opts.attributes ?? {}).map(([name, stringValue]) => [
        name,
        { stringValue, dataType: 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:test${opts.fifo ? '.fifo' : ''}`,
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** The same record, delivered once more. */
export function redelivered(record: SQSRecord): SQSRecord {
  const count = Number(record.attributes.ApproximateReceiveCount ?? 1) + 1;
  return { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(count) } };
}

let sqsClient: SQSClient | undefined;
function sqs(): SQSClient {
  sqsClient ??= new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION });
  return sqsClient;
}

/** Receives (and deletes) every visible message of a queue; their bodies, parsed. */
export async function drainQueue(queueUrl: string): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const out = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
    );
    if (!out.Messages?.length) return bodies;
    for (const m of out.Messages) bodies.push(JSON.parse(m.Body ?? 'null'));
    await sqs().send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
  }
}

/** A consumer of queue records, as functions/reconcile-transfers/handler.ts exports it. */
type RecordHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

/**
 * Feeds what the sighting queues hold to the reconcile handler until both are empty: `transfers` as standard
 * records, `finals` (the ministries' receipt sequences, fed by the confirmer and by the handler itself) as FIFO
 * records. Resolves with how many messages were handled and the ids of the records that failed.
 */
export async function pumpSightings(
  handler: RecordHandler,
  queueUrls: { transfers: string; finals: string },
  context: Context,
): Promise<{ handled: number; failed: string[] }> {
  let handled = 0;
  const failed: string[] = [];
  for (;;) {
    const standard = await drainQueue(queueUrls.transfers);
    const sequenced = standard.length ? [] : await drainQueue(queueUrls.finals);
    const records = [...standard.map((b) => sqsRecord(b)), ...sequenced.map((b) => sqsRecord(b, { fifo: true }))];
    if (!records.length) return { handled, failed };
    for (let i = 0; i < records.length; i += 10) {
      const result = await handler(sqsEvent(records.slice(i, i + 10)), context);
      failed.push(...result.batchItemFailures.map((f) => f.itemIdentifier));
    }
    handled += records.length;
  }
}

/** Messages in a queue: visible, in flight and delayed. */
export async function queueDepth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs().send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

export function destroyLedgerClients(): void {
  sqsClient?.destroy();
  sqsClient = undefined;
}

/** Everything the table holds about money, read back with a Scan. */
export interface Ledger {
  invoices: Invoice[];
  transfers: StoredTransfer[];
  receipts: StoredReceipt[];
  journal: JournalEntry[];
  heads: Map<string, { lastNo: number; lastHash: string }>;
  incidents: Record<string, unknown>[];
}

export async function readLedger(): Promise<Ledger> {
  const { ddb } = await import('../../shared/adapters/aws/dynamodb');
  const { tableName } = await import('../../shared/adapters/config');
  const { paginateScan } = await import('@aws-sdk/lib-dynamodb');
  const { invoiceFromItem } = await import('../../shared/adapters/dynamo/invoices');
  const { transferFromItem } = await import('../../shared/adapters/dynamo/transfers');
  const { getReceipt } = await import('../../shared/adapters/dynamo/receipts');
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: ddb }, { TableName: tableName(), ConsistentRead: true })) {
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
  }

  const ledger: Ledger = { invoices: [], transfers: [], receipts: [], journal: [], heads: new Map(), incidents: [] };
  for (const item of items) {
    const pk = String(item.pk);
    if (item.type === 'invoice') ledger.invoices.push(invoiceFromItem(item));
    else if (item.type === 'transfer') ledger.transfers.push(transferFromItem(item));
    else if (item.type === 'receipt') {
      const stored = await getReceipt(String(item.receiptId));
      if (stored) ledger.receipts.push(stored);
    } else if (item.type === 'journal') {
      ledger.journal.push({
        entryId: String(item.entryId),
        at: String(item.at),
        kind: item.kind as JournalEntry['kind'],
        ...(item.invoiceId ? { invoiceId: String(item.invoiceId) } : {}),
        ...(item.transferId ? { transferId: String(item.transferId) } : {}),
        lines: (item.lines as { account: string; debit: string; credit: string }[]).map((l) => ({
          account: l.account,
          debit: BigInt(l.debit),
          credit: BigInt(l.credit),
        })),
      });
    } else if (item.type === 'incident') ledger.incidents.push(item);
    else if (pk.startsWith('RECEIPT_CHAIN#')) {
      ledger.heads.set(pk.slice('RECEIPT_CHAIN#'.length), {
        lastNo: Number(item.lastNo),
        lastHash: String(item.lastHash),
      });
    }
  }
  return ledger;
}

const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * The ledger's invariants; the problems found (empty when all hold). `acceptedTokens` are the lower-case token
 * addresses the deployment accepts (their final transfers reach the journal, unmatched ones as suspense).
 */
export async function ledgerProblems(
  ledger: Ledger,
  opts: { signer: string; acceptedTokens: readonly string[] },
): Promise<string[]> {
  const { verifyReceiptChain } = await import('../../shared/domain/receipts');
  const { trialBalance } = await import('../../shared/domain/journal');
  const problems: string[] = [];
  const accepted = new Set(opts.acceptedTokens.map((t) => t.toLowerCase()));
  const balance = new Map<string, bigint>();
  for (const e of ledger.journal) {
    const tb = trialBalance([e]);
    if (tb.debits !== tb.credits) problems.push(`journal entry ${e.entryId} unbalanced`);
    for (const l of e.lines) balance.set(l.account, (balance.get(l.account) ?? 0n) + l.debit - l.credit);
  }
  const tb = trialBalance(ledger.journal);
  if (tb.debits !== tb.credits) problems.push(`journal: debits ${tb.debits} != credits ${tb.credits}`);
  const account = (name: string) => balance.get(name) ?? 0n;

  // Transfers: matched or in suspense, never both, never neither.
  for (const t of ledger.transfers) {
    if (Boolean(t.invoiceId) === Boolean(t.unmatchedReason)) {
      problems.push(`transfer ${t.id}: invoiceId=${t.invoiceId} unmatchedReason=${t.unmatchedReason}`);
    }
    // Net of final entries and annulments (a final transfer gone at the deep re-check is reversed, never deleted).
    const count = (kind: string) => ledger.journal.filter((e) => e.kind === kind && e.transferId === t.id).length;
    const net = count('transfer-final') - count('transfer-annulled');
    const journaled = t.state === 'final' && (Boolean(t.invoiceId) || accepted.has(t.token.toLowerCase()));
    if (net !== (journaled ? 1 : 0)) {
      problems.push(`transfer ${t.id} (${t.state}): ${net} transfer-final journal entries net of annulments`);
    }
  }
  const finalAccepted = ledger.transfers.filter((t) => t.state === 'final' && accepted.has(t.token.toLowerCase()));
  const custody = sum([...balance].filter(([a]) => a.startsWith('custody:')).map(([, v]) => v));
  if (custody !== sum(finalAccepted.map((t) => t.microUsd))) {
    problems.push(`custody ${custody} != final accepted transfers ${sum(finalAccepted.map((t) => t.microUsd))}`);
  }
  const suspense = -sum([...balance].filter(([a]) => a.startsWith('suspense:')).map(([, v]) => v));
  const unmatchedFinal = sum(finalAccepted.filter((t) => !t.invoiceId).map((t) => t.microUsd));
  if (suspense !== unmatchedFinal) problems.push(`suspense ${suspense} != final unmatched transfers ${unmatchedFinal}`);

  // Invoices against their transfers and receipts.
  for (const inv of ledger.invoices) {
    const label = `invoice ${inv.id}`;
    const matched = ledger.transfers.filter((t) => t.invoiceId === inv.id);
    const finals = matched.filter((t) => t.state === 'final');
    const paid = sum(finals.map((t) => t.microUsd));
    const pending = sum(matched.filter((t) => t.state === 'seen').map((t) => t.microUsd));
    if (inv.paidMicroUsd !== paid) problems.push(`${label}: paid ${inv.paidMicroUsd} != final transfers ${paid}`);
    if (inv.pendingMicroUsd !== pending) {
      problems.push(`${label}: pending ${inv.pendingMicroUsd} != seen transfers ${pending}`);
    }
    const over = paid > inv.dueMicroUsd ? paid - inv.dueMicroUsd : 0n;
    if (inv.overpaidMicroUsd !== over) problems.push(`${label}: overpaid ${inv.overpaidMicroUsd} != ${over}`);
    const paymentIds = inv.payments.map((p) => p.transferId);
    if (new Set(paymentIds).size !== paymentIds.length) problems.push(`${label}: a payment is listed twice`);
    if (
      [...paymentIds].sort().join() !==
      finals
        .map((t) => t.id)
        .sort()
        .join()
    ) {
      problems.push(`${label}: payments [${paymentIds}] != final transfers [${finals.map((t) => t.id)}]`);
    }
    const receipts = ledger.receipts.filter((r) => r.receipt.invoiceId === inv.id);
    const isPaid = inv.status === 'paid';
    if (isPaid !== paid >= inv.dueMicroUsd) problems.push(`${label}: status ${inv.status} with paid ${paid}`);
    if (receipts.length !== (isPaid ? 1 : 0)) problems.push(`${label}: ${inv.status} with ${receipts.length} receipts`);
    if (Boolean(inv.receiptId) !== isPaid) problems.push(`${label}: ${inv.status} with receiptId ${inv.receiptId}`);
    const receipt = receipts[0]?.receipt;
    if (receipt) {
      if (receipt.receiptId !== inv.receiptId) problems.push(`${label}: receiptId differs from its receipt's`);
      if (BigInt(receipt.paidMicroUsd) < inv.dueMicroUsd) problems.push(`${label}: receipt for less than due`);
      if (BigInt(receipt.paidMicroUsd) > paid) problems.push(`${label}: receipt for more than paid`);
      const listed = sum(receipt.payments.map((p) => BigInt(p.microUsd)));
      if (listed !== BigInt(receipt.paidMicroUsd)) problems.push(`${label}: receipt payments ${listed} != its paid`);
    }
    if (!isPaid && inv.status !== 'cancelled') {
      const expected = pending > 0n ? 'processing' : undefined;
      if (expected && inv.status !== expected) problems.push(`${label}: ${inv.status} with ${pending} pending`);
    }
    // Receivable: due less what final money applied; overpayment: the rest.
    if (inv.status !== 'cancelled') {
      const applied = min(paid, inv.dueMicroUsd);
      if (account(`receivable:${inv.id}`) !== inv.dueMicroUsd - applied) {
        problems.push(`${label}: receivable ${account(`receivable:${inv.id}`)} != ${inv.dueMicroUsd - applied}`);
      }
      if (-account(`overpayment:${inv.id}`) !== over) {
        problems.push(`${label}: overpayment account ${-account(`overpayment:${inv.id}`)} != ${over}`);
      }
    }
  }
  for (const r of ledger.receipts) {
    if (!ledger.invoices.some((i) => i.id === r.receipt.invoiceId))
      problems.push(`receipt ${r.receipt.receiptId} orphan`);
  }

  // Receipt chains: gapless, linked, signed; the head names the last one.
  const docs: Receipt[] = ledger.receipts.map((r) => r.receipt);
  problems.push(...verifyReceiptChain(docs, { expectedSigner: opts.signer }));
  const ministries = new Set([...docs.map((r) => r.ministry), ...ledger.heads.keys()]);
  for (const ministry of ministries) {
    const mine = docs.filter((r) => r.ministry === ministry).sort((a, b) => Number(a.receiptNo) - Number(b.receiptNo));
    const head = ledger.heads.get(ministry);
    const last = mine[mine.length - 1];
    if ((head?.lastNo ?? 0) !== mine.length) problems.push(`${ministry}: head ${head?.lastNo} with ${mine.length}`);
    if (last && head?.lastHash !== last.hash) problems.push(`${ministry}: head hash is not the last receipt's`);
  }
  return problems;
}
