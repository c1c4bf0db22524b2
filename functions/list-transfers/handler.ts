/** GET /v1/transfers?match=unmatched — the suspense list: money that matched no invoice, with the reason. */
import { transfersQuery } from '../../shared/adapters/api/requests';
import { listUnmatched, transferToWire } from '../../shared/adapters/dynamo/transfers';
import { httpRoute } from '../../shared/adapters/http';

export const handler = httpRoute({ auth: ['operator', 'auditor'], query: transfersQuery }, async (req) => {
  const page = await listUnmatched(req.query.limit, req.query.cursor);
  return { status: 200, body: { items: page.items.map(transferToWire), nextCursor: page.nextCursor } };
});
