/**
 * Refunds with four eyes (shared/app/refunds.ts): POST /v1/refunds (a ministry for its invoice's overpayment, an
 * operator for a suspense transfer; Idempotency-Key), POST /v1/refunds/{id}/approve and /reject (another identity),
 * GET /v1/refunds/{id} and GET /v1/refunds (a ministry its own; operators and auditors all).
 */
import { getAddress } from 'ethers';
import * as z from 'zod';
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
import { INVOICE_ID_PATTERN } from '../../shared/domain/invoices';
import { MAX_UINT256 } from '../../shared/domain/money';
import { REFUND_ID_PATTERN, type RefundActor, refundStates, refundToWire } from '../../shared/domain/refunds';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;
const TRANSFER_ID = /^\d{1,12}:0x[0-9a-f]{64}:\d{1,6}$/;

const address = z.string().refine((text) => {
  try {
    getAddress(text);
    return true;
  } catch {
    return false;
  }
}, 'must be an address (EIP-55 checksum when mixed case)');

const amount = z
  .string()
  .max(78)
  .regex(/^[1-9]\d*$/, 'must be a positive integer of token base units, as a decimal string')
  .refine((s) => BigInt(s) <= MAX_UINT256, 'must fit a uint256')
  .transform((s) => BigInt(s));

const common = { to: address.optional(), amount: amount.optional(), reason: z.string().trim().min(1).max(500) };
const body = z.union([
  z.strictObject({ invoiceId: z.string().regex(INVOICE_ID_PATTERN, 'must be an invoice id'), ...common }),
  z.strictObject({
    transferId: z.string().regex(TRANSFER_ID, 'must be a transfer id chainId:txHash:logIndex'),
    ...common,
  }),
]);

const listQuery = z.strictObject({
  state: z.enum(refundStates).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});

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
const request = httpRoute({ auth: ['ministry', 'operator', 'compliance'], body }, async (req) => {
  const key = req.headers['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
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

const list = httpRoute({ ...readOptions, query: listQuery }, async (req) => {
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
