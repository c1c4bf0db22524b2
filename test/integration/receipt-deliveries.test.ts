/**
 * The receipt-delivery store against moto (shared/adapters/dynamo/receipts.ts): publishing a carried document costs
 * one UpdateItem and no read, and the one conditional write tells a duplicate (already delivered) from a document
 * that is not the stored one or not stored at all, changing nothing in either case. Requests are counted by command.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { type PublishDeps, publishReceipt } from '../../shared/app/publish-receipt';
import type { Receipt } from '../../shared/domain/receipts';
import { useMoto } from '../helpers/moto';
import { MemoryWriteOnceArchive } from '../support/memory-archive';
import { aSignedReceipt } from '../support/memory-receipts';
import { MemoryRegistry } from '../support/memory-registry';

await useMoto();
const { dynamodb } = await import('../../shared/adapters/aws/dynamodb');
const { commit } = await import('../../shared/adapters/dynamo/transact');
const { dynamoReceiptDeliveries, getReceipt, putReceiptItems } = await import('../../shared/adapters/dynamo/receipts');

const SIGNER = new LocalKeySigner('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const AT = new Date('2026-12-01T10:00:00.000Z');

const commands: string[] = [];
dynamodb.middlewareStack.add(
  (next, context) => async (args) => {
    commands.push(String(context.commandName));
    return next(args);
  },
  { step: 'initialize', name: 'countCommands' },
);
beforeEach(() => {
  commands.length = 0;
});

let sequence = 0;
/** A signed receipt stored as issued (its item alone, without the chain head), with a fresh id. */
async function storedReceipt(): Promise<Receipt> {
  const id = `rcp_${String(++sequence).padStart(22, 'D')}`;
  const receipt = await aSignedReceipt(id, SIGNER);
  await commit(putReceiptItems(receipt, 0).slice(0, 1));
  commands.length = 0;
  return receipt;
}

describe('receipt deliveries in the table', () => {
  it('delivers a carried document with one UpdateItem; a duplicate is already-delivered and changes nothing', async () => {
    const receipt = await storedReceipt();
    const deps: PublishDeps = {
      receipts: dynamoReceiptDeliveries,
      registry: new MemoryRegistry(),
      archive: new MemoryWriteOnceArchive(),
      now: () => AT,
      lastTry: false,
      trustedSigners: new Set([receipt.signer]),
    };
    const message = { receiptId: receipt.receiptId, document: structuredClone(receipt) };
    expect(await publishReceipt(message, deps)).toEqual({ result: 'delivered' });
    expect(commands).toEqual(['UpdateItemCommand']);
    const delivered = await getReceipt(receipt.receiptId);
    expect(delivered).toMatchObject({ deliveryState: 'delivered', attempts: 1, deliveredAt: AT.toISOString() });

    commands.length = 0;
    const later = { ...deps, now: () => new Date(AT.getTime() + 60_000) };
    expect(await publishReceipt(message, later)).toEqual({ result: 'already-delivered' });
    expect(commands).toEqual(['UpdateItemCommand']);
    expect(await getReceipt(receipt.receiptId)).toEqual(delivered);
  });

  it('records nothing for a document that differs from the stored one or is not stored', async () => {
    const receipt = await storedReceipt();
    const other = JSON.stringify({ ...receipt, paidMicroUsd: '1' });
    expect(await dynamoReceiptDeliveries.markDelivered(receipt.receiptId, other, AT)).toBe('differs');
    expect(await getReceipt(receipt.receiptId)).toMatchObject({ deliveryState: 'pending', attempts: 0 });
    const unknown = 'rcp_UUUUUUUUUUUUUUUUUUUUUU';
    expect(await dynamoReceiptDeliveries.markDelivered(unknown, JSON.stringify(receipt), AT)).toBe('not-stored');
    await dynamoReceiptDeliveries.recordFailedAttempt(unknown, { error: 'HTTP 503', at: AT, final: false });
    expect(await getReceipt(unknown)).toBeUndefined();
  });

  it('keeps a delivered receipt delivered whatever a later failed attempt says', async () => {
    const receipt = await storedReceipt();
    expect(await dynamoReceiptDeliveries.markDelivered(receipt.receiptId, JSON.stringify(receipt), AT)).toBe(
      'delivered',
    );
    await dynamoReceiptDeliveries.recordFailedAttempt(receipt.receiptId, { error: 'HTTP 503', at: AT, final: true });
    expect(await getReceipt(receipt.receiptId)).toMatchObject({ deliveryState: 'delivered', attempts: 1 });
  });
});
