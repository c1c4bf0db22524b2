/**
 * Sender screening (docs/compliance.md): PUT /v1/screening-lists/{name} (compliance) replaces a list; GET /v1/holds
 * lists held transfers (compliance, operators, auditors); POST /v1/holds/{id}/release and /reject (compliance) decide
 * one, sending its sighting back through reconciliation.
 */
import * as z from 'zod';
import { holdDecisionBody, holdsQuery, TRANSFER_ID_PATTERN } from '../../shared/adapters/api/requests';
import { dynamoComplianceLog } from '../../shared/adapters/dynamo/compliance-log';
import { dynamoHoldStore, dynamoScreeningLists } from '../../shared/adapters/dynamo/screening';
import { httpRoute, httpRoutes } from '../../shared/adapters/http';
import { countMetric } from '../../shared/adapters/metrics';
import { sendMessages } from '../../shared/adapters/queue';
import { decideHold, listHolds } from '../../shared/app/holds';
import { putScreeningList } from '../../shared/app/screening-lists';
import { NotFoundError } from '../../shared/domain/errors';
import { holdToWire, MAX_LIST_BYTES } from '../../shared/domain/screening';
import type { TransferObserved } from '../../shared/domain/transfers';

const holdDeps = {
  holds: dynamoHoldStore,
  log: dynamoComplianceLog,
  requeue: (seen: TransferObserved) => sendMessages('transfers', [seen]),
  now: () => new Date(),
};

function holdIdOf(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (!TRANSFER_ID_PATTERN.test(id)) throw new NotFoundError(`No held transfer ${id}.`);
  return id;
}

const putList = httpRoute({ auth: ['compliance'], body: z.unknown(), maxBodyBytes: MAX_LIST_BYTES }, async (req) => {
  const list = await putScreeningList(
    { subject: req.caller.subject, role: req.caller.role },
    req.params.name ?? '',
    req.body,
    { lists: dynamoScreeningLists, log: dynamoComplianceLog, now: () => new Date() },
  );
  countMetric('ScreeningListsChanged');
  const { addresses, ...header } = list;
  return { status: 200, body: { ...header, addresses: addresses.length } };
});

const holds = httpRoute({ auth: ['compliance', 'operator', 'auditor'], query: holdsQuery }, async (req) => {
  const page = await listHolds(req.query, dynamoHoldStore);
  return { status: 200, body: { items: page.items.map(holdToWire), nextCursor: page.nextCursor ?? null } };
});

const decide = (decision: 'release' | 'reject') =>
  httpRoute({ auth: ['compliance'], body: holdDecisionBody }, async (req) => {
    const actor = { subject: req.caller.subject, role: req.caller.role };
    const hold = await decideHold(actor, holdIdOf(req.params), decision, req.body.reason, holdDeps);
    return { status: 200, body: holdToWire(hold) };
  });

export const handler = httpRoutes({
  'PUT /v1/screening-lists/{name}': putList,
  'GET /v1/holds': holds,
  'POST /v1/holds/{id}/release': decide('release'),
  'POST /v1/holds/{id}/reject': decide('reject'),
});
