/**
 * The write-once archive against moto: the archive bucket is provisioned as the stack makes it (Object Lock,
 * compliance mode); the S3 adapter (shared/adapters/aws/s3-archive.ts) writes a key once with a conditional put,
 * takes a retry of the same bytes as success and never overwrites other bytes; the journal archiver reads a
 * Kazakhstan day's entries from the table across a month boundary (shared/adapters/dynamo/journal-archive.ts) and
 * writes them as one object, once.
 */
import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { archiveJournal } from '../../shared/app/archive-journal';
import { type PublishDeps, publishReceipt } from '../../shared/app/publish-receipt';
import { journalDayBody } from '../../shared/domain/archive';
import { invoiceIssuedEntry, type JournalEntry } from '../../shared/domain/journal';
import { buckets } from '../../shared/resources';
import { useMoto } from '../helpers/moto';
import { aReceipt, MemoryReceiptDeliveries } from '../support/memory-receipts';
import { MemoryRegistry } from '../support/memory-registry';

await useMoto();
const { s3 } = await import('../../shared/adapters/aws/s3');
const { ddb } = await import('../../shared/adapters/aws/dynamodb');
const { s3WriteOnceArchive } = await import('../../shared/adapters/aws/s3-archive');
const { bucketName, tableName } = await import('../../shared/adapters/config');
const { commit } = await import('../../shared/adapters/dynamo/transact');
const { putJournalEntry } = await import('../../shared/adapters/dynamo/journal');
const { dynamoJournalArchiveStore, journalArchiveCheckpointKey } = await import(
  '../../shared/adapters/dynamo/journal-archive'
);

const Bucket = bucketName('archive');
const archive = s3WriteOnceArchive(s3, Bucket);

async function objectText(Key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket, Key }));
  return (await object.Body?.transformToString('utf8')) ?? '';
}

describe('the archive bucket, locally', () => {
  it('is provisioned write-once: Object Lock in compliance mode with the topology retention', async () => {
    const { ObjectLockConfiguration } = await s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
    expect(ObjectLockConfiguration).toMatchObject({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: buckets.archive.lockDays } },
    });
  });

  it('writes a key once, finds a retry of the same bytes archived, and never overwrites other bytes', async () => {
    const key = 'receipts/rcp_INTEGRATIONINTEGRATION01.json';
    const bytes = Buffer.from('{"receiptId":"rcp_INTEGRATIONINTEGRATION01"}');
    expect(await archive.putOnce(key, bytes, 'application/json')).toBe('written');
    expect(await archive.putOnce(key, Buffer.from(bytes), 'application/json')).toBe('already-archived');
    expect(await archive.putOnce(key, Buffer.from('{"receiptId":"forged"}'), 'application/json')).toBe(
      'different-body',
    );
    expect(await objectText(key)).toBe(bytes.toString('utf8'));
    // One version only, locked in compliance mode by the bucket's default retention.
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: key }));
    expect(versions.Versions).toHaveLength(1);
    // What an auditor reads (docs/operations.md): the lock and the SHA-256 S3 checked and kept.
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: key, ChecksumMode: 'ENABLED' }));
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBeGreaterThan(Date.now() + 7 * 365 * 86_400_000);
    expect(head.ChecksumSHA256).toBe(createHash('sha256').update(bytes).digest('base64'));
    // The locked version cannot be deleted, not even by a caller allowed to (moto has no bucket policy to refuse it).
    const versionId = versions.Versions?.[0]?.VersionId;
    await expect(s3.send(new DeleteObjectCommand({ Bucket, Key: key, VersionId: versionId }))).rejects.toThrow();
    expect(await objectText(key)).toBe(bytes.toString('utf8'));
  });

  it('lets a plain put lose nothing: the conditional put of the adapter is what keeps one version per key', async () => {
    // What the bucket policy refuses in the cloud (a put without If-None-Match) adds a version locally; the locked
    // first version is still there, which is why the cloud denies such puts outright.
    const key = 'receipts/rcp_INTEGRATIONINTEGRATION02.json';
    await archive.putOnce(key, Buffer.from('first'), 'application/json');
    await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: 'second', ChecksumAlgorithm: 'SHA256' }));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: key }));
    expect(versions.Versions).toHaveLength(2);
  });

  it('archives a published receipt with exactly the bytes its registry received', async () => {
    const id = 'rcp_INTEGRATIONINTEGRATION03';
    const registry = new MemoryRegistry();
    const deps: PublishDeps = {
      receipts: new MemoryReceiptDeliveries().seed(aReceipt(id)),
      registry,
      archive,
      now: () => new Date(),
      lastTry: false,
      trustedSigners: new Set(),
    };
    expect(await publishReceipt({ receiptId: id }, deps)).toEqual({ result: 'delivered' });
    expect(await objectText(`receipts/${id}.json`)).toBe(registry.deliveries[0]?.body);
  });
});

describe('the journal archiver on the table', () => {
  const issued = (id: string, at: string): JournalEntry =>
    invoiceIssuedEntry({ id, ministry: 'AFSA', feeCode: 'AFSA-APP', dueMicroUsd: 7_000_000n, at });

  it("writes a Kazakhstan day's entries, read across the UTC month boundary, once; the checkpoint follows", async () => {
    // 1 December in Astana runs from 19:00 UTC on 30 November (the November partition) to 19:00 UTC on 1 December.
    const entries = [
      issued('inv_arch_before', '2026-11-30T18:59:59.999Z'),
      issued('inv_arch_first', '2026-11-30T19:00:00.000Z'),
      issued('inv_arch_second', '2026-12-01T08:00:00.000Z'),
      issued('inv_arch_last', '2026-12-01T18:59:59.999Z'),
      issued('inv_arch_after', '2026-12-01T19:00:00.000Z'),
    ];
    await commit(entries.map(putJournalEntry));
    const deps = {
      archive,
      journal: dynamoJournalArchiveStore,
      // 01:00 Astana on 2 December: 1 December closed an hour ago.
      now: () => new Date('2026-12-01T20:00:00.000Z'),
      firstDay: '2026-12-01',
    };
    expect(await archiveJournal(deps)).toEqual({
      written: ['2026-12-01'],
      alreadyArchived: [],
      lastArchivedDay: '2026-12-01',
    });
    const body = await objectText('journal/2026/12/01.jsonl');
    expect(body).toBe(journalDayBody(entries.slice(1, 4)));
    const checkpoint = await ddb.send(new GetCommand({ TableName: tableName(), Key: journalArchiveCheckpointKey }));
    expect(checkpoint.Item?.day).toBe('2026-12-01');
    // Nothing more to do: the next day is not closed.
    expect(await archiveJournal(deps)).toMatchObject({ written: [], alreadyArchived: [] });
  });
});
