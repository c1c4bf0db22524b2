/** In-memory SettlementStore and UploadArchive (shared/ports.ts): stored once per id, as the DynamoDB adapter does. */
import type { BankEntry, BankStatementUpload } from '../../shared/domain/bank-statements';
import type { SettlementBatch, SettlementLine } from '../../shared/domain/settlements';
import type { BlockClock, SettlementStore, UploadArchive } from '../../shared/ports';

export class MemorySettlementStore implements SettlementStore {
  readonly batches = new Map<string, { batch: SettlementBatch; lines: SettlementLine[] }>();
  readonly statements = new Map<string, { upload: BankStatementUpload; entries: BankEntry[] }>();

  async batch(batchId: string) {
    return this.batches.get(batchId)?.batch;
  }

  async saveBatch(batch: SettlementBatch, lines: readonly SettlementLine[]) {
    if (this.batches.has(batch.batchId)) return false;
    this.batches.set(batch.batchId, { batch, lines: [...lines] });
    return true;
  }

  async linesBetween(from: string, to: string) {
    return [...this.batches.values()].flatMap((b) => b.lines).filter((l) => l.valueDate >= from && l.valueDate <= to);
  }

  async statement(messageId: string) {
    return this.statements.get(messageId)?.upload;
  }

  async saveStatement(upload: BankStatementUpload, entries: readonly BankEntry[]) {
    if (this.statements.has(upload.messageId)) return false;
    this.statements.set(upload.messageId, { upload, entries: [...entries] });
    return true;
  }

  async entriesBetween(from: string, to: string) {
    return [...this.statements.values()]
      .flatMap((s) => s.entries)
      .filter((e) => e.valueDate >= from && e.valueDate <= to);
  }
}

export class MemoryArchive implements UploadArchive {
  readonly objects = new Map<string, { bytes: Buffer; contentType: string }>();

  async put(key: string, bytes: Buffer, contentType: string) {
    this.objects.set(key, { bytes: Buffer.from(bytes), contentType });
  }
}

/** Block times for a MemoryChain: block n at `start + n × interval` seconds. */
export function linearClock(start: number, interval = 12): BlockClock {
  return { timestamp: async (block) => start + block * interval };
}
