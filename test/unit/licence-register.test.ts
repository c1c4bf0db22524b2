/** The licensed-firm register: parsing CSV and JSON uploads, snapshots with their uploader, and issuing against it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAMPLE_REGISTER_PATH } from '../../infra/local/seed-compliance';
import { type IssueInvoiceRequest, issueInvoice } from '../../shared/app/issue-invoice';
import { readRegisteredFirm, uploadRegister } from '../../shared/app/licence-register';
import { mainnetChains } from '../../shared/domain/chains';
import { DEV_ACCOUNT_XPUB } from '../../shared/domain/deposit-address';
import { NotFoundError, ValidationError } from '../../shared/domain/errors';
import { feeFromJson, feeToJson, sampleFeeCatalog } from '../../shared/domain/fees';
import {
  licenceStanding,
  MAX_REGISTER_FIRMS,
  PayerNotLicensedError,
  parseRegister,
  type RegisteredFirm,
} from '../../shared/domain/licence-register';
import { LICENSED_FIRM, MemoryComplianceLog, MemoryLicenceRegister } from '../support/memory-compliance';
import { MemoryInvoiceStore } from '../support/memory-invoice-store';
import { MemoryRateStore } from '../support/memory-rates';
import { memoryReferenceData } from '../support/memory-reference-data';

const NOW = new Date('2026-03-10T06:00:00.000Z');
const REVOKED: RegisteredFirm = { ...LICENSED_FIRM, bin: '950140000004', licenceNo: 'L-2', status: 'revoked' };
const CSV = `bin,name,licenceNo,status,activities,validFrom
940140000385,"Test Firm, LLP",AFSA-F-1,active,Providing Money Services; Dealing in Investments,2025-01-01
950140000004,Revoked Ltd,AFSA-F-2,revoked,,2023-03-15
`;

function issuing(register: MemoryLicenceRegister) {
  return {
    reference: memoryReferenceData(),
    chains: mainnetChains,
    accountXpub: DEV_ACCOUNT_XPUB,
    now: () => NOW,
    invoices: new MemoryInvoiceStore(),
    rates: new MemoryRateStore().seed('2026-03-10', '500.00'),
    register,
  };
}

const request = (feeCode: string, bin: string): IssueInvoiceRequest => ({ feeCode, payer: { bin, name: 'Firm' } });

describe('parseRegister', () => {
  it('reads CSV with quoted cells and activities separated by ";"', () => {
    expect(parseRegister(CSV, 'csv')).toEqual([
      {
        bin: '940140000385',
        name: 'Test Firm, LLP',
        licenceNo: 'AFSA-F-1',
        status: 'active',
        activities: ['Providing Money Services', 'Dealing in Investments'],
        validFrom: '2025-01-01',
      },
      {
        bin: '950140000004',
        name: 'Revoked Ltd',
        licenceNo: 'AFSA-F-2',
        status: 'revoked',
        activities: [],
        validFrom: '2023-03-15',
      },
    ]);
  });

  it('reads the JSON the contract gives, and the sample register of the local runtime', () => {
    const json = JSON.stringify({ firms: [LICENSED_FIRM] });
    expect(parseRegister(json, 'json')).toEqual([LICENSED_FIRM]);
    expect(parseRegister(readFileSync(SAMPLE_REGISTER_PATH, 'utf8'), 'csv').map((f) => f.status)).toEqual([
      'active',
      'suspended',
      'revoked',
    ]);
  });

  it('refuses a wrong BIN check digit, an unknown status, a BIN twice, missing columns and too many firms', () => {
    const fields = (body: string, format: 'csv' | 'json') => {
      try {
        parseRegister(body, format);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).issues.map((i) => i.field);
      }
      throw new Error('accepted');
    };
    expect(fields(CSV.replace('940140000385', '940140000386'), 'csv')).toEqual(['firms.0.bin']);
    expect(fields(CSV.replace('revoked,', 'lapsed,'), 'csv')).toEqual(['firms.1.status']);
    expect(fields(`${CSV}940140000385,Again,X,active,,2025-01-01\n`, 'csv')).toEqual(['firms.2.bin']);
    expect(fields('bin,name\n940140000385,Firm\n', 'csv')).toEqual(['(body)']);
    expect(fields(JSON.stringify({ firms: [{ ...LICENSED_FIRM, extra: 1 }] }), 'json')).toEqual(['firms.0.extra']);
    expect(fields(JSON.stringify({ firms: [] }), 'json')).toEqual(['firms']);
    expect(fields('{', 'json')).toEqual(['(body)']);
    const many = Array.from({ length: MAX_REGISTER_FIRMS + 1 }, () => '940140000385,F,L,active,,2025-01-01').join('\n');
    expect(fields(`bin,name,licenceNo,status,activities,validFrom\n${many}\n`, 'csv')).toEqual(['firms']);
  });

  it('a firm is active only from its validFrom day', () => {
    expect(licenceStanding(LICENSED_FIRM, '2024-12-31')).toBe('not yet valid');
    expect(licenceStanding(LICENSED_FIRM, '2025-01-01')).toBe('active');
    expect(licenceStanding(undefined, '2025-01-01')).toBe('not registered');
    expect(licenceStanding(REVOKED, '2025-01-01')).toBe('revoked');
  });
});

describe('uploadRegister', () => {
  it('stores each upload as a new version with uploader and time, and journals it', async () => {
    const register = new MemoryLicenceRegister();
    const log = new MemoryComplianceLog();
    const deps = { register, log, now: () => NOW };
    const actor = { subject: 'officer-1', role: 'compliance' };
    const first = await uploadRegister(actor, { body: CSV, format: 'csv' }, deps);
    expect(first).toMatchObject({ version: 1, uploadedBy: 'officer-1', uploadedAt: NOW.toISOString(), firms: 2 });
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    const second = await uploadRegister(actor, { body: JSON.stringify({ firms: [REVOKED] }), format: 'json' }, deps);
    expect(second.version).toBe(2);
    // The earlier snapshot is kept as it was; the current one decides.
    expect(register.snapshots[0]?.firms.get('940140000385')?.status).toBe('active');
    await expect(readRegisteredFirm('940140000385', register)).rejects.toBeInstanceOf(NotFoundError);
    expect((await readRegisteredFirm('950140000004', register)).snapshot.version).toBe(2);
    expect(log.decisions.map((d) => [d.id, d.action, d.actor.subject])).toEqual([
      ['register:v1', 'register-upload', 'officer-1'],
      ['register:v2', 'register-upload', 'officer-1'],
    ]);
  });

  it('stores nothing when a firm is invalid', async () => {
    const register = new MemoryLicenceRegister();
    const deps = { register, log: new MemoryComplianceLog(), now: () => NOW };
    const bad = CSV.replace('active', 'actve');
    await expect(
      uploadRegister({ subject: 's', role: 'compliance' }, { body: bad, format: 'csv' }, deps),
    ).rejects.toThrow(ValidationError);
    expect(register.snapshots).toHaveLength(0);
  });
});

describe('issuing against the register', () => {
  it('issues a licence-requiring fee to an active firm and records its licence number', async () => {
    const { invoice } = await issueInvoice(
      'AFSA',
      request('AFSA-SUP-PMS', '940140000385'),
      undefined,
      issuing(MemoryLicenceRegister.with()),
    );
    expect(invoice.payer).toEqual({ bin: '940140000385', name: 'Firm', kod: '17', licenceNo: 'AFSA-F-2025-0001' });
  });

  it('refuses a licence-requiring fee to a revoked or unregistered BIN with the status found', async () => {
    const deps = issuing(MemoryLicenceRegister.with([LICENSED_FIRM, REVOKED]));
    const refused = issueInvoice('AFSA', request('AFSA-SUP-PMS', '950140000004'), undefined, deps);
    await expect(refused).rejects.toBeInstanceOf(PayerNotLicensedError);
    await expect(refused).rejects.toMatchObject({ details: { bin: '950140000004', licenceStatus: 'revoked' } });
    await expect(
      issueInvoice('MINFIN', request('MINFIN-DUTY-LIC-DUP', '990140000007'), undefined, deps),
    ).rejects.toMatchObject({ details: { licenceStatus: 'not registered' } });
    expect(deps.invoices.journal).toHaveLength(0);
  });

  it('issues an application fee to an unregistered BIN, without a licence number', async () => {
    const deps = issuing(new MemoryLicenceRegister());
    const { invoice } = await issueInvoice('AFSA', request('AFSA-APP-PMS', '990140000007'), undefined, deps);
    expect(invoice.payer.licenceNo).toBeUndefined();
  });

  it('the catalog marks which fees require a licence, and carries the mark through its wire form', () => {
    const requiring = sampleFeeCatalog.filter((f) => f.requiresLicence).map((f) => f.code);
    expect(requiring).toEqual(['AFSA-SUP-PMS', 'MINFIN-DUTY-LIC-DUP']);
    expect(sampleFeeCatalog.filter((f) => f.code.includes('-APP-')).every((f) => !f.requiresLicence)).toBe(true);
    for (const fee of sampleFeeCatalog) expect(feeFromJson(feeToJson(fee))).toEqual(fee);
  });
});
