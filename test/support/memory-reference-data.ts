/** In-memory reference data (the ReferenceDataStore port) for use-case tests: the same write-once rules as the table. */
import type { ReferenceChange, ReferenceVersion } from '../../shared/domain/reference-data';
import { ConcurrentChangeError, type ReferenceDataStore } from '../../shared/ports';

/** A fresh, empty store (what is in force then falls back to the seed versions). */
export function memoryReferenceData(): ReferenceDataStore & {
  changesById: Map<string, ReferenceChange>;
  versionsById: Map<string, ReferenceVersion>;
} {
  const changesById = new Map<string, ReferenceChange>();
  const versionsById = new Map<string, ReferenceVersion>();
  const clone = <T>(v: T): T => structuredClone(v);
  return {
    changesById,
    versionsById,
    async versions(kind, subject) {
      return [...versionsById.values()]
        .filter((v) => v.kind === kind && (subject === undefined || v.subject === subject))
        .map(clone);
    },
    async propose(change) {
      if (changesById.has(change.id)) throw new Error(`change ${change.id} exists`);
      changesById.set(change.id, clone(change));
    },
    async change(id) {
      const c = changesById.get(id);
      return c && clone(c);
    },
    async changes(filter) {
      return [...changesById.values()]
        .filter((c) => (!filter.state || c.state === filter.state) && (!filter.kind || c.kind === filter.kind))
        .sort((a, b) => (a.proposedAt < b.proposedAt ? 1 : -1))
        .map(clone);
    },
    async decide(change, version) {
      const stored = changesById.get(change.id);
      if (stored?.state !== 'proposed' || stored.version !== change.version - 1) throw new ConcurrentChangeError();
      if (version && versionsById.has(version.id)) throw new ConcurrentChangeError();
      changesById.set(change.id, clone(change));
      if (version) versionsById.set(version.id, clone(version));
    },
    async seed(version) {
      if (versionsById.has(version.id)) return false;
      versionsById.set(version.id, clone(version));
      return true;
    },
  };
}
