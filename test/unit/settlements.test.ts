import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCamt053 } from '../../shared/domain/bank-statements';
import { ValidationError } from '../../shared/domain/errors';
import { amountsDisagree, grossFiatMinor, parseSettlementCsv } from '../../shared/domain/settlements';
import { CHAIN, TOKEN } from '../support/reconcile-fixtures';

const HEADER =
  'batchId,chainId,token,txHash,tokenAmount,fiatCurrency,fiatAmount,rate,feeAmount,valueDate,bankReference,kbk';
const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const row = (cells: Partial<Record<string, string>> = {}) => {
  const base: Record<string, string> = {
    batchId: 'B-2026-11',
    chainId: '31337',
    token: TOKEN,
    txHash: tx(1),
    tokenAmount: '3000',
    fiatCurrency: 'KZT',
    fiatAmount: '1481500.00',
    rate: '495.5',
    feeAmount: '5000',
    valueDate: '2026-11-30',
    bankReference: 'VASP-SET-1',
    kbk: '108125',
  };
  return HEADER.split(',')
    .map((c) => cells[c] ?? base[c])
    .join(',');
};
const csv = (...rows: string[]) => Buffer.from([HEADER, ...rows].join('\r\n'));

function issuesOf(run: () => unknown): { field: string; message: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('settlement report CSV', () => {
  it('parses a report into lines with bigint amounts', () => {
    const { batchId, lines } = parseSettlementCsv(csv(row(), row({ txHash: tx(2), kbk: '' })), [CHAIN]);
    expect(batchId).toBe('B-2026-11');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      line: 2,
      chainId: 31337,
      token: TOKEN,
      tokenAmount: 3_000_000_000n,
      fiatAmount: 148_150_000n,
      feeAmount: 500_000n,
      rate: '495.5',
      kbk: '108125',
    });
    expect(lines[1]?.kbk).toBeUndefined();
  });

  it('accepts the columns in any order, kbk absent, and a UTF-8 BOM', () => {
    const header =
      'txHash,batchId,chainId,token,tokenAmount,fiatCurrency,fiatAmount,rate,feeAmount,valueDate,bankReference';
    const line = `${tx(1)},B1,31337,${TOKEN},3000,KZT,1481500.00,495.5,5000,2026-11-30,R1`;
    const { lines } = parseSettlementCsv(Buffer.from(`\ufeff${header}\n${line}\n`), [CHAIN]);
    expect(lines[0]?.txHash).toBe(tx(1));
  });

  it('refuses a header that is not the contract: unknown, missing and repeated columns', () => {
    const issues = issuesOf(() => parseSettlementCsv(Buffer.from(`batchId,chain,token,token\nB1,1,x,y`), [CHAIN]));
    expect(issues).toEqual(
      expect.arrayContaining([
        { field: 'line 1, column 2', message: 'unknown column "chain"' },
        { field: 'line 1, column 4', message: 'column token appears twice' },
        { field: 'line 1', message: 'missing column txHash' },
      ]),
    );
  });

  it('names the line and column of every bad cell, and refuses the whole report', () => {
    const issues = issuesOf(() =>
      parseSettlementCsv(
        csv(
          row(),
          row({ txHash: tx(2), tokenAmount: '-5' }),
          row({ txHash: tx(3), chainId: '1' }),
          row({ txHash: 'nope', valueDate: '2026-02-30', fiatCurrency: 'EUR' }),
          row({ txHash: tx(1) }),
          row({ txHash: tx(6), batchId: 'OTHER' }),
          row({ txHash: tx(7), fiatAmount: '1481400.00' }),
        ),
        [CHAIN],
      ),
    );
    expect(issues.map((i) => i.field)).toEqual([
      'line 3, column tokenAmount',
      'line 4, column chainId',
      'line 4, column token',
      'line 4, column tokenAmount',
      'line 5, column txHash',
      'line 5, column fiatCurrency',
      'line 5, column valueDate',
      'line 6, column txHash',
      'line 7, column batchId',
      'line 8, column fiatAmount',
    ]);
    expect(issues[0]?.message).toBe('tokenAmount must not be negative');
    expect(issues[4]?.message).toMatch(/32-byte hex/);
    expect(issues[7]?.message).toBe('repeats the transaction of line 2');
    expect(issues[9]?.message).toMatch(/fiatAmount \+ feeAmount = 1486400 but tokenAmount × rate = 1486500 KZT/);
  });

  it('refuses a row with the wrong number of cells, broken quoting, an empty report', () => {
    expect(issuesOf(() => parseSettlementCsv(csv(`${row()},extra`), [CHAIN]))[0]?.field).toBe('line 2');
    expect(issuesOf(() => parseSettlementCsv(csv(`"B1,31337`), [CHAIN]))[0]?.message).toMatch(/not valid CSV/);
    expect(issuesOf(() => parseSettlementCsv(Buffer.from(''), [CHAIN]))[0]?.message).toMatch(/empty/);
    expect(issuesOf(() => parseSettlementCsv(csv(), [CHAIN]))[0]?.message).toMatch(/no lines/);
  });

  it('computes gross fiat exactly and allows one minor unit of rounding', () => {
    expect(grossFiatMinor(1_234_567n, 6, '474.2')).toBe(58_543n); // 1.234567 × 474.2 = 585.4316... → 585.43
    const line = parseSettlementCsv(csv(row()), [CHAIN]).lines[0];
    if (!line) throw new Error('no line');
    expect(amountsDisagree({ ...line, fiatAmount: line.fiatAmount + 1n })).toBeUndefined();
    expect(amountsDisagree({ ...line, fiatAmount: line.fiatAmount + 2n })).toMatch(/tokenAmount × rate/);
  });
});

describe('camt.053 bank statements', () => {
  it('reads a v08 Treasury statement: amounts, value date, references, counterparty, KBK', () => {
    const { messageId, entries } = parseCamt053(readFileSync('events/settlements/camt053-v08-treasury.xml'));
    expect(messageId).toBe('STMT-20261130-0001');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      statementId: 'KZ86125KZT5004100100-20261130',
      account: 'KZ86125KZT5004100100',
      direction: 'credit',
      currency: 'KZT',
      amount: 148_150_000n,
      valueDate: '2026-11-30',
      endToEndId: 'VASP-SET-2026-11-0001',
      counterpartyName: 'Example Digital Assets Ltd (AIFC)',
      counterpartyAccount: 'KZ12601A871001726031',
      kbk: '108125',
    });
    expect(entries[0]?.references).toEqual(['VASP-SET-2026-11-0001', 'TRSY2026113000017', '1']);
    // The entry's amount serves its single transaction; the KBK comes from a structured tax remittance.
    expect(entries[1]).toMatchObject({ amount: 4_030_000n, kbk: '105402', endToEndId: 'VASP-SET-2026-11-0002' });
  });

  it('reads a v02 batch entry as one entry per transaction, and debits as debits', () => {
    const { entries } = parseCamt053(readFileSync('events/settlements/camt053-v02-batch.xml'));
    expect(entries.map((e) => [e.direction, e.currency, e.amount, e.endToEndId ?? null, e.account])).toEqual([
      ['credit', 'USD', 299_700n, 'VASP-AFSA-0001', '40817840000000001234'],
      ['credit', 'USD', 299_700n, 'VASP-AFSA-0002', '40817840000000001234'],
      ['debit', 'USD', 1_250n, null, '40817840000000001234'],
    ]);
    expect(entries[0]?.counterpartyName).toBe('Example Digital Assets Ltd');
  });

  it('refuses a DOCTYPE (entity bombs, external entities) before parsing', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Document>&lol2;</Document>`;
    expect(issuesOf(() => parseCamt053(Buffer.from(bomb)))[0]?.message).toMatch(/DOCTYPE/);
    const xxe = `<?xml version="1.0"?><!doctype x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`;
    expect(issuesOf(() => parseCamt053(Buffer.from(xxe)))[0]?.message).toMatch(/DOCTYPE/);
  });

  it('refuses malformed XML, another message, and entries without what reconciliation needs', () => {
    expect(issuesOf(() => parseCamt053(Buffer.from('<Document><BkToCstmrStmt>')))[0]?.message).toMatch(/well-formed/);
    const camt054 =
      '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn/></Document>';
    expect(issuesOf(() => parseCamt053(Buffer.from(camt054)))[0]?.field).toBe('Document');
    const fixture = readFileSync('events/settlements/camt053-v08-treasury.xml', 'utf8');
    const broken = fixture
      .replace(
        '<Amt Ccy="KZT">1481500.00</Amt>\n        <CdtDbtInd>CRDT',
        '<Amt Ccy="KZT">-1481500.00</Amt>\n        <CdtDbtInd>CRDT',
      )
      .replace(
        '<ValDt><Dt>2026-11-30</Dt></ValDt>\n        <AcctSvcrRef>TRSY2026113000018',
        '<AcctSvcrRef>TRSY2026113000018',
      )
      .replace(
        '<BookgDt><Dt>2026-11-30</Dt></BookgDt>\n        <AcctSvcrRef>TRSY2026113000018',
        '<AcctSvcrRef>TRSY2026113000018',
      );
    const issues = issuesOf(() => parseCamt053(Buffer.from(broken)));
    expect(issues).toEqual([
      { field: 'Stmt[1]/Ntry[1]/Amt', message: 'Amt must not be negative' },
      { field: 'Stmt[1]/Ntry[2]/ValDt', message: 'a value (or booking) date YYYY-MM-DD is required' },
    ]);
  });

  it('never expands entities: an entity reference stays text', () => {
    const fixture = readFileSync('events/settlements/camt053-v08-treasury.xml', 'utf8');
    const withEntity = fixture.replace('state duty', 'state &amp; duty &lt;x&gt;');
    const { entries } = parseCamt053(Buffer.from(withEntity));
    expect(entries[0]?.remittance).toContain('state &amp; duty &lt;x&gt;');
  });
});
