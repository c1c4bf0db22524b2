/**
 * Reference data, the use cases (the rules: shared/domain/reference-data.ts): propose a fee, an MRP or a registry;
 * approve (another identity: four eyes) or reject; list changes and versions; read what is in force at an instant
 * (pricing an invoice, the public catalog, a registry's endpoint); the MRP-ahead check; seeding.
 *
 * What is in force falls back to the seed versions for a subject the table holds none of, so a table not yet seeded
 * prices exactly as the code's sample data did.
 */
import { ForbiddenError, NotFoundError } from '../domain/errors';
import type { FeeEntry } from '../domain/fees';
import {
  approveChange,
  type ChangeState,
  mrpMissingAhead,
  newChangeId,
  proposeChange,
  type ReferenceActor,
  type ReferenceChange,
  type ReferenceKind,
  type ReferenceValue,
  type ReferenceVersion,
  rejectChange,
  seedVersions,
  type Versioned,
  versionInForce,
  versionsInForce,
} from '../domain/reference-data';
import { ConcurrentChangeError, type ReferenceDataStore, type ReferenceReader } from '../ports';

export interface ReferenceDataDeps {
  store: ReferenceDataStore;
  now: () => Date;
  newId?: () => string;
}

/** Proposes a change (201 `proposed`). */
export async function proposeReferenceChange(
  actor: ReferenceActor,
  input: { value: ReferenceValue; reason: string; effectiveFrom?: string },
  deps: ReferenceDataDeps,
): Promise<ReferenceChange> {
  const change = proposeChange(actor, input, deps.now(), (deps.newId ?? newChangeId)());
  await deps.store.propose(change);
  return change;
}

/** The change `id` as `actor` may see it: a ministry sees only changes of its own fees (others read as absent). */
async function changeOrNotFound(
  actor: ReferenceActor,
  id: string,
  store: ReferenceDataStore,
): Promise<ReferenceChange> {
  const change = await store.change(id);
  if (!change || !visibleTo(actor, change)) throw new NotFoundError(`No change ${id}.`);
  return change;
}

function visibleTo(actor: ReferenceActor, change: ReferenceChange): boolean {
  return actor.role === 'operator' || (change.value.kind === 'fee' && change.value.fee.ministry === actor.ministry);
}

/**
 * Approves a change by another identity than its proposer; optionally scheduled for a later instant. A lost race
 * reads again, so a twin approval answers the conflict of a change already decided.
 */
export async function approveReferenceChange(
  actor: ReferenceActor,
  id: string,
  schedule: string | undefined,
  deps: ReferenceDataDeps,
): Promise<ReferenceChange> {
  for (let attempt = 1; ; attempt++) {
    const decided = approveChange(await changeOrNotFound(actor, id, deps.store), actor, deps.now(), schedule);
    try {
      await deps.store.decide(decided.change, decided.version);
      return decided.change;
    } catch (error) {
      if (!(error instanceof ConcurrentChangeError) || attempt >= 3) throw error;
    }
  }
}

/** Rejects (or, by its proposer, withdraws) a proposed change. */
export async function rejectReferenceChange(
  actor: ReferenceActor,
  id: string,
  reason: string | undefined,
  deps: ReferenceDataDeps,
): Promise<ReferenceChange> {
  for (let attempt = 1; ; attempt++) {
    const rejected = rejectChange(await changeOrNotFound(actor, id, deps.store), actor, deps.now(), reason);
    try {
      await deps.store.decide(rejected);
      return rejected;
    } catch (error) {
      if (!(error instanceof ConcurrentChangeError) || attempt >= 3) throw error;
    }
  }
}

/** Changes for an actor: an operator sees all; a ministry the fee changes of its own fees. */
export async function listReferenceChanges(
  actor: ReferenceActor,
  filter: { state?: ChangeState; kind?: ReferenceKind },
  store: ReferenceDataStore,
): Promise<ReferenceChange[]> {
  return (await store.changes(filter)).filter((c) => visibleTo(actor, c));
}

/** Stored versions of `kind` (of one subject), or the seed ones for a subject none is stored of. */
async function versionsWithSeeds(
  reader: ReferenceReader,
  kind: ReferenceKind,
  subject?: string,
): Promise<ReferenceVersion[]> {
  const stored = await reader.versions(kind, subject);
  const storedSubjects = new Set(stored.map((v) => v.subject));
  const seeds = seedVersions().filter(
    (v) => v.kind === kind && (subject === undefined || v.subject === subject) && !storedSubjects.has(v.subject),
  );
  return [...stored, ...seeds];
}

/** Every version of `kind`, seeds included, oldest first: the history an operator reads. */
export async function referenceVersions(
  reader: ReferenceReader,
  kind: ReferenceKind,
  subject?: string,
): Promise<ReferenceVersion[]> {
  const all = await versionsWithSeeds(reader, kind, subject);
  return all.sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0));
}

/**
 * The versions `actor` may read, oldest first: an operator every kind; a ministry the versions of its own fees (what is
 * in force and what is scheduled), nothing else.
 * @throws ForbiddenError when a ministry asks for another kind than `fee`.
 */
export async function readableVersions(
  actor: ReferenceActor,
  reader: ReferenceReader,
  kind: ReferenceKind,
  subject?: string,
): Promise<ReferenceVersion[]> {
  if (actor.role !== 'operator' && kind !== 'fee') throw new ForbiddenError(`A ministry reads fee versions only.`);
  const list = await referenceVersions(reader, kind, subject);
  if (actor.role === 'operator') return list;
  return list.filter((v) => v.value.kind === 'fee' && v.value.fee.ministry === actor.ministry);
}

/** The fee `code` in force at `at`, with its version; undefined when none is (yet). */
export async function feeInForce(
  reader: ReferenceReader,
  code: string,
  at: Date,
): Promise<Versioned<FeeEntry> | undefined> {
  const v = versionInForce(await versionsWithSeeds(reader, 'fee', code), at);
  return v?.value.kind === 'fee' ? { value: v.value.fee, version: v.id } : undefined;
}

/** The KZT per MRP of `year` in force at `at`, with its version; undefined when none is approved. */
export async function mrpInForce(
  reader: ReferenceReader,
  year: number,
  at: Date,
): Promise<Versioned<bigint> | undefined> {
  const v = versionInForce(await versionsWithSeeds(reader, 'mrp', String(year)), at);
  return v?.value.kind === 'mrp' ? { value: v.value.kzt, version: v.id } : undefined;
}

/** The catalog in force at `at`, each fee with its version, ordered by code. */
export async function catalogInForce(reader: ReferenceReader, at: Date): Promise<Versioned<FeeEntry>[]> {
  const inForce = versionsInForce(await versionsWithSeeds(reader, 'fee'), at);
  return [...inForce.values()]
    .flatMap((v) => (v.value.kind === 'fee' ? [{ value: v.value.fee, version: v.id }] : []))
    .sort((a, b) => (a.value.code < b.value.code ? -1 : 1));
}

/** The registry endpoint of `ministry` in force at `at`, when one was approved (a deployment's config otherwise). */
export async function registryInForce(
  reader: ReferenceReader,
  ministry: string,
  at: Date,
): Promise<Versioned<{ url: string; format: string }> | undefined> {
  const v = versionInForce(await reader.versions('registry', ministry), at);
  return v?.value.kind === 'registry'
    ? { value: { url: v.value.url, format: v.value.format }, version: v.id }
    : undefined;
}

/** True when no MRP is approved (or seeded) for the Kazakhstan year 30 days from `now`: the alarm's metric. */
export async function isMrpMissingAhead(reader: ReferenceReader, now: Date, aheadDays = 30): Promise<boolean> {
  return mrpMissingAhead(await versionsWithSeeds(reader, 'mrp'), now, aheadDays);
}

/**
 * Loads the seed versions (sample catalog, MRP table, the given registries) into the store, each unless already
 * there: run at the local runtime's start and by the deploy-time step; running it again writes nothing.
 */
export async function seedReferenceData(
  store: Pick<ReferenceDataStore, 'seed'>,
  registries: Readonly<Record<string, { url: string }>> = {},
): Promise<{ written: number; kept: number }> {
  let written = 0;
  const seeds = seedVersions(registries);
  for (const version of seeds) if (await store.seed(version)) written++;
  return { written, kept: seeds.length - written };
}
