/**
 * The DynamoDB refund store on moto: the invariants hold by the transaction's conditions, not by what a use case
 * read — two requests planned from the same ledger commit one; a source changed since read refuses the create; a
 * taken idempotency key answers false; one on-chain transfer completes one refund; a rejection frees the source.
 */
import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { ConflictError } from '../../shared/domain/errors';
import { buildRefundReceipt } from '../../shared/domain/refund-documents';
import {
  completeRefund,
  EMPTY_LEDGER,
  ledgerAfter,
  ledgerWith,
  newRefundId,
  type Refund,
  refundJournalEntry,
} from '../../shared/domain/refunds';
import { ConcurrentChangeError } from '../../shared/ports';
import { useMoto } from '../helpers/moto';
import { anInvoice } from '../support/invoices';

await useMoto();
const { dynamoRefundStore: store } = await import('../../shared/adapters/dynamo/refunds');
const { createInvoice } = await import('../../shared/adapters/dynamo/invoices');
const { refundKeys } = await import('../../shared/adapters/dynamo/refunds');
const { ddb } = await import('../../shared/adapters/aws/dynamodb');
const { tableName } = await import('../../shared/adapters/config');

const signer = new LocalKeySigner(`0x${randomBytes(32).toString('hex')}`);

async function invoiceSource() {
  const invoice = anInvoice({
    createdAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3.6e6).toISOString(),
  });
  await createInvoice(invoice);
  return invoice;
}

function requested(invoiceId: string, amount = 10n): Refund {
  return {
    id: newRefundId(),
    source: { kind: 'invoice', invoiceId },
    ministry: 'AFSA',
    chainId: 31337,
    token: Wallet.createRandom().address,
    decimals: 6,
    to: Wallet.createRandom().address,
    amount,
    reason: 'overpaid',
    state: 'requested',
    requestedBy: 'alice',
    requestedAt: new Date().toISOString(),
    version: 0,
  };
}

describe('dynamoRefundStore', () => {
  it('commits one of two refunds planned from the same ledger; a changed source refuses', async () => {
    const invoice = await invoiceSource();
    const [a, b] = [requested(invoice.id), requested(invoice.id)] as [Refund, Refund];
    // Both planned from the same (empty) ledger, committed one after the other: the second is refused by the
    // transaction's condition, not by anything a use case read. (Sent concurrently, moto may roll the first back
    // while undoing the second; DynamoDB isolates transactions, moto does not.)
    expect(await store.create(a, { read: EMPTY_LEDGER, next: ledgerWith(EMPTY_LEDGER, a) }, 0)).toBe(true);
    await expect(store.create(b, { read: EMPTY_LEDGER, next: ledgerWith(EMPTY_LEDGER, b) }, 0)).rejects.toThrow(
      ConcurrentChangeError,
    );
    expect(await store.get(b.id)).toBeUndefined();
    expect(await store.ledger(a.source)).toEqual({ reservedMicroUsd: 10n, openRefundId: a.id });

    const other = await invoiceSource();
    const c = requested(other.id);
    await expect(store.create(c, { read: EMPTY_LEDGER, next: ledgerWith(EMPTY_LEDGER, c) }, 7)).rejects.toThrow(
      ConcurrentChangeError,
    );
    expect(await store.get(c.id)).toBeUndefined();
  });

  it('answers false for a taken key; a rejection frees the source; lists and reads back', async () => {
    const invoice = await invoiceSource();
    const claim = { key: `k-${invoice.id}`, requestHash: 'h', scope: 'AFSA' };
    const a = requested(invoice.id);
    expect(await store.create(a, { read: EMPTY_LEDGER, next: ledgerWith(EMPTY_LEDGER, a) }, 0, claim)).toBe(true);
    expect(await store.idempotencyRecord('AFSA', claim.key)).toEqual({ requestHash: 'h', refundId: a.id });
    const held = ledgerWith(EMPTY_LEDGER, a);
    const b = requested(invoice.id);
    expect(await store.create(b, { read: held, next: ledgerWith(held, b) }, 0, claim)).toBe(false);

    const rejected = { ...a, state: 'rejected' as const, rejectedBy: 'bob', version: 1 };
    expect(await store.update(rejected, 0, { read: held, next: ledgerAfter(held, rejected) })).toBe(true);
    expect(await store.update(rejected, 0)).toBe(false); // stale version
    expect(await store.ledger(a.source)).toEqual({ reservedMicroUsd: 0n });
    const c = requested(invoice.id);
    const free = await store.ledger(a.source);
    expect(await store.create(c, { read: free, next: ledgerWith(free, c) }, 0)).toBe(true);
    expect((await store.ofSource(a.source)).map((r) => r.id).sort()).toEqual([a.id, c.id].sort());
    const page = await store.list({ ministry: 'AFSA', state: 'rejected', limit: 100 });
    expect(page.items.map((r) => r.id)).toContain(a.id);
    expect(page.items.every((r) => r.state === 'rejected')).toBe(true);
  });

  it('completes a refund with its receipt and journal; the same transfer completes no second refund', async () => {
    const txHash = `0x${randomBytes(32).toString('hex')}`;
    const done: string[] = [];
    for (const _ of [1, 2]) {
      const invoice = await invoiceSource();
      const r = requested(invoice.id);
      const held = ledgerWith(EMPTY_LEDGER, r);
      await store.create(r, { read: EMPTY_LEDGER, next: held }, 0);
      const instructed = { ...r, state: 'instructed' as const, instructedBlock: 1, instructedAt: r.requestedAt };
      expect(await store.update({ ...instructed, version: 1 }, 0)).toBe(true);
      expect((await store.instructed()).map((x) => x.id)).toContain(r.id);
      const completed = {
        ...completeRefund(instructed, { txHash, logIndex: 0, blockNumber: 3 }, new Date()).refund,
        version: 2,
      };
      const receipt = await buildRefundReceipt(completed, signer);
      const outcome = await store.complete(
        completed,
        1,
        { read: held, next: ledgerAfter(held, completed) },
        receipt,
        refundJournalEntry(completed),
      );
      done.push(outcome);
      if (outcome === 'completed') {
        expect((await store.instructed()).map((x) => x.id)).not.toContain(r.id);
        expect(await store.get(r.id)).toMatchObject({ state: 'completed', txHash });
      }
    }
    expect(done).toEqual(['completed', 'transfer-taken']);
  });

  it('reads a ledger the older code stored in base units from its refunds, and migrates it on the next write', async () => {
    const invoice = await invoiceSource();
    const a = { ...requested(invoice.id, 5n * 10n ** 17n), decimals: 18 }; // 0.5 USD in an 18-decimal token
    expect(await store.create(a, { read: EMPTY_LEDGER, next: ledgerWith(EMPTY_LEDGER, a) }, 0)).toBe(true);
    const legacyItem = { ...refundKeys.ledger(a.source), type: 'refund-ledger', reservedUnits: a.amount.toString() };
    await ddb.send(new PutCommand({ TableName: tableName(), Item: { ...legacyItem, openRefundId: a.id } }));
    const legacy = await store.ledger(a.source);
    expect(legacy).toEqual({ reservedMicroUsd: 500_000n, openRefundId: a.id, legacyReservedUnits: a.amount });
    const rejected = { ...a, state: 'rejected' as const, rejectedBy: 'bob', version: 1 };
    const stale = { ...legacy, legacyReservedUnits: a.amount + 1n };
    expect(await store.update(rejected, 0, { read: stale, next: ledgerAfter(stale, rejected) })).toBe(false);
    expect(await store.update(rejected, 0, { read: legacy, next: ledgerAfter(legacy, rejected) })).toBe(true);
    expect(await store.ledger(a.source)).toEqual({ reservedMicroUsd: 0n });
  });

  it('holds a transfer shape for one open refund; the rejection frees it in the same transaction', async () => {
    const [one, two] = [await invoiceSource(), await invoiceSource()];
    const a = requested(one.id);
    const b = { ...requested(two.id), token: a.token, to: a.to }; // same chain, token, destination and amount
    expect(await store.create(a, { read: EMPTY_LEDGER, next: ledgerWith(EMPTY_LEDGER, a) }, 0)).toBe(true);
    await expect(store.create(b, { read: EMPTY_LEDGER, next: ledgerWith(EMPTY_LEDGER, b) }, 0)).rejects.toThrow(
      ConflictError,
    );
    expect(await store.get(b.id)).toBeUndefined();
    expect(await store.ledger(b.source)).toEqual(EMPTY_LEDGER);
    const held = ledgerWith(EMPTY_LEDGER, a);
    const rejected = { ...a, state: 'rejected' as const, rejectedBy: 'bob', version: 1 };
    expect(await store.update(rejected, 0, { read: held, next: ledgerAfter(held, rejected) })).toBe(true);
    expect(await store.create(b, { read: EMPTY_LEDGER, next: ledgerWith(EMPTY_LEDGER, b) }, 0)).toBe(true);
  });

  it('lists approved refunds by approval time until they are instructed', async () => {
    const invoice = await invoiceSource();
    const r = requested(invoice.id);
    await store.create(r, { read: EMPTY_LEDGER, next: ledgerWith(EMPTY_LEDGER, r) }, 0);
    const approved = { ...r, state: 'approved' as const, approvedBy: 'bob', approvedAt: '2020-01-01T00:00:00.000Z' };
    expect(await store.update({ ...approved, version: 1 }, 0)).toBe(true);
    expect((await store.approvedBefore(new Date('2020-01-02'))).map((x) => x.id)).toContain(r.id);
    expect((await store.approvedBefore(new Date('2019-12-31'))).map((x) => x.id)).not.toContain(r.id);
    const instructed = { ...approved, state: 'instructed' as const, instructedBlock: 1, instructedAt: r.requestedAt };
    expect(await store.update({ ...instructed, version: 2 }, 1)).toBe(true);
    expect((await store.approvedBefore(new Date('2020-01-02'))).map((x) => x.id)).not.toContain(r.id);
  });
});
