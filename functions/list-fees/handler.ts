/**
 * GET /v1/fees — the fee catalog in force now, public: every payer and ministry may see what each fee costs. Each
 * entry names its version (shared/domain/reference-data.ts), the one an invoice issued now records.
 */

import { serviceNow } from '../../shared/adapters/clock';
import { dynamoReferenceData } from '../../shared/adapters/dynamo/reference-data';
import { httpRoute } from '../../shared/adapters/http';
import { catalogInForce } from '../../shared/app/reference-data';
import { feeToJson } from '../../shared/domain/fees';

export const handler = httpRoute({ auth: 'public' }, async () => {
  const catalog = await catalogInForce(dynamoReferenceData, serviceNow());
  return {
    status: 200,
    body: { items: catalog.map(({ value, version }) => ({ ...feeToJson(value), version })) },
    // Short: an approved change is visible within a minute.
    headers: { 'cache-control': 'public, max-age=60' },
  };
});
