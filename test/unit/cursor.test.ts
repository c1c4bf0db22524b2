/** Pagination cursors are client input: only a start key DynamoDB would accept for the query gets through. */
import { describe, expect, it } from 'vitest';
import { cursorStartKey, decodeCursor, encodeCursor } from '../../shared/adapters/dynamo/cursor';
import { ValidationError } from '../../shared/domain/errors';

const key = {
  pk: 'INVOICE#inv_1',
  sk: 'INVOICE',
  gsi2pk: 'INVOICES#2026-01',
  gsi2sk: '2026-01-05T00:00:00.000Z#inv_1',
};
const query = { index: 'gsi2', partition: 'INVOICES#2026-01', from: '2026-01-01T00:00:00.000Z', to: '2026-02-01#~' };
const roundTrip = (k: Record<string, string>, p?: string) => decodeCursor(encodeCursor({ p, k }));

describe('cursorStartKey', () => {
  it('passes a start key of the queried index, partition and bounds', () => {
    expect(cursorStartKey(roundTrip(key), query)).toEqual(key);
    expect(cursorStartKey(undefined, query)).toBeUndefined();
    expect(cursorStartKey(roundTrip(key), { index: 'gsi2', partition: 'INVOICES#2026-01' })).toEqual(key);
  });

  it.each([
    ['no keys', {}],
    ['an unknown attribute', { ...key, x: 'y' }],
    ['a missing table key', { sk: key.sk, gsi2pk: key.gsi2pk, gsi2sk: key.gsi2sk }],
    ['another index', { pk: key.pk, sk: key.sk, gsi1pk: key.gsi2pk, gsi1sk: key.gsi2sk }],
    ['another partition', { ...key, gsi2pk: 'INVOICES#2025-12' }],
    ['a sort key before the bounds', { ...key, gsi2sk: '2025-12-31T00:00:00.000Z#inv_1' }],
    ['a sort key after the bounds', { ...key, gsi2sk: '2026-03-01T00:00:00.000Z#inv_1' }],
  ])('refuses %s with a 400 naming cursor', (_name, k) => {
    let error: unknown;
    try {
      cursorStartKey(roundTrip(k as Record<string, string>), query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.field).toBe('cursor');
  });
});
