/**
 * Export sources cut to a period, as the store reads them (shared/adapters/dynamo/exports.ts): each record by the
 * time its store partition is sorted on. For use-case tests that run an export day by day (or second by second)
 * over sources built for the whole period, such as the synthetic ones.
 */
import type { ExportJobSpec } from '../../shared/domain/exports/jobs';
import type { ExportSources } from '../../shared/ports';

async function* within<T>(source: AsyncIterable<T>, timeOf: (record: T) => string, period: ExportJobSpec) {
  for await (const record of source) {
    const at = timeOf(record);
    if (at >= period.from && at < period.to) yield record;
  }
}

/** `all`'s records of `period`; refunds and settlement are whole-period reads and pass unchanged. */
export function sourcesWithin(all: ExportSources, period: ExportJobSpec): ExportSources {
  return {
    ...all,
    invoices: () => within(all.invoices(), (i) => i.createdAt, period),
    transfers: () => within(all.transfers(), (t) => t.transfer.firstSeenAt, period),
    receipts: () => within(all.receipts(), (r) => r.receipt.issuedAt, period),
    journal: () => within(all.journal(), (e) => e.at, period),
    sweeps: () => within(all.sweeps(), (s) => s.submittedAt, period),
    compliance: () => within(all.compliance(), (d) => d.at, period),
  };
}
