/**
 * Archiving a signed document (a receipt, an annulment, a refund receipt) in the write-once archive, before it is
 * delivered to its registry: so every document a registry holds is in the archive too, byte for byte, under a key
 * derived from its id (shared/domain/archive.ts). A retry finds the same bytes there and goes on; a key holding other
 * bytes is never overwritten: the delivery stops (fail closed), the mismatch is logged and counted
 * (`ArchiveMismatches`, alarmed), and the message ends in the dead-letter queue for someone to look.
 */
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { type ArchivedDocumentKind, documentArchiveKey } from '../domain/archive';
import type { WriteOnceArchive } from '../ports';

/** The media type of an archived document: the JSON the registry receives. */
export const DOCUMENT_CONTENT_TYPE = 'application/json';

/** The archive holds other bytes under a document's key, or a journal day's: nothing was written, nothing sent. */
export class ArchiveMismatchError extends Error {
  override readonly name = 'ArchiveMismatchError';
}

/**
 * Writes `body` (the document's exact bytes, as sent) under its key once; resolves when the archive holds exactly
 * those bytes.
 * @throws ArchiveMismatchError when the key holds other bytes.
 */
export async function archiveDocument(
  archive: WriteOnceArchive,
  document: { kind: ArchivedDocumentKind; id: string; body: string },
  correlationId?: string,
): Promise<'written' | 'already-archived'> {
  const key = documentArchiveKey(document.kind, document.id);
  const written = await archive.putOnce(key, Buffer.from(document.body, 'utf8'), DOCUMENT_CONTENT_TYPE);
  if (written === 'different-body') {
    countMetric('ArchiveMismatches');
    logger.error('archive holds another document under this key', { key, kind: document.kind, correlationId });
    throw new ArchiveMismatchError(`${key}: the archive holds other bytes; nothing was overwritten or sent`);
  }
  if (written === 'written') countMetric('DocumentsArchived');
  return written;
}
