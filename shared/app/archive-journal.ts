/**
 * Archiving the journal by Kazakhstan day (functions/archive-journal, on a schedule): each closed day's entries as one
 * object `journal/YYYY/MM/DD.jsonl` in the write-once archive (shared/domain/archive.ts), the days in order from a
 * checkpoint, so a run that was missed or failed is caught up by the next. A day is closed once its end (Astana
 * midnight) is `closeMarginMs` past: an entry's `at` is when its change was planned, and it is committed within that
 * function's run (a minute or two at most), so no entry dated in a closed day is still to come.
 *
 * Crash-safe and idempotent: the object is written before the checkpoint moves, and the same entries always give
 * the same bytes, so a run repeated after a crash finds the day already archived and moves on. A day whose object
 * holds other bytes (an entry appeared after its day was archived) stops the run there, logged and counted
 * (`ArchiveMismatches`, alarmed): nothing is overwritten and the checkpoint stays until someone looks.
 */
import { countMetric } from '../adapters/metrics';
import { logger } from '../adapters/observability';
import {
  JOURNAL_DAY_CONTENT_TYPE,
  journalDayBody,
  journalDayKey,
  kazakhstanDayInterval,
  lastClosedDay,
  nextDay,
} from '../domain/archive';
import type { JournalEntry } from '../domain/journal';
import type { JournalArchiveStore, WriteOnceArchive } from '../ports';
import { ArchiveMismatchError } from './archive-document';

/** How long after a day's end it counts as closed, unless told otherwise: an hour. */
export const DEFAULT_CLOSE_MARGIN_MS = 3600 * 1000;
/** Days archived per run at most, unless told otherwise: a long backlog is caught up over several runs. */
export const DEFAULT_MAX_DAYS_PER_RUN = 31;

export interface ArchiveJournalDeps {
  archive: WriteOnceArchive;
  journal: JournalArchiveStore;
  now: () => Date;
  /** The first day to archive when there is no checkpoint yet; default: the last closed day. */
  firstDay?: string;
  closeMarginMs?: number;
  maxDaysPerRun?: number;
}

/** What a run archived: the days written now, and those found already archived (a repeated run). */
export interface ArchiveJournalResult {
  written: string[];
  alreadyArchived: string[];
  /** The checkpoint after the run (undefined: nothing archived yet). */
  lastArchivedDay?: string;
}

/**
 * Archives the closed days after the checkpoint, oldest first.
 * @throws ArchiveMismatchError when a day's object holds other bytes (the days before it are archived and kept).
 */
export async function archiveJournal(deps: ArchiveJournalDeps): Promise<ArchiveJournalResult> {
  const now = deps.now();
  const closed = lastClosedDay(now, deps.closeMarginMs ?? DEFAULT_CLOSE_MARGIN_MS);
  const maxDays = deps.maxDaysPerRun ?? DEFAULT_MAX_DAYS_PER_RUN;
  const result: ArchiveJournalResult = { written: [], alreadyArchived: [] };
  let previous = await deps.journal.lastArchivedDay();
  result.lastArchivedDay = previous;
  let day = previous === undefined ? (deps.firstDay ?? closed) : nextDay(previous);
  while (day <= closed && result.written.length + result.alreadyArchived.length < maxDays) {
    const outcome = await archiveDay(day, deps);
    (outcome === 'written' ? result.written : result.alreadyArchived).push(day);
    if (!(await deps.journal.markArchived(day, previous, deps.now()))) {
      logger.warn('journal archive checkpoint moved by another run; stopping', { day });
      break;
    }
    previous = day;
    result.lastArchivedDay = day;
    day = nextDay(day);
  }
  if (result.written.length > 0) countMetric('JournalDaysArchived', result.written.length);
  return result;
}

/** Writes one day's object once. */
async function archiveDay(day: string, deps: ArchiveJournalDeps): Promise<'written' | 'already-archived'> {
  const { from, to } = kazakhstanDayInterval(day);
  const entries: JournalEntry[] = [];
  for await (const entry of deps.journal.entriesBetween(from, to)) entries.push(entry);
  const key = journalDayKey(day);
  const written = await deps.archive.putOnce(
    key,
    Buffer.from(journalDayBody(entries), 'utf8'),
    JOURNAL_DAY_CONTENT_TYPE,
  );
  if (written === 'different-body') {
    countMetric('ArchiveMismatches');
    logger.error('journal day archived with other entries: an entry was written after its day closed', {
      key,
      day,
      entries: entries.length,
    });
    throw new ArchiveMismatchError(`${key}: the archive holds other bytes; nothing was overwritten`);
  }
  logger.info('journal day archived', { day, key, entries: entries.length, written });
  return written;
}
