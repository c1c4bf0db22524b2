/** GET /v1/fees — the fee catalog, public: every payer and ministry may see what each fee costs. */

import { httpRoute } from '../../shared/adapters/http';
import { feeToJson, sampleFeeCatalog } from '../../shared/domain/fees';

const body = { items: sampleFeeCatalog.map(feeToJson) };

export const handler = httpRoute({ auth: 'public' }, async () => ({
  status: 200,
  body,
  headers: { 'cache-control': 'public, max-age=300' },
}));
