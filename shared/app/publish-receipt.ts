/**
 * Publishing one receipt to its ministry's registry, exactly once in effect: a delivered receipt is not sent again;
 * a send whose outcome was lost (crash, timeout) is repeated with the same Idempotency-Key and the same bytes, so the
 * registry stores it once. The receipt records each attempt, its last error and its delivery state.
 *
 * The normal path costs one store request: the outbox message carries the signed document, and the delivery is
 * recorded with one conditional write that also proves the document sent is the one stored. The message comes from
 * a queue, so the carried document is checked before anything is sent (DESIGN.md, Trust: fail closed): its fields
 * must hash to its `hash`, its signature must recover its `signer`, its ids must be the message's, and the signer
 * must be one this container has seen sign a document the store holds byte for byte (the first document of a new
 * signer is compared with the stored copy: one read per signer per container). A document that fails any check is
 * refused: logged (`outbox document refused`), counted as a delivery failure (`ReceiptDeliveryFailures`, which is
 * alarmed), never sent, and its message ends in the dead-letter queue.
 *
 * Before it is sent, the document is archived write-once under its id (shared/app/archive-document.ts), the very
 * bytes the registry is sent: so no registry holds a document the archive lacks. A key holding other bytes stops the
 * delivery (fail closed: `ArchiveMismatches`, alarmed).
 */

import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import { type Receipt, verifyReceipt } from '../domain/receipts';
import type { ReceiptDeliveries, Registry, WriteOnceArchive } from '../ports';
import { archiveDocument } from './archive-document';

export type PublishOutcome = { result: 'delivered' | 'already-delivered' } | { result: 'retry'; error: string };

/** What the publisher takes from an outbox message (`ReceiptIssued`), none of it trusted yet. */
export interface PublishRequest {
  receiptId: string;
  invoiceId?: string;
  ministry?: string;
  /** The signed document the message carries; absent from messages sent before documents were carried. */
  document?: unknown;
}

export interface PublishDeps {
  receipts: ReceiptDeliveries;
  registry: Registry;
  /** The write-once archive every document is written to before it is sent. */
  archive: WriteOnceArchive;
  now: () => Date;
  /** True when this is the last try before the message goes to the dead-letter queue. */
  lastTry: boolean;
  /**
   * Signer addresses proven to be the service's, kept for the life of the container: a document one of them signed
   * was found in the store byte for byte. A carried document signed by one of them needs no read.
   */
  trustedSigners: Set<string>;
  /** Carried into every log line of this delivery (records of a batch are published in parallel). */
  correlationId?: string;
  fault?: (step: 'after-send') => void;
}

/** A carried document the publisher will not send: it is not what the service issued under the message's id. */
export class RefusedDocumentError extends Error {
  override readonly name = 'RefusedDocumentError';
}

/**
 * Delivers the chain document (a receipt or an annulment) the message names, the carried copy once it checks out,
 * else the stored one; `retry` when the registry did not take it.
 * @throws RefusedDocumentError when the carried document is not the one the service issued (nothing is sent).
 */
export async function publishReceipt(request: PublishRequest, deps: PublishDeps): Promise<PublishOutcome> {
  const { receiptId } = request;
  const due = request.document === undefined ? await storedDocument(receiptId, deps) : await carried(request, deps);
  if (due === 'already-delivered') return { result: 'already-delivered' };
  const { ministry } = due.receipt;
  const kind = due.receipt.kind === 'annulment' ? 'annulment' : 'receipt';
  await archiveDocument(deps.archive, { kind, id: receiptId, body: due.body }, deps.correlationId);
  const at = deps.now();
  const delivery = await deps.registry.deliver(ministry, receiptId, due.body, at);
  if (delivery.outcome === 'not-configured') {
    // Nothing was sent: the receipt waits (and the DLQ alarm tells operators) until the registry is configured.
    const error = `no registry configured for ${ministry}`;
    await deps.receipts.recordFailedAttempt(receiptId, { error, at, final: deps.lastTry });
    return { result: 'retry', error };
  }
  deps.fault?.('after-send');
  const log = { receiptId, ministry, correlationId: deps.correlationId };
  if (delivery.outcome === 'delivered') {
    const recorded = await deps.receipts.markDelivered(receiptId, due.body, deps.now());
    if (recorded === 'already-delivered') return { result: 'already-delivered' };
    if (recorded !== 'delivered') {
      // Checked before sending, so this means two signed documents under one id: someone must look.
      countMetric('ReceiptDeliveryFailures');
      logger.error('delivered document is not the stored one', { ...log, recorded });
      throw new RefusedDocumentError(`receipt ${receiptId}: the document delivered is ${recorded} in the store`);
    }
    countMetric('ReceiptsDelivered');
    logger.info('receipt delivered', { ...log, status: delivery.status });
    return { result: 'delivered' };
  }
  await deps.receipts.recordFailedAttempt(receiptId, { error: delivery.error, at, final: deps.lastTry });
  countMetric('ReceiptDeliveryFailures');
  logger.warn('receipt delivery failed', { ...log, error: delivery.error, lastTry: deps.lastTry });
  return { result: 'retry', error: delivery.error };
}

/** A document to send: the signed document and its exact bytes (the same on every retry). */
interface Due {
  receipt: Receipt;
  body: string;
}

/** The stored document (messages without one): one read. */
async function storedDocument(receiptId: string, deps: PublishDeps): Promise<Due | 'already-delivered'> {
  const stored = await deps.receipts.get(receiptId);
  if (!stored) throw new Error(`receipt ${receiptId} does not exist`);
  if (stored.deliveryState === 'delivered') return 'already-delivered';
  return { receipt: stored.receipt, body: JSON.stringify(stored.receipt) };
}

/**
 * The carried document once it checks out: internally consistent and signed (the offline verifier's check), naming
 * the message's ids, by a signer proven to be the service's. Reads the store only for a signer not yet proven.
 */
async function carried(request: PublishRequest, deps: PublishDeps): Promise<Due | 'already-delivered'> {
  const receipt = request.document as Receipt;
  const verified = verifyReceipt(receipt);
  const problems = verified.ok ? mismatchedIds(request, receipt) : verified.problems;
  if (problems.length > 0) refuse(request, problems, deps);
  const body = JSON.stringify(receipt);
  if (deps.trustedSigners.has(receipt.signer)) return { receipt, body };
  const stored = await deps.receipts.get(request.receiptId);
  if (!stored || JSON.stringify(stored.receipt) !== body) {
    refuse(request, [stored ? 'differs from the stored document' : 'no such document is stored'], deps);
  }
  deps.trustedSigners.add(receipt.signer);
  return stored.deliveryState === 'delivered' ? 'already-delivered' : { receipt, body };
}

/** Where the document's ids disagree with the message's (the registry is chosen by the document's ministry). */
function mismatchedIds(request: PublishRequest, receipt: Receipt): string[] {
  const fields = ['receiptId', 'invoiceId', 'ministry'] as const;
  return fields
    .filter((field) => request[field] !== undefined && request[field] !== receipt[field])
    .map((field) => `${field} is not the message's`);
}

function refuse(request: PublishRequest, problems: string[], deps: PublishDeps): never {
  countMetric('ReceiptDeliveryFailures');
  // The problems name fields and checks (a hash or an address at most), never the payer's details.
  logger.error('outbox document refused', {
    receiptId: request.receiptId,
    problems,
    correlationId: deps.correlationId,
  });
  throw new RefusedDocumentError(`receipt ${request.receiptId}: carried document refused (${problems.join('; ')})`);
}
