/**
 * Settlement (DESIGN.md, "Settlement"): POST /v1/settlements (operator; the custodian's report, text/csv),
 * POST /v1/bank-statements (operator; ISO 20022 camt.053, application/xml) and GET /v1/reconciliation?from&to
 * (auditor, operator; the three-way reconciliation of the days from..to). Uploads are read from the raw body, bounded,
 * parsed and stored by shared/app/settlements.ts; the reconciliation is recomputed by
 * shared/app/settlement-reconciliation.ts from the stored facts and our own node.
 */
import { periodQuery } from '../../shared/adapters/api/requests';
import { s3 } from '../../shared/adapters/aws/s3';
import { s3UploadArchive } from '../../shared/adapters/aws/s3-objects';
import { jsonRpcBlockClock } from '../../shared/adapters/chain/block-clock';
import { enabledChains, rpcUrlOf } from '../../shared/adapters/chain/enabled-chains';
import { jsonRpcChain } from '../../shared/adapters/chain/json-rpc-chain';
import { bucketName } from '../../shared/adapters/config';
import { configuredCustodian } from '../../shared/adapters/custodian';
import { dynamoRateStore } from '../../shared/adapters/dynamo/rates';
import { dynamoRefundStore } from '../../shared/adapters/dynamo/refunds';
import { dynamoSettlementStore } from '../../shared/adapters/dynamo/settlements';
import { type HttpRequest, httpRoute, httpRoutes } from '../../shared/adapters/http';
import { reconcilePeriod } from '../../shared/app/settlement-reconciliation';
import { type Upload, uploadBankStatement, uploadSettlementReport } from '../../shared/app/settlements';
import { bankEntryToWire } from '../../shared/domain/bank-statements';
import { reconciliationToWire } from '../../shared/domain/settlement-reconciliation';
import { settlementLineToWire } from '../../shared/domain/settlements';

const uploadDeps = () => ({
  store: dynamoSettlementStore,
  archive: s3UploadArchive(s3, bucketName('uploads')),
  chains: enabledChains,
  now: () => new Date(),
});

function uploadOf(req: HttpRequest<unknown, unknown, { subject: string; role: 'operator' }>): Upload {
  return {
    bytes: req.rawBody ?? Buffer.alloc(0),
    contentType: req.headers['content-type'],
    uploadedBy: req.caller.subject,
  };
}

const replayed = (created: boolean): Record<string, string> => (created ? {} : { 'idempotent-replayed': 'true' });

const settlements = httpRoute({ auth: ['operator'] }, async (req) => {
  const { created, batch, lines } = await uploadSettlementReport(uploadOf(req), uploadDeps());
  return {
    status: created ? 201 : 200,
    body: { batch, lines: lines.map(settlementLineToWire) },
    headers: replayed(created),
  };
});

const bankStatements = httpRoute({ auth: ['operator'] }, async (req) => {
  const { created, statement, entries } = await uploadBankStatement(uploadOf(req), uploadDeps());
  return {
    status: created ? 201 : 200,
    body: { statement, entries: entries.map(bankEntryToWire) },
    headers: replayed(created),
  };
});

const reconciliation = httpRoute({ auth: ['auditor', 'operator'], query: periodQuery }, async (req) => {
  const result = await reconcilePeriod(req.query.from, req.query.to, {
    store: dynamoSettlementStore,
    rates: dynamoRateStore,
    chains: enabledChains,
    custodyAccount: (chainId) => configuredCustodian.custodyAccount(chainId),
    rpcFor: (chainId) => jsonRpcChain(rpcUrlOf(chainId), chainId),
    clockFor: (chainId) => jsonRpcBlockClock(rpcUrlOf(chainId), chainId),
    refunds: dynamoRefundStore,
  });
  return { status: 200, body: reconciliationToWire(result) };
});

export const handler = httpRoutes({
  'POST /v1/settlements': settlements,
  'POST /v1/bank-statements': bankStatements,
  'GET /v1/reconciliation': reconciliation,
});
