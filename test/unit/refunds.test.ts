import { randomBytes } from 'node:crypto';
import { hexlify, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { ConflictError, ForbiddenError, ValidationError } from '../../shared/domain/errors';
import type { FinalPayment } from '../../shared/domain/invoices';
import {
  buildRefundReceipt,
  refundOrderTypedData,
  signRefundOrder,
  verifyRefundOrder,
  verifyRefundReceipt,
} from '../../shared/domain/refund-documents';
import {
  approveRefund,
  completeRefund,
  EMPTY_LEDGER,
  instructRefund,
  ledgerAfter,
  ledgerWith,
  markOrderFrom,
  microUsdToTokenUnitsFloor,
  newRefundId,
  overpaymentRefundable,
  REFUND_ID_PATTERN,
  type RefundActor,
  refundMicroUsdCeil,
  rejectRefund,
  requestRefund,
  reservedMicroUsdOf,
  suspenseRefundable,
} from '../../shared/domain/refunds';
import { anInvoice } from '../support/invoices';

const USDT = Wallet.createRandom().address;
const USD18 = Wallet.createRandom().address;
const sender = Wallet.createRandom().address;
const DEPOSIT = Wallet.createRandom().address;
const now = new Date('2026-03-10T08:00:00.000Z');
const requester: RefundActor = { subject: 'alice', role: 'ministry', ministry: 'AFSA' };
const approver: RefundActor = { subject: 'bob', role: 'ministry', ministry: 'AFSA' };

function payment(token: string, decimals: number, amount: bigint, microUsd: bigint, n = 0): FinalPayment {
  return {
    transferId: `31337:0x${'a'.repeat(63)}${n}:0`,
    chainId: 31337,
    token,
    txHash: `0x${'a'.repeat(63)}${n}`,
    logIndex: 0,
    blockNumber: 10 + n,
    amount,
    decimals,
    microUsd,
  };
}

describe('refundable amounts', () => {
  it('an overpaid invoice refunds its overpayment in the token of the payment that overpaid', () => {
    const invoice = anInvoice({
      dueMicroUsd: 300_000_000n,
      paidMicroUsd: 400_000_000n,
      overpaidMicroUsd: 100_000_000n,
      payments: [payment(USDT, 6, 400_000_000n, 400_000_000n)],
    });
    const r = overpaymentRefundable(invoice, sender.toLowerCase());
    expect(r).toMatchObject({ chainId: 31337, token: USDT, decimals: 6, units: 100_000_000n, sender });
    expect(r?.source).toEqual({ kind: 'invoice', invoiceId: invoice.id });
  });

  it('converts exactly to an 18-decimal token, and never beyond what came in that token', () => {
    const invoice = anInvoice({
      paidMicroUsd: 400_000_000n,
      overpaidMicroUsd: 100_000_000n,
      payments: [payment(USDT, 6, 350_000_000n, 350_000_000n, 1), payment(USD18, 18, 50n * 10n ** 18n, 50_000_000n, 2)],
    });
    // 100 USD overpaid, but only 50 came in USD18, the overpaying token.
    expect(overpaymentRefundable(invoice, sender)?.units).toBe(50n * 10n ** 18n);
    const small = { ...invoice, overpaidMicroUsd: 1_500_001n };
    expect(overpaymentRefundable(small, sender)?.units).toBe(1_500_001n * 10n ** 12n);
  });

  it('rounds down for a token with fewer than 6 decimals; nothing for an invoice not overpaid', () => {
    expect(microUsdToTokenUnitsFloor(1_999_999n, 2)).toBe(199n);
    expect(overpaymentRefundable(anInvoice(), sender)).toBeUndefined();
  });

  it('a final suspense transfer refunds all of it to its sender; a matched or unfinal one nothing', () => {
    const t = {
      id: 't1',
      state: 'final' as const,
      chainId: 31337,
      token: USDT,
      amount: 7n,
      from: sender,
      to: DEPOSIT,
    };
    expect(suspenseRefundable(t, 6)).toMatchObject({
      units: 7n,
      sender,
      source: { kind: 'transfer', transferId: 't1' },
    });
    expect(suspenseRefundable({ ...t, invoiceId: 'inv_x' }, 6)).toBeUndefined();
    expect(suspenseRefundable({ ...t, state: 'seen' }, 6)).toBeUndefined();
  });
});

describe('refunds of one source in tokens of different decimals', () => {
  const e18 = 10n ** 18n;
  const onChain = (p: FinalPayment, chainId: number): FinalPayment => ({ ...p, chainId });
  const bsc = (amount: bigint, n: number) => onChain(payment(USD18, 18, amount * e18, amount * 1_000_000n, n), 56);
  const eth = (amount: bigint, n: number) => onChain(payment(USDT, 6, amount * 1_000_000n, amount * 1_000_000n, n), 1);
  const ask = (invoice: ReturnType<typeof anInvoice>, ledger: typeof EMPTY_LEDGER, amount?: bigint) => {
    const refundable = overpaymentRefundable(invoice, sender);
    if (!refundable) throw new Error('not overpaid');
    const request = { reason: 'overpaid', ...(amount ? { amount } : {}) };
    return requestRefund({ id: newRefundId(), refundable, ledger, request, actor: requester, now });
  };

  // The reviewer's case; the old ledger summed base units of both tokens, so it allowed ≈ 60e18 − 50e6 units.
  it('counts the ledger in micro-USD: a 6-decimal refund then an 18-decimal one never pass the overpayment', () => {
    // Invoice of 100 USD paid 60 USDT on BSC (18 decimals) and 90 USDT on Ethereum (6 decimals): 50 overpaid.
    const first = anInvoice({
      paidMicroUsd: 150_000_000n,
      overpaidMicroUsd: 50_000_000n,
      payments: [bsc(60n, 1), eth(90n, 2)],
    });
    const refund = ask(first, EMPTY_LEDGER);
    expect(refund).toMatchObject({ token: USDT, decimals: 6, amount: 50_000_000n });
    const completed = completeRefund(
      { ...refund, state: 'instructed' },
      { txHash: `0x${'c'.repeat(64)}`, logIndex: 0, blockNumber: 9 },
      now,
    );
    const ledger = ledgerAfter(ledgerWith(EMPTY_LEDGER, refund), completed.refund);
    expect(ledger).toEqual({ reservedMicroUsd: 50_000_000n });
    // The payer sends 10 more on BSC: 60 overpaid in all, 50 of it refunded, 10 USD (10e18 units) left.
    const later = {
      ...first,
      paidMicroUsd: 160_000_000n,
      overpaidMicroUsd: 60_000_000n,
      payments: [...first.payments, bsc(10n, 3)],
    };
    expect(ask(later, ledger)).toMatchObject({ token: USD18, decimals: 18, amount: 10n * e18 });
    expect(() => ask(later, ledger, 10n * e18 + 1n)).toThrow(ConflictError);
  });

  it("rounds a refund's micro-USD up, so dust below a micro-USD never adds up past the cap", () => {
    const invoice = anInvoice({ paidMicroUsd: 102_000_000n, overpaidMicroUsd: 2_000_000n, payments: [bsc(102n, 1)] });
    const dusty = ask(invoice, EMPTY_LEDGER, 1n);
    const held = ledgerWith(EMPTY_LEDGER, dusty);
    expect(held.reservedMicroUsd).toBe(1n);
    const rest = ask(invoice, { reservedMicroUsd: held.reservedMicroUsd });
    expect(rest.amount).toBe(1_999_999n * 10n ** 12n);
    expect(refundMicroUsdCeil(rest.amount, 18) + held.reservedMicroUsd).toBe(2_000_000n);
    expect(reservedMicroUsdOf([dusty, rest, { ...dusty, state: 'rejected' }])).toBe(2_000_000n);
  });

  it('a suspense transfer with dust below a micro-USD is refundable whole', () => {
    const t = {
      id: 't1',
      state: 'final' as const,
      chainId: 56,
      token: USD18,
      amount: e18 + 1n,
      from: sender,
      to: DEPOSIT,
    };
    const refundable = suspenseRefundable(t, 18);
    expect(refundable).toMatchObject({ microUsd: 1_000_001n, units: e18 + 1n });
  });
});

describe('the life of a refund', () => {
  const invoice = anInvoice({
    paidMicroUsd: 400_000_000n,
    overpaidMicroUsd: 100_000_000n,
    payments: [payment(USDT, 6, 400_000_000n, 400_000_000n)],
  });
  const refundable = overpaymentRefundable(invoice, sender);
  if (!refundable) throw new Error('fixture');
  const request = (ledger = EMPTY_LEDGER, amount?: bigint) =>
    requestRefund({
      id: newRefundId(),
      refundable,
      ledger,
      request: { reason: 'overpaid', ...(amount ? { amount } : {}) },
      actor: requester,
      now,
    });

  it('requests all that is left by default, to the sender', () => {
    const refund = request();
    expect(refund).toMatchObject({ state: 'requested', amount: 100_000_000n, to: sender, requestedBy: 'alice' });
    expect(REFUND_ID_PATTERN.test(refund.id)).toBe(true);
  });

  it('refuses a second open refund, more than is left, and zero', () => {
    const first = request();
    expect(() => request(ledgerWith(EMPTY_LEDGER, first))).toThrow(ConflictError);
    expect(() => request(EMPTY_LEDGER, 100_000_001n)).toThrow(ConflictError);
    expect(() => request({ reservedMicroUsd: 100_000_000n })).toThrow(ConflictError);
    const part = request(EMPTY_LEDGER, 40_000_000n);
    expect(request({ reservedMicroUsd: part.amount }).amount).toBe(60_000_000n);
    expect(() =>
      requestRefund({
        id: 'x',
        refundable,
        ledger: EMPTY_LEDGER,
        request: { reason: 'r', to: '0x12' },
        actor: requester,
        now,
      }),
    ).toThrow(ValidationError);
  });

  it('four eyes: the requester cannot approve; another identity can, twice the same', () => {
    const refund = request();
    expect(() => approveRefund(refund, { ...requester, role: 'operator' }, now)).toThrow(ForbiddenError);
    const approved = approveRefund(refund, approver, now);
    expect(approved).toMatchObject({ changed: true, refund: { state: 'approved', approvedBy: 'bob' } });
    expect(approveRefund(approved.refund, approver, now).changed).toBe(false);
    expect(() => approveRefund(approved.refund, { subject: 'carol', role: 'operator' }, now)).toThrow(ConflictError);
    expect(() => rejectRefund(approved.refund, approver, now)).toThrow(ConflictError);
  });

  it('a rejection releases the amount; a completion keeps it taken and frees the source', () => {
    const refund = request();
    const held = ledgerWith(EMPTY_LEDGER, refund);
    const rejected = rejectRefund(refund, approver, now).refund;
    expect(rejectRefund(rejected, approver, now).changed).toBe(false);
    expect(ledgerAfter(held, rejected)).toEqual({ reservedMicroUsd: 0n });
    const approved = approveRefund(refund, approver, now).refund;
    expect(() => instructRefund(approved, now)).toThrow();
    const marked = markOrderFrom(approved, 42).refund;
    expect(markOrderFrom(marked, 50).changed).toBe(false);
    const instructed = instructRefund(marked, now).refund;
    expect(instructed).toMatchObject({ state: 'instructed', instructedBlock: 42 });
    expect(instructRefund(instructed, now).changed).toBe(false);
    const done = completeRefund(instructed, { txHash: `0x${'B'.repeat(64)}`, logIndex: 3, blockNumber: 44 }, now);
    expect(done.refund).toMatchObject({ state: 'completed', txHash: `0x${'b'.repeat(64)}`, logIndex: 3 });
    expect(ledgerAfter(held, done.refund)).toEqual({ reservedMicroUsd: 100_000_000n });
  });

  it('signs an order the custodian verifies, the same bytes every time; and a refund receipt', async () => {
    const signer = new LocalKeySigner(hexlify(randomBytes(32)));
    const approved = approveRefund(request(), approver, now).refund;
    const order = await signRefundOrder(approved, signer);
    expect(verifyRefundOrder(order, await signer.address())).toEqual({ ok: true });
    expect(JSON.stringify(await signRefundOrder(approved, signer))).toBe(JSON.stringify(order));
    const forged = { ...order, order: { ...order.order, to: Wallet.createRandom().address } };
    expect(verifyRefundOrder(forged, await signer.address()).ok).toBe(false);
    expect(() => refundOrderTypedData(request())).toThrow();

    const instructed = instructRefund(markOrderFrom(approved, 1).refund, now).refund;
    const done = completeRefund(instructed, { txHash: `0x${'c'.repeat(64)}`, logIndex: 0, blockNumber: 5 }, now).refund;
    const receipt = await buildRefundReceipt(done, signer);
    expect(receipt).toMatchObject({
      kind: 'refund',
      refundId: done.id,
      amount: '100000000',
      source: `invoice:${invoice.id}`,
    });
    expect(verifyRefundReceipt(receipt, await signer.address())).toEqual({ ok: true });
    expect(verifyRefundReceipt({ ...receipt, amount: '1' }).ok).toBe(false);
  });
});
