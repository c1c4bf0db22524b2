/**
 * The licensed-firm register (DESIGN.md, "Compliance controls"): which firms hold a licence, and in what standing.
 * The compliance role uploads it whole, as a versioned snapshot (never overwritten); a fee that requires a licence is
 * issued only to a BIN that is `active` in the current snapshot. Parsing and the rules are here; storing is a port.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import * as z from 'zod';
import { binSchema } from './bin';
import { DomainError, ValidationError } from './errors';
import { zodToValidationError } from './fees';

/** A firm's standing in the register. */
export const licenceStatuses = ['active', 'suspended', 'revoked'] as const;
export type LicenceStatus = (typeof licenceStatuses)[number];

/** Most firms in one snapshot: the whole register is replaced at once, so a snapshot is bounded. */
export const MAX_REGISTER_FIRMS = 5_000;
/** Largest register body accepted, CSV or JSON. */
export const MAX_REGISTER_BYTES = 1_048_576;

/** One licensed firm as the register lists it. */
export interface RegisteredFirm {
  bin: string;
  name: string;
  licenceNo: string;
  status: LicenceStatus;
  /** The licensed activities, as the regulator names them. */
  activities: string[];
  /** The day (YYYY-MM-DD) from which this entry stands. */
  validFrom: string;
}

/** A stored snapshot's header: its version (1, 2, ...), who uploaded it, when, and what it held. */
export interface RegisterSnapshot {
  version: number;
  uploadedBy: string;
  uploadedAt: string;
  firms: number;
  /** SHA-256 (hex) of the body as uploaded, so an auditor can tie the snapshot to the file. */
  sha256: string;
  /** `text/csv` or `application/json`. */
  format: 'csv' | 'json';
}

const isoDay = z.iso.date('must be a date YYYY-MM-DD');
const text = (max: number) => z.string().trim().min(1).max(max);

/** zod schema of one firm in its wire form (JSON; CSV rows are brought to this shape first). */
export const registeredFirmSchema = z.strictObject({
  bin: binSchema,
  name: text(300),
  licenceNo: text(64),
  status: z.enum(licenceStatuses, { error: `must be one of ${licenceStatuses.join(', ')}` }),
  activities: z.array(text(200)).max(50),
  validFrom: isoDay,
});

/** zod schema of the JSON body `{"firms": [...]}`. */
export const registerBodySchema = z.strictObject({
  firms: z.array(z.unknown()).min(1).max(MAX_REGISTER_FIRMS),
});

/**
 * Parses a register upload, CSV (header `bin,name,licenceNo,status,activities,validFrom`; activities separated by
 * `;`) or JSON `{"firms": [...]}`, into firms, validating every one (BIN check digit, known status) and refusing a
 * BIN listed twice.
 * @throws ValidationError naming each bad field by its path (`firms.3.bin`).
 */
export function parseRegister(body: string, format: 'csv' | 'json'): RegisteredFirm[] {
  const rows = format === 'csv' ? csvRows(body) : jsonRows(body);
  const firms = rows.map((row, i) => {
    const parsed = registeredFirmSchema.safeParse(row);
    if (!parsed.success) throw zodToValidationError(parsed.error, `firms.${i}`);
    return parsed.data;
  });
  const seen = new Set<string>();
  firms.forEach((firm, i) => {
    if (seen.has(firm.bin)) throw new ValidationError([{ field: `firms.${i}.bin`, message: `BIN ${firm.bin} twice` }]);
    seen.add(firm.bin);
  });
  return firms;
}

const CSV_COLUMNS = ['bin', 'name', 'licenceNo', 'status', 'activities', 'validFrom'] as const;

function csvRows(body: string): unknown[] {
  let records: Record<string, string>[];
  try {
    records = parseCsv(body, {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      to: MAX_REGISTER_FIRMS + 1,
    });
  } catch (error) {
    throw new ValidationError([{ field: '(body)', message: `not CSV: ${(error as Error).message}` }]);
  }
  const header = Object.keys(records[0] ?? {});
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
  if (!records.length || missing.length) {
    throw new ValidationError([{ field: '(body)', message: `needs a header row with ${CSV_COLUMNS.join(',')}` }]);
  }
  if (records.length > MAX_REGISTER_FIRMS) {
    throw new ValidationError([{ field: 'firms', message: `at most ${MAX_REGISTER_FIRMS} firms` }]);
  }
  return records.map((r) => {
    const activities = (r.activities ?? '')
      .split(';')
      .map((a) => a.trim())
      .filter(Boolean);
    return { ...r, activities };
  });
}

function jsonRows(body: string): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ValidationError([{ field: '(body)', message: 'The body is not valid JSON.' }]);
  }
  const parsed = registerBodySchema.safeParse(json);
  if (!parsed.success) throw zodToValidationError(parsed.error);
  return parsed.data.firms;
}

/** What the register says of a BIN on a day: its standing, or `not registered`. */
export type LicenceStanding = LicenceStatus | 'not registered' | 'not yet valid';

/** The standing of `firm` (absent: not in the current snapshot) on `day` (YYYY-MM-DD). */
export function licenceStanding(firm: RegisteredFirm | undefined, day: string): LicenceStanding {
  if (!firm) return 'not registered';
  if (firm.status === 'active' && firm.validFrom > day) return 'not yet valid';
  return firm.status;
}

/** A fee that requires a licence was asked for a payer whose licence is not active. */
export class PayerNotLicensedError extends DomainError {
  readonly type = 'payer_not_licensed';
  readonly title = 'Payer not licensed';
  constructor(
    readonly bin: string,
    readonly standing: LicenceStanding,
  ) {
    super(`Payer ${bin} is ${standing} in the licensed-firm register; this fee requires an active licence.`);
  }

  /** The problem's extra members: the BIN and the status found. */
  override get details(): Record<string, unknown> {
    return { bin: this.bin, licenceStatus: this.standing };
  }
}
