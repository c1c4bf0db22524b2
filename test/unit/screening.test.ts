/**
 * Sender screening before credit, against in-memory ports: a sender on a screening list or frozen by its token is
 * held (nothing recorded on the transfer or the invoice, no receipt); the compliance officer's release credits it
 * through reconciliation, a rejection puts it in suspense out of revenue; each decision is journaled. What a
 * sender's check found is cached briefly: chain reads are counted, never timed.
 */
import { describe, expect, it } from 'vitest';
import { decideHold } from '../../shared/app/holds';
import { reconcileTransfer } from '../../shared/app/reconcile-transfer';
import { SCREENING_CACHE_SECONDS, SenderScreening } from '../../shared/app/screen-sender';
import { putScreeningList } from '../../shared/app/screening-lists';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/domain/errors';
import { trialBalance } from '../../shared/domain/journal';
import type { TransferObserved } from '../../shared/domain/transfers';
import { transferId } from '../../shared/domain/transfers';
import {
  MemoryComplianceLog,
  MemoryHoldStore,
  MemoryScreeningLists,
  MemoryTokenBlacklist,
} from '../support/memory-compliance';
import { CHAIN, openInvoice, PAYER, payment, reconcileDeps, TOKEN } from '../support/reconcile-fixtures';

const OFFICER = { subject: 'officer-1', role: 'compliance' };
const LIST = { source: 'OFAC SDN (sample)', asOf: '2026-11-30', addresses: [PAYER.toLowerCase()] };

function setup(at = '2026-12-01T10:10:00.000Z') {
  const wired = reconcileDeps(undefined, at);
  const invoice = openInvoice();
  wired.store.addInvoice(invoice);
  const lists = new MemoryScreeningLists();
  const blacklist = new MemoryTokenBlacklist();
  const holds = new MemoryHoldStore();
  const log = new MemoryComplianceLog();
  let now = new Date(at);
  const screening = new SenderScreening({ lists, blacklist, holds, log, chains: [CHAIN], now: () => now });
  const requeued: TransferObserved[] = [];
  const decisions = {
    holds,
    log,
    requeue: async (seen: TransferObserved) => {
      requeued.push(seen);
    },
    now: () => now,
  };
  const deps = { ...wired.deps, screening };
  const advance = (seconds: number) => {
    now = new Date(now.getTime() + seconds * 1000);
  };
  return { ...wired, deps, invoice, lists, blacklist, holds, log, screening, requeued, decisions, advance };
}

describe('sender screening', () => {
  it('credits a payment whose sender no list names and its token has not frozen', async () => {
    const { deps, store, invoice, holds, blacklist } = setup();
    expect(await reconcileTransfer(payment(100_000_000n), deps)).toMatchObject({ change: 'record' });
    expect(store.invoices.get(invoice.id)?.pendingMicroUsd).toBe(100_000_000n);
    expect(holds.holds.size).toBe(0);
    // The local USDT stand-in has Tether's blacklist: it was read on chain.
    expect(blacklist.reads).toBe(1);
  });

  it('holds a payment from a listed sender: no transfer, no credit, no receipt; the hold is journaled', async () => {
    const { deps, store, invoice, holds, log, lists } = setup();
    await putScreeningList(OFFICER, 'ofac-sdn', LIST, { lists, log, now: () => new Date() });
    const seen = payment(500_000_000n, { final: true });
    expect(await reconcileTransfer(seen, deps)).toEqual({
      transferId: transferId(seen),
      change: 'held',
      invoiceId: invoice.id,
    });
    expect(store.transfers.size).toBe(0);
    expect(store.invoices.get(invoice.id)).toMatchObject({ status: 'open', pendingMicroUsd: 0n, paidMicroUsd: 0n });
    expect(store.documents.size).toBe(0);
    expect(holds.holds.get(transferId(seen))).toMatchObject({
      state: 'held',
      invoiceId: invoice.id,
      from: PAYER,
      amount: '500000000',
      microUsd: '500000000',
      hits: [{ kind: 'list', list: 'ofac-sdn', source: 'OFAC SDN (sample)' }],
    });
    expect(holds.holds.get(transferId(seen))?.holdReason).toContain('on screening list ofac-sdn');
    // Seen again (another source, finality): still held, still nothing recorded.
    expect(await reconcileTransfer({ ...seen, source: 'alchemy' }, deps)).toMatchObject({ change: 'held' });
    expect(store.transfers.size).toBe(0);
    expect(log.decisions.map((d) => [d.action, d.subject, d.actor.role])).toEqual([
      ['list-change', 'screening list ofac-sdn v1', 'compliance'],
      ['hold', transferId(seen), 'service'],
    ]);
  });

  it('holds a payment from a sender its token has frozen (read on chain)', async () => {
    const { deps, blacklist, holds } = setup();
    blacklist.freeze(CHAIN.chainId, TOKEN, PAYER);
    const seen = payment(1_000_000n);
    expect(await reconcileTransfer(seen, deps)).toMatchObject({ change: 'held' });
    expect(holds.holds.get(transferId(seen))?.hits).toEqual([{ kind: 'token-blacklist', token: TOKEN }]);
  });

  it('release: the sighting goes back through reconciliation and is credited, then paid with a receipt', async () => {
    const { deps, store, invoice, lists, log, holds, requeued, decisions, outbox } = setup();
    await putScreeningList(OFFICER, 'ofac-sdn', LIST, { lists, log, now: () => new Date() });
    const seen = payment(500_000_000n, { final: true });
    await reconcileTransfer(seen, deps);
    const released = await decideHold(
      OFFICER,
      transferId(seen),
      'release',
      'false positive: name match only',
      decisions,
    );
    expect(released).toMatchObject({
      state: 'released',
      decision: { by: 'officer-1', reason: 'false positive: name match only' },
    });
    // Sent back without the finality it claimed then: the confirmer reads the chain again before it counts.
    expect(requeued).toHaveLength(1);
    expect(requeued[0]?.final).toBeUndefined();
    expect(await reconcileTransfer(requeued[0] as TransferObserved, deps)).toMatchObject({ change: 'record' });
    expect(store.invoices.get(invoice.id)).toMatchObject({ status: 'processing', pendingMicroUsd: 500_000_000n });
    const final = await reconcileTransfer(
      { ...(requeued[0] as TransferObserved), source: 'confirmer', final: true },
      deps,
    );
    expect(final.receiptId).toBeDefined();
    expect(store.invoices.get(invoice.id)?.status).toBe('paid');
    expect(outbox).toHaveLength(1);
    expect(holds.holds.get(transferId(seen))?.state).toBe('released');
    expect(log.decisions.map((d) => d.action)).toEqual(['list-change', 'hold', 'release']);
  });

  it('reject: the transfer is recorded in suspense (sender_rejected), never revenue; the other decision conflicts', async () => {
    const { deps, store, invoice, lists, log, requeued, decisions } = setup();
    await putScreeningList(OFFICER, 'ofac-sdn', LIST, { lists, log, now: () => new Date() });
    const seen = payment(500_000_000n);
    await reconcileTransfer(seen, deps);
    await decideHold(OFFICER, transferId(seen), 'reject', 'confirmed sanctioned wallet', decisions);
    await reconcileTransfer(requeued[0] as TransferObserved, deps);
    await reconcileTransfer({ ...(requeued[0] as TransferObserved), source: 'confirmer', final: true }, deps);
    expect(store.transfers.get(transferId(seen))).toMatchObject({ state: 'final', unmatchedReason: 'sender_rejected' });
    expect(store.transfers.get(transferId(seen))?.invoiceId).toBeUndefined();
    expect(store.invoices.get(invoice.id)).toMatchObject({ status: 'open', paidMicroUsd: 0n, pendingMicroUsd: 0n });
    const entries = [...store.journal.values()];
    expect(entries.flatMap((e) => e.lines.map((l) => l.account)).some((a) => a.startsWith('revenue'))).toBe(false);
    expect(entries.flatMap((e) => e.lines.map((l) => l.account))).toContain('suspense:sender_rejected');
    expect(trialBalance(entries)).toEqual({ debits: 500_000_000n, credits: 500_000_000n });
    // Asking again re-sends (mends a lost message); asking the other decision is a conflict.
    await decideHold(OFFICER, transferId(seen), 'reject', 'again', decisions);
    expect(requeued).toHaveLength(2);
    await expect(decideHold(OFFICER, transferId(seen), 'release', 'no', decisions)).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(decideHold(OFFICER, '31337:0x00:0', 'release', 'no', decisions)).rejects.toBeInstanceOf(NotFoundError);
    expect(log.decisions.filter((d) => d.action === 'reject')).toHaveLength(1);
  });

  it('caches what a sender check found for a short while: a burst costs one list read and one chain read', async () => {
    const { deps, lists, blacklist, advance } = setup();
    for (let i = 0; i < 5; i++) await reconcileTransfer(payment(1_000_000n), deps);
    expect({ lists: lists.reads, chain: blacklist.reads }).toEqual({ lists: 1, chain: 1 });
    advance(SCREENING_CACHE_SECONDS + 1);
    await reconcileTransfer(payment(1_000_000n), deps);
    expect({ lists: lists.reads, chain: blacklist.reads }).toEqual({ lists: 2, chain: 2 });
    // Another sender is its own check.
    await reconcileTransfer(payment(1_000_000n, { from: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' }), deps);
    expect(blacklist.reads).toBe(3);
  });

  it('does not screen what credits nothing: known transfers, removals, money to addresses not ours', async () => {
    const { deps, blacklist } = setup();
    const seen = payment(1_000_000n);
    await reconcileTransfer(seen, deps);
    await reconcileTransfer({ ...seen, source: 'confirmer', final: true }, deps);
    await reconcileTransfer(payment(1n, { to: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' }), deps);
    expect(blacklist.reads).toBe(1);
  });

  it('validates list bodies and names', async () => {
    const { lists, log } = setup();
    const deps = { lists, log, now: () => new Date() };
    await expect(putScreeningList(OFFICER, 'OFAC', LIST, deps)).rejects.toBeInstanceOf(ValidationError);
    await expect(putScreeningList(OFFICER, 'x', { ...LIST, addresses: ['0x12'] }, deps)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(putScreeningList(OFFICER, 'x', { ...LIST, asOf: 'yesterday' }, deps)).rejects.toBeInstanceOf(
      ValidationError,
    );
    const stored = await putScreeningList(OFFICER, 'x', { ...LIST, addresses: [PAYER, PAYER.toLowerCase()] }, deps);
    expect(stored).toMatchObject({ version: 1, addresses: [PAYER], updatedBy: 'officer-1' });
    expect((await putScreeningList(OFFICER, 'x', LIST, deps)).version).toBe(2);
  });
});
