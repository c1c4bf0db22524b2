/**
 * What a verification reports: the flat problems and notes the `stablefee` command prints (in the order found), and
 * the same findings grouped by check, so the console can show each check passed, failed or not run.
 */

/** The checks of an export, in the order they run (docs/exports.md, "Verifying offline"). */
export const EXPORT_CHECKS = [
  'manifest',
  'invoices.csv',
  'transfers.csv',
  'receipts.csv',
  'journal.csv',
  'sweeps.csv',
  'refunds.csv',
  'settlements.csv',
  'bank.csv',
  'reconciliation.csv',
  'compliance.csv',
  'totals',
  'receipt-chains',
  'receipts-invoices',
  'sweeps-journal',
  'refunds-journal',
  'settlements-reconciliation',
] as const;

/** The checks of a single receipt. */
export const RECEIPT_CHECKS = ['receipt-form', 'receipt-signature'] as const;

/** One check of an export: each CSV file is one, named by its file name. */
export type ExportCheckId = (typeof EXPORT_CHECKS)[number];
/** One check of a receipt. */
export type ReceiptCheckId = (typeof RECEIPT_CHECKS)[number];
export type CheckId = ExportCheckId | ReceiptCheckId;

/** A check's outcome: `not-run` when an earlier failure (an unreadable manifest, say) left nothing to check. */
export type CheckStatus = 'passed' | 'failed' | 'not-run';

/** One check with what it found: `problems` (sentences naming the file, row or receipt at fault) and `notes`. */
export interface VerifyCheck {
  id: CheckId;
  status: CheckStatus;
  problems: string[];
  notes: string[];
}

/** The verdict: `ok` only when every check ran and passed. */
export interface VerifyReport {
  ok: boolean;
  /** What is wrong; empty when the export verifies. */
  problems: string[];
  /** What was checked (printed after the problems). */
  notes: string[];
  /** The same findings, check by check, in the order they run. */
  checks: VerifyCheck[];
}

/** Where a check writes: `push` like an array's, so the checks read as they did over plain arrays. */
export interface CheckLog {
  push(...messages: string[]): number;
}

/** A check's two logs. */
export interface CheckFindings {
  problems: CheckLog;
  notes: CheckLog;
}

/** Collects findings check by check while keeping the flat order the command prints. */
export class Verification {
  private readonly problems: string[] = [];
  private readonly notes: string[] = [];
  private readonly checks = new Map<CheckId, VerifyCheck & { ran: boolean }>();

  constructor(ids: readonly CheckId[]) {
    for (const id of ids) this.checks.set(id, { id, status: 'not-run', problems: [], notes: [], ran: false });
  }

  /** The logs of check `id`, which counts as run from now on. */
  check(id: CheckId): CheckFindings {
    const check = this.checks.get(id) ?? { id, status: 'not-run', problems: [], notes: [], ran: false };
    this.checks.set(id, check);
    check.ran = true;
    const both = (mine: string[], all: string[]): CheckLog => ({
      push: (...messages) => {
        mine.push(...messages);
        return all.push(...messages);
      },
    });
    return { problems: both(check.problems, this.problems), notes: both(check.notes, this.notes) };
  }

  /** The verdict: failed when anything is wrong or a check never ran. */
  report(): VerifyReport {
    const checks = [...this.checks.values()].map(({ ran, ...check }) => ({
      ...check,
      status: (check.problems.length ? 'failed' : ran ? 'passed' : 'not-run') as CheckStatus,
    }));
    const ok = this.problems.length === 0 && checks.every((c) => c.status === 'passed');
    return { ok, problems: [...this.problems], notes: [...this.notes], checks };
  }
}
