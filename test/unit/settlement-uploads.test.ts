import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { uploadBankStatement, uploadSettlementReport } from '../../shared/app/settlements';
import {
  ConflictError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../shared/domain/errors';
import { MemoryArchive, MemorySettlementStore } from '../support/memory-settlements';
import { CHAIN, TOKEN } from '../support/reconcile-fixtures';

const HEADER =
  'batchId,chainId,token,txHash,tokenAmount,fiatCurrency,fiatAmount,rate,feeAmount,valueDate,bankReference,kbk';
const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const report = (batchId: string, fiat = '1481500.00', fee = '5000') =>
  Buffer.from(`${HEADER}\n${batchId},31337,${TOKEN},${tx(1)},3000,KZT,${fiat},495.5,${fee},2026-11-30,R1,108125\n`);

function setup() {
  const store = new MemorySettlementStore();
  const archive = new MemoryArchive();
  const deps = { store, archive, chains: [CHAIN], now: () => new Date('2026-12-01T05:00:00Z') };
  return { store, archive, deps };
}

const csv = (bytes: Buffer) => ({ bytes, contentType: 'text/csv; charset=utf-8', uploadedBy: 'op-1' });

describe('uploading a settlement report', () => {
  it('stores the batch once, its lines, and the bytes as received under their SHA-256', async () => {
    const { store, archive, deps } = setup();
    const bytes = report('B1');
    const first = await uploadSettlementReport(csv(bytes), deps);
    expect(first.created).toBe(true);
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(first.batch).toMatchObject({ batchId: 'B1', sha256: sha, lines: 1, uploadedBy: 'op-1' });
    expect(archive.objects.get(`settlements/B1/${sha}.csv`)?.bytes.equals(bytes)).toBe(true);
    expect(await store.linesBetween('2026-11-01', '2026-11-30')).toHaveLength(1);

    const again = await uploadSettlementReport(csv(bytes), deps);
    expect(again).toMatchObject({ created: false, batch: first.batch });
    expect(await store.linesBetween('2026-11-01', '2026-11-30')).toHaveLength(1);
  });

  it('refuses another file under a stored batch id (409), storing nothing of it', async () => {
    const { store, archive, deps } = setup();
    await uploadSettlementReport(csv(report('B1')), deps);
    await expect(uploadSettlementReport(csv(report('B1', '1481000.00', '5500')), deps)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(archive.objects.size).toBe(1);
    expect(store.batches.get('B1')?.lines[0]?.feeAmount).toBe(500_000n);
  });

  it('stores nothing for a bad report, a wrong media type or an oversized one', async () => {
    const { store, archive, deps } = setup();
    await expect(uploadSettlementReport(csv(report('B1', '-1')), deps)).rejects.toBeInstanceOf(ValidationError);
    await expect(
      uploadSettlementReport({ ...csv(report('B1')), contentType: 'application/json' }, deps),
    ).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
    await expect(
      uploadSettlementReport(csv(Buffer.concat([report('B1'), Buffer.alloc(5 * 1024 * 1024, 0x0a)])), deps),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(store.batches.size).toBe(0);
    expect(archive.objects.size).toBe(0);
  });
});

describe('uploading a bank statement', () => {
  const xml = (bytes: Buffer) => ({ bytes, contentType: 'application/xml', uploadedBy: 'op-1' });

  it('stores a statement once per message id; other bytes under it are a conflict', async () => {
    const { store, archive, deps } = setup();
    const bytes = readFileSync('events/settlements/camt053-v08-treasury.xml');
    const first = await uploadBankStatement(xml(bytes), deps);
    expect(first).toMatchObject({ created: true, statement: { messageId: 'STMT-20261130-0001', entries: 2 } });
    expect((await uploadBankStatement(xml(bytes), deps)).created).toBe(false);
    const edited = Buffer.from(bytes.toString('utf8').replace('1481500.00', '1481499.00'));
    await expect(uploadBankStatement(xml(edited), deps)).rejects.toBeInstanceOf(ConflictError);
    expect(await store.entriesBetween('2026-11-30', '2026-11-30')).toHaveLength(2);
    expect(archive.objects.size).toBe(1);
  });

  it('stores nothing for a bomb or malformed XML', async () => {
    const { store, archive, deps } = setup();
    const bomb = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]><Document>&a;</Document>';
    await expect(uploadBankStatement(xml(Buffer.from(bomb)), deps)).rejects.toBeInstanceOf(ValidationError);
    await expect(uploadBankStatement(xml(Buffer.from('<Document>')), deps)).rejects.toBeInstanceOf(ValidationError);
    expect(store.statements.size + archive.objects.size).toBe(0);
  });
});
