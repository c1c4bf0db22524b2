/**
 * Export jobs: what an auditor asks for (a closed period of at most a year, optionally one ministry's), the job's
 * life (`requested` → `running` → `done`, or `failed`, which the queue's retry runs again; a long export stays
 * `running` across invocations, its checkpoint saying where the next one resumes), and its id.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from '../errors';
import type { ExportManifest, ManifestFile } from './manifest';
import type { TotalsState } from './totals';

/** What one export covers. */
export interface ExportJobSpec {
  id: string;
  /** Inclusive start, ISO-8601 UTC with milliseconds. */
  from: string;
  /** Exclusive end. */
  to: string;
  ministry?: string;
}

export type ExportStatus = 'requested' | 'running' | 'done' | 'failed';

/** An export job as stored: its spec, its state, and once `done` its files and signed manifest. */
export interface ExportJob extends ExportJobSpec {
  status: ExportStatus;
  /** The auditor's token subject. */
  requestedBy: string;
  requestedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Runs started so far (a failed run is retried by the queue). */
  attempts: number;
  /** Key prefix of the job's files in the exports bucket. */
  prefix: string;
  files?: ManifestFile[];
  manifest?: ExportManifest;
  error?: string;
  /** Where a job continued across invocations stands (absent before its first segment and once done). */
  checkpoint?: ExportCheckpoint;
  /** The run holding the job (one at a time) and until when its claim holds: its invocation's deadline. */
  runId?: string;
  runUntil?: string;
}

/**
 * An export's progress between segments (shared/app/export.ts). A segment is what one invocation writes: whole
 * steps (days) of the period, one part file per CSV with rows, and after the last day the closing step (refunds and
 * settlement). It is recorded once, after its parts are complete, so a crash within a segment redoes it (its parts
 * have the same names and are overwritten) and a crash after it resumes at the next.
 */
export interface ExportCheckpoint {
  /** The export's "as of" time (invoices' state, the manifest's `generatedAt`), fixed by its first segment. */
  asOf: string;
  /** Segments written so far. */
  segments: number;
  /** Start of the first step not yet written; the job's `to` once every day is written. */
  next: string;
  /** Part files written so far, in the order written. */
  parts: ManifestFile[];
  /** The totals over every row written so far. */
  totals: TotalsState;
  /** Per chain id, the scanner's block `confirmations` count to: read once, kept for every later segment. */
  confirmationsAsOf: Record<string, number>;
}

/** Shape of an export id (`exp_` and 128 random bits, base64url), checked before any read. */
export const EXPORT_ID_PATTERN = /^exp_[A-Za-z0-9_-]{22}$/;

/** The `exports` queue's message: the job to run. Its sender (request-export) and consumer (export-worker) share it. */
export const exportMessageSchema = z.object({ exportId: z.string().regex(EXPORT_ID_PATTERN) });
export type ExportMessage = z.infer<typeof exportMessageSchema>;

/** A new export id. */
export function newExportId(): string {
  return `exp_${randomBytes(16).toString('base64url')}`;
}

/**
 * The period rules: from < to, at most one year, and closed (`to` not after `now`), so an export never changes once
 * made.
 * @throws ValidationError naming `to` for each rule broken.
 */
export function checkPeriod(from: Date, to: Date, now: Date): void {
  const issues: { field: string; message: string }[] = [];
  if (from.getTime() >= to.getTime()) issues.push({ field: 'to', message: 'must be after from' });
  const yearLater = new Date(from);
  yearLater.setUTCFullYear(yearLater.getUTCFullYear() + 1);
  if (to.getTime() > yearLater.getTime()) issues.push({ field: 'to', message: 'the period must not exceed one year' });
  if (to.getTime() > now.getTime()) {
    issues.push({ field: 'to', message: 'must not be in the future: an export covers a closed period' });
  }
  if (issues.length) throw new ValidationError(issues);
}
