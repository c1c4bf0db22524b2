/** GET /v1/transfers?match=unmatched — the suspense list: money that matched no invoice, with the reason. */
import * as z from 'zod';
import { listUnmatched, transferToWire } from '../../shared/adapters/dynamo/transfers';
import { httpRoute } from '../../shared/adapters/http';

const query = z.strictObject({
  match: z.literal('unmatched'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

export const handler = httpRoute({ auth: ['operator', 'auditor'], query }, async (req) => {
  const page = await listUnmatched(req.query.limit, req.query.cursor);
  return { status: 200, body: { items: page.items.map(transferToWire), nextCursor: page.nextCursor } };
});
