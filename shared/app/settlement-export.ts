/**
 * The settlement facts of an export's period (settlements.csv, bank.csv, reconciliation.csv, and the settlement
 * journal entries in journal.csv): the stored lines with their batch's SHA-256, the stored bank entries, and the
 * three-way reconciliation of the period's Kazakhstan days, recomputed as GET /v1/reconciliation does. A ministry's
 * export has none: a settlement batch converts many ministries' money at once.
 */
import type { ExportJobSpec } from '../domain/exports/jobs';
import { kazakhstanDay } from '../domain/time';
import type { SettlementExport, SettlementStore } from '../ports';
import { type ReconciliationDeps, reconcileDays } from './settlement-reconciliation';

/** The export period's days: from the day of `from` to the day of the last instant before `to` (exclusive). */
export function exportDays(job: Pick<ExportJobSpec, 'from' | 'to'>): { from: string; to: string } {
  return { from: kazakhstanDay(new Date(job.from)), to: kazakhstanDay(new Date(Date.parse(job.to) - 1)) };
}

/** The settlement source of an export job, or undefined for a ministry's export. */
export function settlementExportSource(
  job: ExportJobSpec,
  deps: ReconciliationDeps & { store: SettlementStore },
): (() => Promise<SettlementExport>) | undefined {
  if (job.ministry) return undefined;
  return async () => {
    const { from, to } = exportDays(job);
    const [reconciliation, entries] = await Promise.all([
      reconcileDays(from, to, deps),
      deps.store.entriesBetween(from, to),
    ]);
    const batchIds = [...new Set(reconciliation.lines.map((l) => l.line.batchId))];
    const hashes = new Map<string, string>();
    for (const id of batchIds) hashes.set(id, (await deps.store.batch(id))?.sha256 ?? '');
    const lines = reconciliation.lines.map(({ line }) => ({ line, batchSha256: hashes.get(line.batchId) ?? '' }));
    return { lines, entries, reconciliation };
  };
}
