/**
 * Opaque pagination cursors: base64url of a small JSON object holding DynamoDB's LastEvaluatedKey (and, for
 * lists that walk several partitions, which partition). A cursor that does not decode is a 400 naming `cursor`.
 */
import { z } from 'zod';
import { ValidationError } from '../errors';

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
    throw new ValidationError([{ field: 'cursor', message: 'not a cursor this API returned' }]);
  }
}
