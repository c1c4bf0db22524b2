/**
 * Opaque pagination cursors: base64url of a small JSON object holding DynamoDB's LastEvaluatedKey (and, for
 * lists that walk several partitions, which partition). A cursor that does not decode is a 400 naming `cursor`.
 */
import * as z from 'zod';
import { ValidationError } from '../../domain/errors';

const cursorSchema = z.strictObject({
  p: z.string().max(200).optional(),
  k: z.record(z.string(), z.string().max(512)).optional(),
});

export type Cursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw invalidCursor();
  }
}

function invalidCursor(): ValidationError {
  return new ValidationError([{ field: 'cursor', message: 'not a cursor this API returned' }]);
}

/**
 * The `ExclusiveStartKey` of a query of `index` in `partition` (sort keys within `[from, to]` when the query has
 * bounds), from a decoded cursor. A cursor is client input: DynamoDB refuses a start key that lacks the table's
 * and the index's key attributes, has others, or lies outside the query's partition or bounds — which would be a
 * 500 — so any such cursor is a 400 naming `cursor`, as one that does not decode.
 */
export function cursorStartKey(
  cursor: Cursor | undefined,
  query: { index: string; partition: string | undefined; from?: string; to?: string },
): Record<string, string> | undefined {
  const key = cursor?.k;
  if (!key) return undefined;
  const pk = `${query.index}pk`;
  const sk = `${query.index}sk`;
  const names = Object.keys(key).sort();
  const expected = ['pk', 'sk', pk, sk].sort();
  const sortKey = key[sk] ?? '';
  if (
    names.length !== expected.length ||
    names.some((n, i) => n !== expected[i]) ||
    key[pk] !== query.partition ||
    (query.from !== undefined && sortKey < query.from) ||
    (query.to !== undefined && sortKey > query.to)
  ) {
    throw invalidCursor();
  }
  return key;
}

/**
 * Months `YYYY-MM` from `to` (or now, whichever is earlier) back to `from` (not before the service's first month,
 * 2025-01), newest first: the monthly partitions a period's list walks.
 */
export function monthsDescending(from: string, to: string, now: Date): string[] {
  const last = (to < now.toISOString() ? to : now.toISOString()).slice(0, 7);
  const first = from.slice(0, 7) < '2025-01' ? '2025-01' : from.slice(0, 7);
  const out: string[] = [];
  let [y, m] = last.split('-').map(Number) as [number, number];
  while (`${y}-${String(m).padStart(2, '0')}` >= first) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
  }
  return out;
}
