/** GET /v1/sweeps?chainId&from&to — sweeps of deposit addresses to custody, newest first, for operators and auditors. */
import { sweepsQuery } from '../../shared/adapters/api/requests';
import { listSweeps } from '../../shared/adapters/dynamo/sweeps';
import { httpRoute } from '../../shared/adapters/http';
import { sweepToWire } from '../../shared/domain/sweeps';

export const handler = httpRoute({ auth: ['operator', 'auditor'], query: sweepsQuery }, async (req) => {
  const iso = (t?: string) => (t ? new Date(t).toISOString() : undefined);
  const { chainId, limit, cursor } = req.query;
  const from = iso(req.query.from);
  const to = iso(req.query.to);
  const page = await listSweeps({
    limit,
    ...(chainId !== undefined ? { chainId } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(cursor ? { cursor } : {}),
  });
  return { status: 200, body: { items: page.items.map(sweepToWire), nextCursor: page.nextCursor } };
});
