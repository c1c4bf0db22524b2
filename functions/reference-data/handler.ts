/**
 * Reference data with four eyes (shared/app/reference-data.ts): operators propose fees, the MRP of a year and
 * ministries' registries (a ministry also its own fees), another identity approves (optionally scheduling it) or
 * rejects; changes and versions are listed. Routes under /v1/admin.
 */
import { serviceNow } from '../../shared/adapters/clock';
import { stage } from '../../shared/adapters/config';
import { dynamoReferenceData } from '../../shared/adapters/dynamo/reference-data';
import { type Caller, httpRoute, httpRoutes } from '../../shared/adapters/http';
import { countMetric } from '../../shared/adapters/metrics';
import {
  approveReferenceChange,
  listReferenceChanges,
  proposeReferenceChange,
  type ReferenceDataDeps,
  readableVersions,
  rejectReferenceChange,
} from '../../shared/app/reference-data';
import { NotFoundError, ValidationError } from '../../shared/domain/errors';
import { feeFromJson, zodToValidationError } from '../../shared/domain/fees';
import {
  approveChangeSchema,
  CHANGE_ID_PATTERN,
  changesQuerySchema,
  changeToWire,
  feeProposalSchema,
  mrpProposalSchema,
  type ReferenceActor,
  type ReferenceChange,
  referenceKinds,
  registryProposalSchemaFor,
  rejectChangeSchema,
  versionsQuerySchema,
  versionToWire,
} from '../../shared/domain/reference-data';

const deps: ReferenceDataDeps = { store: dynamoReferenceData, now: serviceNow };

// The local runtime's mock registries are on http://127.0.0.1: allowed there only, never in a deployed stage.
const registryProposalSchema = registryProposalSchemaFor(stage === 'local');

function actorOf(caller: Caller): ReferenceActor {
  if (caller.role === 'ministry') return { subject: caller.subject, role: 'ministry', ministry: caller.ministry };
  return { subject: caller.subject, role: 'operator' };
}

function changeIdOf(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (!CHANGE_ID_PATTERN.test(id)) throw new NotFoundError(`No change ${id}.`);
  return id;
}

/** An optional JSON body (approve and reject may be posted empty). */
function optionalBody<T>(
  raw: Buffer | undefined,
  schema: { safeParse(v: unknown): { success: boolean; data?: T; error?: unknown } },
): T {
  const text = raw?.toString('utf8').trim() ?? '';
  let json: unknown = {};
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      throw new ValidationError([{ field: '(body)', message: 'The body is not valid JSON.' }]);
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw zodToValidationError(parsed.error as never);
  return parsed.data as T;
}

function proposed(change: ReferenceChange) {
  countMetric('ReferenceChangesProposed');
  return { status: 201, body: changeToWire(change), headers: { location: `/v1/admin/changes/${change.id}` } };
}

const proposeFee = httpRoute({ auth: ['operator', 'ministry'], body: feeProposalSchema }, async (req) => {
  const fee = feeFromJson(req.body.fee, 'fee');
  const { reason, effectiveFrom } = req.body;
  return proposed(
    await proposeReferenceChange(actorOf(req.caller), { value: { kind: 'fee', fee }, reason, effectiveFrom }, deps),
  );
});

const proposeMrp = httpRoute({ auth: ['operator'], body: mrpProposalSchema }, async (req) => {
  const value = { kind: 'mrp' as const, year: req.body.year, kzt: BigInt(req.body.kzt) };
  return proposed(await proposeReferenceChange(actorOf(req.caller), { value, reason: req.body.reason }, deps));
});

const proposeRegistry = httpRoute({ auth: ['operator'], body: registryProposalSchema }, async (req) => {
  const { ministry, url, format, reason, effectiveFrom } = req.body;
  const value = { kind: 'registry' as const, ministry, url, format };
  return proposed(await proposeReferenceChange(actorOf(req.caller), { value, reason, effectiveFrom }, deps));
});

const approve = httpRoute({ auth: ['operator', 'ministry'] }, async (req) => {
  const { effectiveFrom } = optionalBody<{ effectiveFrom?: string }>(req.rawBody, approveChangeSchema);
  const change = await approveReferenceChange(actorOf(req.caller), changeIdOf(req.params), effectiveFrom, deps);
  countMetric('ReferenceChangesApproved');
  return { status: 200, body: changeToWire(change) };
});

const reject = httpRoute({ auth: ['operator', 'ministry'] }, async (req) => {
  const { reason } = optionalBody<{ reason?: string }>(req.rawBody, rejectChangeSchema);
  const change = await rejectReferenceChange(actorOf(req.caller), changeIdOf(req.params), reason, deps);
  return { status: 200, body: changeToWire(change) };
});

const changes = httpRoute({ auth: ['operator', 'ministry'], query: changesQuerySchema }, async (req) => {
  const list = await listReferenceChanges(actorOf(req.caller), req.query, dynamoReferenceData);
  return { status: 200, body: { items: list.map(changeToWire), nextCursor: null } };
});

const versions = httpRoute({ auth: ['operator', 'ministry'], query: versionsQuerySchema }, async (req) => {
  const kind = referenceKinds.find((k) => k === req.params.kind);
  if (!kind) throw new NotFoundError(`No reference data ${req.params.kind}; use one of ${referenceKinds.join(', ')}.`);
  const list = await readableVersions(actorOf(req.caller), dynamoReferenceData, kind, req.query.subject);
  return { status: 200, body: { items: list.map(versionToWire), nextCursor: null } };
});

export const handler = httpRoutes({
  'POST /v1/admin/fees': proposeFee,
  'POST /v1/admin/mrp': proposeMrp,
  'POST /v1/admin/registries': proposeRegistry,
  'POST /v1/admin/changes/{id}/approve': approve,
  'POST /v1/admin/changes/{id}/reject': reject,
  'GET /v1/admin/changes': changes,
  'GET /v1/admin/reference/{kind}': versions,
});
