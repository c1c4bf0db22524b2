/**
 * GET /v1/incidents — the freeze watch's incidents (a token issuer froze or unfroze one of our deposit or custody
 * addresses), newest first, for operators and auditors (docs/compliance.md).
 */
import * as z from 'zod';
import { dynamoFreezeStore } from '../../shared/adapters/dynamo/freeze';
import { httpRoute } from '../../shared/adapters/http';

const query = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

export const handler = httpRoute({ auth: ['operator', 'auditor'], query }, async (req) => {
  const page = await dynamoFreezeStore.incidents({
    limit: req.query.limit,
    ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
  });
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor ?? null } };
});
