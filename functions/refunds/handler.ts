/**
 * Refunds with four eyes (shared/app/refunds.ts): POST /v1/refunds (a ministry for its invoice's overpayment, an
 * operator for a suspense transfer; Idempotency-Key), POST /v1/refunds/{id}/approve and /reject (another identity),
 * GET /v1/refunds/{id} and GET /v1/refunds (a ministry its own; operators and auditors all).
 */
import { IDEMPOTENCY_KEY_PATTERN, refundRequestBody, refundsQuery } from '../../shared/adapters/api/requests';
import { enabledChains } from '../../shared/adapters/chain/enabled-chains';
import { jsonRpcTokenBlacklist } from '../../shared/adapters/chain/token-blacklist';
import { configuredCustodian } from '../../shared/adapters/custodian';
import { dynamoRefundSources, dynamoRefundStore } from '../../shared/adapters/dynamo/refunds';
import { dynamoScreeningLists } from '../../shared/adapters/dynamo/screening';
import { type Caller, httpRoute, httpRoutes } from '../../shared/adapters/http';
import { countMetric } from '../../shared/adapters/metrics';
import { refundQueue } from '../../shared/adapters/work-queues';
import {
  approveRefundAs,
  listRefunds,
  type RefundDeps,
  readRefund,
  rejectRefundAs,
  requestRefundAs,
} from '../../shared/app/refunds';
import { AddressScreening } from '../../shared/app/screen-sender';
import { NotFoundError, ValidationError } from '../../shared/domain/errors';
import { REFUND_ID_PATTERN, type RefundActor, refundToWire } from '../../shared/domain/refunds';

const deps: RefundDeps = {
  refunds: dynamoRefundStore,
  sources: dynamoRefundSources,
  chains: enabledChains,
  queue: refundQueue,
  custodian: configuredCustodian,
  destinations: new AddressScreening({
    lists: dynamoScreeningLists,
    blacklist: jsonRpcTokenBlacklist(),
    chains: enabledChains,
    now: () => new Date(),
    // Money is about to leave: every request and approval reads the lists and the token afresh (they are rare).
    cacheSeconds: 0,
  }),
  now: () => new Date(),
};

function actorOf(caller: Caller): RefundActor {
  return caller.role === 'ministry'
    ? { subject: caller.subject, role: 'ministry', ministry: caller.ministry }
    : { subject: caller.subject, role: caller.role };
}

function refundIdOf(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (!REFUND_ID_PATTERN.test(id)) throw new NotFoundError(`No refund ${id}.`);
  return id;
}

// The compliance role refunds the money of senders it rejected (suspense `sender_rejected`), and nothing else.
const request = httpRoute({ auth: ['ministry', 'operator', 'compliance'], body: refundRequestBody }, async (req) => {
  const key = req.headers['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new ValidationError([{ field: 'Idempotency-Key', message: 'use 1-128 letters, digits or _ . : -' }]);
  }
  const outcome = await requestRefundAs(actorOf(req.caller), req.body, key, deps);
  if (outcome.created) countMetric('RefundsRequested');
  return {
    status: 201,
    body: refundToWire(outcome.refund),
    headers: {
      location: `/v1/refunds/${outcome.refund.id}`,
      ...(outcome.created ? {} : { 'idempotent-replayed': 'true' }),
    },
  };
});

const approve = httpRoute({ auth: ['ministry', 'operator', 'compliance'] }, async (req) => {
  const refund = await approveRefundAs(actorOf(req.caller), refundIdOf(req.params), deps);
  return { status: 200, body: refundToWire(refund) };
});

const reject = httpRoute({ auth: ['ministry', 'operator', 'compliance'] }, async (req) => {
  const refund = await rejectRefundAs(actorOf(req.caller), refundIdOf(req.params), deps);
  return { status: 200, body: refundToWire(refund) };
});

const readOptions = { auth: ['ministry', 'operator', 'auditor'] as const };

const byId = httpRoute(readOptions, async (req) => {
  const refund = await readRefund(actorOf(req.caller), refundIdOf(req.params), dynamoRefundStore);
  return { status: 200, body: refundToWire(refund) };
});

const list = httpRoute({ ...readOptions, query: refundsQuery }, async (req) => {
  const page = await listRefunds(actorOf(req.caller), req.query, dynamoRefundStore);
  return { status: 200, body: { items: page.items.map(refundToWire), nextCursor: page.nextCursor } };
});

export const handler = httpRoutes({
  'POST /v1/refunds': request,
  'POST /v1/refunds/{id}/approve': approve,
  'POST /v1/refunds/{id}/reject': reject,
  'GET /v1/refunds/{id}': byId,
  'GET /v1/refunds': list,
});
