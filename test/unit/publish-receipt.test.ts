/**
 * Publishing receipts against in-memory ports: delivered once, retried with the same bytes, every attempt recorded;
 * from the document the outbox message carries with one store request, and never a document the service did not
 * issue.
 */
import { describe, expect, it } from 'vitest';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { type PublishDeps, publishReceipt, RefusedDocumentError } from '../../shared/app/publish-receipt';
import { MAX_CARRIED_DOCUMENT_BYTES, sendToOutbox } from '../../shared/app/reconcile-outbox';
import { buildReceipt, type Receipt } from '../../shared/domain/receipts';
import { MemoryWriteOnceArchive } from '../support/memory-archive';
import { aReceipt, aSignedReceipt, MemoryReceiptDeliveries } from '../support/memory-receipts';
import { MemoryRegistry } from '../support/memory-registry';
import { reconcileDeps } from '../support/reconcile-fixtures';

const NOW = new Date('2026-03-10T06:00:00.000Z');
const ID = 'rcp_AAAAAAAAAAAAAAAAAAAAAA';

function ports(options: Partial<PublishDeps> = {}) {
  const receipts = new MemoryReceiptDeliveries().seed(aReceipt(ID));
  const registry = new MemoryRegistry();
  const deps: PublishDeps = {
    receipts,
    registry,
    archive: new MemoryWriteOnceArchive(),
    now: () => NOW,
    lastTry: false,
    trustedSigners: new Set(),
    ...options,
  };
  return { receipts, registry, deps };
}

describe('publishReceipt, from the stored document (a message that carries none)', () => {
  it('delivers the stored document under its id as idempotency key, and records the delivery', async () => {
    const { receipts, registry, deps } = ports();
    expect(await publishReceipt({ receiptId: ID }, deps)).toEqual({ result: 'delivered' });
    expect(receipts.calls).toEqual(['get', 'markDelivered']);
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
    await publishReceipt({ receiptId: ID }, deps);
    expect(await publishReceipt({ receiptId: ID }, deps)).toEqual({ result: 'already-delivered' });
    expect(registry.deliveries).toHaveLength(1);
  });

  it('answers retry on a registry error, records each attempt, and delivers the same bytes later', async () => {
    const { receipts, registry, deps } = ports();
    registry.script.push(
      { outcome: 'retry', status: 503, error: 'registry answered HTTP 503' },
      { outcome: 'retry', error: 'no answer within 5000 ms' },
    );
    expect(await publishReceipt({ receiptId: ID }, deps)).toEqual({
      result: 'retry',
      error: 'registry answered HTTP 503',
    });
    expect(await receipts.get(ID)).toMatchObject({
      deliveryState: 'pending',
      attempts: 1,
      lastError: 'registry answered HTTP 503',
    });
    expect(await publishReceipt({ receiptId: ID }, deps)).toEqual({
      result: 'retry',
      error: 'no answer within 5000 ms',
    });
    expect(await publishReceipt({ receiptId: ID }, deps)).toEqual({ result: 'delivered' });
    expect(await receipts.get(ID)).toMatchObject({ deliveryState: 'delivered', attempts: 3 });
    expect(new Set(registry.deliveries.map((d) => d.body)).size).toBe(1);
  });

  it('marks the receipt failed on the last try before the dead-letter queue', async () => {
    const { receipts, registry, deps } = ports({ lastTry: true });
    registry.script.push({ outcome: 'retry', status: 500, error: 'registry answered HTTP 500' });
    await publishReceipt({ receiptId: ID }, deps);
    expect(await receipts.get(ID)).toMatchObject({ deliveryState: 'failed', attempts: 1 });
  });

  it('waits, sending nothing, while the ministry has no registry configured', async () => {
    const receipts = new MemoryReceiptDeliveries().seed(aReceipt(ID, 'NOREG'));
    const registry = new MemoryRegistry();
    const deps = {
      receipts,
      registry,
      archive: new MemoryWriteOnceArchive(),
      now: () => NOW,
      lastTry: false,
      trustedSigners: new Set<string>(),
    };
    const outcome = await publishReceipt({ receiptId: ID }, deps);
    expect(outcome).toEqual({ result: 'retry', error: 'no registry configured for NOREG' });
    expect(registry.deliveries).toEqual([]);
    expect(await receipts.get(ID)).toMatchObject({ deliveryState: 'pending', attempts: 1 });
  });

  it('sends again after a crash that lost the outcome of a send, and the registry sees the same key and bytes', async () => {
    const { receipts, registry, deps } = ports();
    const crash = publishReceipt(
      { receiptId: ID },
      {
        ...deps,
        fault: () => {
          throw new Error('crash after send');
        },
      },
    );
    await expect(crash).rejects.toThrow('crash after send');
    expect((await receipts.get(ID))?.deliveryState).toBe('pending');
    expect(await publishReceipt({ receiptId: ID }, deps)).toEqual({ result: 'delivered' });
    const [first, second] = registry.deliveries;
    expect(second).toEqual({ ...first });
  });

  it('refuses an unknown receipt id', async () => {
    const { deps } = ports();
    await expect(publishReceipt({ receiptId: 'rcp_BBBBBBBBBBBBBBBBBBBBBB' }, deps)).rejects.toThrow('does not exist');
  });
});

/** The service's key, and a key that is not the service's. */
const SERVICE = new LocalKeySigner('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const OUTSIDER = new LocalKeySigner('0x59c6995e998f97a5a0044966f0945389dc9c86dae88c7a7d412f4603b6b78690');

/** The stored, service-signed receipt `ID`, and deps whose container has proven the service's signer, or not yet. */
async function carrying(options: { proven: boolean }) {
  const receipt = await aSignedReceipt(ID, SERVICE);
  const receipts = new MemoryReceiptDeliveries().seed(receipt);
  const registry = new MemoryRegistry();
  const trustedSigners = new Set(options.proven ? [await SERVICE.address()] : []);
  const archive = new MemoryWriteOnceArchive();
  const deps: PublishDeps = { receipts, registry, archive, now: () => NOW, lastTry: false, trustedSigners };
  const message = (document: unknown = receipt) => ({
    receiptId: ID,
    invoiceId: receipt.invoiceId,
    ministry: receipt.ministry,
    document: structuredClone(document),
  });
  return { receipt, receipts, registry, archive, deps, message };
}

describe('publishReceipt, from the document the message carries', () => {
  it('delivers it with one store request: the conditional write, no read', async () => {
    const { receipt, receipts, registry, deps, message } = await carrying({ proven: true });
    expect(await publishReceipt(message(), deps)).toEqual({ result: 'delivered' });
    expect(receipts.calls).toEqual(['markDelivered']);
    expect(registry.deliveries).toEqual([{ ministry: 'AFSA', documentId: ID, body: JSON.stringify(receipt), at: NOW }]);
    expect(await receipts.get(ID)).toMatchObject({ deliveryState: 'delivered', attempts: 1 });
  });

  it("reads the stored copy once to prove a new signer is the service's, then no more", async () => {
    const { receipts, registry, deps, message } = await carrying({ proven: false });
    const second = await aSignedReceipt('rcp_BBBBBBBBBBBBBBBBBBBBBB', SERVICE, 'MINFIN');
    receipts.seed(second);
    expect(await publishReceipt(message(), deps)).toEqual({ result: 'delivered' });
    expect(deps.trustedSigners).toEqual(new Set([await SERVICE.address()]));
    const next = { receiptId: second.receiptId, document: structuredClone(second) };
    expect(await publishReceipt(next, deps)).toEqual({ result: 'delivered' });
    expect(receipts.calls).toEqual(['get', 'markDelivered', 'markDelivered']);
    expect(registry.deliveries.map((d) => d.documentId)).toEqual([ID, second.receiptId]);
  });

  it('answers already-delivered to a duplicate message, changing nothing (the resend carries the same key)', async () => {
    const { receipts, registry, deps, message } = await carrying({ proven: true });
    await publishReceipt(message(), deps);
    const before = structuredClone(receipts.stored.get(ID));
    expect(await publishReceipt(message(), deps)).toEqual({ result: 'already-delivered' });
    expect(receipts.stored.get(ID)).toEqual(before);
    expect(receipts.calls).toEqual(['markDelivered', 'markDelivered']);
    const [first, resent] = registry.deliveries;
    expect(resent).toEqual(first);
  });

  it('records a failed attempt without reading, and later delivers the same bytes', async () => {
    const { receipts, registry, deps, message } = await carrying({ proven: true });
    registry.script.push({ outcome: 'retry', status: 503, error: 'registry answered HTTP 503' });
    expect(await publishReceipt(message(), deps)).toEqual({ result: 'retry', error: 'registry answered HTTP 503' });
    expect(await publishReceipt(message(), deps)).toEqual({ result: 'delivered' });
    expect(receipts.calls).toEqual(['recordFailedAttempt', 'markDelivered']);
    expect(await receipts.get(ID)).toMatchObject({ deliveryState: 'delivered', attempts: 2 });
    expect(new Set(registry.deliveries.map((d) => d.body)).size).toBe(1);
  });
});

describe('publishReceipt refuses a carried document the service did not issue', () => {
  /** Publishing `document` under receipt ID is refused: nothing reaches the registry, nothing changes in the store. */
  async function expectRefused(options: { proven: boolean }, forge: (genuine: Receipt) => Promise<unknown>) {
    const { receipt, receipts, registry, archive, deps, message } = await carrying(options);
    const before = await receipts.get(ID);
    const outcome = publishReceipt(message(await forge(structuredClone(receipt))), deps);
    await expect(outcome).rejects.toBeInstanceOf(RefusedDocumentError);
    expect(registry.deliveries).toEqual([]);
    // Nor is it archived: only a document that checks out is.
    expect(archive.objects.size).toBe(0);
    expect(await receipts.get(ID)).toEqual(before);
    expect(deps.trustedSigners.has(await OUTSIDER.address())).toBe(false);
  }

  it('a genuine receipt altered after signing (the payer, the amount)', async () => {
    await expectRefused({ proven: true }, async (r) => ({ ...r, payer: { ...r.payer, name: 'Someone Else LLP' } }));
    await expectRefused({ proven: true }, async (r) => ({ ...r, paidMicroUsd: '1' }));
  });

  it('a receipt re-signed by another key, for the id of a stored receipt', async () => {
    const { signature, signer, hash, typedData, ...fields } = await aSignedReceipt(ID, SERVICE);
    const forged = await buildReceipt(
      { ...fields, payer: { ...fields.payer, name: 'X LLP' } },
      fields.prevHash,
      OUTSIDER,
    );
    await expectRefused({ proven: true }, async () => forged);
    await expectRefused({ proven: false }, async () => forged);
  });

  it("another key's signature under the service's address", async () => {
    const genuine = await aSignedReceipt(ID, SERVICE);
    const outsider = await aSignedReceipt(ID, OUTSIDER);
    await expectRefused({ proven: true }, async () => ({ ...outsider, signer: genuine.signer }));
  });

  it('a genuine receipt of another invoice carried under this id', async () => {
    const other = await aSignedReceipt('rcp_BBBBBBBBBBBBBBBBBBBBBB', SERVICE, 'MINFIN');
    await expectRefused({ proven: true }, async () => other);
  });

  it('what is not a receipt at all', async () => {
    await expectRefused({ proven: true }, async () => ({ receiptId: ID, ministry: 'AFSA' }));
  });

  it("a document the service's key signed that differs from the stored one is not recorded as delivered", async () => {
    const { receipts, registry, deps } = await carrying({ proven: true });
    const reissued = await aSignedReceipt(ID, SERVICE, 'MINFIN');
    const outcome = publishReceipt({ receiptId: ID, document: structuredClone(reissued) }, deps);
    await expect(outcome).rejects.toThrow('differs');
    expect(registry.deliveries).toHaveLength(1);
    expect(await receipts.get(ID)).toMatchObject({ deliveryState: 'pending', attempts: 0 });
  });
});

describe('the outbox message', () => {
  it('carries the signed document as issued, and leaves out one too large for an SQS message', async () => {
    const { deps, outbox } = reconcileDeps();
    const receipt = await aSignedReceipt(ID, SERVICE);
    const [payment] = receipt.payments;
    const large = { ...receipt, payments: Array.from({ length: 1_000 }, () => payment) } as Receipt;
    expect(JSON.stringify(large).length).toBeGreaterThan(MAX_CARRIED_DOCUMENT_BYTES);
    await sendToOutbox(receipt, deps);
    await sendToOutbox(large, deps);
    const [carried, bare] = outbox.map((m) => JSON.parse(JSON.stringify(m)));
    expect(JSON.stringify(carried.document)).toBe(JSON.stringify(receipt));
    expect(carried).toMatchObject({ receiptId: ID, invoiceId: receipt.invoiceId, ministry: 'AFSA' });
    expect(bare).toEqual({ receiptId: ID, invoiceId: receipt.invoiceId, ministry: 'AFSA' });
  });
});
