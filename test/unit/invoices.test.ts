import { describe, expect, it } from 'vitest';
import { localChain, token } from '../../shared/domain/chains';
import { parseEip681TransferUri } from '../../shared/domain/eip681';
import { buildOptions, effectiveState, newInvoiceId } from '../../shared/domain/invoices';
import { choosePayLanguage } from '../../shared/web/pay-page/view';

describe('effectiveState', () => {
  const base = { status: 'open' as const, exception: 'none' as const, paidMicroUsd: 0n, pendingMicroUsd: 0n };
  const expiresAt = '2026-11-25T12:00:00.000Z';

  it('reads an open invoice past expiry as expired, never open', () => {
    expect(effectiveState({ ...base, expiresAt }, new Date('2026-11-25T11:59:59Z'))).toEqual({
      status: 'open',
      exception: 'none',
    });
    expect(effectiveState({ ...base, expiresAt }, new Date('2026-11-25T12:00:00Z')).status).toBe('expired');
  });

  it('reads a partly paid overdue invoice as expired/underpaid, and waits for a pending payment', () => {
    const partly = { ...base, status: 'processing' as const, paidMicroUsd: 1n, expiresAt };
    expect(effectiveState(partly, new Date('2026-11-26T00:00:00Z'))).toEqual({
      status: 'expired',
      exception: 'underpaid',
    });
    const pending = { ...partly, pendingMicroUsd: 5n };
    expect(effectiveState(pending, new Date('2026-11-26T00:00:00Z')).status).toBe('processing');
  });

  it('leaves final states alone', () => {
    for (const status of ['paid', 'cancelled', 'expired'] as const) {
      expect(effectiveState({ ...base, status, expiresAt }, new Date('2030-01-01T00:00:00Z')).status).toBe(status);
    }
  });
});

describe('buildOptions', () => {
  it('gives every token its exact base-unit amount and a matching EIP-681 link', () => {
    const chain = localChain([
      token('0x5FbDB2315678afecb367f032d93F642f64180aa3', 'USDT', 6),
      token('0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', 'USD18', 18),
    ]);
    const to = '0x0a8431CAf3F8634AeECA5a6909Cc39dc33145E2c';
    const options = buildOptions([chain], to, 31_640_000n);
    expect(options.map((o) => [o.symbol, o.amount])).toEqual([
      ['USDT', 31_640_000n],
      ['USD18', 31_640_000n * 10n ** 12n],
    ]);
    for (const o of options) {
      expect(parseEip681TransferUri(o.eip681)).toEqual({ token: o.token, chainId: 31337, to, amount: o.amount });
    }
  });
});

describe('ids and languages', () => {
  it('makes ids with 128 random bits', () => {
    const ids = new Set(Array.from({ length: 1000 }, newInvoiceId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(Buffer.from(id.slice(4), 'base64url')).toHaveLength(16);
  });

  it('picks ?lang, then Accept-Language by weight, then Russian', () => {
    expect(choosePayLanguage('kk', 'en')).toBe('kk');
    expect(choosePayLanguage('de', 'de-DE, en;q=0.5, kk;q=0.9')).toBe('kk');
    expect(choosePayLanguage(undefined, 'en-US,en;q=0.9')).toBe('en');
    expect(choosePayLanguage(undefined, 'fr')).toBe('ru');
    expect(choosePayLanguage(undefined, undefined)).toBe('ru');
  });
});
