/** Sending refund orders against in-memory ports: the same signed order on every try, instructed once delivered. */
import { randomBytes } from 'node:crypto';
import { hexlify, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { instructRefundOrder } from '../../shared/app/instruct-refund';
import { verifyRefundOrder } from '../../shared/domain/refund-documents';
import type { Refund } from '../../shared/domain/refunds';
import { MemoryCustodian, MemoryRefundStore } from '../support/memory-refunds';

const signer = new LocalKeySigner(hexlify(randomBytes(32)));

function approved(): Refund {
  return {
    id: 'rfd_AAAAAAAAAAAAAAAAAAAAAA',
    source: { kind: 'invoice', invoiceId: 'inv_x' },
    ministry: 'AFSA',
    chainId: 31337,
    token: Wallet.createRandom().address,
    decimals: 6,
    to: Wallet.createRandom().address,
    amount: 100_000_000n,
    reason: 'overpaid',
    state: 'approved',
    requestedBy: 'alice',
    requestedAt: '2026-03-10T08:00:00.000Z',
    approvedBy: 'bob',
    approvedAt: '2026-03-10T08:01:00.000Z',
    version: 1,
  };
}

function setup() {
  const refunds = new MemoryRefundStore();
  const refund = approved();
  refunds.refunds.set(refund.id, refund);
  const custodian = new MemoryCustodian();
  let head = 100;
  const deps = {
    refunds,
    signer,
    custodian,
    headOf: async () => head++,
    now: () => new Date('2026-03-10T08:02:00.000Z'),
  };
  return { refunds, refund, custodian, deps };
}

describe('instructRefundOrder', () => {
  it('sends a signed order the custodian verifies, then records instructed with the head read before sending', async () => {
    const { refund, custodian, deps, refunds } = setup();
    expect(await instructRefundOrder(refund.id, deps)).toEqual({ result: 'instructed' });
    expect(custodian.sent).toHaveLength(1);
    const order = custodian.sent[0]?.order;
    if (!order) throw new Error('no order');
    expect(verifyRefundOrder(order, await signer.address())).toEqual({ ok: true });
    expect(order.order).toMatchObject({ refundId: refund.id, amount: '100000000', to: refund.to });
    expect(await refunds.get(refund.id)).toMatchObject({ state: 'instructed', instructedBlock: 100, version: 3 });
    // A redelivery finds it instructed: nothing is sent again.
    expect(await instructRefundOrder(refund.id, deps)).toEqual({ result: 'not-approved' });
    expect(custodian.sent).toHaveLength(1);
  });

  it('retries while the custodian does not take the order; a crash after the send resends the same bytes', async () => {
    const { refund, custodian, deps, refunds } = setup();
    custodian.answer = () => ({ outcome: 'retry', status: 503, error: 'custodian answered HTTP 503' });
    expect(await instructRefundOrder(refund.id, deps)).toMatchObject({ result: 'retry' });
    custodian.answer = () => ({ outcome: 'not-configured' });
    expect(await instructRefundOrder(refund.id, deps)).toMatchObject({ result: 'retry' });
    custodian.answer = () => ({ outcome: 'delivered', status: 201 });
    const crash = {
      ...deps,
      fault: () => {
        throw new Error('injected fault at instruct:after-send');
      },
    };
    await expect(instructRefundOrder(refund.id, crash)).rejects.toThrow('injected');
    expect((await refunds.get(refund.id))?.state).toBe('approved');
    expect(await instructRefundOrder(refund.id, deps)).toEqual({ result: 'instructed' });
    // The search starts below the first send (which the custodian may have executed), not at a retry's head.
    expect((await refunds.get(refund.id))?.instructedBlock).toBe(100);
    const bodies = custodian.sent.map((s) => JSON.stringify(s.order));
    expect(new Set(bodies).size).toBe(1);
  });

  it('signs once: with a signer whose signature differs on every call (KMS), every retry sends the same bytes', async () => {
    const { refund, custodian, deps, refunds } = setup();
    let signatures = 0;
    const randomized = {
      address: () => signer.address(),
      signDigest: async () => `0x${String(++signatures).padStart(130, '0')}`, // a new signature on every call
    };
    custodian.answer = () => ({ outcome: 'retry', status: 503, error: 'custodian answered HTTP 503' });
    const withKms = { ...deps, signer: randomized };
    for (const _ of [1, 2, 3]) expect(await instructRefundOrder(refund.id, withKms)).toMatchObject({ result: 'retry' });
    custodian.answer = () => ({ outcome: 'delivered', status: 201 });
    expect(await instructRefundOrder(refund.id, withKms)).toEqual({ result: 'instructed' });
    expect(custodian.sent).toHaveLength(4);
    expect(new Set(custodian.sent.map((s) => JSON.stringify(s.order))).size).toBe(1);
    expect(signatures).toBe(1);
    const stored = await refunds.get(refund.id);
    expect(stored?.signedOrder).toBe(JSON.stringify(custodian.sent[0]?.order));
  });
});
