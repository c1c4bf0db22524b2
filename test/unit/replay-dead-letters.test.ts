/** Replaying dead letters against an in-memory queue pair: send before delete, stop on a partial send, bounded calls. */
import { describe, expect, it } from 'vitest';
import { MAX_PER_CALL, replayDeadLetters } from '../../shared/app/replay-dead-letters';
import { REPLAYED_ATTRIBUTE } from '../../shared/resources';
import { MemoryDeadLetters } from '../support/memory-dead-letters';

const bodies = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const REPLAYED_AT = new Date('2026-12-01T22:00:00.000Z');
const replay = (deadLetters: MemoryDeadLetters, maxPerCall?: number) =>
  replayDeadLetters('outbox', { deadLetters, operator: 'op-1', maxPerCall, now: () => REPLAYED_AT });
const replayed = { [REPLAYED_ATTRIBUTE]: { dataType: 'String', stringValue: REPLAYED_AT.toISOString() } };

describe('replayDeadLetters', () => {
  it('moves every parked message back to its queue, bodies and attributes as they were, marked as replayed', async () => {
    const dl = new MemoryDeadLetters().park('outbox', ...bodies(23)).park('exports', 'other');
    const parked = dl.parked.get('outbox')?.[0];
    if (parked) parked.attributes = { trace: { dataType: 'String', stringValue: 't-1' } };
    expect(await replay(dl)).toEqual({ queue: 'outbox', moved: 23 });
    expect(dl.delivered.get('outbox')?.map((l) => l.body)).toEqual(bodies(23));
    expect(dl.delivered.get('outbox')?.[0]?.attributes).toEqual({
      trace: { dataType: 'String', stringValue: 't-1' },
      ...replayed,
    });
    // A replayed message is a fresh SQS message: the mark tells its consumer it may follow a run that crashed.
    expect(dl.delivered.get('outbox')?.[1]?.attributes).toEqual(replayed);
    expect(dl.parked.get('outbox')).toEqual([]);
    expect(dl.parked.get('exports')).toHaveLength(1);
  });

  it("sends a FIFO queue's letters back with their message group and deduplication id", async () => {
    const dl = new MemoryDeadLetters().park('finals', 'f0', 'f1');
    for (const [i, letter] of (dl.parked.get('finals') ?? []).entries()) {
      letter.fifo = { groupId: i ? 'MINFIN' : 'AFSA', deduplicationId: `replay-${i}` };
    }
    expect(await replayDeadLetters('finals', { deadLetters: dl, operator: 'op-1' })).toEqual({
      queue: 'finals',
      moved: 2,
    });
    expect(dl.delivered.get('finals')?.map((l) => [l.body, l.fifo])).toEqual([
      ['f0', { groupId: 'AFSA', deduplicationId: 'replay-0' }],
      ['f1', { groupId: 'MINFIN', deduplicationId: 'replay-1' }],
    ]);
  });

  it('sends each batch before deleting it, and deletes only what was sent', async () => {
    const dl = new MemoryDeadLetters().park('outbox', ...bodies(12));
    await replay(dl);
    expect(dl.log.map((s) => `${s.op}:${s.bodies.length}`)).toEqual([
      'receive:10',
      'send:10',
      'delete:10',
      'receive:2',
      'send:2',
      'delete:2',
      'receive:0',
    ]);
  });

  it('stops at a batch the queue took only in part; the rest stay parked and show again later', async () => {
    const dl = new MemoryDeadLetters().park('outbox', ...bodies(25));
    dl.accept = (l) => l.body !== 'm13';
    expect(await replay(dl)).toEqual({ queue: 'outbox', moved: 19 });
    expect(dl.log.filter((s) => s.op === 'delete').flatMap((s) => s.bodies)).not.toContain('m13');
    expect(dl.parked.get('outbox')?.map((l) => l.body)).toEqual(['m13', 'm20', 'm21', 'm22', 'm23', 'm24']);
    dl.accept = () => true;
    expect((await replay(dl)).moved).toBe(5); // m13 is still hidden from the first call's receive
    dl.expireVisibility();
    expect((await replay(dl)).moved).toBe(1);
    expect(dl.parked.get('outbox')).toEqual([]);
  });

  it(`moves at most ${MAX_PER_CALL} messages per call`, async () => {
    const dl = new MemoryDeadLetters().park('outbox', ...bodies(MAX_PER_CALL + 15));
    expect(await replay(dl)).toEqual({ queue: 'outbox', moved: MAX_PER_CALL });
    expect(dl.parked.get('outbox')).toHaveLength(15);
    expect(await replay(dl, 7)).toEqual({ queue: 'outbox', moved: 7 });
    expect(dl.log.at(-3)).toMatchObject({ op: 'receive', bodies: bodies(7).map((_, i) => `m${MAX_PER_CALL + i}`) });
  });

  it('moves nothing from an empty dead-letter queue', async () => {
    const dl = new MemoryDeadLetters();
    expect(await replay(dl)).toEqual({ queue: 'outbox', moved: 0 });
    expect(dl.log).toEqual([{ op: 'receive', queue: 'outbox', bodies: [] }]);
  });
});
