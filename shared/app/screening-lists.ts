/** The compliance role replaces a screening list (`PUT /v1/screening-lists/{name}`); the change is journaled. */
import { checkListName, parseScreeningList, type ScreeningList } from '../domain/screening';
import type { ComplianceActor, ComplianceLog, ScreeningLists } from '../ports';

export interface ScreeningListDeps {
  lists: ScreeningLists;
  log: ComplianceLog;
  now: () => Date;
}

/**
 * Validates `body` (source, asOf, addresses) and stores it as list `name`'s next version, journaled with who, when
 * and why (the body's `reason`, else what changed). Containers pick the change up within the screening cache's life.
 * @throws ValidationError for a bad name or body: nothing is stored then.
 */
export async function putScreeningList(
  actor: ComplianceActor,
  name: string,
  body: unknown,
  deps: ScreeningListDeps,
): Promise<ScreeningList> {
  const listName = checkListName(name);
  const parsed = parseScreeningList(body);
  const at = deps.now().toISOString();
  const stored = await deps.lists.put({
    name: listName,
    source: parsed.source,
    asOf: parsed.asOf,
    addresses: parsed.addresses,
    updatedBy: actor.subject,
    updatedAt: at,
  });
  await deps.log.record({
    id: `list:${listName}:v${stored.version}`,
    at,
    actor,
    action: 'list-change',
    subject: `screening list ${listName} v${stored.version}`,
    reason: parsed.reason ?? `${stored.addresses.length} addresses from ${parsed.source} as of ${parsed.asOf}`,
  });
  return stored;
}
