/**
 * The settlement store and the uploads archive against moto (shared/adapters/dynamo/settlements.ts,
 * shared/adapters/aws/s3-objects.ts): a report's lines are read by value date across months only once its batch is
 * stored; the lines of an upload that lost the race for its batch id are never read; a statement likewise; the
 * uploaded bytes are kept as received.
 */
import { readFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { parseCamt053 } from '../../shared/domain/bank-statements';
import type { SettlementBatch, SettlementLine } from '../../shared/domain/settlements';
import { useMoto } from '../helpers/moto';

await useMoto();
const { dynamoSettlementStore: store } = await import('../../shared/adapters/dynamo/settlements');
const { s3 } = await import('../../shared/adapters/aws/s3');
const { s3UploadArchive } = await import('../../shared/adapters/aws/s3-objects');
const { bucketName } = await import('../../shared/adapters/config');

const line = (batchId: string, n: number, valueDate: string): SettlementLine => ({
  batchId,
  line: n,
  chainId: 31337,
  token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  txHash: `0x${n.toString(16).padStart(64, '0')}`,
  tokenAmount: 3_000_000_000n,
  tokenDecimals: 6,
  fiatCurrency: 'KZT',
  fiatAmount: 148_150_000n,
  rate: '495.5',
  feeAmount: 500_000n,
  valueDate,
  bankReference: `REF-${n}`,
  ...(n % 2 ? { kbk: '108125' } : {}),
});
const batch = (batchId: string, sha256: string, lines: number): SettlementBatch => ({
  batchId,
  sha256,
  bytes: 10,
  lines,
  objectKey: `settlements/${batchId}/${sha256}.csv`,
  uploadedAt: '2026-12-01T00:00:00.000Z',
  uploadedBy: 'op',
});

describe('settlement store', () => {
  it('stores a batch once and reads its lines by value date, across months', async () => {
    const lines = [line('B1', 2, '2026-10-31'), line('B1', 3, '2026-11-01'), line('B1', 4, '2026-12-01')];
    for (let n = 5; n < 60; n++) lines.push(line('B1', n, '2026-11-15'));
    expect(await store.saveBatch(batch('B1', 'a'.repeat(64), lines.length), lines)).toBe(true);
    expect(await store.batch('B1')).toEqual(batch('B1', 'a'.repeat(64), lines.length));
    const november = await store.linesBetween('2026-11-01', '2026-11-30');
    expect(november).toHaveLength(56);
    expect(november).toContainEqual(line('B1', 3, '2026-11-01'));
    expect(await store.linesBetween('2026-10-31', '2026-12-01')).toHaveLength(58);
    // Another upload under the same id loses: its lines are written but never read.
    expect(await store.saveBatch(batch('B1', 'b'.repeat(64), 1), [line('B1', 2, '2026-11-02')])).toBe(false);
    expect(await store.linesBetween('2026-11-02', '2026-11-02')).toEqual([]);
    expect((await store.batch('B1'))?.sha256).toBe('a'.repeat(64));
  });

  it('reads nothing of a batch whose header was never written (a crash between lines and header)', async () => {
    const { settlementKeys } = await import('../../shared/adapters/dynamo/settlements');
    expect(settlementKeys.batch('B2').pk).toBe('SETTLEMENT_BATCH#B2');
    expect(await store.linesBetween('2026-09-01', '2026-09-30')).toEqual([]);
  });

  it('stores a statement once and reads its entries', async () => {
    const bytes = readFileSync('events/settlements/camt053-v08-treasury.xml');
    const { messageId, entries } = parseCamt053(bytes);
    const upload = {
      messageId,
      sha256: 'c'.repeat(64),
      bytes: bytes.length,
      entries: 2,
      objectKey: 'k',
      uploadedAt: 'now',
      uploadedBy: 'op',
    };
    expect(await store.saveStatement(upload, entries)).toBe(true);
    expect(await store.saveStatement({ ...upload, sha256: 'd'.repeat(64) }, entries)).toBe(false);
    expect(await store.statement(messageId)).toEqual(upload);
    expect(await store.entriesBetween('2026-11-30', '2026-11-30')).toEqual(entries);
  });

  it('keeps an upload as received in the uploads bucket', async () => {
    const archive = s3UploadArchive(s3, bucketName('uploads'));
    const bytes = Buffer.from('batchId,chainId\r\nB1,1\r\n');
    await archive.put('settlements/B1/x.csv', bytes, 'text/csv');
    const got = await s3.send(new GetObjectCommand({ Bucket: bucketName('uploads'), Key: 'settlements/B1/x.csv' }));
    expect(
      Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
    ).toEqual(bytes);
    expect(got.ContentType).toBe('text/csv');
  });
});
