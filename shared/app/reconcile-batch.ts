/**
 * Reading a queue batch's state up front: a {@link ReconcileStore} that asks the store for every sighting's
 * transfer, invoice (or address lookup) and chain head in one request, then for the invoices still missing in a
 * second, and answers the use case's reads from them. It keeps what it holds current with the batch's own commits
 * (the committed transfer, the invoice as `invoiceAfter` writes it, the chain's new head), so records of one batch
 * that touch the same invoice or chain read what the previous one wrote. Anyone else's write still shows as a lost
 * race at commit (every write is conditioned on the version read): the entries of that sighting are then forgotten
 * and the retry reads the store. So a batch of k sightings costs 2 reads instead of up to 3 per sighting.
 */
import { invoiceAfter } from '../domain/invoice-change';
import type { Invoice } from '../domain/invoices';
import type { StoredTransfer } from '../domain/reconcile';
import type { TransferSource } from '../domain/transfers';
import {
  ConcurrentChangeError,
  type ReceiptChainHead,
  type ReconcileCommit,
  type ReconcileStore,
  type SightingKeys,
  type SightingRead,
} from '../ports';

/** What the batch read: per key, the item or `null` when it is known not to exist. */
interface Held {
  transfers: Map<string, StoredTransfer | null>;
  addresses: Map<string, string | null>;
  invoices: Map<string, Invoice | null>;
  heads: Map<string, ReceiptChainHead>;
}

/** A store over `store` answering from what {@link prefetch} read for a batch. */
export class BatchReadStore implements ReconcileStore {
  private readonly held: Held = { transfers: new Map(), addresses: new Map(), invoices: new Map(), heads: new Map() };

  constructor(private readonly store: ReconcileStore) {}

  /** Reads what the sightings of `keys` need: two requests, whatever their number. */
  async prefetch(keys: readonly SightingKeys[]): Promise<void> {
    if (!keys.length) return;
    const reads = await this.store.readSightings(keys);
    const missing = new Set<string>();
    keys.forEach((k, i) => {
      const read = reads[i] as SightingRead;
      this.held.transfers.set(k.transferId, read.transfer ?? null);
      if (k.invoiceId) this.held.invoices.set(k.invoiceId, read.invoice ?? null);
      else this.held.addresses.set(k.address.toLowerCase(), read.invoiceIdByAddress ?? null);
      if (k.ministry && read.head) this.held.heads.set(k.ministry, read.head);
      const invoiceId = read.transfer?.invoiceId ?? read.invoiceIdByAddress;
      if (invoiceId && !this.held.invoices.has(invoiceId)) missing.add(invoiceId);
    });
    if (!missing.size) return;
    const invoices = await this.store.getInvoices([...missing]);
    for (const id of missing) this.held.invoices.set(id, invoices.find((i) => i.id === id) ?? null);
  }

  async readSighting(keys: SightingKeys): Promise<SightingRead> {
    const transfer = this.held.transfers.get(keys.transferId);
    const invoice = keys.invoiceId ? this.held.invoices.get(keys.invoiceId) : undefined;
    const byAddress = keys.invoiceId ? undefined : this.held.addresses.get(keys.address.toLowerCase());
    const head = keys.ministry ? this.held.heads.get(keys.ministry) : undefined;
    const known = transfer !== undefined && (keys.invoiceId ? invoice !== undefined : byAddress !== undefined);
    if (!known || (keys.ministry && !head)) return this.store.readSighting(keys);
    return {
      ...(transfer ? { transfer: structuredClone(transfer) } : {}),
      ...(invoice ? { invoice: structuredClone(invoice) } : {}),
      ...(byAddress ? { invoiceIdByAddress: byAddress } : {}),
      ...(head ? { head: { ...head } } : {}),
    };
  }

  readSightings(keys: readonly SightingKeys[]): Promise<SightingRead[]> {
    return Promise.all(keys.map((k) => this.readSighting(k)));
  }

  async getInvoices(ids: readonly string[]): Promise<Invoice[]> {
    const invoices = await Promise.all(ids.map((id) => this.getInvoice(id)));
    return invoices.filter((i): i is Invoice => i !== undefined);
  }

  async findInvoiceIdByAddress(address: string): Promise<string | undefined> {
    const held = this.held.addresses.get(address.toLowerCase());
    if (held === undefined) return this.store.findInvoiceIdByAddress(address);
    return held ?? undefined;
  }

  async getInvoice(id: string): Promise<Invoice | undefined> {
    const held = this.held.invoices.get(id);
    if (held === undefined) return this.store.getInvoice(id);
    return held ? structuredClone(held) : undefined;
  }

  async receiptChainHead(ministry: string): Promise<ReceiptChainHead> {
    const held = this.held.heads.get(ministry);
    return held ? { ...held } : this.store.receiptChainHead(ministry);
  }

  getChainDocument(id: string) {
    return this.store.getChainDocument(id);
  }

  async addTransferSource(id: string, source: TransferSource): Promise<void> {
    await this.store.addTransferSource(id, source);
    const held = this.held.transfers.get(id);
    if (held && !held.sources.includes(source)) held.sources = [...held.sources, source];
  }

  /** Commits through the store; then holds what was written, or forgets what the lost race made stale. */
  async commit(change: ReconcileCommit): Promise<void> {
    try {
      await this.store.commit(change);
    } catch (error) {
      if (error instanceof ConcurrentChangeError) this.forget(change);
      throw error;
    }
    this.held.transfers.set(change.transfer.id, structuredClone(change.transfer));
    if (change.invoice) {
      const { read, outcome, changes, at } = change.invoice;
      this.held.invoices.set(read.id, invoiceAfter(read, outcome, changes, at));
    }
    const documents = change.documents;
    const last = documents?.items.at(-1);
    if (documents && last) {
      this.held.heads.set(documents.ministry, {
        lastNo: documents.afterNo + documents.items.length,
        lastHash: last.hash,
      });
    }
  }

  private forget(change: ReconcileCommit): void {
    this.held.transfers.delete(change.transfer.id);
    if (change.invoice) this.held.invoices.delete(change.invoice.read.id);
    if (change.documents) this.held.heads.delete(change.documents.ministry);
  }
}
