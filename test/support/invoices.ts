/** A complete invoice for tests: open, 300.00 USD due, nothing paid, expiring an hour after 2026-03-10 06:00 UTC. */
import { randomBytes } from 'node:crypto';
import { type Invoice, newInvoiceId } from '../../shared/domain/invoices';

/** An invoice of `AFSA` with `overrides` applied; each call gets a fresh id and deposit address. */
export function anInvoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    id: newInvoiceId(),
    ministry: 'AFSA',
    feeCode: 'AFSA-SUP-PMS',
    feeTitle: { kk: 'kk', ru: 'ru', en: 'en' },
    fee: { currency: 'USD', minor: 30_000n },
    payer: { bin: '940140000385', name: 'Firm LLP', kod: '17' },
    quote: { source: 'fixed' },
    dueMicroUsd: 300_000_000n,
    paidMicroUsd: 0n,
    pendingMicroUsd: 0n,
    overpaidMicroUsd: 0n,
    status: 'open',
    exception: 'none',
    depositAddress: `0x${randomBytes(20).toString('hex')}`,
    depositScheme: 'xpub',
    depositIndex: 0,
    options: [],
    createdAt: '2026-03-10T06:00:00.000Z',
    expiresAt: '2026-03-10T07:00:00.000Z',
    payments: [],
    version: 0,
    ...overrides,
  };
}
