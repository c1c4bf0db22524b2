/**
 * GET /v1/receipts/{id} and GET /v1/receipts — signed receipts with their delivery state. A ministry sees only its
 * own, whatever the query string says; an auditor sees all (optionally one ministry's).
 */
import { receiptsQuery } from '../../shared/adapters/api/requests';
import { CHAIN_DOCUMENT_ID_PATTERN, getReceipt, listReceipts } from '../../shared/adapters/dynamo/receipts';
import { httpRoute, httpRoutes, readScope } from '../../shared/adapters/http';
import { NotFoundError } from '../../shared/domain/errors';
import type { StoredReceipt } from '../../shared/ports';

/** The API body of a stored receipt: the signed document plus its delivery state. */
export function receiptToWire(stored: StoredReceipt) {
  return {
    ...stored.receipt,
    delivery: {
      state: stored.deliveryState,
      attempts: stored.attempts,
      lastError: stored.lastError ?? null,
      deliveredAt: stored.deliveredAt ?? null,
    },
  };
}

const options = { auth: ['ministry', 'auditor'] as const, query: receiptsQuery };

const byId = httpRoute(options, async (req) => {
  const own = readScope(req.caller);
  const id = req.params.id ?? '';
  const stored = CHAIN_DOCUMENT_ID_PATTERN.test(id) ? await getReceipt(id) : undefined;
  if (!stored || (own && stored.receipt.ministry !== own)) throw new NotFoundError(`No receipt ${id}.`);
  return { status: 200, body: receiptToWire(stored) };
});

const list = httpRoute(options, async (req) => {
  const own = readScope(req.caller);
  const iso = (t?: string) => (t ? new Date(t).toISOString() : undefined);
  const page = await listReceipts(
    {
      ...req.query,
      from: iso(req.query.from),
      to: iso(req.query.to),
      // A ministry's own scope overrides any `ministry` it asks for.
      ministry: own ?? req.query.ministry,
    },
    new Date(),
  );
  return { status: 200, body: { items: page.items.map(receiptToWire), nextCursor: page.nextCursor } };
});

export const handler = httpRoutes({ 'GET /v1/receipts': list, 'GET /v1/receipts/{id}': byId });
