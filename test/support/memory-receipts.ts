/** In-memory ReceiptDeliveries (shared/ports.ts), with the table adapter's rules: a delivered receipt stays delivered. */
import { buildReceipt, GENESIS_PREV_HASH, type Receipt } from '../../shared/domain/receipts';
import type { DeliveryRecord, ReceiptDeliveries, ReceiptSigner, StoredReceipt } from '../../shared/ports';

export class MemoryReceiptDeliveries implements ReceiptDeliveries {
  readonly stored = new Map<string, StoredReceipt & { lastAttemptAt?: string }>();
  /** Every call, in order (so a test can count the store requests of a path). */
  readonly calls: ('get' | 'markDelivered' | 'recordFailedAttempt')[] = [];

  /** Stores `receipt` as issued: pending, no attempts. */
  seed(receipt: Receipt): this {
    this.stored.set(receipt.receiptId, { receipt, deliveryState: 'pending', attempts: 0 });
    return this;
  }

  async get(receiptId: string): Promise<StoredReceipt | undefined> {
    this.calls.push('get');
    const stored = this.stored.get(receiptId);
    return stored && structuredClone(stored);
  }

  /** One conditional write, as the table's: stored, the same bytes, not yet delivered. */
  async markDelivered(receiptId: string, document: string, at: Date): Promise<DeliveryRecord> {
    this.calls.push('markDelivered');
    const stored = this.stored.get(receiptId);
    if (!stored) return 'not-stored';
    if (JSON.stringify(stored.receipt) !== document) return 'differs';
    if (stored.deliveryState === 'delivered') return 'already-delivered';
    stored.deliveryState = 'delivered';
    stored.deliveredAt = at.toISOString();
    stored.lastAttemptAt = at.toISOString();
    stored.attempts += 1;
    return 'delivered';
  }

  async recordFailedAttempt(receiptId: string, failure: { error: string; at: Date; final: boolean }): Promise<void> {
    this.calls.push('recordFailedAttempt');
    const stored = this.stored.get(receiptId);
    if (!stored || stored.deliveryState === 'delivered') return;
    stored.deliveryState = failure.final ? 'failed' : 'pending';
    stored.lastError = failure.error.slice(0, 300);
    stored.lastAttemptAt = failure.at.toISOString();
    stored.attempts += 1;
  }
}

/** A signed document just complete enough for delivery (its ministry, id and bytes); not a verifiable receipt. */
export function aReceipt(receiptId: string, ministry = 'AFSA'): Receipt {
  return { receiptId, receiptNo: '1', ministry, invoiceId: `inv_${receiptId.slice(4)}`, hash: '0x01' } as Receipt;
}

/** A receipt that verifies (fields, hash, signature by `signer`): receipt 1 of `ministry`'s chain, one payment. */
export function aSignedReceipt(receiptId: string, signer: ReceiptSigner, ministry = 'AFSA'): Promise<Receipt> {
  const issuedAt = '2026-03-10T05:59:00.000Z';
  return buildReceipt(
    {
      receiptId,
      receiptNo: '1',
      invoiceId: `inv_${receiptId.slice(4)}`,
      ministry,
      feeCode: `${ministry}-LICENCE`,
      payer: { bin: '940140000385', name: 'ТОО «Пример» / Example LLP', kod: '17' },
      fee: { currency: 'USD', minor: '300000' },
      quote: { source: 'fixed' },
      dueMicroUsd: '3000000',
      paidMicroUsd: '3000000',
      overpaidMicroUsd: '0',
      exception: 'none',
      payments: [
        {
          chainId: 1,
          token: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
          txHash: `0x${'ab'.repeat(32)}`,
          logIndex: 0,
          blockNumber: 21_000_000,
          amount: '3000000',
          decimals: 6,
          microUsd: '3000000',
        },
      ],
      paidAt: issuedAt,
      issuedAt,
    },
    GENESIS_PREV_HASH,
    signer,
  );
}
