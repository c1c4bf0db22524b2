/**
 * The write-once archive against in-memory ports: every signed document is archived once, before it is sent, with
 * the bytes the registry receives; a retry is a no-op; a key holding other bytes fails closed (nothing sent, counted,
 * logged). The journal is archived by closed Kazakhstan day from a checkpoint, caught up after missed runs, and a run
 * repeated after a crash writes nothing twice.
 */
import { randomBytes } from 'node:crypto';
import { hexlify, Wallet } from 'ethers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, metrics } from '../../shared/adapters/observability';
import { LocalKeySigner } from '../../shared/adapters/signing/key-signers';
import { ArchiveMismatchError } from '../../shared/app/archive-document';
import { archiveJournal } from '../../shared/app/archive-journal';
import { type PublishDeps, publishReceipt } from '../../shared/app/publish-receipt';
import { publishRefundReceipt } from '../../shared/app/publish-refund-receipt';
import {
  documentArchiveKey,
  journalDayBody,
  journalDayKey,
  kazakhstanDayInterval,
  lastClosedDay,
  nextDay,
} from '../../shared/domain/archive';
import { invoiceIssuedEntry, type JournalEntry, transferFinalEntry } from '../../shared/domain/journal';
import { buildRefundReceipt } from '../../shared/domain/refund-documents';
import type { Refund } from '../../shared/domain/refunds';
import { MemoryJournalArchiveStore, MemoryWriteOnceArchive } from '../support/memory-archive';
import { aReceipt, MemoryReceiptDeliveries } from '../support/memory-receipts';
import { MemoryRefundReceiptDeliveries, MemoryRefundStore } from '../support/memory-refunds';
import { MemoryRegistry } from '../support/memory-registry';

const NOW = new Date('2026-03-10T06:00:00.000Z');
const ID = 'rcp_AAAAAAAAAAAAAAAAAAAAAA';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Spies on the metrics and error logs a mismatch must leave behind. */
function watchAlarms() {
  const addMetric = vi.spyOn(metrics, 'addMetric');
  const errors = vi.spyOn(logger, 'error').mockImplementation(() => {});
  return {
    counted: (name: string) =>
      addMetric.mock.calls.filter(([metric]) => metric === name).reduce((sum, call) => sum + Number(call[2]), 0),
    errors,
  };
}

function publishing(stored = aReceipt(ID)) {
  const receipts = new MemoryReceiptDeliveries().seed(stored);
  const registry = new MemoryRegistry();
  const archive = new MemoryWriteOnceArchive();
  const deps: PublishDeps = {
    receipts,
    registry,
    archive,
    now: () => NOW,
    lastTry: false,
    trustedSigners: new Set(),
  };
  return { receipts, registry, archive, deps };
}

describe('the archive layout', () => {
  it('keys each signed document by its kind and id, and refuses what is not a document id', () => {
    expect(documentArchiveKey('receipt', ID)).toBe(`receipts/${ID}.json`);
    expect(documentArchiveKey('annulment', 'ann_AAAAAAAAAAAAAAAAAAAAAA.2')).toBe(
      'annulments/ann_AAAAAAAAAAAAAAAAAAAAAA.2.json',
    );
    expect(documentArchiveKey('refund-receipt', 'rrc_B')).toBe('refund-receipts/rrc_B.json');
    for (const bad of ['', '../x', 'a/b', '.hidden', 'x'.repeat(129)]) {
      expect(() => documentArchiveKey('receipt', bad)).toThrow(/not a document id/);
    }
  });

  it('keys a journal day by date, and a Kazakhstan day starts at 19:00 UTC the day before', () => {
    expect(journalDayKey('2026-12-01')).toBe('journal/2026/12/01.jsonl');
    expect(kazakhstanDayInterval('2026-12-01')).toEqual({
      from: '2026-11-30T19:00:00.000Z',
      to: '2026-12-01T19:00:00.000Z',
    });
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    for (const bad of ['2026-02-30', '2026-13-01', '26-01-01', 'x']) expect(() => journalDayKey(bad)).toThrow();
  });

  it('counts a day closed only an hour (the margin) after its Astana midnight', () => {
    const hour = 3600_000;
    // Astana midnight starting 2 December is 19:00 UTC on 1 December.
    expect(lastClosedDay(new Date('2026-12-01T19:59:59.999Z'), hour)).toBe('2026-11-30');
    expect(lastClosedDay(new Date('2026-12-01T20:00:00.000Z'), hour)).toBe('2026-12-01');
  });

  it('writes a day as the same bytes whatever order its entries are read in, amounts as decimal strings', () => {
    const a = issued('inv_a', '2026-12-01T03:00:00.000Z');
    const b = issued('inv_b', '2026-12-01T01:00:00.000Z');
    const body = journalDayBody([a, b]);
    expect(journalDayBody([b, a])).toBe(body);
    const lines = body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => l.entryId)).toEqual(['inv_b:issued', 'inv_a:issued']);
    expect(lines[0]).toEqual({
      entryId: 'inv_b:issued',
      at: '2026-12-01T01:00:00.000Z',
      kind: 'invoice-issued',
      ministry: 'AFSA',
      invoiceId: 'inv_b',
      lines: [
        { account: 'receivable:inv_b', debit: '5000000', credit: '0' },
        { account: 'revenue:AFSA:AFSA-APP', debit: '0', credit: '5000000' },
      ],
    });
    expect(journalDayBody([])).toBe('');
  });
});

describe('signed documents are archived before they are sent', () => {
  it('archives a receipt once, under its id, with the bytes the registry receives, then delivers it', async () => {
    const { registry, archive, deps } = publishing();
    expect(await publishReceipt({ receiptId: ID }, deps)).toEqual({ result: 'delivered' });
    const object = archive.objects.get(`receipts/${ID}.json`);
    expect(object?.contentType).toBe('application/json');
    expect(object?.bytes.toString('utf8')).toBe(registry.deliveries[0]?.body);
    expect(archive.puts).toEqual([{ key: `receipts/${ID}.json`, outcome: 'written' }]);
  });

  it('finds a retried document already archived (the same bytes) and delivers it; nothing is written twice', async () => {
    const { registry, archive, deps } = publishing();
    registry.script.push({ outcome: 'retry', status: 503, error: 'registry answered HTTP 503' });
    expect(await publishReceipt({ receiptId: ID }, deps)).toMatchObject({ result: 'retry' });
    expect(await publishReceipt({ receiptId: ID }, deps)).toEqual({ result: 'delivered' });
    expect(archive.puts.map((p) => p.outcome)).toEqual(['written', 'already-archived']);
    expect(archive.objects.size).toBe(1);
    expect(registry.deliveries).toHaveLength(2);
  });

  it('sends nothing while the archive cannot be written: the message is retried', async () => {
    const { registry, archive, deps } = publishing();
    archive.failures.push(new Error('S3 unavailable'));
    await expect(publishReceipt({ receiptId: ID }, deps)).rejects.toThrow('S3 unavailable');
    expect(registry.deliveries).toEqual([]);
    expect(await publishReceipt({ receiptId: ID }, deps)).toEqual({ result: 'delivered' });
  });

  it('fails closed on a key holding other bytes: nothing overwritten, nothing sent, counted and logged', async () => {
    const { registry, archive, receipts, deps } = publishing();
    const other = Buffer.from(JSON.stringify({ ...aReceipt(ID), hash: '0x02' }));
    await archive.putOnce(`receipts/${ID}.json`, other, 'application/json');
    const alarms = watchAlarms();
    await expect(publishReceipt({ receiptId: ID }, deps)).rejects.toBeInstanceOf(ArchiveMismatchError);
    expect(archive.objects.get(`receipts/${ID}.json`)?.bytes.equals(other)).toBe(true);
    expect(registry.deliveries).toEqual([]);
    expect((await receipts.get(ID))?.deliveryState).toBe('pending');
    expect(alarms.counted('ArchiveMismatches')).toBe(1);
    expect(alarms.errors).toHaveBeenCalledWith(
      'archive holds another document under this key',
      expect.objectContaining({ key: `receipts/${ID}.json`, kind: 'receipt' }),
    );
  });

  it('archives an annulment under annulments/', async () => {
    const id = 'ann_AAAAAAAAAAAAAAAAAAAAAA.1';
    const annulment = { ...aReceipt(id), kind: 'annulment' as const, annuls: ID, reason: 'gone' };
    const { registry, archive, deps } = publishing(annulment);
    expect(await publishReceipt({ receiptId: id }, deps)).toEqual({ result: 'delivered' });
    expect(archive.text(`annulments/${id}.json`)).toBe(registry.deliveries[0]?.body);
  });

  it("archives a refund's receipt under refund-receipts/ before it is sent, and fails closed on other bytes", async () => {
    const { refundId, receiptId, deliveries, registry } = await aCompletedRefund();
    const archive = new MemoryWriteOnceArchive();
    const deps = { deliveries, registry, archive, now: () => NOW };
    expect(await publishRefundReceipt(refundId, deps)).toEqual({ result: 'delivered' });
    expect(archive.text(`refund-receipts/${receiptId}.json`)).toBe(registry.deliveries[0]?.body);

    const other = await aCompletedRefund();
    await archive.putOnce(`refund-receipts/${other.receiptId}.json`, Buffer.from('{}'), 'application/json');
    watchAlarms();
    const run = publishRefundReceipt(other.refundId, { ...deps, deliveries: other.deliveries });
    await expect(run).rejects.toBeInstanceOf(ArchiveMismatchError);
    expect(registry.deliveries).toHaveLength(1);
  });
});

describe('the journal is archived by closed Kazakhstan day', () => {
  // 10:00 Astana on 3 December: 1 and 2 December are closed, 3 December is not.
  const AT = new Date('2026-12-03T05:00:00.000Z');

  function journaling(entries: JournalEntry[], checkpoint?: string) {
    const journal = new MemoryJournalArchiveStore();
    journal.entries.push(...entries);
    journal.checkpoint = checkpoint;
    const archive = new MemoryWriteOnceArchive();
    return { journal, archive, deps: { journal, archive, now: () => AT } };
  }

  it('writes each closed day after the checkpoint once, with the entries of that Astana day only', async () => {
    const entries = [
      issued('inv_a', '2026-11-30T18:59:59.999Z'), // 30 November, Astana
      issued('inv_b', '2026-11-30T19:00:00.000Z'), // 1 December, Astana (00:00)
      issued('inv_c', '2026-12-01T18:59:59.999Z'), // 1 December, Astana (23:59)
      final('tx_1', 'inv_c', '2026-12-02T10:00:00.000Z'), // 2 December
      issued('inv_d', '2026-12-02T19:30:00.000Z'), // 3 December: not closed
    ];
    const { journal, archive, deps } = journaling(entries, '2026-11-30');
    const result = await archiveJournal(deps);
    expect(result).toEqual({
      written: ['2026-12-01', '2026-12-02'],
      alreadyArchived: [],
      lastArchivedDay: '2026-12-02',
    });
    expect(archive.text('journal/2026/12/01.jsonl')).toBe(journalDayBody([entries[1], entries[2]] as JournalEntry[]));
    expect(archive.text('journal/2026/12/02.jsonl')).toBe(journalDayBody([entries[3]] as JournalEntry[]));
    expect(archive.objects.get('journal/2026/12/01.jsonl')?.contentType).toBe('application/x-ndjson');
    expect(journal.checkpoint).toBe('2026-12-02');
    // Nothing more until a day closes.
    expect(await archiveJournal(deps)).toMatchObject({ written: [], alreadyArchived: [] });
    expect(archive.puts).toHaveLength(2);
  });

  it('starts at the last closed day without a checkpoint (or the configured first day), empty days included', async () => {
    const first = journaling([]);
    expect((await archiveJournal(first.deps)).written).toEqual(['2026-12-02']);
    expect(first.archive.text('journal/2026/12/02.jsonl')).toBe('');
    const configured = journaling([]);
    expect((await archiveJournal({ ...configured.deps, firstDay: '2026-11-29' })).written).toEqual([
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
    ]);
  });

  it('catches up missed days, at most maxDaysPerRun a run, oldest first', async () => {
    const { journal, deps } = journaling([], '2026-11-20');
    expect((await archiveJournal({ ...deps, maxDaysPerRun: 5 })).written).toEqual([
      '2026-11-21',
      '2026-11-22',
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
    ]);
    expect(journal.checkpoint).toBe('2026-11-25');
    expect((await archiveJournal(deps)).written).toHaveLength(7);
    expect(journal.checkpoint).toBe('2026-12-02');
  });

  it('repeated after a crash between the write and the checkpoint, finds the day archived and moves on', async () => {
    const entries = [issued('inv_a', '2026-12-02T01:00:00.000Z')];
    const { journal, archive, deps } = journaling(entries, '2026-12-01');
    // The same store, but the process dies as it moves the checkpoint.
    const crashing = Object.assign(Object.create(journal), { markArchived: () => Promise.reject(new Error('crash')) });
    await expect(archiveJournal({ ...deps, journal: crashing })).rejects.toThrow('crash');
    expect(journal.checkpoint).toBe('2026-12-01');
    expect(await archiveJournal(deps)).toEqual({
      written: [],
      alreadyArchived: ['2026-12-02'],
      lastArchivedDay: '2026-12-02',
    });
    expect(archive.objects.size).toBe(1);
  });

  it('stops at a day archived with other entries: nothing overwritten, checkpoint kept, counted and logged', async () => {
    const entries = [issued('inv_a', '2026-12-01T01:00:00.000Z'), issued('inv_b', '2026-12-02T01:00:00.000Z')];
    const { journal, archive, deps } = journaling(entries, '2026-11-30');
    await archive.putOnce('journal/2026/12/02.jsonl', Buffer.from(''), 'application/x-ndjson');
    const alarms = watchAlarms();
    await expect(archiveJournal(deps)).rejects.toBeInstanceOf(ArchiveMismatchError);
    // The day before is archived and its checkpoint kept; the mismatching day stays as it was.
    expect(journal.checkpoint).toBe('2026-12-01');
    expect(archive.text('journal/2026/12/02.jsonl')).toBe('');
    expect(alarms.counted('ArchiveMismatches')).toBe(1);
    expect(alarms.errors).toHaveBeenCalledWith(
      expect.stringContaining('journal day archived with other entries'),
      expect.objectContaining({ day: '2026-12-02', key: 'journal/2026/12/02.jsonl' }),
    );
  });

  it('stops when another run moved the checkpoint first', async () => {
    const { journal, deps } = journaling([], '2026-11-29');
    journal.raceNextMark = true;
    expect((await archiveJournal(deps)).written).toEqual(['2026-11-30']);
    expect(journal.checkpoint).toBe('2026-11-30');
  });
});

function issued(id: string, at: string): JournalEntry {
  return invoiceIssuedEntry({ id, ministry: 'AFSA', feeCode: 'AFSA-APP', dueMicroUsd: 5_000_000n, at });
}

function final(transferId: string, invoiceId: string, at: string): JournalEntry {
  return transferFinalEntry({
    transferId,
    chainId: 1,
    token: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
    microUsd: 5_000_000n,
    at,
    matched: { invoiceId, ministry: 'AFSA', stillOwedMicroUsd: 5_000_000n },
  });
}

/** A completed refund with its signed receipt stored, ready to publish. */
async function aCompletedRefund() {
  const suffix = hexlify(randomBytes(11)).slice(2).toUpperCase();
  const refund: Refund = {
    id: `rfd_${suffix}`,
    source: { kind: 'invoice', invoiceId: 'inv_x' },
    ministry: 'AFSA',
    chainId: 31337,
    token: Wallet.createRandom().address,
    decimals: 6,
    to: Wallet.createRandom().address,
    amount: 5n,
    reason: 'overpaid',
    state: 'completed',
    requestedBy: 'alice',
    requestedAt: '2026-03-10T08:00:00.000Z',
    approvedBy: 'bob',
    completedAt: '2026-03-10T08:09:00.000Z',
    txHash: `0x${'d'.repeat(64)}`,
    logIndex: 0,
    blockNumber: 9,
    receiptId: `rrc_${suffix}`,
    version: 5,
  };
  const store = new MemoryRefundStore();
  const receipt = await buildRefundReceipt(refund, new LocalKeySigner(hexlify(randomBytes(32))));
  store.receipts.set(receipt.receiptId, receipt);
  return {
    refundId: refund.id,
    receiptId: receipt.receiptId,
    deliveries: new MemoryRefundReceiptDeliveries(store),
    registry: new MemoryRegistry(),
  };
}
