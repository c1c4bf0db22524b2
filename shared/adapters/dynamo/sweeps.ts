/**
 * DynamoDB form of sweeps (shared/domain/sweeps.ts). Items and keys:
 * - a sweep candidate per (chain, token, address): `SWEEP_CANDIDATE#<chainId>#<token>#<address>`, written by
 *   reconciliation in the transaction that makes a transfer final (put, unconditioned: the latest transfer wins);
 *   gsi3 `SWEEP_CANDIDATES#<chainId>` lists a chain's, so a sweep run reads what new payments made sweepable, never
 *   history; cleared (conditioned on the transfer that marked it) once the address is found empty;
 * - a sweep `SWEEP#<id>`: gsi1 `SWEEPS` by submission time (the API's list), gsi2 `SWEEPS#<yyyy-mm>` (exports),
 *   gsi3 `SWEEPS_SUBMITTED#<chainId>` while submitted (the sweeper settles these first);
 * - a link per swept invoice `SWEEP#<id>` / `INVOICE#<invoiceId>`, gsi1 `INVOICE#<invoiceId>#SWEEPS` (the invoice
 *   body lists its sweeps);
 * - an in-flight lock per (chain, token) `SWEEP_INFLIGHT#<chainId>#<token>`, put with the submitted sweep and deleted
 *   with its outcome: never two sweeps of one token in flight on a chain.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { JournalEntry } from '../../domain/journal';
import {
  MAX_SWEEP_BATCH_SIZE,
  type Sweep,
  type SweepCandidate,
  type SweepState,
  type SweptAddress,
} from '../../domain/sweeps';
import { ConcurrentChangeError, type SweepStore } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { batchGetItems } from './batch-get';
import { putJournalEntry } from './journal';
import { queryNewestFirst } from './paging';
import { commit } from './transact';

const lower = (s: string) => s.toLowerCase();

export const sweepKeys = {
  candidate: (chainId: number, token: string, address: string) => ({
    pk: `SWEEP_CANDIDATE#${chainId}#${lower(token)}#${lower(address)}`,
    sk: 'SWEEP_CANDIDATE',
  }),
  candidatesOf: (chainId: number) => `SWEEP_CANDIDATES#${chainId}`,
  candidateIndex: (chainId: number, token: string, address: string) => ({
    gsi3pk: sweepKeys.candidatesOf(chainId),
    gsi3sk: `${lower(token)}#${lower(address)}`,
  }),
  sweep: (id: string) => ({ pk: `SWEEP#${id}`, sk: 'SWEEP' }),
  /** The gsi1 partition of every sweep (the API's list: sweeps are batched, a few a day per chain). */
  all: 'SWEEPS',
  listed: (submittedAt: string, id: string) => ({ gsi1pk: sweepKeys.all, gsi1sk: `${submittedAt}#${id}` }),
  month: (month: string) => `SWEEPS#${month}`,
  byMonth: (submittedAt: string, id: string) => ({
    gsi2pk: sweepKeys.month(submittedAt.slice(0, 7)),
    gsi2sk: `${submittedAt}#${id}`,
  }),
  submittedOf: (chainId: number) => `SWEEPS_SUBMITTED#${chainId}`,
  submitted: (chainId: number, submittedAt: string, id: string) => ({
    gsi3pk: sweepKeys.submittedOf(chainId),
    gsi3sk: `${submittedAt}#${id}`,
  }),
  invoiceLink: (id: string, invoiceId: string) => ({ pk: `SWEEP#${id}`, sk: `INVOICE#${invoiceId}` }),
  ofInvoice: (invoiceId: string) => `INVOICE#${invoiceId}#SWEEPS`,
  invoiceIndex: (invoiceId: string, submittedAt: string, id: string) => ({
    gsi1pk: sweepKeys.ofInvoice(invoiceId),
    gsi1sk: `${submittedAt}#${id}`,
  }),
  inFlight: (chainId: number, token: string) => ({
    pk: `SWEEP_INFLIGHT#${chainId}#${lower(token)}`,
    sk: 'SWEEP_INFLIGHT',
  }),
};

/** The transaction item reconciliation adds when final money reaches a forwarder deposit address. */
export function putSweepCandidate(c: SweepCandidate) {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...sweepKeys.candidate(c.chainId, c.token, c.address),
        ...sweepKeys.candidateIndex(c.chainId, c.token, c.address),
        type: 'sweep-candidate',
        ...c,
      },
    },
  };
}

function candidateFromItem(i: Record<string, unknown>): SweepCandidate {
  return {
    chainId: i.chainId as number,
    token: i.token as string,
    address: i.address as string,
    invoiceId: i.invoiceId as string,
    transferId: i.transferId as string,
    at: i.at as string,
    ...(i.notBefore ? { notBefore: i.notBefore as string } : {}),
  };
}

/**
 * Every item of one index partition (a chain's candidates or submitted sweeps, an invoice's sweep links: small by
 * construction), as the index keeps it: gsi1's links carry `sweepId` (projected), which is all their reader needs.
 */
async function queryPartition(index: 'gsi1' | 'gsi3', partition: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const pages = paginateQuery(
    { client: ddb },
    {
      TableName: tableName(),
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk`,
      ExpressionAttributeValues: { ':pk': partition },
    },
  );
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}

/** The full item of a sweep (keys included; the submitted index only while submitted). */
export function sweepItem(s: Sweep): Record<string, unknown> {
  return {
    ...sweepKeys.sweep(s.id),
    ...sweepKeys.listed(s.submittedAt, s.id),
    ...sweepKeys.byMonth(s.submittedAt, s.id),
    ...(s.state === 'submitted' ? sweepKeys.submitted(s.chainId, s.submittedAt, s.id) : {}),
    type: 'sweep',
    ...s,
    amount: s.amount.toString(),
    addresses: s.addresses.map(addressToItem),
  };
}

function addressToItem(a: SweptAddress) {
  return { ...a, ...(a.amount !== undefined ? { amount: a.amount.toString() } : {}) };
}

/** Reads a stored sweep item. */
export function sweepFromItem(item: Record<string, unknown>): Sweep {
  // biome-ignore lint/suspicious/noExplicitAny: items are written only by sweepItem above
  const i = item as any;
  return {
    id: i.id,
    chainId: i.chainId,
    token: i.token,
    factory: i.factory,
    custody: i.custody,
    from: i.from,
    nonce: i.nonce,
    txHash: i.txHash,
    rawTx: i.rawTx,
    addresses: (i.addresses ?? []).map((a: Record<string, unknown>) => ({
      invoiceId: a.invoiceId as string,
      address: a.address as string,
      ...(a.amount !== undefined ? { amount: BigInt(a.amount as string) } : {}),
      ...(a.failedReason !== undefined ? { failedReason: a.failedReason as string } : {}),
    })),
    amount: BigInt(i.amount ?? '0'),
    state: i.state as SweepState,
    submittedAt: i.submittedAt,
    ...(i.finalAt ? { finalAt: i.finalAt as string } : {}),
    ...(i.blockNumber !== undefined ? { blockNumber: i.blockNumber as number } : {}),
    ...(i.failure ? { failure: i.failure as string } : {}),
  };
}

/**
 * A submitted sweep with its lock and its invoice links, in one transaction: nothing is written when its chain and
 * token have a sweep in flight already (or this one exists).
 */
async function recordSubmitted(sweep: Sweep): Promise<boolean> {
  // The sweep, its lock and one link per invoice in one transaction (at most 100 items).
  if (sweep.addresses.length > MAX_SWEEP_BATCH_SIZE) {
    throw new Error(`a sweep of ${sweep.addresses.length} addresses: at most ${MAX_SWEEP_BATCH_SIZE} fit one record`);
  }
  const table = tableName();
  const links = [...new Set(sweep.addresses.map((a) => a.invoiceId))].map((invoiceId) => ({
    Put: {
      TableName: table,
      Item: {
        ...sweepKeys.invoiceLink(sweep.id, invoiceId),
        ...sweepKeys.invoiceIndex(invoiceId, sweep.submittedAt, sweep.id),
        type: 'sweep-invoice',
        sweepId: sweep.id,
        invoiceId,
      },
    },
  }));
  try {
    await commit([
      { Put: { TableName: table, Item: sweepItem(sweep), ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Put: {
          TableName: table,
          Item: { ...sweepKeys.inFlight(sweep.chainId, sweep.token), type: 'sweep-inflight', sweepId: sweep.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...links,
    ]);
    return true;
  } catch (error) {
    if (error instanceof ConcurrentChangeError) return false;
    throw error;
  }
}

/**
 * A sweep's outcome (final or failed) with its journal entry, the lock released, in one transaction conditioned on
 * the sweep still being submitted: false when it was recorded already (a second run, a retry after a crash).
 */
async function recordOutcome(sweep: Sweep, journal?: JournalEntry): Promise<boolean> {
  const table = tableName();
  try {
    await commit([
      {
        Put: {
          TableName: table,
          Item: sweepItem(sweep),
          ConditionExpression: '#state = :submitted',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':submitted': 'submitted' },
        },
      },
      {
        Delete: {
          TableName: table,
          Key: sweepKeys.inFlight(sweep.chainId, sweep.token),
          ConditionExpression: 'attribute_not_exists(pk) OR sweepId = :id',
          ExpressionAttributeValues: { ':id': sweep.id },
        },
      },
      ...(journal ? [putJournalEntry(journal)] : []),
    ]);
    return true;
  } catch (error) {
    if (error instanceof ConcurrentChangeError) return false;
    throw error;
  }
}

/** Deletes each candidate while it is still the one read (a newer final transfer re-marked it: kept). */
async function clearCandidates(candidates: readonly SweepCandidate[]): Promise<void> {
  for (const c of candidates) {
    try {
      await ddb.send(
        new DeleteCommand({
          TableName: tableName(),
          Key: sweepKeys.candidate(c.chainId, c.token, c.address),
          ConditionExpression: 'transferId = :t',
          ExpressionAttributeValues: { ':t': c.transferId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/** Sets `notBefore` on each candidate while it is the one read. */
async function deferCandidates(candidates: readonly SweepCandidate[], notBefore: string): Promise<void> {
  for (const c of candidates) {
    try {
      await ddb.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: sweepKeys.candidate(c.chainId, c.token, c.address),
          UpdateExpression: 'SET notBefore = :n',
          ConditionExpression: 'transferId = :t',
          ExpressionAttributeValues: { ':t': c.transferId, ':n': notBefore },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/** The sweeps among `ids` (one BatchGetItem per 100). */
export async function getSweeps(ids: readonly string[]): Promise<Sweep[]> {
  const unique = [...new Set(ids)];
  const sweeps: Sweep[] = [];
  for (let i = 0; i < unique.length; i += 100) {
    const items = await batchGetItems(unique.slice(i, i + 100).map(sweepKeys.sweep), { consistent: true });
    sweeps.push(...items.map(sweepFromItem));
  }
  return sweeps;
}

/** The sweeps that moved (or tried to move) an invoice's money, oldest first. */
export async function sweepsOfInvoice(invoiceId: string): Promise<Sweep[]> {
  const links = await queryPartition('gsi1', sweepKeys.ofInvoice(invoiceId));
  const sweeps = await getSweeps(links.map((l) => l.sweepId as string));
  return sweeps.sort((a, b) => (a.submittedAt < b.submittedAt ? -1 : a.submittedAt > b.submittedAt ? 1 : 0));
}

/** A page of sweeps, newest first, submitted within `from`..`to` (ISO times), optionally of one chain. */
export async function listSweeps(q: { chainId?: number; from?: string; to?: string; limit: number; cursor?: string }) {
  const page = await queryNewestFirst({
    index: 'gsi1',
    partitions: [sweepKeys.all],
    sortKeyBetween: { from: q.from ?? '0', to: `${q.to ?? '9'}#\uffff` },
    ...(q.chainId !== undefined
      ? { filter: { expression: 'chainId = :chainId', names: {}, values: { ':chainId': q.chainId } } }
      : {}),
    limit: q.limit,
    ...(q.cursor ? { cursor: q.cursor } : {}),
  });
  return { items: page.items.map(sweepFromItem), nextCursor: page.nextCursor };
}

/** The sweeper's store on the service's table. */
export const dynamoSweepStore: SweepStore = {
  candidates: async (chainId) => (await queryPartition('gsi3', sweepKeys.candidatesOf(chainId))).map(candidateFromItem),
  clearCandidates,
  deferCandidates,
  submitted: async (chainId) => {
    const items = await queryPartition('gsi3', sweepKeys.submittedOf(chainId));
    // The index is eventually consistent: re-read the items themselves before acting on them.
    return (await getSweeps(items.map((i) => i.id as string))).filter((s) => s.state === 'submitted');
  },
  recordSubmitted,
  recordOutcome,
};
