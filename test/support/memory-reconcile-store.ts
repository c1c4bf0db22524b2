/**
 * The reconciliation store in memory (the ReconcileStore port): maps of transfers, invoices, chain documents,
 * chain heads, journal entries and incidents; `commit` checks every condition the DynamoDB adapter's transaction
 * checks (transfer version or absence, invoice version, chain head number) and writes all or nothing. Counts reads
 * and commits, so tests and the bench can state work per sighting.
 */
import { invoiceAfter } from '../../shared/domain/invoice-change';
import type { Invoice } from '../../shared/domain/invoices';
import type { JournalEntry } from '../../shared/domain/journal';
import type { StoredTransfer } from '../../shared/domain/reconcile';
import type { SweepCandidate } from '../../shared/domain/sweeps';
import type { Incident } from '../../shared/domain/transfer-change';
import {
  ConcurrentChangeError,
  type ReceiptChainHead,
  type ReconcileCommit,
  type ReconcileStore,
  type SightingKeys,
  type SightingRead,
  type StoredChainDocument,
} from '../../shared/ports';

export class MemoryReconcileStore implements ReconcileStore {
  readonly transfers = new Map<string, StoredTransfer>();
  readonly invoices = new Map<string, Invoice>();
  readonly addresses = new Map<string, string>();
  readonly documents = new Map<string, StoredChainDocument>();
  readonly heads = new Map<string, Required<ReceiptChainHead>>();
  readonly journal = new Map<string, JournalEntry>();
  /** Sweep candidates by `chainId|token|address` (lower case), as the commit's marker puts them. */
  readonly sweepCandidates = new Map<string, SweepCandidate>();
  /** By the incident's key (transfer, kind, block): a repeated incident is the same record, as in the table. */
  readonly incidentsByKey = new Map<string, Incident>();
  readonly watchUntil = new Map<string, string>();
  reads = 0;
  commits = 0;
  /** Called at the start of each commit: a test can change the store here to make the commit lose a race. */
  beforeCommit?: (change: ReconcileCommit) => void;

  /** Adds an invoice as issued (and its deposit address). */
  addInvoice(invoice: Invoice): void {
    this.invoices.set(invoice.id, structuredClone(invoice));
    this.addresses.set(invoice.depositAddress.toLowerCase(), invoice.id);
  }

  /** The incidents recorded, in the order first written. */
  get incidents(): Incident[] {
    return [...this.incidentsByKey.values()];
  }

  /** One request, as the table's BatchGetItem: counted as one read. */
  async readSightings(keys: readonly SightingKeys[]): Promise<SightingRead[]> {
    this.reads++;
    return keys.map((k) => this.sightingOf(k));
  }
  async getInvoices(ids: readonly string[]): Promise<Invoice[]> {
    this.reads++;
    return ids.flatMap((id) => {
      const invoice = clone(this.invoices.get(id));
      return invoice ? [invoice] : [];
    });
  }
  /** One request, as the table's BatchGetItem: counted as one read. */
  async readSighting(keys: SightingKeys): Promise<SightingRead> {
    this.reads++;
    return this.sightingOf(keys);
  }
  private sightingOf(keys: SightingKeys): SightingRead {
    const transfer = clone(this.transfers.get(keys.transferId));
    const invoice = keys.invoiceId ? clone(this.invoices.get(keys.invoiceId)) : undefined;
    const byAddress = keys.invoiceId ? undefined : this.addresses.get(keys.address.toLowerCase());
    return {
      ...(transfer ? { transfer } : {}),
      ...(invoice ? { invoice } : {}),
      ...(byAddress ? { invoiceIdByAddress: byAddress } : {}),
      ...(keys.ministry ? { head: clone(this.heads.get(keys.ministry)) ?? { lastNo: 0 } } : {}),
    };
  }
  async findInvoiceIdByAddress(address: string) {
    this.reads++;
    return this.addresses.get(address.toLowerCase());
  }
  async getInvoice(id: string) {
    this.reads++;
    return clone(this.invoices.get(id));
  }
  async receiptChainHead(ministry: string): Promise<ReceiptChainHead> {
    this.reads++;
    return clone(this.heads.get(ministry)) ?? { lastNo: 0 };
  }
  async getChainDocument(id: string) {
    this.reads++;
    return clone(this.documents.get(id));
  }
  async addTransferSource(id: string, source: StoredTransfer['sources'][number]) {
    const t = this.transfers.get(id);
    if (t && !t.sources.includes(source)) t.sources = [...t.sources, source];
  }

  async commit(change: ReconcileCommit): Promise<void> {
    this.beforeCommit?.(change);
    this.check(change);
    const { transfer, invoice, documents } = change;
    this.transfers.set(transfer.id, structuredClone(transfer));
    if (invoice) {
      this.invoices.set(
        invoice.read.id,
        invoiceAfter(structuredClone(invoice.read), invoice.outcome, invoice.changes, invoice.at),
      );
    }
    if (documents?.items.length) {
      for (const receipt of documents.items)
        this.documents.set(receipt.receiptId, {
          receipt: structuredClone(receipt),
          deliveryState: 'pending',
          attempts: 0,
        });
      const last = documents.items[documents.items.length - 1];
      if (last) this.heads.set(documents.ministry, { lastNo: Number(last.receiptNo), lastHash: last.hash });
    }
    if (change.journal) this.journal.set(change.journal.entryId, structuredClone(change.journal));
    const candidate = change.sweepCandidate;
    if (candidate) {
      const key = `${candidate.chainId}|${candidate.token}|${candidate.address}`.toLowerCase();
      this.sweepCandidates.set(key, structuredClone(candidate));
    }
    if (change.incident) {
      const { transferId, kind, blockHash } = change.incident;
      this.incidentsByKey.set(`${transferId}|${kind}|${blockHash}`, structuredClone(change.incident));
    }
    if (change.extendWatch) this.watchUntil.set(change.extendWatch.address.toLowerCase(), change.extendWatch.expiresAt);
    this.commits++;
  }

  /** The transaction's conditions: nothing is written when one fails. */
  private check(change: ReconcileCommit): void {
    const stored = this.transfers.get(change.transfer.id);
    const expected = change.expectedTransferVersion;
    if (expected === undefined ? stored !== undefined : stored?.version !== expected) {
      throw new ConcurrentChangeError(`transfer ${change.transfer.id} changed`);
    }
    if (change.invoice && this.invoices.get(change.invoice.read.id)?.version !== change.invoice.read.version) {
      throw new ConcurrentChangeError(`invoice ${change.invoice.read.id} changed`);
    }
    const docs = change.documents;
    if (docs && (this.heads.get(docs.ministry)?.lastNo ?? 0) !== docs.afterNo) {
      throw new ConcurrentChangeError(`receipt chain of ${docs.ministry} moved`);
    }
    for (const receipt of docs?.items ?? []) {
      if (this.documents.has(receipt.receiptId))
        throw new ConcurrentChangeError(`document ${receipt.receiptId} exists`);
    }
    if (change.journal && this.journal.has(change.journal.entryId)) {
      throw new ConcurrentChangeError(`journal entry ${change.journal.entryId} exists`);
    }
  }
}

function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}
