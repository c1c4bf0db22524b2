/**
 * DynamoDB form of reference data: each proposed change under its own id (listed newest first on gsi1), and each
 * version in its kind's partition, sorted by subject and effective instant. A proposal and a version are each put
 * once (`attribute_not_exists`); a change's state moves once, conditioned on the version it was read at; a decision
 * and its version commit in one transaction. Reference data is small (hundreds of items): a kind is one partition.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  type ReferenceChange,
  type ReferenceKind,
  type ReferenceValueWire,
  type ReferenceVersion,
  valueFromWire,
  valueToWire,
} from '../../domain/reference-data';
import type { ReferenceDataStore } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { fullItems } from './index-items';
import { commit } from './transact';

/** Every key of reference data, spelled once. */
export const referenceKeys = {
  change: (id: string) => ({ pk: `REFCHANGE#${id}`, sk: 'CHANGE' }),
  changeListed: (proposedAt: string, id: string) => ({ gsi1pk: 'REFCHANGES', gsi1sk: `${proposedAt}#${id}` }),
  changesPartition: 'REFCHANGES',
  version: (v: Pick<ReferenceVersion, 'kind' | 'subject' | 'effectiveFrom' | 'id'>) => ({
    pk: `REFDATA#${v.kind}`,
    sk: `${v.subject}#${v.effectiveFrom}#${v.id}`,
  }),
  kindPartition: (kind: ReferenceKind) => `REFDATA#${kind}`,
  subjectPrefix: (subject: string) => `${subject}#`,
};

function changeToItem(change: ReferenceChange): Record<string, unknown> {
  return {
    ...referenceKeys.change(change.id),
    ...referenceKeys.changeListed(change.proposedAt, change.id),
    type: 'referenceChange',
    ...change,
    value: valueToWire(change.value),
  };
}

function changeFromItem(item: Record<string, unknown>): ReferenceChange {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, type: _t, value, version, ...rest } = item;
  return {
    ...(rest as unknown as Omit<ReferenceChange, 'value' | 'version'>),
    value: valueFromWire(value as ReferenceValueWire),
    version: Number(version),
  };
}

function versionToItem(version: ReferenceVersion): Record<string, unknown> {
  return { ...referenceKeys.version(version), type: 'referenceVersion', ...version, value: valueToWire(version.value) };
}

function versionFromItem(item: Record<string, unknown>): ReferenceVersion {
  const { pk: _pk, sk: _sk, type: _t, value, ...rest } = item;
  return { ...(rest as unknown as Omit<ReferenceVersion, 'value'>), value: valueFromWire(value as ReferenceValueWire) };
}

async function queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new QueryCommand({ TableName: tableName(), ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const isNew = { ConditionExpression: 'attribute_not_exists(pk)' };

/** The reference-data port (shared/ports.ts) on the table. */
export const dynamoReferenceData: ReferenceDataStore = {
  async versions(kind, subject) {
    const items = await queryAll({
      KeyConditionExpression: subject === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': referenceKeys.kindPartition(kind),
        ...(subject === undefined ? {} : { ':prefix': referenceKeys.subjectPrefix(subject) }),
      },
    });
    return items.map(versionFromItem);
  },

  async propose(change) {
    await ddb.send(new PutCommand({ TableName: tableName(), Item: changeToItem(change), ...isNew }));
  },

  async change(id) {
    const { Item } = await ddb.send(
      new GetCommand({ TableName: tableName(), Key: referenceKeys.change(id), ConsistentRead: true }),
    );
    return Item ? changeFromItem(Item) : undefined;
  },

  async changes(filter) {
    // gsi1 keeps only keys and a few attributes (shared/resources.ts): the changes are read back whole.
    const listed = await queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': referenceKeys.changesPartition },
      ScanIndexForward: false,
    });
    const items = await fullItems('gsi1', listed);
    return items
      .map(changeFromItem)
      .filter((c) => (!filter.state || c.state === filter.state) && (!filter.kind || c.kind === filter.kind));
  },

  // A cancelled transaction (the change moved since read) surfaces from commit() as ConcurrentChangeError.
  async decide(change, version) {
    await commit([
      {
        Put: {
          TableName: tableName(),
          Item: changeToItem(change),
          ConditionExpression: '#state = :proposed AND #version = :read',
          ExpressionAttributeNames: { '#state': 'state', '#version': 'version' },
          ExpressionAttributeValues: { ':proposed': 'proposed', ':read': change.version - 1 },
        },
      },
      ...(version ? [{ Put: { TableName: tableName(), Item: versionToItem(version), ...isNew } }] : []),
    ]);
  },

  async seed(version) {
    try {
      await ddb.send(new PutCommand({ TableName: tableName(), Item: versionToItem(version), ...isNew }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },
};
