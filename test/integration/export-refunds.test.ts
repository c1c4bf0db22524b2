/**
 * The export's refund read against moto (shared/adapters/dynamo/exports.ts): refunds requested in the period, and
 * refunds completed in it whatever month they were requested in; nothing requested and completed outside it; a
 * ministry's export has its invoice refunds only (a suspense transfer's refund is journaled under no ministry).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Refund } from '../../shared/domain/refunds';
import { useMoto } from '../helpers/moto';

await useMoto();
const { ddb } = await import('../../shared/adapters/aws/dynamodb');
const { tableName } = await import('../../shared/adapters/config');
const { refundToItem } = await import('../../shared/adapters/dynamo/refunds');
const { storeExportSources } = await import('../../shared/adapters/dynamo/exports');

const FROM = '2026-03-01T00:00:00.000Z';
const TO = '2026-04-01T00:00:00.000Z';

function refund(id: string, fields: Partial<Refund>): Refund {
  return {
    id: `rfd_${id.padEnd(22, 'x')}`,
    source: { kind: 'invoice', invoiceId: `inv_${id}` },
    ministry: 'AFSA',
    chainId: 1,
    token: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
    decimals: 6,
    to: '0x1111111111111111111111111111111111111111',
    amount: 1_000_000n,
    reason: 'overpaid',
    state: 'requested',
    requestedBy: 'clerk',
    requestedAt: '2026-03-10T00:00:00.000Z',
    version: 1,
    ...fields,
  };
}

const completed = (requestedAt: string, completedAt: string) => ({
  state: 'completed' as const,
  requestedAt,
  approvedBy: 'head',
  completedAt,
  txHash: `0x${'ab'.repeat(32)}`,
});

const refunds = [
  refund('inPeriod', {}),
  refund('completedInPeriod', completed('2025-11-30T23:00:00.000Z', '2026-03-02T00:00:00.000Z')),
  refund('requestedInPeriodCompletedLater', completed('2026-03-31T23:59:59.999Z', '2026-04-01T00:00:00.000Z')),
  refund('before', completed('2026-01-01T00:00:00.000Z', '2026-02-28T23:59:59.999Z')),
  refund('after', { requestedAt: TO }),
  refund('otherMinistry', { ministry: 'MOF' }),
  refund('stray', { source: { kind: 'transfer', transferId: '1:0xab:0' }, suspenseReason: 'invoice_cancelled' }),
];
for (const r of refunds) await ddb.send(new PutCommand({ TableName: tableName(), Item: refundToItem(r) }));

async function idsOf(ministry?: string): Promise<string[]> {
  const out: string[] = [];
  const sources = storeExportSources(
    { id: 'exp_x', from: FROM, to: TO, ...(ministry ? { ministry } : {}) },
    { pageSize: 2 },
  );
  for await (const r of sources.refunds()) out.push(r.id.slice(4).replace(/x+$/, ''));
  return out;
}

describe('refunds of an export period', () => {
  it('reads refunds requested or completed in [from, to), oldest request first, page by page', async () => {
    expect(await idsOf()).toEqual([
      'completedInPeriod',
      'inPeriod',
      'otherMinistry',
      'stray',
      'requestedInPeriodCompletedLater',
    ]);
  });

  it("a ministry's export has its invoice refunds only", async () => {
    expect(await idsOf('AFSA')).toEqual(['completedInPeriod', 'inPeriod', 'requestedInPeriodCompletedLater']);
  });
});
