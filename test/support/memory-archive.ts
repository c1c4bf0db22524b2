/**
 * In-memory WriteOnceArchive and JournalArchiveStore (shared/ports.ts): a key is written once and then compared,
 * as the S3 adapter's conditional put does; the journal is a list of entries with a checkpoint moved only over the
 * day it was read at, as the DynamoDB adapter's.
 */
import type { JournalEntry } from '../../shared/domain/journal';
import type { ArchiveWrite, JournalArchiveStore, WriteOnceArchive } from '../../shared/ports';

export class MemoryWriteOnceArchive implements WriteOnceArchive {
  readonly objects = new Map<string, { bytes: Buffer; contentType: string }>();
  /** Every put asked for, in order (key and outcome). */
  readonly puts: { key: string; outcome: ArchiveWrite }[] = [];
  /** Fails the next puts with this error (an S3 outage), one each, first first. */
  readonly failures: Error[] = [];

  async putOnce(key: string, bytes: Uint8Array, contentType: string): Promise<ArchiveWrite> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const held = this.objects.get(key);
    const outcome: ArchiveWrite = !held
      ? 'written'
      : held.bytes.equals(Buffer.from(bytes))
        ? 'already-archived'
        : 'different-body';
    if (!held) this.objects.set(key, { bytes: Buffer.from(bytes), contentType });
    this.puts.push({ key, outcome });
    return outcome;
  }

  /** The object at `key` as text, or undefined. */
  text(key: string): string | undefined {
    return this.objects.get(key)?.bytes.toString('utf8');
  }
}

export class MemoryJournalArchiveStore implements JournalArchiveStore {
  readonly entries: JournalEntry[] = [];
  checkpoint: string | undefined;
  /** Moves the checkpoint behind the archiver's back before its next `markArchived` (another run won). */
  raceNextMark = false;

  async *entriesBetween(from: string, to: string): AsyncIterable<JournalEntry> {
    for (const entry of this.entries) if (entry.at >= from && entry.at < to) yield entry;
  }

  async lastArchivedDay(): Promise<string | undefined> {
    return this.checkpoint;
  }

  async markArchived(day: string, previous: string | undefined): Promise<boolean> {
    if (this.raceNextMark) {
      this.raceNextMark = false;
      this.checkpoint = day;
      return false;
    }
    if (this.checkpoint !== previous) return false;
    this.checkpoint = day;
    return true;
  }
}
