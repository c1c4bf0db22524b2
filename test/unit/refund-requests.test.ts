/** Requesting, approving and rejecting refunds against in-memory ports: four eyes, one open refund, never more. */
import { Wallet, ZeroAddress } from 'ethers';
import { describe, expect, it } from 'vitest';
import { approveRefundAs, readRefund, rejectRefundAs, requestRefundAs } from '../../shared/app/refunds';
import { AddressScreening } from '../../shared/app/screen-sender';
import { localChain } from '../../shared/domain/chains';
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../../shared/domain/errors';
import type { StoredTransfer } from '../../shared/domain/reconcile';
import type { RefundActor } from '../../shared/domain/refunds';
import { RefundDestinationScreenedError } from '../../shared/domain/screening';
import { anInvoice } from '../support/invoices';
import { MemoryScreeningLists, MemoryTokenBlacklist } from '../support/memory-compliance';
import { MemoryCustodian, MemoryRefundQueue, MemoryRefundSources, MemoryRefundStore } from '../support/memory-refunds';

const USDT = Wallet.createRandom().address;
const sender = Wallet.createRandom().address;
const custody = Wallet.createRandom().address;
const chains = [localChain([{ address: USDT, symbol: 'USDT', decimals: 6 }])];
const alice: RefundActor = { subject: 'alice', role: 'ministry', ministry: 'AFSA' };
const bob: RefundActor = { subject: 'bob', role: 'ministry', ministry: 'AFSA' };
const mallory: RefundActor = { subject: 'mallory', role: 'ministry', ministry: 'MINFIN' };
const operator: RefundActor = { subject: 'olga', role: 'operator' };
const operator2: RefundActor = { subject: 'oleg', role: 'operator' };
const BY = { updatedBy: 'officer-1', updatedAt: '2026-03-01T00:00:00.000Z' };

function transfer(overrides: Partial<StoredTransfer> = {}): StoredTransfer {
  const txHash = `0x${'1'.repeat(64)}`;
  return {
    id: `31337:${txHash}:0`,
    chainId: 31337,
    token: USDT,
    txHash,
    logIndex: 0,
    from: sender.toLowerCase(),
    to: Wallet.createRandom().address.toLowerCase(),
    amount: 400_000_000n,
    microUsd: 400_000_000n,
    remainderUnits: 0n,
    state: 'final',
    blockHash: `0x${'2'.repeat(64)}`,
    blockNumber: 7,
    removedBlockHashes: [],
    sources: ['scanner'],
    firstSeenAt: '2026-03-10T06:10:00.000Z',
    deepCheckedAt: '2026-03-10T06:30:00.000Z',
    history: [],
    version: 1,
    ...overrides,
  };
}

function setup() {
  const sources = new MemoryRefundSources();
  const store = new MemoryRefundStore();
  store.sourceVersion = sources.versionOf;
  const queue = new MemoryRefundQueue();
  const paid = transfer();
  const invoice = anInvoice({
    status: 'paid',
    exception: 'overpaid',
    paidMicroUsd: 400_000_000n,
    overpaidMicroUsd: 100_000_000n,
    payments: [{ ...paid, transferId: paid.id, decimals: 6 }],
  });
  sources.invoices.set(invoice.id, invoice);
  sources.transfers.set(paid.id, { ...paid, invoiceId: invoice.id });
  const custodian = new MemoryCustodian({ 31337: custody });
  const now = () => new Date('2026-03-10T08:00:00.000Z');
  const lists = new MemoryScreeningLists();
  const blacklist = new MemoryTokenBlacklist();
  const destinations = new AddressScreening({ lists, blacklist, chains, now });
  const deps = { refunds: store, sources, chains, queue, custodian, destinations, now };
  return { sources, store, queue, invoice, deps, lists, blacklist };
}

describe('requesting a refund', () => {
  it("a ministry requests its invoice's overpayment: all of it, to the sender; a key's repeat answers the same", async () => {
    const { invoice, deps } = setup();
    const first = await requestRefundAs(alice, { invoiceId: invoice.id, reason: 'overpaid' }, 'k1', deps);
    expect(first).toMatchObject({ created: true, refund: { state: 'requested', amount: 100_000_000n, to: sender } });
    const again = await requestRefundAs(alice, { invoiceId: invoice.id, reason: 'overpaid' }, 'k1', deps);
    expect(again).toEqual({ created: false, refund: first.refund });
    await expect(requestRefundAs(alice, { invoiceId: invoice.id, reason: 'other' }, 'k1', deps)).rejects.toThrow(
      ConflictError,
    );
  });

  it('refuses a second open refund and an over-refund (409), and writes nothing', async () => {
    const { invoice, deps, store } = setup();
    await expect(
      requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r', amount: 100_000_001n }, undefined, deps),
    ).rejects.toThrow(ConflictError);
    expect(store.refunds.size).toBe(0);
    await requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r', amount: 30_000_000n }, undefined, deps);
    await expect(requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r' }, undefined, deps)).rejects.toThrow(
      ConflictError,
    );
    expect(store.refunds.size).toBe(1);
  });

  it("another ministry's invoice is absent; an operator may not request it; a ministry no suspense transfer", async () => {
    const { invoice, deps } = setup();
    await expect(requestRefundAs(mallory, { invoiceId: invoice.id, reason: 'r' }, undefined, deps)).rejects.toThrow(
      NotFoundError,
    );
    await expect(requestRefundAs(operator, { invoiceId: invoice.id, reason: 'r' }, undefined, deps)).rejects.toThrow(
      ForbiddenError,
    );
    await expect(requestRefundAs(alice, { transferId: 'x', reason: 'r' }, undefined, deps)).rejects.toThrow(
      ForbiddenError,
    );
  });

  it('an operator refunds a final suspense transfer (a payment to a cancelled invoice) to its sender', async () => {
    const { deps, sources } = setup();
    const stray = transfer({
      txHash: `0x${'3'.repeat(64)}`,
      id: 'stray',
      amount: 5_000_000n,
      unmatchedReason: 'invoice_cancelled',
    });
    sources.transfers.set(stray.id, stray);
    sources.owners.set(stray.to, { invoiceId: 'inv_cancelled', ministry: 'MINFIN' });
    const { refund } = await requestRefundAs(operator, { transferId: stray.id, reason: 'cancelled' }, undefined, deps);
    expect(refund).toMatchObject({ amount: 5_000_000n, to: sender, ministry: 'MINFIN', source: { kind: 'transfer' } });
    sources.transfers.set('seen', { ...stray, id: 'seen', state: 'seen' });
    await expect(requestRefundAs(operator, { transferId: 'seen', reason: 'r' }, undefined, deps)).rejects.toThrow(
      ConflictError,
    );
  });

  it("a rejected sender's money (sender_rejected) is the compliance role's alone to refund, four eyes among its officers", async () => {
    const { deps, sources } = setup();
    const clara: RefundActor = { subject: 'clara', role: 'compliance' };
    const carl: RefundActor = { subject: 'carl', role: 'compliance' };
    const rejected = transfer({ txHash: `0x${'4'.repeat(64)}`, id: 'rejected', unmatchedReason: 'sender_rejected' });
    const stray = transfer({
      txHash: `0x${'5'.repeat(64)}`,
      id: 'stray',
      amount: 5_000_000n,
      microUsd: 5_000_000n,
      unmatchedReason: 'invoice_cancelled',
    });
    for (const t of [rejected, stray]) sources.transfers.set(t.id, t);
    const ask = (actor: RefundActor, transferId: string) =>
      requestRefundAs(actor, { transferId, reason: 'r' }, undefined, deps);
    await expect(ask(operator, rejected.id)).rejects.toThrow(ForbiddenError);
    await expect(ask(clara, stray.id)).rejects.toThrow(ForbiddenError);
    const { refund } = await ask(clara, rejected.id);
    expect(refund).toMatchObject({ state: 'requested', suspenseReason: 'sender_rejected', requestedBy: 'clara' });
    await expect(approveRefundAs(operator, refund.id, deps)).rejects.toThrow(ForbiddenError);
    await expect(rejectRefundAs(operator, refund.id, deps)).rejects.toThrow(ForbiddenError);
    await expect(approveRefundAs(clara, refund.id, deps)).rejects.toThrow(ForbiddenError);
    expect(await approveRefundAs(carl, refund.id, deps)).toMatchObject({ state: 'approved', approvedBy: 'carl' });
    const operators = await ask(operator, stray.id);
    await expect(approveRefundAs(carl, operators.refund.id, deps)).rejects.toThrow(ForbiddenError);
  });

  it("refuses (409, nothing written) a refund whose transfer would look like another open refund's", async () => {
    // The same payer overpaid two invoices by the same amount in the same token: the completion could not tell the
    // two refunds' transfers apart, so the second waits until the first is completed or rejected.
    const { invoice, deps, sources, store } = setup();
    const paid = transfer({ txHash: `0x${'4'.repeat(64)}`, id: 'paid-2' });
    const twin = anInvoice({ ...invoice, id: 'inv_twin', payments: [{ ...paid, transferId: paid.id, decimals: 6 }] });
    sources.invoices.set(twin.id, twin);
    sources.transfers.set(paid.id, { ...paid, invoiceId: twin.id });
    const first = await requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r' }, undefined, deps);
    await expect(requestRefundAs(alice, { invoiceId: twin.id, reason: 'r' }, undefined, deps)).rejects.toThrow(
      /Another open refund already sends exactly 100000000 base units/,
    );
    expect(store.refunds.size).toBe(1);
    expect(await store.ledger({ kind: 'invoice', invoiceId: twin.id })).toEqual({ reservedMicroUsd: 0n });
    // Another amount is told apart; a rejection frees the shape.
    const other = await requestRefundAs(alice, { invoiceId: twin.id, reason: 'r', amount: 1n }, undefined, deps);
    await rejectRefundAs(operator, other.refund.id, deps);
    await rejectRefundAs(operator, first.refund.id, deps);
    const again = await requestRefundAs(alice, { invoiceId: twin.id, reason: 'r' }, undefined, deps);
    expect(again.refund).toMatchObject({ state: 'requested', amount: 100_000_000n });
  });

  it('refuses (409, nothing written) money whose transfers have not passed the deep re-check yet', async () => {
    const { invoice, deps, sources, store } = setup();
    const [payment] = invoice.payments;
    const paid = payment && sources.transfers.get(payment.transferId);
    if (!paid) throw new Error('fixture');
    const { deepCheckedAt: _checked, ...final } = paid;
    sources.transfers.set(paid.id, final);
    await expect(requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r' }, 'k', deps)).rejects.toThrow(
      /not yet settled deeply enough/,
    );
    const stray = transfer({ txHash: `0x${'5'.repeat(64)}`, id: 'stray-5', unmatchedReason: 'invoice_cancelled' });
    const { deepCheckedAt: _strayChecked, ...strayFinal } = stray;
    sources.transfers.set(stray.id, strayFinal);
    await expect(requestRefundAs(operator, { transferId: stray.id, reason: 'r' }, undefined, deps)).rejects.toThrow(
      /not yet settled deeply enough/,
    );
    expect(store.refunds.size).toBe(0);
    expect(store.idempotency.size).toBe(0);
    sources.transfers.set(paid.id, paid); // the deep re-check passed
    const { refund } = await requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r' }, 'k', deps);
    expect(refund.state).toBe('requested');
  });

  it('refuses (422, nothing written) the zero address, the custody account and the deposit address as `to`', async () => {
    const { invoice, deps, sources, store } = setup();
    const ask = (to: string) => requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r', to }, undefined, deps);
    await expect(ask(ZeroAddress)).rejects.toThrow(UnprocessableError);
    await expect(ask(custody.toLowerCase())).rejects.toThrow(/custody account/);
    await expect(ask(invoice.depositAddress)).rejects.toThrow(/deposit address the money came to/);
    const stray = transfer({ txHash: `0x${'6'.repeat(64)}`, id: 'stray-6', unmatchedReason: 'invoice_cancelled' });
    sources.transfers.set(stray.id, stray);
    await expect(
      requestRefundAs(operator, { transferId: stray.id, reason: 'r', to: stray.to }, undefined, deps),
    ).rejects.toThrow(UnprocessableError);
    expect(store.refunds.size).toBe(0);
    expect(store.openTransfers.size).toBe(0);
    const elsewhere = Wallet.createRandom().address;
    expect((await ask(elsewhere)).refund.to).toBe(elsewhere);
  });

  it('refuses (422, nothing written) a destination a screening list or the token itself names', async () => {
    const { invoice, deps, store, lists, blacklist } = setup();
    const listed = Wallet.createRandom().address;
    await lists.put({
      name: 'ofac-sdn',
      source: 'OFAC SDN',
      asOf: '2026-03-01',
      addresses: [listed.toLowerCase()],
      ...BY,
    });
    const ask = (to?: string) =>
      requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r', ...(to ? { to } : {}) }, undefined, deps);
    const refused = await ask(listed).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RefundDestinationScreenedError);
    expect((refused as RefundDestinationScreenedError).details).toEqual({
      to: listed,
      hits: [{ kind: 'list', list: 'ofac-sdn', source: 'OFAC SDN' }],
    });
    // The sender, the default destination, frozen by the token (it would refuse or freeze the refund).
    blacklist.freeze(31337, USDT, sender);
    await expect(ask()).rejects.toThrow(/blacklisted by the token contract/);
    expect(store.refunds.size).toBe(0);
    expect(store.openTransfers.size).toBe(0);
  });

  it('a source that changed between read and write is read again', async () => {
    const { invoice, deps, sources, store } = setup();
    let bumped = false;
    const versionOf = sources.versionOf;
    store.sourceVersion = (s) => {
      if (!bumped) {
        bumped = true;
        const stored = sources.invoices.get(invoice.id);
        if (stored) stored.version += 1; // a sighting changed the invoice meanwhile
      }
      return versionOf(s);
    };
    const { refund } = await requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r' }, undefined, deps);
    expect(refund.state).toBe('requested');
  });
});

describe('four eyes', () => {
  it('the requester gets 403; another identity of the ministry approves, twice the same; the order is queued', async () => {
    const { invoice, deps, queue } = setup();
    const { refund } = await requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r' }, undefined, deps);
    await expect(approveRefundAs(alice, refund.id, deps)).rejects.toThrow(ForbiddenError);
    await expect(approveRefundAs(mallory, refund.id, deps)).rejects.toThrow(NotFoundError);
    const approved = await approveRefundAs(bob, refund.id, deps);
    expect(approved).toMatchObject({ state: 'approved', approvedBy: 'bob', version: 1 });
    expect(await approveRefundAs(bob, refund.id, deps)).toMatchObject({ state: 'approved', version: 1 });
    expect(queue.ids).toEqual([refund.id, refund.id]);
    await expect(rejectRefundAs(operator, refund.id, deps)).rejects.toThrow(ConflictError);
  });

  it('a destination listed after the request is refused at approval: nothing queued, the refund stays requested', async () => {
    const { invoice, deps, queue, store, lists } = setup();
    const to = Wallet.createRandom().address;
    const { refund } = await requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r', to }, undefined, deps);
    await lists.put({ name: 'afm', source: 'AFM list', asOf: '2026-03-10', addresses: [to], ...BY });
    // A later container (the cache is per container and short): the list is read afresh.
    const fresh = {
      ...deps,
      destinations: new AddressScreening({ ...deps, lists, blacklist: new MemoryTokenBlacklist() }),
    };
    await expect(approveRefundAs(bob, refund.id, fresh)).rejects.toThrow(RefundDestinationScreenedError);
    expect(queue.ids).toEqual([]);
    expect(await readRefund(bob, refund.id, store)).toMatchObject({ state: 'requested', version: 0 });
    // It can still be rejected, which frees the source for a request to another address.
    expect(await rejectRefundAs(bob, refund.id, fresh)).toMatchObject({ state: 'rejected' });
  });

  it('an operator approves or rejects; a rejection frees the source for a new request', async () => {
    const { invoice, deps, store } = setup();
    const { refund } = await requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r' }, undefined, deps);
    const rejected = await rejectRefundAs(operator2, refund.id, deps);
    expect(rejected).toMatchObject({ state: 'rejected', rejectedBy: 'oleg' });
    expect(await rejectRefundAs(operator2, refund.id, deps)).toMatchObject({ state: 'rejected' });
    expect(await store.ledger(refund.source)).toEqual({ reservedMicroUsd: 0n });
    const next = await requestRefundAs(alice, { invoiceId: invoice.id, reason: 'r' }, undefined, deps);
    expect(next.refund.amount).toBe(100_000_000n);
    expect(await readRefund(operator, next.refund.id, store)).toMatchObject({ state: 'requested' });
    await expect(readRefund(mallory, next.refund.id, store)).rejects.toThrow(NotFoundError);
  });
});
