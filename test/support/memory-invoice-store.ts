/**
 * An in-memory InvoiceStore (shared/ports.ts) with the same conditions as the table's: creates refuse a taken key,
 * cancels and expiries hold only for the invoice as read. Invoices are kept as copies, so a use case never changes
 * the store by changing what it read.
 */
import type { Invoice, InvoiceException } from '../../shared/domain/invoices';
import { invoiceCancelledEntry, invoiceIssuedEntry, type JournalEntry } from '../../shared/domain/journal';
import type { IdempotencyClaim, IdempotencyRecord, InvoiceStore } from '../../shared/ports';

export class MemoryInvoiceStore implements InvoiceStore {
  readonly invoices = new Map<string, Invoice>();
  /** Idempotency records by `ministry#key`. */
  readonly idempotency = new Map<string, IdempotencyRecord>();
  /** Deposit address (lower-case) → invoice id. */
  readonly addresses = new Map<string, string>();
  readonly journal: JournalEntry[] = [];
  private nextDepositIndex = 0;
  /** Awaited inside `create` before it checks the key: lets a test slip a twin request in. */
  beforeCreate?: () => Promise<void>;

  /** @param pageSize invoices per page of `dueForExpiry`. */
  constructor(private readonly pageSize = 100) {}

  /** Puts `invoice` as it is (a test's starting state). */
  seed(...invoices: Invoice[]): this {
    for (const invoice of invoices) this.invoices.set(invoice.id, structuredClone(invoice));
    return this;
  }

  async get(id: string): Promise<Invoice | undefined> {
    const invoice = this.invoices.get(id);
    return invoice && structuredClone(invoice);
  }

  async takeDepositIndex(): Promise<number> {
    return this.nextDepositIndex++;
  }

  async idempotencyRecord(ministry: string, key: string): Promise<IdempotencyRecord | undefined> {
    return this.idempotency.get(`${ministry}#${key}`);
  }

  async create(invoice: Invoice, idempotency?: IdempotencyClaim): Promise<boolean> {
    await this.beforeCreate?.();
    const address = invoice.depositAddress.toLowerCase();
    if (this.invoices.has(invoice.id) || this.addresses.has(address)) throw new Error('invoice or address taken');
    const recordKey = idempotency && `${invoice.ministry}#${idempotency.key}`;
    if (recordKey && this.idempotency.has(recordKey)) return false;
    this.invoices.set(invoice.id, structuredClone(invoice));
    this.addresses.set(address, invoice.id);
    this.journal.push(invoiceIssuedEntry({ ...invoice, at: invoice.createdAt }));
    if (recordKey && idempotency) {
      this.idempotency.set(recordKey, { requestHash: idempotency.requestHash, invoiceId: invoice.id });
    }
    return true;
  }

  async cancel(invoice: Invoice, at: Date): Promise<boolean> {
    const stored = this.invoices.get(invoice.id);
    const holds =
      stored?.version === invoice.version &&
      stored.status === 'open' &&
      stored.paidMicroUsd === 0n &&
      stored.pendingMicroUsd === 0n &&
      Date.parse(stored.expiresAt) > at.getTime();
    if (!stored || !holds) return false;
    this.invoices.set(invoice.id, { ...stored, status: 'cancelled', version: stored.version + 1 });
    this.journal.push(invoiceCancelledEntry({ ...stored, at: at.toISOString() }));
    return true;
  }

  async *dueForExpiry(now: Date): AsyncGenerator<Invoice[]> {
    const due = [...this.invoices.values()]
      .filter((i) => i.status === 'open' || i.status === 'processing')
      .filter((i) => Date.parse(i.expiresAt) < now.getTime() && i.pendingMicroUsd === 0n)
      .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
    for (let i = 0; i < due.length; i += this.pageSize) {
      yield due.slice(i, i + this.pageSize).map((invoice) => structuredClone(invoice));
    }
  }

  async expire(invoice: Invoice, exception: InvoiceException, at: Date): Promise<boolean> {
    const stored = this.invoices.get(invoice.id);
    const holds =
      (stored?.status === 'open' || stored?.status === 'processing') &&
      stored.pendingMicroUsd === 0n &&
      stored.paidMicroUsd === invoice.paidMicroUsd &&
      Date.parse(stored.expiresAt) <= at.getTime();
    if (!stored || !holds) return false;
    this.invoices.set(invoice.id, { ...stored, status: 'expired', exception, version: stored.version + 1 });
    return true;
  }
}
