/**
 * In-memory DeadLetters (shared/ports.ts): per queue, the parked messages and the queue itself. A received letter is
 * hidden until deleted (as SQS hides it for the visibility timeout); the queue can be told to refuse sends.
 */
import type { DeadLetter, DeadLetters } from '../../shared/ports';
import type { QueueName } from '../../shared/resources';

type Step = { op: 'receive' | 'send' | 'delete'; queue: QueueName; bodies: string[] };

export class MemoryDeadLetters implements DeadLetters {
  /** Parked messages per queue, oldest first. */
  readonly parked = new Map<QueueName, DeadLetter[]>();
  /** What reached each queue itself. */
  readonly delivered = new Map<QueueName, DeadLetter[]>();
  /** Every call, in order. */
  readonly log: Step[] = [];
  /** Decides which letters a send accepts; all by default. */
  accept: (letter: DeadLetter) => boolean = () => true;
  private readonly hidden = new Set<string>();
  private handles = 0;

  /** Parks messages with these bodies in `queue`'s dead-letter queue. */
  park(queue: QueueName, ...bodies: string[]): this {
    const letters = bodies.map((body) => ({ body, handle: `h${this.handles++}` }));
    this.parked.set(queue, [...(this.parked.get(queue) ?? []), ...letters]);
    return this;
  }

  async receive(queue: QueueName, max: number): Promise<DeadLetter[]> {
    const visible = (this.parked.get(queue) ?? []).filter((l) => !this.hidden.has(l.handle));
    const received = visible.slice(0, Math.min(10, max));
    for (const letter of received) this.hidden.add(letter.handle);
    this.log.push({ op: 'receive', queue, bodies: received.map((l) => l.body) });
    return received.map((l) => ({ ...l }));
  }

  async sendToSource(queue: QueueName, letters: readonly DeadLetter[]): Promise<DeadLetter[]> {
    const accepted = letters.filter((l) => this.accept(l));
    this.delivered.set(queue, [...(this.delivered.get(queue) ?? []), ...accepted]);
    this.log.push({ op: 'send', queue, bodies: accepted.map((l) => l.body) });
    return accepted;
  }

  async delete(queue: QueueName, letters: readonly DeadLetter[]): Promise<void> {
    const handles = new Set(letters.map((l) => l.handle));
    this.parked.set(
      queue,
      (this.parked.get(queue) ?? []).filter((l) => !handles.has(l.handle)),
    );
    this.log.push({ op: 'delete', queue, bodies: letters.map((l) => l.body) });
  }

  /** The visibility timeout passes: received but undeleted letters show again. */
  expireVisibility(): void {
    this.hidden.clear();
  }
}
