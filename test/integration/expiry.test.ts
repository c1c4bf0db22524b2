/** Expiry against moto: the sweep moves overdue invoices once, underpaid when partly paid, and leaves others. */
import { beforeAll, describe, expect, it } from 'vitest';
import { useMoto } from '../helpers/moto';

await useMoto();
const { createInvoice, dueForExpiry, expireInvoice, getInvoice, invoiceKeys } = await import(
  '../../shared/adapters/dynamo/invoices'
);
const { handler: expireHandler } = await import('../../functions/expire-invoices/handler');
const { anInvoice } = await import('../support/invoices');
const { newInvoiceId } = await import('../../shared/domain/invoices');

import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Invoice } from '../../shared/domain/invoices';

const { ddb } = await import('../../shared/adapters/aws/dynamodb');
const { tableName } = await import('../../shared/adapters/config');

/** A 3,000 USD invoice of 2026-01-01 (the test overrides its expiry and balances). */
function invoice(overrides: Partial<Invoice>): Invoice {
  return anInvoice({
    fee: { currency: 'USD', minor: 300000n },
    dueMicroUsd: 3_000_000_000n,
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-01T01:00:00.000Z',
    ...overrides,
  });
}

describe('invoice expiry', () => {
  const now = new Date();
  const past = new Date(now.getTime() - 60_000).toISOString();
  const future = new Date(now.getTime() + 3_600_000).toISOString();
  const overdue = invoice({ expiresAt: past });
  const partlyPaid = invoice({ expiresAt: past, status: 'processing', paidMicroUsd: 1_000_000n });
  const pending = invoice({ expiresAt: past, status: 'processing', pendingMicroUsd: 5_000_000n });
  const current = invoice({ expiresAt: future });

  beforeAll(async () => {
    for (const i of [overdue, partlyPaid, pending, current]) await createInvoice(i);
  });

  it('finds only overdue invoices with nothing pending', async () => {
    const due: string[] = [];
    for await (const page of dueForExpiry(now)) due.push(...page.map((i) => i.id));
    expect(due.sort()).toEqual([overdue.id, partlyPaid.id].sort());
  });

  it('expires them through the scheduled handler, once', async () => {
    const first = await expireHandler({}, {} as never);
    expect(first).toEqual({ expired: 2 });
    expect((await getInvoice(overdue.id))?.status).toBe('expired');
    expect((await getInvoice(overdue.id))?.exception).toBe('none');
    expect(await getInvoice(partlyPaid.id)).toMatchObject({ status: 'expired', exception: 'underpaid' });
    expect((await getInvoice(pending.id))?.status).toBe('processing');
    expect((await getInvoice(current.id))?.status).toBe('open');
    expect(await expireHandler({}, {} as never)).toEqual({ expired: 0 });
    expect(await expireInvoice(overdue, 'none', now)).toBe(false);
  });
});

describe('invoice expiry behind invoices with money pending', () => {
  it('is not starved by more than a Query page of pending invoices at the head of the index', async () => {
    const now = new Date();
    const longAgo = new Date(now.getTime() - 86_400_000).toISOString();
    // 120 pending invoices expiring before the open one: more than the sweep's Query page of 100. Only the keys
    // and attributes the sweep reads, written in batches (transactions would copy the whole table in moto).
    const blockers = Array.from({ length: 120 }, () => newInvoiceId());
    for (let i = 0; i < blockers.length; i += 25) {
      await ddb.send(
        new BatchWriteCommand({
          RequestItems: {
            [tableName()]: blockers.slice(i, i + 25).map((id) => ({
              PutRequest: {
                Item: {
                  ...invoiceKeys.invoice(id),
                  ...invoiceKeys.expiring(longAgo, id),
                  type: 'invoice',
                  status: 'processing',
                  pendingMicroUsd: '5000000',
                },
              },
            })),
          },
        }),
      );
    }
    const behind = invoice({ expiresAt: new Date(now.getTime() - 60_000).toISOString() });
    await createInvoice(behind);

    expect(await expireHandler({}, {} as never)).toEqual({ expired: 1 });
    expect((await getInvoice(behind.id))?.status).toBe('expired');
    let pages = 0;
    for await (const _ of dueForExpiry(now, { pageSize: 10, maxPages: 3 })) pages++;
    expect(pages).toBe(3);
  });
});
