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

/** The 400 a cursor this API did not return gets. */
export function invalidCursor(): ValidationError {
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
