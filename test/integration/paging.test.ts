/**
 * Paging across partitions against moto: an auditor's invoice list walks one gsi2 partition per month, and a page
 * that ends on the last item of one month must resume in the next month, every invoice exactly once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Invoice } from '../../shared/domain/invoices';
import { useMoto } from '../helpers/moto';

await useMoto();
const { createInvoice, listInvoices } = await import('../../shared/adapters/dynamo/invoices');
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
