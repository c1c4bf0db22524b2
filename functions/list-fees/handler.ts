/** GET /v1/fees — the fee catalog, public: every payer and ministry may see what each fee costs. */
import { feeToJson, sampleFeeCatalog } from '../../shared/fees';
import { httpRoute } from '../../shared/http';

const body = { items: sampleFeeCatalog.map(feeToJson) };

export const handler = httpRoute({ auth: 'public' }, async () => ({
  status: 200,
  body,
  headers: { 'cache-control': 'public, max-age=300' },
}));
