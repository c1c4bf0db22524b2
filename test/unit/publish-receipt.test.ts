/** Publishing receipts against in-memory ports: delivered once, retried with the same bytes, every attempt recorded. */
import { describe, expect, it } from 'vitest';
import { type PublishDeps, publishReceipt } from '../../shared/app/publish-receipt';
import { aReceipt, MemoryReceiptDeliveries } from '../support/memory-receipts';
import { MemoryRegistry } from '../support/memory-registry';

const NOW = new Date('2026-03-10T06:00:00.000Z');
const ID = 'rcp_AAAAAAAAAAAAAAAAAAAAAA';

function ports(options: Partial<PublishDeps> = {}) {
  const receipts = new MemoryReceiptDeliveries().seed(aReceipt(ID));
  const registry = new MemoryRegistry();
  const deps: PublishDeps = { receipts, registry, now: () => NOW, lastTry: false, ...options };
  return { receipts, registry, deps };
}

describe('publishReceipt', () => {
  it('delivers the stored document under its id as idempotency key, and records the delivery', async () => {
    const { receipts, registry, deps } = ports();
    expect(await publishReceipt(ID, deps)).toEqual({ result: 'delivered' });
    expect(registry.deliveries).toEqual([
      { ministry: 'AFSA', documentId: ID, body: JSON.stringify(aReceipt(ID)), at: NOW },
    ]);
    expect(await receipts.get(ID)).toMatchObject({
      deliveryState: 'delivered',
      attempts: 1,
      deliveredAt: NOW.toISOString(),
    });
  });

  it('sends a delivered receipt never again', async () => {
    const { registry, deps } = ports();
    await publishReceipt(ID, deps);
    expect(await publishReceipt(ID, deps)).toEqual({ result: 'already-delivered' });
    expect(registry.deliveries).toHaveLength(1);
  });

  it('answers retry on a registry error, records each attempt, and delivers the same bytes later', async () => {
    const { receipts, registry, deps } = ports();
    registry.script.push(
      { outcome: 'retry', status: 503, error: 'registry answered HTTP 503' },
      { outcome: 'retry', error: 'no answer within 5000 ms' },
    );
    expect(await publishReceipt(ID, deps)).toEqual({ result: 'retry', error: 'registry answered HTTP 503' });
    expect(await receipts.get(ID)).toMatchObject({
      deliveryState: 'pending',
      attempts: 1,
      lastError: 'registry answered HTTP 503',
    });
    expect(await publishReceipt(ID, deps)).toEqual({ result: 'retry', error: 'no answer within 5000 ms' });
    expect(await publishReceipt(ID, deps)).toEqual({ result: 'delivered' });
    expect(await receipts.get(ID)).toMatchObject({ deliveryState: 'delivered', attempts: 3 });
    expect(new Set(registry.deliveries.map((d) => d.body)).size).toBe(1);
  });

  it('marks the receipt failed on the last try before the dead-letter queue', async () => {
    const { receipts, registry, deps } = ports({ lastTry: true });
    registry.script.push({ outcome: 'retry', status: 500, error: 'registry answered HTTP 500' });
    await publishReceipt(ID, deps);
    expect(await receipts.get(ID)).toMatchObject({ deliveryState: 'failed', attempts: 1 });
  });

  it('waits, sending nothing, while the ministry has no registry configured', async () => {
    const receipts = new MemoryReceiptDeliveries().seed(aReceipt(ID, 'NOREG'));
    const registry = new MemoryRegistry();
    const outcome = await publishReceipt(ID, { receipts, registry, now: () => NOW, lastTry: false });
    expect(outcome).toEqual({ result: 'retry', error: 'no registry configured for NOREG' });
    expect(registry.deliveries).toEqual([]);
    expect(await receipts.get(ID)).toMatchObject({ deliveryState: 'pending', attempts: 1 });
  });

  it('sends again after a crash that lost the outcome of a send, and the registry sees the same key and bytes', async () => {
    const { receipts, registry, deps } = ports();
    const crash = publishReceipt(ID, {
      ...deps,
      fault: () => {
        throw new Error('crash after send');
      },
    });
    await expect(crash).rejects.toThrow('crash after send');
    expect((await receipts.get(ID))?.deliveryState).toBe('pending');
    expect(await publishReceipt(ID, deps)).toEqual({ result: 'delivered' });
    const [first, second] = registry.deliveries;
    expect(second).toEqual({ ...first });
  });

  it('refuses an unknown receipt id', async () => {
    const { deps } = ports();
    await expect(publishReceipt('rcp_BBBBBBBBBBBBBBBBBBBBBB', deps)).rejects.toThrow('does not exist');
  });
});
