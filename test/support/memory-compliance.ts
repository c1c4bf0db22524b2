/** In-memory compliance ports (shared/ports.ts): the licensed-firm register and the decision journal. */
import type { RegisteredFirm, RegisterSnapshot } from '../../shared/domain/licence-register';
import type { ComplianceDecision, ComplianceLog, LicenceRegister } from '../../shared/ports';

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
