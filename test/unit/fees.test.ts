import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidBin } from '../../shared/domain/bin';
import { ValidationError } from '../../shared/domain/errors';
import {
  catalogFromJson,
  type FeeAmount,
  type FeeEntry,
  feeAmountFromJson,
  feeAmountToJson,
  feeEntryWireSchema,
  feeFromJson,
  feeToJson,
  findFee,
  MRP_KZT_BY_YEAR,
  MrpUnavailableError,
  mrpKztFor,
  mrpToKztMinor,
  sampleFeeCatalog,
} from '../../shared/domain/fees';

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => i.field);
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('MRP', () => {
  it('has the values of the design', () => {
    expect(MRP_KZT_BY_YEAR[2025]).toBe(3932n);
    expect(MRP_KZT_BY_YEAR[2026]).toBe(4325n);
    expect(mrpKztFor('2025-12-31')).toBe(3932n);
    expect(mrpKztFor('2026-01-01')).toBe(4325n);
  });

  it('refuses an unknown year rather than guessing', () => {
    expect(() => mrpKztFor('2024-06-01')).toThrow(MrpUnavailableError);
    expect(() => mrpKztFor('2027-01-01')).toThrow(/2027/);
  });

  it('refuses a malformed date as a field error', () => {
    expect(fieldsOf(() => mrpKztFor('01.01.2026'))).toEqual(['date']);
    expect(fieldsOf(() => mrpKztFor('2026-1-1', 'day'))).toEqual(['day']);
  });

  it('hundredths of an MRP × KZT per MRP is tiyn exactly', () => {
    // 0.5 MRP in 2026 = 2,162.50 KZT = 216,250 tiyn; 10 MRP = 43,250 KZT = 4,325,000 tiyn.
    expect(mrpToKztMinor(50n, 4325n)).toBe(216_250n);
    expect(mrpToKztMinor(1_000n, 4325n)).toBe(4_325_000n);
  });
});

describe('sample catalog', () => {
  it('has the AFSA PMS supervision fee at USD 3,000 without budget details', () => {
    const fee = findFee(sampleFeeCatalog, 'AFSA-SUP-PMS');
    expect(fee?.ministry).toBe('AFSA');
    expect(fee?.amount).toEqual({ currency: 'USD', minor: 300_000n });
    expect(fee?.budget).toBeUndefined();
  });

  it('AFSA fees are in USD with no budget; MINFIN fees carry budget details with a valid BIN', () => {
    const afsa = sampleFeeCatalog.filter((f) => f.ministry === 'AFSA');
    const minfin = sampleFeeCatalog.filter((f) => f.ministry === 'MINFIN');
    expect(afsa.length).toBeGreaterThanOrEqual(2);
    expect(minfin.length).toBeGreaterThanOrEqual(2);
    for (const f of afsa) {
      expect('currency' in f.amount && f.amount.currency).toBe('USD');
      expect(f.budget).toBeUndefined();
    }
    for (const f of minfin) {
      expect(f.budget?.knp).toBe('911');
      expect(f.budget?.kbe).toBe('11');
      expect(['108125', '105402']).toContain(f.budget?.kbk);
      expect(isValidBin(f.budget?.beneficiaryBin ?? '')).toBe(true);
    }
    expect(minfin.some((f) => 'mrp' in f.amount)).toBe(true);
    expect(minfin.some((f) => 'currency' in f.amount && f.amount.currency === 'KZT')).toBe(true);
  });

  it('has unique codes and titles in three languages', () => {
    expect(new Set(sampleFeeCatalog.map((f) => f.code)).size).toBe(sampleFeeCatalog.length);
    for (const f of sampleFeeCatalog) {
      expect(f.title.en).toMatch(/[A-Za-z]/);
      expect(f.title.ru).toMatch(/[А-Яа-яЁё]/);
      // Kazakh Cyrillic: at least one letter specific to Kazakh (ә ғ қ ң ө ұ ү һ і) in every title.
      expect(f.title.kk).toMatch(/[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/);
    }
  });

  it('validates against the wire schema and round-trips', () => {
    for (const entry of sampleFeeCatalog) {
      const wire = feeToJson(entry);
      expect(feeEntryWireSchema.safeParse(wire).success).toBe(true);
      // Through JSON text too, as served by GET /v1/fees.
      expect(feeFromJson(JSON.parse(JSON.stringify(wire)))).toEqual(entry);
    }
    expect(catalogFromJson(JSON.parse(JSON.stringify(sampleFeeCatalog.map(feeToJson))))).toEqual(sampleFeeCatalog);
  });

  it('wire form uses decimal strings', () => {
    const pms = findFee(sampleFeeCatalog, 'AFSA-SUP-PMS');
    expect(pms && feeToJson(pms).amount).toEqual({
      currency: 'USD',
      minor: '300000',
    });
    expect(feeAmountToJson({ mrp: 150n })).toEqual({ mrp: '1.5' });
    expect(feeAmountToJson({ mrp: 50n })).toEqual({ mrp: '0.5' });
    expect(feeAmountToJson({ mrp: 1000n })).toEqual({ mrp: '10' });
  });

  it('findFee matches codes exactly', () => {
    expect(findFee(sampleFeeCatalog, 'afsa-sup-pms')).toBeUndefined();
    expect(findFee(sampleFeeCatalog, 'NOPE')).toBeUndefined();
  });
});

describe('feeFromJson validation', () => {
  const withBudget = sampleFeeCatalog.find((f) => f.budget);
  if (!withBudget?.budget) throw new Error('sample catalog lost its budget entries');
  const good = feeToJson(withBudget);
  const budget = withBudget.budget;

  it('names the bad field', () => {
    expect(fieldsOf(() => feeFromJson({ ...good, code: 'lower case' }))).toEqual(['code']);
    expect(fieldsOf(() => feeFromJson({ ...good, ministry: 'Minfin' }))).toEqual(['ministry']);
    expect(fieldsOf(() => feeFromJson({ ...good, title: { ...good.title, kk: ' ' } }))).toEqual(['title.kk']);
    expect(fieldsOf(() => feeFromJson({ ...good, budget: { ...budget, beneficiaryBin: '940140000384' } }))).toEqual([
      'budget.beneficiaryBin',
    ]);
    expect(fieldsOf(() => feeFromJson({ ...good, budget: { ...budget, kbk: '10812' } }))).toEqual(['budget.kbk']);
    expect(fieldsOf(() => feeFromJson({ ...good, budget: { ...budget, knp: '91' } }))).toEqual(['budget.knp']);
    expect(fieldsOf(() => feeFromJson({ ...good, ministry: 'x' }, 'fees.3'))).toEqual(['fees.3.ministry']);
  });

  it.each([
    [{ currency: 'USD', minor: 300000 }],
    [{ currency: 'USD', minor: '0' }],
    [{ currency: 'USD', minor: '-1' }],
    [{ currency: 'USD', minor: '1.5' }],
    [{ currency: 'EUR', minor: '100' }],
    [{ mrp: 10 }],
    [{ mrp: '0' }],
    [{ mrp: '1.555' }],
    [{ mrp: '01' }],
    [{ mrp: '1', currency: 'KZT' }],
    [{}],
  ])('rejects amount %j', (amount) => {
    const fields = fieldsOf(() => feeFromJson({ ...good, amount }));
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.every((f) => f.startsWith('amount'))).toBe(true);
  });

  it('rejects unknown keys (a typo must not silently drop budget details)', () => {
    expect(fieldsOf(() => feeFromJson({ ...good, budjet: good.budget }))).toEqual(['budjet']);
  });

  it('rejects duplicate codes in a catalog', () => {
    const wire = sampleFeeCatalog.map(feeToJson);
    expect(fieldsOf(() => catalogFromJson([...wire, wire[0]]))).toEqual([`fees.${wire.length}.code`]);
    expect(fieldsOf(() => catalogFromJson({}))).toEqual(['fees']);
  });
});

describe('fee amount wire round trip (property)', () => {
  const amountArb: fc.Arbitrary<FeeAmount> = fc.oneof(
    fc.record({
      currency: fc.constantFrom('USD' as const, 'KZT' as const),
      minor: fc.bigInt({ min: 1n, max: 10n ** 30n }),
    }),
    fc.record({ mrp: fc.bigInt({ min: 1n, max: 10n ** 11n }) }),
  );

  it('feeAmountFromJson(feeAmountToJson(a)) = a', () => {
    fc.assert(
      fc.property(amountArb, (a) => {
        expect(feeAmountFromJson(JSON.parse(JSON.stringify(feeAmountToJson(a))))).toEqual(a);
      }),
    );
  });
});

describe('issuer contact', () => {
  const fee = { ...feeToJson(sampleFeeCatalog[0] as FeeEntry), contact: undefined as unknown };
  const withContact = (contact: unknown) => ({ ...fee, contact });

  it('takes an https website, an e-mail address and an international phone number, and round-trips', () => {
    const contact = { url: 'https://afsa.aifc.kz/contacts', email: 'fees@afsa.example', phone: '+7 (7172) 64-72-60' };
    expect(feeToJson(feeFromJson(withContact(contact))).contact).toEqual(contact);
    expect(feeFromJson(withContact({ phone: '+7 7172 000000' })).contact).toEqual({ phone: '+7 7172 000000' });
  });

  it('refuses a link that is not https, a bad address or number, an unknown field, and an empty contact', () => {
    for (const contact of [
      { url: 'http://afsa.aifc.kz' },
      { url: 'javascript:alert(1)' },
      { email: 'not an address' },
      { phone: '8 7172 000000' },
      { phone: '+7 7172<script>' },
      { fax: '+7 7172 000000' },
      {},
    ]) {
      expect(() => feeFromJson(withContact(contact)), JSON.stringify(contact)).toThrow(ValidationError);
    }
  });

  it('every sample fee names its ministry website', () => {
    for (const entry of sampleFeeCatalog) expect(entry.contact?.url).toMatch(/^https:\/\//);
  });
});
