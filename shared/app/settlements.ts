/**
 * Uploading the custodian's settlement reports and the bank's camt.053 statements (DESIGN.md, "Settlement"). Each
 * upload is bounded in size, parsed and validated whole before anything is written (a bad row or element stores
 * nothing), kept exactly as received (the uploads bucket, under a key carrying its SHA-256) and stored once per
 * batch id (a report) or message id (a statement): the same bytes again answer the stored result, other bytes under
 * the same id are a conflict.
 */
import { createHash } from 'node:crypto';
import { type BankEntry, type BankStatementUpload, MAX_STATEMENT_BYTES, parseCamt053 } from '../domain/bank-statements';
import type { ChainConfig } from '../domain/chains';
import { ConflictError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../domain/errors';
import {
  MAX_SETTLEMENT_BYTES,
  parseSettlementCsv,
  type SettlementBatch,
  type SettlementLine,
} from '../domain/settlements';
import type { SettlementStore, UploadArchive } from '../ports';

export interface SettlementUploadDeps {
  store: SettlementStore;
  archive: UploadArchive;
  chains: readonly ChainConfig[];
  now: () => Date;
}

/** An upload as the HTTP adapter hands it over. */
export interface Upload {
  bytes: Buffer;
  /** The request's Content-Type header. */
  contentType: string | undefined;
  /** Who uploaded it (the caller's subject). */
  uploadedBy: string;
}

const CSV_TYPES = ['text/csv'];
const XML_TYPES = ['application/xml', 'text/xml'];

function checkUpload(upload: Upload, types: readonly string[], maxBytes: number): void {
  const type = (upload.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!types.includes(type)) throw new UnsupportedMediaTypeError(`Send the document as ${types.join(' or ')}.`);
  if (upload.bytes.length > maxBytes) {
    throw new PayloadTooLargeError(`The document is ${upload.bytes.length} bytes; at most ${maxBytes}.`);
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Stores a settlement report once per batch id.
 *
 * @throws UnsupportedMediaTypeError (not text/csv), PayloadTooLargeError (over {@link MAX_SETTLEMENT_BYTES}),
 *   ValidationError (each bad cell by line and column), ConflictError (another file under the same batch id).
 */
export async function uploadSettlementReport(
  upload: Upload,
  deps: SettlementUploadDeps,
): Promise<{ created: boolean; batch: SettlementBatch; lines: SettlementLine[] }> {
  checkUpload(upload, CSV_TYPES, MAX_SETTLEMENT_BYTES);
  const { batchId, lines } = parseSettlementCsv(upload.bytes, deps.chains);
  const hash = sha256(upload.bytes);
  const existing = await deps.store.batch(batchId);
  if (existing) return { created: false, batch: sameOrConflict(existing, hash, `batch ${batchId}`), lines };
  const batch: SettlementBatch = {
    batchId,
    sha256: hash,
    bytes: upload.bytes.length,
    lines: lines.length,
    objectKey: `settlements/${encodeURIComponent(batchId)}/${hash}.csv`,
    uploadedAt: deps.now().toISOString(),
    uploadedBy: upload.uploadedBy,
  };
  // The bytes first: a stored batch always has its document. A batch lost to a race leaves an unreferenced copy.
  await deps.archive.put(batch.objectKey, upload.bytes, 'text/csv');
  if (await deps.store.saveBatch(batch, lines)) return { created: true, batch, lines };
  const winner = await deps.store.batch(batchId);
  if (!winner) throw new Error(`batch ${batchId} was neither stored nor found`);
  return { created: false, batch: sameOrConflict(winner, hash, `batch ${batchId}`), lines };
}

/**
 * Stores a camt.053 statement document once per message id (GrpHdr/MsgId).
 *
 * @throws UnsupportedMediaTypeError (not XML), PayloadTooLargeError (over {@link MAX_STATEMENT_BYTES}),
 *   ValidationError (not a well-formed camt.053; a DOCTYPE; a bad entry), ConflictError (other bytes, same id).
 */
export async function uploadBankStatement(
  upload: Upload,
  deps: Omit<SettlementUploadDeps, 'chains'>,
): Promise<{ created: boolean; statement: BankStatementUpload; entries: BankEntry[] }> {
  checkUpload(upload, XML_TYPES, MAX_STATEMENT_BYTES);
  const { messageId, entries } = parseCamt053(upload.bytes);
  const hash = sha256(upload.bytes);
  const what = `statement ${messageId}`;
  const existing = await deps.store.statement(messageId);
  if (existing) return { created: false, statement: sameOrConflict(existing, hash, what), entries };
  const statement: BankStatementUpload = {
    messageId,
    sha256: hash,
    bytes: upload.bytes.length,
    entries: entries.length,
    objectKey: `bank-statements/${encodeURIComponent(messageId)}/${hash}.xml`,
    uploadedAt: deps.now().toISOString(),
    uploadedBy: upload.uploadedBy,
  };
  await deps.archive.put(statement.objectKey, upload.bytes, 'application/xml');
  if (await deps.store.saveStatement(statement, entries)) return { created: true, statement, entries };
  const winner = await deps.store.statement(messageId);
  if (!winner) throw new Error(`${what} was neither stored nor found`);
  return { created: false, statement: sameOrConflict(winner, hash, what), entries };
}

function sameOrConflict<T extends { sha256: string; uploadedAt: string }>(stored: T, hash: string, what: string): T {
  if (stored.sha256 === hash) return stored;
  throw new ConflictError(
    `${what} was already uploaded at ${stored.uploadedAt} with other content (SHA-256 ${stored.sha256}); ` +
      'a corrected report needs a new id.',
  );
}
