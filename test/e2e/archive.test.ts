/**
 * The write-once archive end to end on the local runtime (moto's archive bucket with Object Lock in compliance
 * mode): a paid invoice's receipt is in the archive with exactly the bytes the ministry's registry received, and
 * once its Kazakhstan day is closed the journal archiver (run on demand, the service clock moved past the day) has
 * written the day's object with the invoice's journal entries.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { setLocalClock } from '../../shared/adapters/clock';
import { journalDayKey, kazakhstanDayInterval, nextDay } from '../../shared/domain/archive';
import { kazakhstanDay } from '../../shared/domain/time';
import { type ApiClient, apiClient } from '../helpers/api';
import { pay, until } from '../helpers/runtime';

let runtime: LocalRuntime;
let api: ApiClient;
let afsa: string;
let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  runtime = await startLocalRuntime({ apiPort: 0, chainPort: 0, blockIntervalMs: 250, finalityDepth: 3 });
  api = apiClient(runtime.apiUrl);
  afsa = await api.token({ role: 'ministry', ministry: 'AFSA' });
  s3 = new S3Client({ endpoint: runtime.aws.endpoint, region: 'us-east-1', forcePathStyle: true });
  bucket = runtime.resources.bucketNames.archive;
});

afterAll(async () => {
  s3?.destroy();
  await runtime?.stop();
});

async function archived(key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body?.transformToString('utf8');
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

describe('the write-once archive', () => {
  it("keeps a paid invoice's receipt as the registry received it, and the journal of its day once closed", async () => {
    const issued = await api.call('POST', '/v1/invoices', {
      token: afsa,
      body: { feeCode: 'AFSA-APP-AI', payer: { bin: '940140000385', name: 'Test Firm LLP' } },
    });
    expect(issued.status).toBe(201);
    const invoice = issued.json;
    await pay(runtime, invoice.depositAddress, 500_000_000n);
    const paid = await until(
      async () => (await api.call('GET', `/v1/invoices/${invoice.id}`, { token: afsa })).json,
      (i) => i.status === 'paid' && Boolean(i.receiptId),
    );
    const receiptId = paid.receiptId as string;

    // Delivered, and archived first: the same bytes, under its id, locked.
    const received = await until(
      async () => runtime.registry.received.get(receiptId),
      (r) => r !== undefined,
    );
    expect(await archived(`receipts/${receiptId}.json`)).toBe(received?.body);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `receipts/${receiptId}.json` }));
    expect(head.ObjectLockMode).toBe('COMPLIANCE');

    // The journal: move the service clock an hour and a half past the end of the last day holding the invoice's
    // entries (its issue and its final transfer), and run the archiver from the day.
    const firstDay = kazakhstanDay(new Date(paid.createdAt));
    const lastDay = kazakhstanDay(new Date());
    process.env.ARCHIVE_JOURNAL_FIRST_DAY = firstDay;
    setLocalClock(new Date(Date.parse(kazakhstanDayInterval(lastDay).to) + 90 * 60_000));
    try {
      await runtime.schedules.get('archive-journal')?.runNow();
    } finally {
      setLocalClock(undefined);
    }
    const lines: { entryId: string; invoiceId?: string; lines: { debit: string; credit: string }[] }[] = [];
    for (let day = firstDay; day <= lastDay; day = nextDay(day)) {
      const body = await archived(journalDayKey(day));
      expect(body, day).toBeDefined();
      lines.push(
        ...(body as string)
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line)),
      );
    }
    const ofInvoice = lines.filter((entry) => entry.invoiceId === invoice.id);
    expect(ofInvoice.map((e) => e.entryId)).toContain(`${invoice.id}:issued`);
    expect(ofInvoice.some((e) => e.entryId.endsWith(':final'))).toBe(true);
    for (const entry of ofInvoice) {
      const debits = entry.lines.reduce((sum, l) => sum + BigInt(l.debit), 0n);
      const credits = entry.lines.reduce((sum, l) => sum + BigInt(l.credit), 0n);
      expect(debits, entry.entryId).toBe(credits);
    }
    // A second run writes nothing more (the next day is not closed at the real time).
    await runtime.schedules.get('archive-journal')?.runNow();
    expect(await archived(journalDayKey(nextDay(lastDay)))).toBeUndefined();
  });
});
