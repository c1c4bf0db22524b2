/**
 * Paging across partitions against moto: an auditor's invoice list merges one partition per ministry, and a page
 * that ends on one ministry's item must resume below it in every ministry, every invoice exactly once, across
 * months. Status lists read the status's own partition (gsi4): a page of a rare status is one Query, an open
 * invoice past its expiry lists as expired until the sweep stores it so, and a cursor of one list is refused by
 * another.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Invoice } from '../../shared/domain/invoices';
import { useMoto } from '../helpers/moto';

await useMoto();
const { cancelInvoice, createInvoice, expireInvoice, listInvoices } = await import(
  '../../shared/adapters/dynamo/invoices'
);
const { dynamodb } = await import('../../shared/adapters/aws/dynamodb');
const { ValidationError } = await import('../../shared/domain/errors');
const { newInvoiceId } = await import('../../shared/domain/invoices');

function invoice(createdAt: string, n: number): Invoice {
  return {
    id: newInvoiceId(),
    ministry: n % 2 ? 'AFSA' : 'MINFIN',
    feeCode: 'F',
    feeTitle: { kk: 'kk', ru: 'ru', en: 'en' },
    fee: { currency: 'USD', minor: 100n },
    payer: { bin: '940140000385', name: `Firm ${n}`, kod: '17' },
    quote: { source: 'fixed' },
    dueMicroUsd: 1_000_000n,
    paidMicroUsd: 0n,
    pendingMicroUsd: 0n,
    overpaidMicroUsd: 0n,
    status: 'open',
    exception: 'none',
    depositAddress: `0x${String(n).padStart(40, '0')}`,
    depositScheme: 'xpub',
    depositIndex: n,
    options: [],
    createdAt,
    expiresAt: '2030-01-01T00:00:00.000Z',
    payments: [],
    version: 0,
  };
}

const created = [
  invoice('2026-09-10T10:00:00.000Z', 1),
  invoice('2026-10-05T10:00:00.000Z', 2),
  invoice('2026-10-20T10:00:00.000Z', 3),
  invoice('2026-11-02T10:00:00.000Z', 4),
];

beforeAll(async () => {
  for (const i of created) await createInvoice(i);
});

describe('listing across monthly partitions', () => {
  const now = new Date('2026-11-25T12:00:00.000Z');

  for (const limit of [1, 2, 3]) {
    it(`returns every invoice once, newest first, with pages of ${limit}`, async () => {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await listInvoices({ limit, cursor }, now);
        expect(page.items.length).toBeLessThanOrEqual(limit);
        ids.push(...page.items.map((i) => i.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(ids).toEqual([...created].reverse().map((i) => i.id));
    });
  }

  it('keeps a ministry to its own partition', async () => {
    const page = await listInvoices({ limit: 10, ministry: 'AFSA' }, now);
    expect(page.items.map((i) => i.id)).toEqual([created[2]?.id, created[0]?.id]);
    expect(page.nextCursor).toBeNull();
  });
});

describe('status lists', () => {
  const now = new Date('2026-11-25T12:00:00.000Z');
  const statusInvoices = Array.from({ length: 8 }, (_, i) => ({
    ...invoice(`2026-11-0${i + 1}T09:00:00.000Z`, 100 + i),
    ministry: 'AFSA',
    payer: { bin: '990140000001', name: `Status Firm ${i}`, kod: '17' },
  }));
  // 100, 102: stay open; 101, 103: cancelled; 104: open past expiry (reads expired); 105: stored expired.
  const lapsed = { ...(statusInvoices[4] as Invoice), expiresAt: '2026-11-20T00:00:00.000Z' };
  const stored = { ...(statusInvoices[5] as Invoice), expiresAt: '2026-11-19T00:00:00.000Z' };
  statusInvoices[4] = lapsed;
  statusInvoices[5] = stored;
  const ids = (n: number[]) => n.map((i) => statusInvoices[i]?.id);
  const queries: string[] = [];

  beforeAll(async () => {
    for (const i of statusInvoices) await createInvoice(i);
    for (const i of [1, 3]) expect(await cancelInvoice(statusInvoices[i] as Invoice, now)).toBe(true);
    expect(await expireInvoice(stored, 'none', now)).toBe(true);
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand')
          queries.push(String((args.input as { IndexName?: string }).IndexName));
        return next(args);
      },
      { step: 'initialize', name: 'pagingTestQueryCount' },
    );
  });

  const list = (status: Invoice['status'], extra: { limit?: number; cursor?: string } = {}) =>
    listInvoices({ ministry: 'AFSA', status, payerBin: '990140000001', limit: 10, ...extra }, now);

  it('lists a status from its own partition in one Query', async () => {
    queries.length = 0;
    const cancelled = await list('cancelled');
    expect(cancelled.items.map((i) => i.id)).toEqual(ids([3, 1]));
    expect(cancelled.items.every((i) => i.status === 'cancelled')).toBe(true);
    expect(queries).toEqual(['gsi4']);
  });

  it('reads a page back by key: the status index keeps keys, payer and expiry only, the list answers whole invoices', async () => {
    const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const { ddb } = await import('../../shared/adapters/aws/dynamodb');
    const { tableName } = await import('../../shared/adapters/config');
    const { Items = [] } = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi4',
        KeyConditionExpression: 'gsi4pk = :pk',
        ExpressionAttributeValues: { ':pk': 'MINISTRY#AFSA#INVOICES#cancelled' },
      }),
    );
    expect(Items.length).toBe(2);
    for (const item of Items) {
      expect(Object.keys(item).sort()).toEqual(['expiresAt', 'gsi4pk', 'gsi4sk', 'payer', 'pk', 'sk'].sort());
    }
    const commands: string[] = [];
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'pagingTestCommands' },
    );
    try {
      const cancelled = await list('cancelled');
      expect(commands).toEqual(['QueryCommand', 'BatchGetItemCommand']);
      expect(cancelled.items.map((i) => i.id)).toEqual(ids([3, 1]));
      for (const item of cancelled.items) {
        expect(item.quote).toEqual({ source: 'fixed' });
        expect(item.fee).toEqual({ currency: 'USD', minor: 100n });
      }
    } finally {
      dynamodb.middlewareStack.remove('pagingTestCommands');
    }
  });

  it('lists an open invoice past its expiry as expired, not open', async () => {
    expect((await list('expired')).items.map((i) => i.id)).toEqual(ids([5, 4]));
    expect((await list('open')).items.map((i) => i.id)).toEqual(ids([7, 6, 2, 0]));
  });

  it('pages a status list with a cursor, every invoice once', async () => {
    const first = await list('open', { limit: 3 });
    expect(first.items.map((i) => i.id)).toEqual(ids([7, 6, 2]));
    const second = await list('open', { limit: 3, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((i) => i.id)).toEqual(ids([0]));
    expect(second.nextCursor).toBeNull();
    const expired = await list('expired', { limit: 1 });
    const rest = await list('expired', { limit: 1, cursor: expired.nextCursor ?? undefined });
    expect([...expired.items, ...rest.items].map((i) => i.id)).toEqual(ids([5, 4]));
  });

  it('refuses a cursor outside the list it came from as a cursor error', async () => {
    const first = await list('open', { limit: 1 });
    const bounded = listInvoices(
      { ministry: 'AFSA', to: '2026-10-01T00:00:00.000Z', limit: 1, cursor: first.nextCursor ?? undefined },
      now,
    );
    await expect(bounded).rejects.toBeInstanceOf(ValidationError);
  });
});
