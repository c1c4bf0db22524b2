/**
 * GET /v1/incidents — the freeze watch's incidents (a token issuer froze or unfroze one of our deposit or custody
 * addresses), newest first, for operators and auditors (docs/compliance.md).
 */
import { incidentsQuery } from '../../shared/adapters/api/requests';
import { dynamoFreezeStore } from '../../shared/adapters/dynamo/freeze';
import { httpRoute } from '../../shared/adapters/http';

export const handler = httpRoute({ auth: ['operator', 'auditor'], query: incidentsQuery }, async (req) => {
  const page = await dynamoFreezeStore.incidents({
    limit: req.query.limit,
    ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
  });
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor ?? null } };
});
