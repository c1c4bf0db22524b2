/**
 * In-memory refund ports (shared/ports.ts) with the table's conditions: a create holds only for the ledger and the
 * source version as read and a free idempotency key; an update only for the version read; one on-chain transfer
 * completes one refund. Values are kept as copies.
 */
import type { Invoice } from '../../shared/domain/invoices';
import type { JournalEntry } from '../../shared/domain/journal';
import type { StoredTransfer } from '../../shared/domain/reconcile';
import type { RefundReceipt, SignedRefundOrder } from '../../shared/domain/refund-documents';
import {
  EMPTY_LEDGER,
  OPEN_REFUND_STATES,
  type Refund,
  type RefundLedger,
  type RefundSource,
  refundOrderShape,
  sameTransferOpenError,
  sourceKey,
} from '../../shared/domain/refunds';
import {
  ConcurrentChangeError,
  type Custodian,
  type CustodianDelivery,
  type IdempotencyClaim,
  type RefundIdempotencyRecord,
  type RefundQueue,
  type RefundReceiptDeliveries,
  type RefundSourceReader,
  type RefundStore,
} from '../../shared/ports';

const sameLedger = (a: RefundLedger, b: RefundLedger) =>
  a.reservedMicroUsd === b.reservedMicroUsd && a.openRefundId === b.openRefundId;

export class MemoryRefundStore implements RefundStore {
  readonly refunds = new Map<string, Refund>();
  readonly ledgers = new Map<string, RefundLedger>();
  readonly idempotency = new Map<string, RefundIdempotencyRecord>();
  readonly receipts = new Map<string, RefundReceipt>();
  readonly journal: JournalEntry[] = [];
  /** The open refund holding each transfer shape (`refundOrderShape`). */
  readonly openTransfers = new Map<string, string>();
  /** `chainId:txHash:logIndex` → refund id. */
  readonly claimedTransfers = new Map<string, string>();
  /** The source's current version, as the source reader has it (a create is conditioned on it). */
  sourceVersion: (source: RefundSource) => number = () => 0;

  async get(id: string) {
    const r = this.refunds.get(id);
    return r && structuredClone(r);
  }

  async ledger(source: RefundSource) {
    return structuredClone(this.ledgers.get(sourceKey(source)) ?? EMPTY_LEDGER);
  }

  async idempotencyRecord(scope: string, key: string) {
    return this.idempotency.get(`${scope}#${key}`);
  }

  async create(
    refund: Refund,
    ledger: { read: RefundLedger; next: RefundLedger },
    sourceVersion: number,
    claim?: IdempotencyClaim & { scope: string },
  ) {
    const recordKey = claim && `${claim.scope}#${claim.key}`;
    if (recordKey && this.idempotency.has(recordKey)) return false;
    if (
      !sameLedger(await this.ledger(refund.source), ledger.read) ||
      this.sourceVersion(refund.source) !== sourceVersion
    )
      throw new ConcurrentChangeError();
    if (this.openTransfers.has(refundOrderShape(refund))) throw sameTransferOpenError(refund);
    this.openTransfers.set(refundOrderShape(refund), refund.id);
    this.refunds.set(refund.id, structuredClone(refund));
    this.ledgers.set(sourceKey(refund.source), structuredClone(ledger.next));
    if (recordKey && claim) this.idempotency.set(recordKey, { requestHash: claim.requestHash, refundId: refund.id });
    return true;
  }

  async update(refund: Refund, readVersion: number, ledger?: { read: RefundLedger; next: RefundLedger }) {
    if (this.refunds.get(refund.id)?.version !== readVersion) return false;
    if (ledger && !sameLedger(await this.ledger(refund.source), ledger.read)) return false;
    this.refunds.set(refund.id, structuredClone(refund));
    if (ledger) this.ledgers.set(sourceKey(refund.source), structuredClone(ledger.next));
    if (!OPEN_REFUND_STATES.includes(refund.state) && this.openTransfers.get(refundOrderShape(refund)) === refund.id)
      this.openTransfers.delete(refundOrderShape(refund));
    return true;
  }

  async complete(
    refund: Refund,
    readVersion: number,
    ledger: { read: RefundLedger; next: RefundLedger },
    receipt: RefundReceipt,
    journal: JournalEntry,
  ) {
    const claim = `${refund.chainId}:${refund.txHash}:${refund.logIndex}`;
    if (this.claimedTransfers.has(claim)) return 'transfer-taken' as const;
    if (!(await this.update(refund, readVersion, ledger))) return 'changed' as const;
    this.claimedTransfers.set(claim, refund.id);
    this.receipts.set(receipt.receiptId, structuredClone(receipt));
    this.journal.push(structuredClone(journal));
    return 'completed' as const;
  }

  async list(query: { ministry?: string; state?: Refund['state']; cursor?: string; limit: number }) {
    const items = [...this.refunds.values()]
      .filter((r) => (!query.ministry || r.ministry === query.ministry) && (!query.state || r.state === query.state))
      .sort((a, b) => (a.requestedAt < b.requestedAt ? 1 : -1))
      .slice(0, query.limit);
    return { items: structuredClone(items), nextCursor: null };
  }

  async ofSource(source: RefundSource) {
    return structuredClone([...this.refunds.values()].filter((r) => sourceKey(r.source) === sourceKey(source)));
  }

  async approvedBefore(before: Date) {
    const approved = [...this.refunds.values()].filter(
      (r) => r.state === 'approved' && Date.parse(r.approvedAt ?? '') < before.getTime(),
    );
    return structuredClone(approved);
  }

  async instructed() {
    return structuredClone([...this.refunds.values()].filter((r) => r.state === 'instructed'));
  }

  /** Refund ids whose receipt the publisher has had a message of. */
  readonly receiptsSeen = new Set<string>();

  async unsentReceipts(before: Date) {
    const unsent = [...this.refunds.values()].filter(
      (r) =>
        r.state === 'completed' &&
        r.ministry &&
        !this.receiptsSeen.has(r.id) &&
        Date.parse(r.completedAt ?? '') < before.getTime(),
    );
    return structuredClone(unsent);
  }

  /** Whether the source has an open refund (a test's check of the ledger against the refunds). */
  openOf(source: RefundSource): Refund[] {
    return [...this.refunds.values()].filter(
      (r) => sourceKey(r.source) === sourceKey(source) && OPEN_REFUND_STATES.includes(r.state),
    );
  }
}

/** Invoices and transfers a refund is requested from, with the versions the store's create is conditioned on. */
export class MemoryRefundSources implements RefundSourceReader {
  readonly invoices = new Map<string, Invoice>();
  readonly transfers = new Map<string, StoredTransfer>();
  readonly owners = new Map<string, { invoiceId: string; ministry: string }>();

  async invoice(id: string) {
    return structuredClone(this.invoices.get(id));
  }

  async transfer(id: string) {
    return structuredClone(this.transfers.get(id));
  }

  async addressOwner(address: string) {
    return this.owners.get(address.toLowerCase());
  }

  /** The version of a source as stored here. */
  versionOf = (source: RefundSource): number =>
    (source.kind === 'invoice' ? this.invoices.get(source.invoiceId) : this.transfers.get(source.transferId))
      ?.version ?? -1;
}

/** Records the refunds queued. */
export class MemoryRefundQueue implements RefundQueue {
  readonly ids: string[] = [];
  async enqueue(refundId: string) {
    this.ids.push(refundId);
  }
}

/** A custodian that answers what the test says, recording every order sent. */
export class MemoryCustodian implements Custodian {
  readonly sent: { order: SignedRefundOrder; at: Date }[] = [];
  answer: () => CustodianDelivery = () => ({ outcome: 'delivered', status: 201 });

  constructor(private readonly custody: Record<number, string> = {}) {}

  async sendOrder(order: SignedRefundOrder, at: Date) {
    this.sent.push({ order: structuredClone(order), at });
    return this.answer();
  }

  custodyAccount(chainId: number) {
    return this.custody[chainId];
  }
}

/** Refund receipts' delivery records over a MemoryRefundStore (its receipts, by refund id). */
export class MemoryRefundReceiptDeliveries implements RefundReceiptDeliveries {
  readonly delivered = new Set<string>();

  constructor(private readonly store: MemoryRefundStore) {}

  async get(refundId: string) {
    const receipt = [...this.store.receipts.values()].find((r) => r.refundId === refundId);
    if (!receipt) return undefined;
    return { document: JSON.stringify(receipt), receipt, delivered: this.delivered.has(refundId) };
  }

  async markDelivered(refundId: string) {
    if (this.delivered.has(refundId)) return false;
    this.delivered.add(refundId);
    return true;
  }

  async markSeen(refundId: string) {
    this.store.receiptsSeen.add(refundId);
  }
}
