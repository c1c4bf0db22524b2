/**
 * Reference data as versioned, dated records (issue 18): fee entries, the MRP of each year and each ministry's
 * registry endpoint. A change is proposed, then approved by another identity (four eyes) or rejected; an approved
 * change becomes a VERSION, written once and never overwritten, in force from its `effectiveFrom`. What is in force
 * at an instant is the version with the latest `effectiveFrom` not after it (ties: the later approval).
 *
 * The MRP of year Y is in force from 00:00 Astana time (UTC+5) on 1 January of Y, the day the budget law sets it
 * for, or from its approval when approved later; an invoice picks the MRP of its own Kazakhstan year.
 *
 * The seed versions (the sample catalog and the MRP table in fees.ts) are what a fresh table is loaded with at first
 * start and by the deploy-time step; until then they answer as the versions in force, so a fresh stack prices as before.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { ConflictError, ForbiddenError, ValidationError } from './errors';
import {
  type FeeEntry,
  type FeeEntryWire,
  feeEntryWireSchema,
  feeFromJson,
  feeToJson,
  MRP_KZT_BY_YEAR,
  sampleFeeCatalog,
} from './fees';
import { ministryCodeSchema } from './ministry';
import { registryUrlProblem } from './registry-url';
import { kazakhstanDay } from './time';

/** The kinds of reference data. */
export const referenceKinds = ['fee', 'mrp', 'registry'] as const;
export type ReferenceKind = (typeof referenceKinds)[number];

/** Registry formats built (JSON over HTTPS); the e-government bus would be another. */
export const registryFormats = ['json'] as const;

/** The value a change sets. */
export type ReferenceValue =
  | { kind: 'fee'; fee: FeeEntry }
  | { kind: 'mrp'; year: number; kzt: bigint }
  | { kind: 'registry'; ministry: string; url: string; format: (typeof registryFormats)[number] };

export const changeStates = ['proposed', 'approved', 'rejected'] as const;
export type ChangeState = (typeof changeStates)[number];

/** Who acts on reference data: an operator (all of it), or a ministry (its own fees only). */
export interface ReferenceActor {
  subject: string;
  role: 'operator' | 'ministry';
  ministry?: string;
}

/** A proposed change and what became of it. `version` is the optimistic-lock counter of the record. */
export interface ReferenceChange {
  id: string;
  kind: ReferenceKind;
  /** What the change is about: the fee code, the year, the ministry. */
  subject: string;
  value: ReferenceValue;
  state: ChangeState;
  reason: string;
  proposedBy: string;
  proposedAt: string;
  /** The instant asked for; absent: from the approval. An MRP's is 1 January of its year, Astana time. */
  effectiveFrom?: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionReason?: string;
  version: number;
}

/** An approved change: one version of its subject, in force from `effectiveFrom`. Written once. */
export interface ReferenceVersion {
  /** The approved change's id (`seed:<kind>:<subject>` for a seed version). */
  id: string;
  kind: ReferenceKind;
  subject: string;
  value: ReferenceValue;
  effectiveFrom: string;
  proposedBy: string;
  approvedBy: string;
  approvedAt: string;
  reason: string;
}

/** A value in force, with the version it came from (an invoice records it). */
export interface Versioned<T> {
  value: T;
  version: string;
}

const KZ_OFFSET_MS = 5 * 3600 * 1000;

/** 00:00 Astana time (UTC+5) on 1 January of `year`, as an ISO instant. */
export function startOfKazakhstanYear(year: number): string {
  return new Date(Date.UTC(year, 0, 1) - KZ_OFFSET_MS).toISOString();
}

/** The Kazakhstan calendar year at `instant`. */
export function kazakhstanYear(instant: Date): number {
  return Number(kazakhstanDay(instant).slice(0, 4));
}

/** The subject a value is about. */
export function subjectOf(value: ReferenceValue): string {
  if (value.kind === 'fee') return value.fee.code;
  if (value.kind === 'mrp') return String(value.year);
  return value.ministry;
}

/** A new change id: 128 random bits. */
export function newChangeId(): string {
  return `chg_${randomBytes(16).toString('base64url')}`;
}

/** Shape check for change ids in paths (a seed version has no change). */
export const CHANGE_ID_PATTERN = /^chg_[A-Za-z0-9_-]{22}$/;

/**
 * Checks that `actor` may propose or decide a change of `value`: an operator any; a ministry only a fee of its own.
 * @throws ForbiddenError otherwise.
 */
export function checkReferenceRole(actor: ReferenceActor, value: ReferenceValue): void {
  if (actor.role === 'operator') return;
  if (value.kind === 'fee' && actor.ministry && value.fee.ministry === actor.ministry) return;
  throw new ForbiddenError('A ministry changes only its own fees; other reference data is the operators’.');
}

/**
 * A new proposal. A requested `effectiveFrom` must not be in the past (a price is never changed retroactively); an
 * MRP's is always 1 January of its year, and a year already over is refused.
 */
export function proposeChange(
  actor: ReferenceActor,
  input: { value: ReferenceValue; reason: string; effectiveFrom?: string },
  now: Date,
  id: string,
): ReferenceChange {
  checkReferenceRole(actor, input.value);
  let effectiveFrom = input.effectiveFrom;
  if (input.value.kind === 'mrp') {
    if (effectiveFrom)
      throw new ValidationError([{ field: 'effectiveFrom', message: 'an MRP is in force from 1 January of its year' }]);
    if (input.value.year < kazakhstanYear(now))
      throw new ValidationError([{ field: 'year', message: 'must be this year or a later one' }]);
    effectiveFrom = startOfKazakhstanYear(input.value.year);
  } else if (effectiveFrom && Date.parse(effectiveFrom) < now.getTime()) {
    throw new ValidationError([{ field: 'effectiveFrom', message: 'must not be in the past' }]);
  }
  return {
    id,
    kind: input.value.kind,
    subject: subjectOf(input.value),
    value: input.value,
    state: 'proposed',
    reason: input.reason,
    proposedBy: actor.subject,
    proposedAt: now.toISOString(),
    ...(effectiveFrom ? { effectiveFrom: new Date(effectiveFrom).toISOString() } : {}),
    version: 0,
  };
}

function checkDecidable(change: ReferenceChange, actor: ReferenceActor): void {
  checkReferenceRole(actor, change.value);
  if (change.state !== 'proposed') throw new ConflictError(`Change ${change.id} is already ${change.state}.`);
}

/**
 * Approves `change` by `actor`, who must not be its proposer (four eyes). The version is in force from the
 * requested instant (`schedule`, else the proposal's), or from now when that has passed or none was asked for.
 * @throws ForbiddenError for the proposer; ConflictError when the change is no longer proposed.
 */
export function approveChange(
  change: ReferenceChange,
  actor: ReferenceActor,
  now: Date,
  schedule?: string,
): { change: ReferenceChange; version: ReferenceVersion } {
  checkDecidable(change, actor);
  if (actor.subject === change.proposedBy) throw new ForbiddenError('The proposer of a change never approves it.');
  if (schedule && change.kind === 'mrp')
    throw new ValidationError([{ field: 'effectiveFrom', message: 'an MRP is in force from 1 January of its year' }]);
  if (schedule && Date.parse(schedule) < now.getTime())
    throw new ValidationError([{ field: 'effectiveFrom', message: 'must not be in the past' }]);
  const asked = schedule ?? change.effectiveFrom;
  const from = asked && Date.parse(asked) > now.getTime() ? new Date(asked) : now;
  const decided: ReferenceChange = {
    ...change,
    state: 'approved',
    effectiveFrom: from.toISOString(),
    decidedBy: actor.subject,
    decidedAt: now.toISOString(),
    version: change.version + 1,
  };
  const version: ReferenceVersion = {
    id: change.id,
    kind: change.kind,
    subject: change.subject,
    value: change.value,
    effectiveFrom: from.toISOString(),
    proposedBy: change.proposedBy,
    approvedBy: actor.subject,
    approvedAt: now.toISOString(),
    reason: change.reason,
  };
  return { change: decided, version };
}

/** Rejects `change` (its proposer may withdraw it this way). @throws ConflictError when no longer proposed. */
export function rejectChange(
  change: ReferenceChange,
  actor: ReferenceActor,
  now: Date,
  reason?: string,
): ReferenceChange {
  checkDecidable(change, actor);
  return {
    ...change,
    state: 'rejected',
    decidedBy: actor.subject,
    decidedAt: now.toISOString(),
    ...(reason ? { decisionReason: reason } : {}),
    version: change.version + 1,
  };
}

/** The version of one subject in force at `at`: the latest `effectiveFrom` not after it, ties to the later approval. */
export function versionInForce(versions: readonly ReferenceVersion[], at: Date): ReferenceVersion | undefined {
  let best: ReferenceVersion | undefined;
  for (const v of versions) {
    if (Date.parse(v.effectiveFrom) > at.getTime()) continue;
    if (
      !best ||
      v.effectiveFrom > best.effectiveFrom ||
      (v.effectiveFrom === best.effectiveFrom && v.approvedAt > best.approvedAt)
    )
      best = v;
  }
  return best;
}

/** Each subject's version in force at `at`, by subject. */
export function versionsInForce(versions: readonly ReferenceVersion[], at: Date): Map<string, ReferenceVersion> {
  const bySubject = new Map<string, ReferenceVersion[]>();
  for (const v of versions) bySubject.set(v.subject, [...(bySubject.get(v.subject) ?? []), v]);
  const out = new Map<string, ReferenceVersion>();
  for (const [subject, list] of bySubject) {
    const v = versionInForce(list, at);
    if (v) out.set(subject, v);
  }
  return out;
}

const SEEDED_AT = '1970-01-01T00:00:00.000Z';

function seedVersion(value: ReferenceValue, effectiveFrom = SEEDED_AT): ReferenceVersion {
  const subject = subjectOf(value);
  return {
    id: `seed:${value.kind}:${subject}`,
    kind: value.kind,
    subject,
    value,
    effectiveFrom,
    proposedBy: 'seed',
    approvedBy: 'seed',
    approvedAt: SEEDED_AT,
    reason: 'initial reference data',
  };
}

/**
 * The seed versions: the sample fee catalog and the MRP table of fees.ts, plus `registries` (the local runtime's
 * mock registries; a deployment's come from its RegistriesJson). What a fresh table is loaded with.
 */
export function seedVersions(registries: Readonly<Record<string, { url: string }>> = {}): ReferenceVersion[] {
  return [
    ...sampleFeeCatalog.map((fee) => seedVersion({ kind: 'fee', fee })),
    ...Object.entries(MRP_KZT_BY_YEAR).map(([year, kzt]) =>
      seedVersion({ kind: 'mrp', year: Number(year), kzt }, startOfKazakhstanYear(Number(year))),
    ),
    ...Object.entries(registries).map(([ministry, r]) =>
      seedVersion({ kind: 'registry', ministry, url: r.url, format: 'json' }),
    ),
  ];
}

/**
 * True when no MRP is approved for the Kazakhstan year `aheadDays` from `now` (default 30): the alarm that gives the
 * operators a month to enter it, instead of MRP fees failing on 1 January.
 */
export function mrpMissingAhead(mrpVersions: readonly ReferenceVersion[], now: Date, aheadDays = 30): boolean {
  const year = kazakhstanYear(new Date(now.getTime() + aheadDays * 86_400_000));
  return !mrpVersions.some((v) => v.kind === 'mrp' && v.subject === String(year));
}

// ---- wire forms and request schemas (shared with the API handler and the OpenAPI document) ----

const reason = z.string().trim().min(1).max(500);
const instant = z.iso.datetime({ offset: true });

/** The registry URL check as a zod refinement (the local allowance only where the caller says so). */
export function registryUrlSchema(allowLocalLoopback: boolean) {
  return z
    .string()
    .max(2048)
    .superRefine((text, ctx) => {
      const problem = registryUrlProblem(text, { allowLocalLoopback });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** `POST /v1/admin/fees`: a fee entry as in the catalog, the reason, and when it takes effect. */
export const feeProposalSchema = z.strictObject({ fee: feeEntryWireSchema, effectiveFrom: instant.optional(), reason });

/** `POST /v1/admin/mrp`: the KZT per MRP of a year (whole tenge, as a decimal string). */
export const mrpProposalSchema = z.strictObject({
  year: z.number().int().min(2000).max(2100),
  kzt: z.string().regex(/^[1-9]\d{0,9}$/, 'must be a positive whole number of tenge, as a decimal string'),
  reason,
});

/** `POST /v1/admin/registries` (the URL check is added where the stage is known: {@link registryProposalSchemaFor}). */
export const registryProposalSchema = z.strictObject({
  ministry: ministryCodeSchema,
  url: z.string().max(2048),
  format: z.enum(registryFormats).default('json'),
  effectiveFrom: instant.optional(),
  reason,
});

/** {@link registryProposalSchema} with the URL refused unless https and public (loopback allowed only locally). */
export function registryProposalSchemaFor(allowLocalLoopback: boolean) {
  return registryProposalSchema.extend({ url: registryUrlSchema(allowLocalLoopback) });
}

/** `POST /v1/admin/changes/{id}/approve`: optionally schedules the version for a later instant. */
export const approveChangeSchema = z.strictObject({ effectiveFrom: instant.optional() });

/** `POST /v1/admin/changes/{id}/reject`. */
export const rejectChangeSchema = z.strictObject({ reason: reason.optional() });

/** `GET /v1/admin/changes?state&kind`. */
export const changesQuerySchema = z.strictObject({
  state: z.enum(changeStates).optional(),
  kind: z.enum(referenceKinds).optional(),
});

/** `GET /v1/admin/reference/{kind}`: versions of one kind, optionally of one subject. */
export const versionsQuerySchema = z.strictObject({ subject: z.string().max(64).optional() });

/** The wire form of a value (money as decimal strings). */
export type ReferenceValueWire =
  | { kind: 'fee'; fee: FeeEntryWire }
  | { kind: 'mrp'; year: number; kzt: string }
  | { kind: 'registry'; ministry: string; url: string; format: string };

/** A value to its wire form. */
export function valueToWire(value: ReferenceValue): ReferenceValueWire {
  if (value.kind === 'fee') return { kind: 'fee', fee: feeToJson(value.fee) };
  if (value.kind === 'mrp') return { kind: 'mrp', year: value.year, kzt: value.kzt.toString() };
  return { ...value };
}

/** A value from its (stored, already validated) wire form. */
export function valueFromWire(wire: ReferenceValueWire): ReferenceValue {
  if (wire.kind === 'fee') return { kind: 'fee', fee: feeFromJson(wire.fee) };
  if (wire.kind === 'mrp') return { kind: 'mrp', year: wire.year, kzt: BigInt(wire.kzt) };
  return { kind: 'registry', ministry: wire.ministry, url: wire.url, format: 'json' };
}

/** The API body of a change. */
export function changeToWire(change: ReferenceChange) {
  const { version: _lock, value, ...rest } = change;
  return { ...rest, value: valueToWire(value) };
}

/** The API body of a version. */
export function versionToWire(version: ReferenceVersion) {
  return { ...version, value: valueToWire(version.value) };
}
