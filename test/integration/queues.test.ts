/**
 * The service's queues on moto: sendMessages (shared/adapters/queue.ts) gives each message of a FIFO queue the group
 * and deduplication id the caller derives from its body, refuses options that do not fit the queue's kind, and keeps
 * sending standard queues as before; replaying a FIFO dead-letter queue (shared/app/replay-dead-letters.ts over
 * shared/adapters/aws/sqs-dead-letters.ts) puts each message back in its own group, in order.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { useMoto } from '../helpers/moto';

const resources = await useMoto();
const { sqs } = await import('../../shared/adapters/aws/sqs');
const { sendMessages } = await import('../../shared/adapters/queue');
const { sqsDeadLetters } = await import('../../shared/adapters/aws/sqs-dead-letters');
const { replayDeadLetters } = await import('../../shared/app/replay-dead-letters');

interface Final {
  ministry: string;
  transferId: string;
}

/** Receives and deletes everything visible in `queueUrl` (a FIFO group shows its next messages once these are gone). */
async function drain(queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (!Messages.length) return all;
    all.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

const finals = (count: number, tag: string): Final[] =>
  Array.from({ length: count }, (_, i) => ({ ministry: i % 3 === 0 ? 'MINFIN' : 'AFSA', transferId: `${tag}-${i}` }));

const byMinistry = { groupId: (f: Final) => f.ministry, deduplicationId: (f: Final) => `final-${f.transferId}` };

describe('sendMessages', () => {
  it('sends each message of a FIFO queue in its group under its deduplication id, over several batches', async () => {
    const sent = finals(13, 'a');
    await sendMessages('finals', sent, byMinistry);
    const received = await drain(resources.queueUrls.finals);
    expect(received.map((m) => JSON.parse(m.Body ?? ''))).toHaveLength(13);
    for (const m of received) {
      const body = JSON.parse(m.Body ?? '') as Final;
      expect(m.Attributes).toMatchObject({
        MessageGroupId: body.ministry,
        MessageDeduplicationId: `final-${body.transferId}`,
      });
    }
    // Each group in the order sent.
    for (const ministry of ['AFSA', 'MINFIN']) {
      expect(received.map((m) => JSON.parse(m.Body ?? '') as Final).filter((f) => f.ministry === ministry)).toEqual(
        sent.filter((f) => f.ministry === ministry),
      );
    }
  });

  it('enqueues a FIFO message once when it is sent again under the same deduplication id', async () => {
    const [first] = finals(1, 'b') as [Final];
    await sendMessages('finals', [first], byMinistry);
    await sendMessages('finals', [first, { ...first, transferId: 'b-other' }], byMinistry);
    expect((await drain(resources.queueUrls.finals)).map((m) => JSON.parse(m.Body ?? ''))).toEqual([
      first,
      { ...first, transferId: 'b-other' },
    ]);
  });

  it('refuses options that do not fit the queue: FIFO without ids or with a delay, standard with ids', async () => {
    const send = sendMessages as (queue: string, bodies: unknown[], options?: unknown) => Promise<void>;
    await expect(send('finals', [{}])).rejects.toThrow(/FIFO/);
    await expect(send('finals', [{}], { groupId: () => 'g' })).rejects.toThrow(/FIFO/);
    await expect(send('finals', [{}], { ...byMinistry, delaySeconds: 5 })).rejects.toThrow(/cannot be delayed/);
    await expect(send('outbox', [{}], byMinistry)).rejects.toThrow(/not FIFO/);
    expect(await drain(resources.queueUrls.finals)).toEqual([]);
  });

  it('still sends a standard queue, with or without a delay', async () => {
    await sendMessages('outbox', [{ n: 1 }]);
    await sendMessages('outbox', [{ n: 2 }], { delaySeconds: 0 });
    await sendMessages('outbox', [{ n: 3 }], 0);
    const received = await drain(resources.queueUrls.outbox);
    expect(received.map((m) => JSON.parse(m.Body ?? '')).sort((a, b) => a.n - b.n)).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
    expect(received.every((m) => m.Attributes?.MessageGroupId === undefined)).toBe(true);
  });
});

describe('replaying a FIFO dead-letter queue', () => {
  it('puts each dead letter back in its own message group, in order, under a fresh deduplication id', async () => {
    // Parked as the redrive policy parks them: with the group and deduplication id they were first sent with.
    const parked = finals(12, 'c');
    for (let i = 0; i < parked.length; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: resources.dlqUrls.finals,
          Entries: parked.slice(i, i + 10).map((f, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(f),
            MessageGroupId: f.ministry,
            MessageDeduplicationId: `final-${f.transferId}`,
          })),
        }),
      );
    }
    // SQS would drop a replay under the ids first sent (still inside the five-minute window) while the replay deletes
    // the dead letter; moto forgets ids once deleted, so the fresh id is checked as such.
    expect(await replayDeadLetters('finals', { deadLetters: sqsDeadLetters, operator: 'op-1' })).toEqual({
      queue: 'finals',
      moved: 12,
    });
    const replayed = await drain(resources.queueUrls.finals);
    expect(replayed).toHaveLength(12);
    for (const m of replayed) {
      const body = JSON.parse(m.Body ?? '') as Final;
      expect(m.Attributes?.MessageGroupId).toBe(body.ministry);
      expect(m.Attributes?.MessageDeduplicationId).toMatch(/^replay-[0-9a-f-]{36}$/);
    }
    for (const ministry of ['AFSA', 'MINFIN']) {
      expect(replayed.map((m) => JSON.parse(m.Body ?? '') as Final).filter((f) => f.ministry === ministry)).toEqual(
        parked.filter((f) => f.ministry === ministry),
      );
    }
    expect(await drain(resources.dlqUrls.finals)).toEqual([]);
  });
});
