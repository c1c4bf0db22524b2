/**
 * Schedule: archives each closed Kazakhstan day of the journal as one object `journal/YYYY/MM/DD.jsonl` in the
 * write-once archive bucket, from its checkpoint, catching up missed days (shared/app/archive-journal.ts). A failed
 * run is the next tick's work; a day whose object holds other bytes stops the run (`ArchiveMismatches`, alarmed).
 * `ARCHIVE_JOURNAL_FIRST_DAY` (YYYY-MM-DD) names the first day to archive when no checkpoint exists yet; without it,
 * the first run archives the last closed day (docs/operations.md, "Backups and archive").
 */
import { s3 } from '../../shared/adapters/aws/s3';
import { s3WriteOnceArchive } from '../../shared/adapters/aws/s3-archive';
import { serviceNow } from '../../shared/adapters/clock';
import { bucketName } from '../../shared/adapters/config';
import { dynamoJournalArchiveStore } from '../../shared/adapters/dynamo/journal-archive';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { archiveJournal } from '../../shared/app/archive-journal';
import { kazakhstanDayInterval } from '../../shared/domain/archive';

/** The configured first day, checked at start (a typo fails every run, loudly, rather than archiving from elsewhere). */
const firstDay = process.env.ARCHIVE_JOURNAL_FIRST_DAY?.trim() || undefined;
if (firstDay) kazakhstanDayInterval(firstDay);

const archive = s3WriteOnceArchive(s3, bucketName('archive'));

export const handler = lambdaHandler(() =>
  archiveJournal({ archive, journal: dynamoJournalArchiveStore, now: serviceNow, firstDay }),
);
