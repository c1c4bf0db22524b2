/** In-memory ReceiptDeliveries (shared/ports.ts), with the table adapter's rules: a delivered receipt stays delivered. */
import type { Receipt } from '../../shared/domain/receipts';
import type { ReceiptDeliveries, StoredReceipt } from '../../shared/ports';

export class MemoryReceiptDeliveries implements ReceiptDeliveries {
  readonly stored = new Map<string, StoredReceipt & { lastAttemptAt?: string }>();

  /** Stores `receipt` as issued: pending, no attempts. */
  seed(receipt: Receipt): this {
    this.stored.set(receipt.receiptId, { receipt, deliveryState: 'pending', attempts: 0 });
    return this;
  }

  async get(receiptId: string): Promise<StoredReceipt | undefined> {
    const stored = this.stored.get(receiptId);
    return stored && structuredClone(stored);
  }

  async markDelivered(receiptId: string, at: Date): Promise<void> {
    const stored = this.require(receiptId);
    stored.deliveryState = 'delivered';
    stored.deliveredAt ??= at.toISOString();
    stored.lastAttemptAt = at.toISOString();
    stored.attempts += 1;
  }

  async recordFailedAttempt(receiptId: string, failure: { error: string; at: Date; final: boolean }): Promise<void> {
    const stored = this.require(receiptId);
    if (stored.deliveryState === 'delivered') return;
    stored.deliveryState = failure.final ? 'failed' : 'pending';
    stored.lastError = failure.error.slice(0, 300);
    stored.lastAttemptAt = failure.at.toISOString();
    stored.attempts += 1;
  }

  private require(receiptId: string) {
    const stored = this.stored.get(receiptId);
    if (!stored) throw new Error(`no receipt ${receiptId}`);
    return stored;
  }
}

/** A signed document just complete enough for delivery (its ministry, id and bytes); not a verifiable receipt. */
export function aReceipt(receiptId: string, ministry = 'AFSA'): Receipt {
  return { receiptId, receiptNo: '1', ministry, invoiceId: `inv_${receiptId.slice(4)}`, hash: '0x01' } as Receipt;
}
