/**
 * DynamoDB adapter for invoices and the items that must change with them: the deposit-address index item and the
 * idempotency record of a create. All keys of these entities are built here (see docs/data-model.md).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  paginateQuery,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type FeeAmountWire, feeAmountFromJson, feeAmountToJson } from '../../domain/fees';
import {
  type FinalPayment,
  type Invoice,
  type InvoiceException,
  type InvoiceStatus,
  LATE_WINDOW_MINUTES,
  type PaymentOption,
} from '../../domain/invoices';
import { invoiceCancelledEntry, invoiceIssuedEntry } from '../../domain/journal';
import type { TokenUnits } from '../../domain/reconcile';
import type { IdempotencyClaim, IdempotencyRecord, InvoiceStore, WatchedAddress, WatchedAddresses } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { faultHook } from '../faults';
import { takeNext } from './counters';
import { putJournalEntry } from './journal';
import { listedMinistries } from './ministries';
import { queryMergedNewestFirst } from './paging';

/** Key builders: the only place invoice keys are spelled. */
export const invoiceKeys = {
  invoice: (id: string) => ({ pk: `INVOICE#${id}`, sk: 'INVOICE' }),
  /** The gsi1 partition of a ministry's invoices. */
  ministry: (ministry: string) => `MINISTRY#${ministry}#INVOICES`,
  /** The gsi2 partition of a month's invoices (`YYYY-MM`). */
  month: (month: string) => `INVOICES#${month}`,
  /** gsi1: a ministry's invoices by creation time. */
  byMinistry: (ministry: string, createdAt: string, id: string) => ({
    gsi1pk: invoiceKeys.ministry(ministry),
    gsi1sk: `${createdAt}#${id}`,
  }),
  /** gsi2: every invoice by creation time, one partition a month (auditors). */
  byMonth: (createdAt: string, id: string) => ({
    gsi2pk: invoiceKeys.month(createdAt.slice(0, 7)),
    gsi2sk: `${createdAt}#${id}`,
  }),
  /** The gsi4 partition of a ministry's invoices in one stored status. */
  ministryStatus: (ministry: string, status: InvoiceStatus) => `MINISTRY#${ministry}#INVOICES#${status}`,
  /** gsi4: a ministry's invoices in one stored status, by creation time. Moves partition when the status changes. */
  byStatus: (ministry: string, status: InvoiceStatus, createdAt: string, id: string) => ({
    gsi4pk: invoiceKeys.ministryStatus(ministry, status),
    gsi4sk: `${createdAt}#${id}`,
  }),
  /** gsi3, sparse: invoices that may still expire, by expiry time. Removed when the invoice leaves that state. */
  expiring: (expiresAt: string, id: string) => ({ gsi3pk: 'EXPIRING_INVOICES', gsi3sk: `${expiresAt}#${id}` }),
  address: (address: string) => ({ pk: `ADDRESS#${address.toLowerCase()}`, sk: 'ADDRESS' }),
  /**
   * gsi3 of address items: every deposit address by the end of its watch (`<watchUntil>#<address>`), so the scanner's
   * `gsi3sk > <now>#~` reads only the addresses still watched; expired ones fall below the key range, unread.
   */
  watched: (address: string, watchUntil: string) => ({
    gsi3pk: 'WATCHED_ADDRESSES',
    gsi3sk: `${watchUntil}#${address.toLowerCase()}`,
  }),
  /**
   * gsi1 of address items: every watch by the time of its last write (`<writtenAt>#<address>`; issue or extension),
   * so a scanner that keeps the watched set in memory reads only the watches written since its last read.
   */
  watchWritten: (address: string, writtenAt: string) => ({
    gsi1pk: 'WATCH_WRITES',
    gsi1sk: `${writtenAt}#${address.toLowerCase()}`,
  }),
  /** Address items written before issue 11 sit in this gsi2 partition; the scanner's read drains it into `watched`. */
  legacyWatched: { gsi2pk: 'WATCHED_ADDRESSES' },
  idempotency: (ministry: string, key: string) => ({ pk: `IDEMPOTENCY#${ministry}#${key}`, sk: 'IDEMPOTENCY' }),
};

/** Stored form: money as decimal strings, never numbers. */
interface InvoiceItem
  extends Omit<
    Invoice,
    'fee' | 'dueMicroUsd' | 'paidMicroUsd' | 'pendingMicroUsd' | 'overpaidMicroUsd' | 'options' | 'tokenUnits'
  > {
  tokenUnits?: Record<string, { pending: string; paid: string }>;
  pk: string;
  sk: string;
  type: 'invoice';
  fee: FeeAmountWire;
  dueMicroUsd: string;
  paidMicroUsd: string;
  pendingMicroUsd: string;
  overpaidMicroUsd: string;
  options: (Omit<PaymentOption, 'amount'> & { amount: string })[];
}

type PaymentItem = Omit<FinalPayment, 'amount' | 'microUsd'> & { amount: string; microUsd: string };

/** Stored form of a final payment. */
export function paymentToItem(p: FinalPayment): PaymentItem {
  return { ...p, amount: p.amount.toString(), microUsd: p.microUsd.toString() };
}

/** The stored item of an invoice, with every index key it is listed under. */
export function invoiceToItem(invoice: Invoice): Record<string, unknown> {
  return {
    ...invoiceKeys.invoice(invoice.id),
    ...invoiceKeys.byMinistry(invoice.ministry, invoice.createdAt, invoice.id),
    ...invoiceKeys.byMonth(invoice.createdAt, invoice.id),
    ...invoiceKeys.byStatus(invoice.ministry, invoice.status, invoice.createdAt, invoice.id),
    ...(invoice.status === 'open' || invoice.status === 'processing'
      ? invoiceKeys.expiring(invoice.expiresAt, invoice.id)
      : {}),
    type: 'invoice',
    ...invoice,
    fee: feeAmountToJson(invoice.fee),
    dueMicroUsd: invoice.dueMicroUsd.toString(),
    paidMicroUsd: invoice.paidMicroUsd.toString(),
    pendingMicroUsd: invoice.pendingMicroUsd.toString(),
    overpaidMicroUsd: invoice.overpaidMicroUsd.toString(),
    options: invoice.options.map((o) => ({ ...o, amount: o.amount.toString() })),
    payments: invoice.payments.map(paymentToItem),
    ...(invoice.tokenUnits ? { tokenUnits: tokenUnitsToItem(invoice.tokenUnits) } : {}),
  };
}

/** Stored form of an invoice's per-token sums (decimal strings). */
export function tokenUnitsToItem(units: TokenUnits): Record<string, { pending: string; paid: string }> {
  return Object.fromEntries(
    Object.entries(units).map(([k, u]) => [k, { pending: u.pending.toString(), paid: u.paid.toString() }]),
  );
}

function tokenUnitsFromItem(item: Record<string, { pending: string; paid: string }>): TokenUnits {
  return Object.fromEntries(
    Object.entries(item).map(([k, u]) => [k, { pending: BigInt(u.pending), paid: BigInt(u.paid) }]),
  );
}

/** Reads a stored invoice item back into the domain type. */
export function invoiceFromItem(item: Record<string, unknown>): Invoice {
  const i = item as unknown as InvoiceItem;
  return {
    id: i.id,
    ministry: i.ministry,
    feeCode: i.feeCode,
    feeTitle: i.feeTitle,
    fee: feeAmountFromJson(i.fee),
    ...(i.budget ? { budget: i.budget } : {}),
    payer: i.payer,
    ...(i.reference ? { reference: i.reference } : {}),
    ...(i.language ? { language: i.language } : {}),
    quote: i.quote,
    ...(i.pricedWith ? { pricedWith: i.pricedWith } : {}),
    ...(i.issuerContact ? { issuerContact: i.issuerContact } : {}),
    dueMicroUsd: BigInt(i.dueMicroUsd),
    paidMicroUsd: BigInt(i.paidMicroUsd),
    pendingMicroUsd: BigInt(i.pendingMicroUsd),
    overpaidMicroUsd: BigInt(i.overpaidMicroUsd),
    status: i.status,
    exception: i.exception,
    depositAddress: i.depositAddress,
    // Invoices issued before forwarder addresses existed carry no scheme: theirs is the xpub one.
    depositScheme: i.depositScheme ?? 'xpub',
    ...(i.depositIndex !== undefined ? { depositIndex: Number(i.depositIndex) } : {}),
    options: i.options.map((o) => ({ ...o, amount: BigInt(o.amount) })),
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
    ...(i.receiptId ? { receiptId: i.receiptId } : {}),
    ...(i.paidAt ? { paidAt: i.paidAt } : {}),
    payments: (i.payments ?? []).map((p) => ({ ...p, amount: BigInt(p.amount), microUsd: BigInt(p.microUsd) })),
    ...(i.tokenUnits ? { tokenUnits: tokenUnitsFromItem(i.tokenUnits) } : {}),
    ...(i.annulments?.length ? { annulments: i.annulments } : {}),
    version: Number(i.version ?? 0),
  };
}

/** How long an idempotency record is kept: a client retries within minutes, a day is generous. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** Until when a deposit address is watched: the late-payment window's close, so late and stray payments are seen. */
function watchUntilFor(expiresAt: string): string {
  return new Date(Date.parse(expiresAt) + LATE_WINDOW_MINUTES * 60_000).toISOString();
}

/**
 * The update that keeps watching an invoice's deposit address until its (moved) expiry's late window closes: the
 * gsi3 sort key moves with `watchUntil` (an address already expired comes back into the scanner's range), the gsi1
 * write key moves to `writtenAt` (so a scanner keeping the set in memory reads the extension as a change), and an
 * item written before issue 11 leaves the legacy gsi2 partition on the way.
 */
export function extendWatchItem(depositAddress: string, expiresAt: string, writtenAt = new Date().toISOString()) {
  const watchUntil = watchUntilFor(expiresAt);
  const watched = invoiceKeys.watched(depositAddress, watchUntil);
  const written = invoiceKeys.watchWritten(depositAddress, writtenAt);
  return {
    Update: {
      TableName: tableName(),
      Key: invoiceKeys.address(depositAddress),
      UpdateExpression:
        'SET watchUntil = :until, watchWrittenAt = :written, gsi3pk = :wpk, gsi3sk = :wsk, gsi1pk = :tpk, gsi1sk = :tsk REMOVE gsi2pk, gsi2sk',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':until': watchUntil,
        ':written': writtenAt,
        ':wpk': watched.gsi3pk,
        ':wsk': watched.gsi3sk,
        ':tpk': written.gsi1pk,
        ':tsk': written.gsi1sk,
      },
    },
  };
}

/**
 * Writes a new invoice, its deposit-address item, its `issued` journal entry and (with a key) its idempotency record
 * in one transaction, so a crash leaves all or none. Returns false when the key is taken (the use case then reads
 * the earlier record and decides); any other refusal throws.
 */
export async function createInvoice(invoice: Invoice, idempotency?: IdempotencyClaim): Promise<boolean> {
  const TableName = tableName();
  const notExists = 'attribute_not_exists(pk)';
  const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
    { Put: { TableName, Item: invoiceToItem(invoice), ConditionExpression: notExists } },
    {
      Put: {
        TableName,
        Item: {
          ...invoiceKeys.address(invoice.depositAddress),
          ...invoiceKeys.watched(invoice.depositAddress, watchUntilFor(invoice.expiresAt)),
          ...invoiceKeys.watchWritten(invoice.depositAddress, invoice.createdAt),
          watchUntil: watchUntilFor(invoice.expiresAt),
          watchWrittenAt: invoice.createdAt,
          type: 'address',
          address: invoice.depositAddress,
          invoiceId: invoice.id,
          ministry: invoice.ministry,
          ...(invoice.depositIndex !== undefined ? { depositIndex: invoice.depositIndex } : {}),
          createdAt: invoice.createdAt,
        },
        ConditionExpression: notExists,
      },
    },
  ];
  items.push(
    putJournalEntry(
      invoiceIssuedEntry({
        id: invoice.id,
        ministry: invoice.ministry,
        feeCode: invoice.feeCode,
        dueMicroUsd: invoice.dueMicroUsd,
        at: invoice.createdAt,
      }),
    ),
  );
  if (idempotency) {
    items.push({
      Put: {
        TableName,
        Item: {
          ...invoiceKeys.idempotency(invoice.ministry, idempotency.key),
          type: 'idempotency',
          requestHash: idempotency.requestHash,
          invoiceId: invoice.id,
          createdAt: invoice.createdAt,
          ttl: Math.floor(Date.parse(invoice.createdAt) / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
        ConditionExpression: notExists,
      },
    });
  }
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    // The invoice id is random and the deposit index fresh: a refused transaction with a key is the key's twin.
    if (error instanceof TransactionCanceledException && idempotency) return false;
    throw error;
  }
}

/** The record an earlier create with this key left, if any. */
export async function getIdempotencyRecord(ministry: string, key: string): Promise<IdempotencyRecord | undefined> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: invoiceKeys.idempotency(ministry, key), ConsistentRead: true }),
  );
  return Item ? { requestHash: String(Item.requestHash), invoiceId: String(Item.invoiceId) } : undefined;
}

/** An invoice by id, or undefined. */
export async function getInvoice(id: string): Promise<Invoice | undefined> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: invoiceKeys.invoice(id), ConsistentRead: true }),
  );
  return Item ? invoiceFromItem(Item) : undefined;
}

/** The invoice a deposit address belongs to, or undefined. */
export async function findInvoiceIdByAddress(address: string): Promise<string | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: invoiceKeys.address(address) }));
  return Item?.invoiceId as string | undefined;
}

export interface InvoiceQuery {
  /** Only this ministry's invoices; absent for auditors (all ministries). */
  ministry?: string;
  status?: InvoiceStatus;
  payerBin?: string;
  /** Inclusive ISO instants on `createdAt`. */
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/** The earliest instant an unbounded list reaches back to: the service's first month. */
const EPOCH = '2025-01-01T00:00:00.000Z';

/**
 * Invoices newest first. Without a status: each ministry's partition of gsi1 (one for a ministry, every listed one
 * for auditors), merged. With a status: the ministries' partitions of that stored status in gsi4, so a page costs
 * one Query per ministry whatever the mix of statuses. An open invoice past its expiry reads as expired
 * (`effectiveState`) until the expiry sweep stores it so: `status=open` drops those few on the query, and
 * `status=expired` adds them from the expiry index (gsi3, past-expiry range: one more Query, holding only what
 * the sweep has not reached yet). The payer filter stays a filter on the query.
 */
export async function listInvoices(
  query: InvoiceQuery,
  now: Date,
): Promise<{ items: Invoice[]; nextCursor: string | null }> {
  const from = query.from ?? EPOCH;
  const to = query.to ?? '9999-12-31T23:59:59.999Z';
  const ministries = query.ministry ? [query.ministry] : await listedMinistries();
  const { status } = query;
  const page = await queryMergedNewestFirst({
    index: status ? 'gsi4' : 'gsi1',
    partitions: ministries.map((m) => (status ? invoiceKeys.ministryStatus(m, status) : invoiceKeys.ministry(m))),
    sortKeyBetween: { from, to: `${to}#~` },
    filter: listFilter(query, now),
    ...(status === 'expired' ? { extra: () => openPastExpiry(ministries, query.payerBin, now) } : {}),
    limit: query.limit,
    cursor: query.cursor,
  });
  return { items: page.items.map(invoiceFromItem), nextCursor: page.nextCursor };
}

/** The filter left on a list's query: the payer, and for `open` the expiry (see listInvoices). */
function listFilter(query: InvoiceQuery, now: Date) {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  if (query.payerBin) {
    names['#payer'] = 'payer';
    values[':bin'] = query.payerBin;
    parts.push('#payer.bin = :bin');
  }
  if (query.status === 'open') {
    values[':now'] = now.toISOString();
    parts.push('expiresAt > :now');
  }
  return { expression: parts.join(' AND '), names, values };
}

/**
 * Open invoices of `ministries` whose expiry has passed but that the sweep has not yet stored as expired: they read
 * as expired. From the expiry index's past-expiry range, with gsi4's sort key so they merge into the status list.
 */
async function openPastExpiry(
  ministries: readonly string[],
  payerBin: string | undefined,
  now: Date,
): Promise<Record<string, unknown>[]> {
  const pages = paginateQuery(
    { client: ddb },
    {
      TableName: tableName(),
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :now',
      FilterExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pk': invoiceKeys.expiring('', '').gsi3pk,
        // Expiry exactly now counts as passed (`effectiveState`): the bound sorts after every `<now>#<id>`.
        ':now': `${now.toISOString()}#~`,
        ':open': 'open',
      },
    },
  );
  const found: Record<string, unknown>[] = [];
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const invoice = item as { ministry: string; createdAt: string; id: string; payer?: { bin?: string } };
      if (!ministries.includes(invoice.ministry) || (payerBin && invoice.payer?.bin !== payerBin)) continue;
      found.push({ ...item, gsi4sk: `${invoice.createdAt}#${invoice.id}` });
    }
  }
  return found;
}

/**
 * Cancels `current` as read: the write holds only while its version is unchanged, it is open with nothing paid or
 * pending, and its expiry has not passed; the `cancelled` journal entry goes in the same transaction. Returns false
 * when the invoice changed since it was read (the use case reads it again and decides).
 */
export async function cancelInvoice(current: Invoice, now: Date): Promise<boolean> {
  const { id, ministry } = current;
  const at = now.toISOString();
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: invoiceKeys.invoice(id),
              ConditionExpression:
                '#version = :version AND #status = :open AND paidMicroUsd = :zero AND pendingMicroUsd = :zero AND expiresAt > :now',
              UpdateExpression:
                'SET #status = :cancelled, cancelledAt = :now, #version = :next, gsi4pk = :listed REMOVE gsi3pk, gsi3sk',
              ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
              ExpressionAttributeValues: {
                ':version': current.version,
                ':next': current.version + 1,
                ':open': 'open',
                ':zero': '0',
                ':now': at,
                ':cancelled': 'cancelled',
                ':listed': invoiceKeys.ministryStatus(ministry, 'cancelled'),
              },
            },
          },
          putJournalEntry(
            invoiceCancelledEntry({
              id,
              ministry,
              feeCode: current.feeCode,
              dueMicroUsd: current.dueMicroUsd,
              at,
            }),
          ),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

/** How the expiry sweep reads the index: items per Query page, and pages per run (the next run goes on). */
export interface ExpiryScan {
  pageSize?: number;
  maxPages?: number;
}

/**
 * Invoices whose expiry has passed and that may still need to be expired, oldest first, one Query page at a time
 * (a yielded page may be empty). Invoices with a payment pending stay in the index but are filtered out, and a
 * Query's `Limit` counts items before the filter: so the scan walks on past them (`LastEvaluatedKey`) instead of
 * stopping at a page of them, up to `maxPages` pages a run.
 */
export async function* dueForExpiry(
  now: Date,
  { pageSize = 100, maxPages = 50 }: ExpiryScan = {},
): AsyncGenerator<Invoice[]> {
  const pages = paginateQuery(
    { client: ddb, pageSize },
    {
      TableName: tableName(),
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :now',
      // An invoice with a payment still pending waits for that payment's finality, not for the sweep.
      FilterExpression: 'pendingMicroUsd = :zero',
      ExpressionAttributeValues: {
        ':pk': invoiceKeys.expiring('', '').gsi3pk,
        ':now': now.toISOString(),
        ':zero': '0',
      },
    },
  );
  let read = 0;
  for await (const page of pages) {
    yield (page.Items ?? []).map(invoiceFromItem);
    if (++read >= maxPages) return;
  }
}

/**
 * Moves one invoice to `expired` with `exception` if it is still open (or processing with nothing pending), paid as
 * read and past expiry; the condition makes a repeat, or a race with a payment, a no-op. Returns whether it changed.
 */
export async function expireInvoice(invoice: Invoice, exception: InvoiceException, now: Date): Promise<boolean> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: invoiceKeys.invoice(invoice.id),
        ConditionExpression:
          '(#status = :open OR #status = :processing) AND pendingMicroUsd = :zero AND paidMicroUsd = :paid AND expiresAt <= :now',
        UpdateExpression:
          'SET #status = :expired, #exception = :exception, expiredAt = :now, gsi4pk = :listed ADD #version :one REMOVE gsi3pk, gsi3sk',
        ExpressionAttributeNames: { '#status': 'status', '#exception': 'exception', '#version': 'version' },
        ExpressionAttributeValues: {
          ':open': 'open',
          ':processing': 'processing',
          ':zero': '0',
          ':paid': invoice.paidMicroUsd.toString(),
          ':now': now.toISOString(),
          ':expired': 'expired',
          ':exception': exception,
          ':one': 1,
          ':listed': invoiceKeys.ministryStatus(invoice.ministry, 'expired'),
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Deposit addresses still watched at `now`, for the chain scanner's log filter: one range of gsi3's
 * `WATCHED_ADDRESSES` partition, so the items read are the active addresses, whatever the history. Address items
 * written before issue 11 are honoured too: see {@link drainLegacyWatchItems}.
 */
export async function watchedAddressEntries(now: Date): Promise<WatchedAddress[]> {
  const entries = new Map<string, WatchedAddress>();
  for (const item of await drainLegacyWatchItems(now)) entries.set(item.address, item);
  const pages = paginateQuery(
    { client: ddb },
    {
      TableName: tableName(),
      IndexName: 'gsi3',
      // `~` sorts after every character of an address: an address watched until exactly `now` is out, as before.
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk > :after',
      ExpressionAttributeValues: { ':pk': invoiceKeys.watched('', '').gsi3pk, ':after': `${now.toISOString()}#~` },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const entry = watchedEntry(item);
      entries.set(entry.address, entry);
    }
  }
  return [...entries.values()];
}

/**
 * Watches written (issued or extended) at or after `since`, as they stand now: one range of gsi1's `WATCH_WRITES`
 * partition, so the items read are the writes since then, whatever the history. Legacy items (no write key) are
 * never in it: they change only by an extension, which gives them one; a full read ({@link watchedAddressEntries})
 * returns them.
 */
export async function watchesWrittenSince(since: Date): Promise<WatchedAddress[]> {
  const pages = paginateQuery(
    { client: ddb },
    {
      TableName: tableName(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
      ExpressionAttributeValues: {
        ':pk': invoiceKeys.watchWritten('', '').gsi1pk,
        ':since': since.toISOString(),
      },
    },
  );
  const entries: WatchedAddress[] = [];
  for await (const page of pages) for (const item of page.Items ?? []) entries.push(watchedEntry(item));
  // Test-only (`FAULTS=watch:after-read`): the increment was read, and the reader fails before it could use it.
  faultHook('watch')?.('after-read');
  return entries;
}

function watchedEntry(item: Record<string, unknown>): WatchedAddress {
  return {
    address: String(item.address).toLowerCase(),
    watchUntil: String(item.watchUntil),
    ...(typeof item.createdAt === 'string' ? { createdAt: item.createdAt } : {}),
    ...(typeof item.watchWrittenAt === 'string' ? { writtenAt: item.watchWrittenAt } : {}),
  };
}

/** Legacy address items moved a step towards gsi3 per scanner read, so a run stays well inside its timeout. */
const LEGACY_MOVES_PER_READ = 1_000;

/** A legacy address item as read from gsi2, and whether a previous read has already given it its gsi3 keys. */
interface LegacyWatchItem {
  entry: WatchedAddress;
  inGsi3: boolean;
}

/**
 * Address items written before issue 11 (in gsi2's `WATCHED_ADDRESSES`): the ones still watched at `now` are
 * returned, and up to {@link LEGACY_MOVES_PER_READ} of them (expired or not) move one step: a first read gives an
 * item its gsi3 keys, a later read (which sees them) removes its gsi2 keys. So an address is never out of both
 * indexes at once, whichever index catches up first. Once drained, this is one Query that reads nothing.
 */
async function drainLegacyWatchItems(now: Date): Promise<WatchedAddress[]> {
  const legacy: LegacyWatchItem[] = [];
  const pages = paginateQuery(
    { client: ddb },
    {
      TableName: tableName(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': invoiceKeys.legacyWatched.gsi2pk },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) legacy.push({ entry: watchedEntry(item), inGsi3: item.gsi3pk !== undefined });
  }
  const moves = legacy.slice(0, LEGACY_MOVES_PER_READ);
  for (let i = 0; i < moves.length; i += 25) await Promise.all(moves.slice(i, i + 25).map(moveLegacyWatchItem));
  return legacy.map((l) => l.entry).filter((e) => e.watchUntil > now.toISOString());
}

/**
 * One step of a legacy item's move, conditioned on what was read: its gsi3 keys are set only over the `watchUntil`
 * read (a concurrent extension, which re-keys the item and removes its gsi2 keys itself, is never overwritten with
 * the older time), and its gsi2 keys are removed only once it has gsi3 keys.
 */
async function moveLegacyWatchItem({ entry, inGsi3 }: LegacyWatchItem): Promise<void> {
  const watched = invoiceKeys.watched(entry.address, entry.watchUntil);
  const legacy = { ':legacy': invoiceKeys.legacyWatched.gsi2pk };
  const step = inGsi3
    ? {
        UpdateExpression: 'REMOVE gsi2pk, gsi2sk',
        ConditionExpression: 'gsi2pk = :legacy AND attribute_exists(gsi3pk)',
        ExpressionAttributeValues: legacy,
      }
    : {
        UpdateExpression: 'SET gsi3pk = :wpk, gsi3sk = :wsk',
        ConditionExpression: 'gsi2pk = :legacy AND watchUntil = :read AND attribute_not_exists(gsi3pk)',
        ExpressionAttributeValues: {
          ...legacy,
          ':wpk': watched.gsi3pk,
          ':wsk': watched.gsi3sk,
          ':read': entry.watchUntil,
        },
      };
  try {
    await ddb.send(new UpdateCommand({ TableName: tableName(), Key: invoiceKeys.address(entry.address), ...step }));
  } catch (error) {
    // Moved on since it was read (extended, or the step taken by an overlapping run): nothing to do.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** The invoice store port (shared/ports.ts) on the table. */
export const dynamoInvoiceStore: InvoiceStore = {
  get: getInvoice,
  takeDepositIndex: () => takeNext('DEPOSIT_INDEX'),
  idempotencyRecord: getIdempotencyRecord,
  create: createInvoice,
  cancel: cancelInvoice,
  dueForExpiry: (now) => dueForExpiry(now),
  expire: expireInvoice,
};

/** The watched deposit addresses in the table (the {@link WatchedAddresses} port the chain scanner reads). */
export const dynamoWatchedAddresses: WatchedAddresses = {
  watchedAt: watchedAddressEntries,
  writtenSince: watchesWrittenSince,
};
