/** In-memory compliance ports (shared/ports.ts): the licensed-firm register and the decision journal. */
import { type FreezeIncident, frozenKey } from '../../shared/domain/freeze';
import type { RegisteredFirm, RegisterSnapshot } from '../../shared/domain/licence-register';
import type { Hold, HoldState, ScreeningList } from '../../shared/domain/screening';
import type {
  ComplianceDecision,
  ComplianceLog,
  FreezeStore,
  HoldStore,
  LicenceRegister,
  ScreeningLists,
  TokenBlacklist,
} from '../../shared/ports';

/** The sample firm every test invoices: active, with a licence number. */
export const LICENSED_FIRM: RegisteredFirm = {
  bin: '940140000385',
  name: 'Test Firm LLP',
  licenceNo: 'AFSA-F-2025-0001',
  status: 'active',
  activities: ['Providing Money Services'],
  validFrom: '2025-01-01',
};

export class MemoryLicenceRegister implements LicenceRegister {
  readonly snapshots: { header: RegisterSnapshot; firms: Map<string, RegisteredFirm> }[] = [];

  /** A register whose first snapshot lists `firms` (the sample licensed firm by default). */
  static with(firms: readonly RegisteredFirm[] = [LICENSED_FIRM]): MemoryLicenceRegister {
    const register = new MemoryLicenceRegister();
    register.snapshots.push({
      header: {
        version: 1,
        uploadedBy: 'seed',
        uploadedAt: '2025-01-01T00:00:00.000Z',
        firms: firms.length,
        sha256: '0',
        format: 'json',
      },
      firms: new Map(firms.map((f) => [f.bin, f])),
    });
    return register;
  }

  async firm(bin: string): Promise<RegisteredFirm | undefined> {
    return this.snapshots.at(-1)?.firms.get(bin);
  }

  async current(): Promise<RegisterSnapshot | undefined> {
    return this.snapshots.at(-1)?.header;
  }

  async store(firms: readonly RegisteredFirm[], header: Omit<RegisterSnapshot, 'version'>): Promise<RegisterSnapshot> {
    const stored = { ...header, version: this.snapshots.length + 1 };
    this.snapshots.push({ header: stored, firms: new Map(firms.map((f) => [f.bin, f])) });
    return stored;
  }
}

export class MemoryComplianceLog implements ComplianceLog {
  readonly decisions: ComplianceDecision[] = [];

  async record(decision: ComplianceDecision): Promise<void> {
    if (!this.decisions.some((d) => d.id === decision.id)) this.decisions.push(decision);
  }
}

export class MemoryScreeningLists implements ScreeningLists {
  readonly lists = new Map<string, ScreeningList>();
  reads = 0;

  async put(list: Omit<ScreeningList, 'version'>): Promise<ScreeningList> {
    const stored = { ...list, version: (this.lists.get(list.name)?.version ?? 0) + 1 };
    this.lists.set(list.name, stored);
    return stored;
  }

  async all(): Promise<ScreeningList[]> {
    this.reads++;
    return [...this.lists.values()];
  }
}

/** A token blacklist answering from a set of `chainId:token:address` (lower case), counting the reads (RPC calls). */
export class MemoryTokenBlacklist implements TokenBlacklist {
  readonly frozen = new Set<string>();
  reads = 0;

  freeze(chainId: number, token: string, address: string): this {
    this.frozen.add(`${chainId}:${token}:${address}`.toLowerCase());
    return this;
  }

  async isBlacklisted(chainId: number, token: string, address: string): Promise<boolean> {
    this.reads++;
    return this.frozen.has(`${chainId}:${token}:${address}`.toLowerCase());
  }
}

export class MemoryHoldStore implements HoldStore {
  readonly holds = new Map<string, Hold>();

  async get(id: string): Promise<Hold | undefined> {
    const hold = this.holds.get(id);
    return hold && structuredClone(hold);
  }

  async create(hold: Hold): Promise<boolean> {
    if (this.holds.has(hold.id)) return false;
    this.holds.set(hold.id, structuredClone(hold));
    return true;
  }

  async decide(id: string, state: 'released' | 'rejected', decision: NonNullable<Hold['decision']>) {
    const hold = this.holds.get(id);
    if (hold?.state !== 'held') return undefined;
    const decided = { ...hold, state, decision };
    this.holds.set(id, decided);
    return structuredClone(decided);
  }

  async list(query: { state?: HoldState; limit: number }): Promise<{ items: Hold[] }> {
    const items = [...this.holds.values()]
      .filter((h) => !query.state || h.state === query.state)
      .sort((a, b) => (a.heldAt < b.heldAt ? 1 : -1))
      .slice(0, query.limit);
    return { items };
  }
}

/** An in-memory freeze store: incidents once by id, each pair's state moved only by a newer event. */
export class MemoryFreezeStore implements FreezeStore {
  readonly incidentsById = new Map<string, FreezeIncident>();
  readonly pairs = new Map<string, { state: 'frozen' | 'unfrozen'; at: [number, number] }>();

  async record(incident: FreezeIncident): Promise<boolean> {
    const key = `${incident.chainId}:${frozenKey(incident.token, incident.address)}`;
    const pair = this.pairs.get(key);
    const at: [number, number] = [incident.blockNumber, incident.logIndex];
    if (!pair || pair.at[0] < at[0] || (pair.at[0] === at[0] && pair.at[1] < at[1])) {
      this.pairs.set(key, { state: incident.kind === 'address-frozen' ? 'frozen' : 'unfrozen', at });
    }
    if (this.incidentsById.has(incident.id)) return false;
    this.incidentsById.set(incident.id, structuredClone(incident));
    return true;
  }

  async frozen(chainId: number): Promise<Set<string>> {
    const prefix = `${chainId}:`;
    return new Set(
      [...this.pairs.entries()]
        .filter(([k, v]) => k.startsWith(prefix) && v.state === 'frozen')
        .map(([k]) => k.slice(prefix.length)),
    );
  }

  async incidents(query: { limit: number }): Promise<{ items: FreezeIncident[] }> {
    const items = [...this.incidentsById.values()].sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, query.limit);
    return { items };
  }
}
