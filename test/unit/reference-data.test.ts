/**
 * Reference data (issue 18) against the in-memory store: four eyes, versions never overwritten, effective dates,
 * invoices priced from the version in force (and recording it), the MRP year boundary at 00:00 Astana time and the
 * MRP-ahead check.
 */
import { describe, expect, it } from 'vitest';
import { issueInvoice } from '../../shared/app/issue-invoice';
import {
  approveReferenceChange,
  catalogInForce,
  feeInForce,
  isMrpMissingAhead,
  listReferenceChanges,
  mrpInForce,
  proposeReferenceChange,
  readableVersions,
  rejectReferenceChange,
  seedReferenceData,
} from '../../shared/app/reference-data';
import { mainnetChains } from '../../shared/domain/chains';
import { DEV_ACCOUNT_XPUB } from '../../shared/domain/deposit-address';
import { ConflictError, ForbiddenError, ValidationError } from '../../shared/domain/errors';
import { type FeeEntry, MrpUnavailableError, sampleFeeCatalog } from '../../shared/domain/fees';
import {
  type ReferenceActor,
  registryProposalSchemaFor,
  startOfKazakhstanYear,
} from '../../shared/domain/reference-data';
import { MemoryLicenceRegister } from '../support/memory-compliance';
import { MemoryInvoiceStore } from '../support/memory-invoice-store';
import { MemoryRateStore } from '../support/memory-rates';
import { memoryReferenceData } from '../support/memory-reference-data';

const alice: ReferenceActor = { subject: 'op-alice', role: 'operator' };
const bob: ReferenceActor = { subject: 'op-bob', role: 'operator' };
const afsa: ReferenceActor = { subject: 'afsa-clerk', role: 'ministry', ministry: 'AFSA' };
const NOW = new Date('2026-03-10T06:00:00.000Z');

const NEW_FEE: FeeEntry = {
  code: 'AFSA-APP-NEW',
  ministry: 'AFSA',
  title: { kk: 'Жаңа алым', ru: 'Новый сбор', en: 'New fee' },
  amount: { currency: 'USD', minor: 12_300n },
};

function setup(now = NOW) {
  const clock = { now };
  let n = 0;
  const store = memoryReferenceData();
  const deps = { store, now: () => clock.now, newId: () => `chg_${String(++n).padStart(22, '0')}` };
  return { store, deps, clock };
}

function invoiceDeps(store: ReturnType<typeof memoryReferenceData>, now: () => Date, rates = new MemoryRateStore()) {
  return {
    reference: store,
    chains: mainnetChains,
    accountXpub: DEV_ACCOUNT_XPUB,
    now,
    invoices: new MemoryInvoiceStore(),
    rates,
    register: MemoryLicenceRegister.with(),
  };
}

describe('reference data: four eyes', () => {
  it('a proposal is approved only by another identity, and records who, when and why', async () => {
    const { deps } = setup();
    const change = await proposeReferenceChange(alice, { value: { kind: 'fee', fee: NEW_FEE }, reason: 'new' }, deps);
    expect(change).toMatchObject({ state: 'proposed', proposedBy: 'op-alice', reason: 'new', subject: 'AFSA-APP-NEW' });
    await expect(approveReferenceChange(alice, change.id, undefined, deps)).rejects.toBeInstanceOf(ForbiddenError);
    const approved = await approveReferenceChange(bob, change.id, undefined, deps);
    expect(approved).toMatchObject({ state: 'approved', decidedBy: 'op-bob', decidedAt: NOW.toISOString() });
    const [version] = await deps.store.versions('fee', 'AFSA-APP-NEW');
    expect(version).toMatchObject({ id: change.id, proposedBy: 'op-alice', approvedBy: 'op-bob', reason: 'new' });
    await expect(approveReferenceChange(bob, change.id, undefined, deps)).rejects.toBeInstanceOf(ConflictError);
    await expect(rejectReferenceChange(bob, change.id, 'late', deps)).rejects.toBeInstanceOf(ConflictError);
  });

  it('a ministry proposes its own fees only, and never MRP or registries', async () => {
    const { deps } = setup();
    await expect(
      proposeReferenceChange(afsa, { value: { kind: 'fee', fee: sampleFeeCatalog[3] as FeeEntry }, reason: 'x' }, deps),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      proposeReferenceChange(afsa, { value: { kind: 'mrp', year: 2027, kzt: 4500n }, reason: 'x' }, deps),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const own = await proposeReferenceChange(afsa, { value: { kind: 'fee', fee: NEW_FEE }, reason: 'ours' }, deps);
    await approveReferenceChange(alice, own.id, undefined, deps);
    await proposeReferenceChange(alice, { value: { kind: 'mrp', year: 2027, kzt: 4500n }, reason: 'law' }, deps);
    expect((await listReferenceChanges(afsa, {}, deps.store)).map((c) => c.id)).toEqual([own.id]);
    expect(await listReferenceChanges(alice, { state: 'proposed' }, deps.store)).toHaveLength(1);
  });

  it('a rejected change makes no version; a past effectiveFrom is refused', async () => {
    const { deps, store } = setup();
    const change = await proposeReferenceChange(alice, { value: { kind: 'fee', fee: NEW_FEE }, reason: 'r' }, deps);
    expect(await rejectReferenceChange(bob, change.id, 'no', deps)).toMatchObject({ state: 'rejected' });
    expect(await store.versions('fee')).toEqual([]);
    await expect(
      proposeReferenceChange(
        alice,
        { value: { kind: 'fee', fee: NEW_FEE }, reason: 'r', effectiveFrom: '2026-01-01T00:00:00Z' },
        deps,
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('reference data: pricing', () => {
  it('a fee scheduled for later cannot be invoiced before, can after; an earlier invoice keeps its price', async () => {
    const { deps, store, clock } = setup();
    const later = '2026-04-01T00:00:00.000Z';
    const fee = await proposeReferenceChange(alice, { value: { kind: 'fee', fee: NEW_FEE }, reason: 'new' }, deps);
    await approveReferenceChange(bob, fee.id, later, deps);
    const invoicing = invoiceDeps(store, () => clock.now);
    const request = { feeCode: 'AFSA-APP-NEW', payer: { bin: '940140000385', name: 'Firm' } };
    await expect(issueInvoice('AFSA', request, undefined, invoicing)).rejects.toBeInstanceOf(ValidationError);
    clock.now = new Date(later);
    const before = (await issueInvoice('AFSA', request, undefined, invoicing)).invoice;
    expect(before).toMatchObject({ dueMicroUsd: 123_000_000n, pricedWith: { fee: fee.id } });

    const dearer = { ...NEW_FEE, amount: { currency: 'USD' as const, minor: 20_000n } };
    const change = await proposeReferenceChange(alice, { value: { kind: 'fee', fee: dearer }, reason: 'up' }, deps);
    await approveReferenceChange(bob, change.id, undefined, deps);
    const after = (await issueInvoice('AFSA', request, undefined, invoicing)).invoice;
    expect(after).toMatchObject({ dueMicroUsd: 200_000_000n, pricedWith: { fee: change.id } });
    expect(await invoicing.invoices.get(before.id)).toMatchObject({ dueMicroUsd: 123_000_000n });
    expect(await store.versions('fee', 'AFSA-APP-NEW')).toHaveLength(2);
  });

  it('falls back to the seed versions until the table holds a subject, and seeding twice writes nothing', async () => {
    const { store } = setup();
    expect(await feeInForce(store, 'AFSA-SUP-PMS', NOW)).toEqual({
      value: sampleFeeCatalog[0],
      version: 'seed:fee:AFSA-SUP-PMS',
    });
    expect((await catalogInForce(store, NOW)).map((f) => f.value.code).sort()).toEqual(
      sampleFeeCatalog.map((f) => f.code).sort(),
    );
    const first = await seedReferenceData(store, { AFSA: { url: 'https://registry.afsa.example/receipts' } });
    expect(first.kept).toBe(0);
    expect(await seedReferenceData(store)).toMatchObject({ written: 0 });
    expect(await store.versions('registry', 'AFSA')).toHaveLength(1);
  });

  it('the MRP of next year, entered in advance, is in force from 00:00 Astana time on 1 January', async () => {
    const { deps, store, clock } = setup(new Date('2026-12-02T06:00:00.000Z'));
    const mrp = await proposeReferenceChange(
      alice,
      { value: { kind: 'mrp', year: 2027, kzt: 4500n }, reason: 'law' },
      deps,
    );
    expect(mrp.effectiveFrom).toBe('2026-12-31T19:00:00.000Z');
    await approveReferenceChange(bob, mrp.id, undefined, deps);
    const rates = new MemoryRateStore().seed('2026-12-31', '500').seed('2027-01-01', '500');
    const invoicing = invoiceDeps(store, () => clock.now, rates);
    const duty = { feeCode: 'MINFIN-DUTY-APOSTILLE', payer: { bin: '940140000385', name: 'Firm' } };

    clock.now = new Date('2026-12-31T18:59:59.000Z'); // 23:59:59 on 31 December in Astana
    const december = (await issueInvoice('MINFIN', duty, undefined, invoicing)).invoice;
    expect(december.quote.mrpKzt).toBe('4325');
    expect(december.pricedWith).toEqual({ fee: 'seed:fee:MINFIN-DUTY-APOSTILLE', mrp: 'seed:mrp:2026' });

    clock.now = new Date('2026-12-31T19:00:00.000Z'); // 00:00 on 1 January in Astana
    const january = (await issueInvoice('MINFIN', duty, undefined, invoicing)).invoice;
    expect(january.quote.mrpKzt).toBe('4500');
    expect(january.pricedWith?.mrp).toBe(mrp.id);
    expect(await mrpInForce(store, 2027, new Date('2026-12-31T18:59:59.000Z'))).toBeUndefined();
  });

  it('a year without an approved MRP refuses MRP fees, and the alarm check fires 30 days ahead', async () => {
    const { store } = setup();
    const rates = new MemoryRateStore().seed('2027-01-05', '500');
    const invoicing = invoiceDeps(store, () => new Date('2027-01-05T06:00:00.000Z'), rates);
    await expect(
      issueInvoice(
        'MINFIN',
        { feeCode: 'MINFIN-DUTY-APOSTILLE', payer: { bin: '940140000385', name: 'F' } },
        undefined,
        invoicing,
      ),
    ).rejects.toBeInstanceOf(MrpUnavailableError);
    expect(await isMrpMissingAhead(store, new Date('2026-12-01T00:00:00.000Z'))).toBe(false);
    expect(await isMrpMissingAhead(store, new Date('2026-12-02T19:00:00.000Z'))).toBe(true);
    expect(startOfKazakhstanYear(2027)).toBe('2026-12-31T19:00:00.000Z');
  });
});

describe('reference data: registry proposals', () => {
  it('refuse metadata and private addresses, allow loopback only under the local allowance', () => {
    const cloud = registryProposalSchemaFor(false);
    const local = registryProposalSchemaFor(true);
    const body = (url: string) => ({ ministry: 'AFSA', url, reason: 'move' });
    expect(cloud.safeParse(body('http://169.254.169.254/latest/meta-data')).success).toBe(false);
    expect(cloud.safeParse(body('https://10.0.0.1/receipts')).success).toBe(false);
    expect(local.safeParse(body('https://10.0.0.1/receipts')).success).toBe(false);
    expect(cloud.safeParse(body('http://127.0.0.1:4000/r')).success).toBe(false);
    expect(local.safeParse(body('http://127.0.0.1:4000/r')).success).toBe(true);
    expect(cloud.safeParse(body('https://registry.afsa.kz/receipts')).data).toMatchObject({ format: 'json' });
  });
});

describe('reference data: who reads versions', () => {
  it('an operator reads every kind; a ministry its own fees only, and no other kind', async () => {
    const { store } = setup();
    const minfin: ReferenceActor = { subject: 'minfin-clerk', role: 'ministry', ministry: 'MINFIN' };
    const all = await readableVersions(alice, store, 'fee');
    expect(new Set(all.map((v) => (v.value.kind === 'fee' ? v.value.fee.ministry : '')))).toEqual(
      new Set(['AFSA', 'MINFIN']),
    );
    const own = await readableVersions(afsa, store, 'fee');
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((v) => v.value.kind === 'fee' && v.value.fee.ministry === 'AFSA')).toBe(true);
    expect(await readableVersions(minfin, store, 'fee', 'AFSA-SUP-PMS')).toEqual([]);
    await expect(readableVersions(afsa, store, 'mrp')).rejects.toThrow(ForbiddenError);
    expect((await readableVersions(alice, store, 'mrp')).length).toBeGreaterThan(0);
  });
});
