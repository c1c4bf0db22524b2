/**
 * Consumer of the addressWatch queue: each record is one `AddressWatchMessage` (shared/domain/address-watch.ts), applied
 * by shared/app/watch-addresses.ts
 * with every enabled provider's watcher (or the ones it names). A record fails — and comes back after the visibility
 * timeout, then goes to the DLQ after the queue's maxReceiveCount — when any of its watchers fails. The retry calls
 * every selected watcher again, including those that already succeeded: safe, because adding a watched address and
 * removing an unwatched one are no-ops at every provider. Meanwhile the chain scanner covers the address, so a delayed
 * or dead-lettered watch costs latency only.
 */
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent } from 'aws-lambda';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { logger } from '../../shared/adapters/observability';
import { watchersFromConfig } from '../../shared/adapters/providers/address-watch';
import { type ParsedSqsRecord, SqsMessageProcessor } from '../../shared/adapters/sqs-batch';
import { applyAddressWatch } from '../../shared/app/watch-addresses';
import { addressWatchMessageSchema } from '../../shared/domain/address-watch';
import type { AddressWatcher } from '../../shared/ports';

/** A processor per invocation: a batch's failures are its own (see SqsMessageProcessor). */
const newProcessor = () => new SqsMessageProcessor(addressWatchMessageSchema, 'address-watch');

type WatchRecord = ParsedSqsRecord<typeof addressWatchMessageSchema>;

async function watchRecord(record: WatchRecord, watchers: readonly AddressWatcher[]): Promise<void> {
  const message = record.body;
  const context = {
    messageId: record.messageId,
    action: message.action,
    invoiceId: message.invoiceId,
    addresses: message.addresses.length,
    receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
  };
  try {
    const providers = await applyAddressWatch(watchers, message);
    if (providers.length) logger.info('addresses updated', { ...context, providers });
    else logger.warn('no enabled provider to update; the chain scanner covers these addresses', context);
  } catch (error) {
    const failures = error instanceof AggregateError ? error.errors : [error];
    logger.warn('address watch failed; the record will be retried', {
      ...context,
      failures: failures.map((f) => (f instanceof Error ? f.message : String(f))),
    });
    throw error;
  }
}

export const handler = lambdaHandler(async (event: SQSEvent) => {
  // Built per batch: credentials come from Secrets Manager's cache, so a rotated token is picked up without a deploy.
  const watchers = await watchersFromConfig();
  return processPartialResponse(event, (record: WatchRecord) => watchRecord(record, watchers), newProcessor(), {
    throwOnFullBatchFailure: false,
  });
});
