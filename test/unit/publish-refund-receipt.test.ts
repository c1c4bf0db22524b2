/** Publishing refund receipts against in-memory ports: the stored bytes, once delivered; retried otherwise. */
import { randomBytes } from 'node:crypto';
import { hexlify, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { publishRefundReceipt } from '../../shared/app/publish-refund-receipt';
import { buildRefundReceipt } from '../../shared/domain/refund-documents';
import type { Refund } from '../../shared/domain/refunds';
import { MemoryWriteOnceArchive } from '../support/memory-archive';
import { MemoryRefundReceiptDeliveries, MemoryRefundStore } from '../support/memory-refunds';
import { MemoryRegistry } from '../support/memory-registry';

const signer = new LocalKeySigner(hexlify(randomBytes(32)));

async function setup() {
  const refund: Refund = {
    id: 'rfd_BBBBBBBBBBBBBBBBBBBBBB',
    source: { kind: 'invoice', invoiceId: 'inv_x' },
    ministry: 'AFSA',
    chainId: 31337,
    token: Wallet.createRandom().address,
    decimals: 6,
    to: Wallet.createRandom().address,
    amount: 5n,
    reason: 'overpaid',
    state: 'completed',
    requestedBy: 'alice',
    requestedAt: '2026-03-10T08:00:00.000Z',
    approvedBy: 'bob',
    completedAt: '2026-03-10T08:09:00.000Z',
    txHash: `0x${'d'.repeat(64)}`,
    logIndex: 0,
    blockNumber: 9,
    receiptId: 'rrc_BBBBBBBBBBBBBBBBBBBBBB',
    version: 5,
  };
  const store = new MemoryRefundStore();
  const receipt = await buildRefundReceipt(refund, signer);
  store.receipts.set(receipt.receiptId, receipt);
  const deliveries = new MemoryRefundReceiptDeliveries(store);
  const registry = new MemoryRegistry();
  const archive = new MemoryWriteOnceArchive();
  const deps = { deliveries, registry, archive, now: () => new Date() };
  return { refund, receipt, store, deliveries, registry, archive, deps };
}

describe('publishRefundReceipt', () => {
  it("delivers the stored receipt to the ministry's registry under its id, once", async () => {
    const { refund, receipt, store, registry, deps } = await setup();
    expect(await publishRefundReceipt(refund.id, deps)).toEqual({ result: 'delivered' });
    expect(registry.deliveries).toEqual([
      expect.objectContaining({ ministry: 'AFSA', documentId: receipt.receiptId, body: JSON.stringify(receipt) }),
    ]);
    expect(store.receiptsSeen.has(refund.id)).toBe(true);
    expect(await publishRefundReceipt(refund.id, deps)).toEqual({ result: 'already-delivered' });
    expect(registry.deliveries).toHaveLength(1);
  });

  it('retries when the registry does not take it, and the same bytes go next time', async () => {
    const { refund, registry, deps } = await setup();
    registry.script.push({ outcome: 'retry', status: 503, error: 'registry answered HTTP 503' });
    expect(await publishRefundReceipt(refund.id, deps)).toMatchObject({ result: 'retry' });
    expect(await publishRefundReceipt(refund.id, deps)).toEqual({ result: 'delivered' });
    expect(new Set(registry.deliveries.map((d) => d.body)).size).toBe(1);
    await expect(publishRefundReceipt('rfd_none', deps)).rejects.toThrow();
  });
});
