/**
 * DynamoDB form of sender screening: the screening lists (one item each, replaced whole, its version conditioned so
 * two uploads never both win) and the held transfers (one item each, under the transfer's id, listed newest first
 * per state on gsi3).
 */
import { GetCommand, PutCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Hold, type HoldState, holdStates, type ScreeningList } from '../../domain/screening';
import { ConcurrentChangeError, type HoldStore, type ScreeningLists } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { queryNewestFirst } from './paging';

export const screeningKeys = {
  list: (name: string) => ({ pk: 'SCREENING#LISTS', sk: `LIST#${name}` }),
  lists: 'SCREENING#LISTS',
  hold: (id: string) => ({ pk: `HOLD#${id}`, sk: 'HOLD' }),
  /** The gsi3 partition of the holds in one state, newest first by when they were held. */
  byState: (state: HoldState, heldAt: string, id: string) => ({ gsi3pk: `HOLDS#${state}`, gsi3sk: `${heldAt}#${id}` }),
};

function listOf(item: Record<string, unknown>): ScreeningList {
  const { name, source, asOf, addresses, version, updatedBy, updatedAt } = item as unknown as ScreeningList;
  return { name, source, asOf, addresses: [...addresses], version: Number(version), updatedBy, updatedAt };
}

/** The screening lists port (shared/ports.ts) on the table. */
export const dynamoScreeningLists: ScreeningLists = {
  async put(list) {
    const { Item } = await ddb.send(
      new GetCommand({ TableName: tableName(), Key: screeningKeys.list(list.name), ConsistentRead: true }),
    );
    const previous = Item ? Number(Item.version) : 0;
    const stored: ScreeningList = { ...list, version: previous + 1 };
    try {
      await ddb.send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...screeningKeys.list(list.name), type: 'screeningList', ...stored },
          ConditionExpression: previous ? '#v = :previous' : 'attribute_not_exists(pk)',
          ...(previous ? { ExpressionAttributeNames: { '#v': 'version' } } : {}),
          ...(previous ? { ExpressionAttributeValues: { ':previous': previous } } : {}),
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        throw new ConcurrentChangeError(`screening list ${list.name} changed since read`, { cause: error });
      }
      throw error;
    }
    return stored;
  },

  async all() {
    const lists: ScreeningList[] = [];
    const pages = paginateQuery(
      { client: ddb },
      {
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': screeningKeys.lists },
      },
    );
    for await (const page of pages) lists.push(...(page.Items ?? []).map(listOf));
    return lists;
  },
};

function holdItem(hold: Hold) {
  return {
    ...screeningKeys.hold(hold.id),
    ...screeningKeys.byState(hold.state, hold.heldAt, hold.id),
    type: 'hold',
    ...hold,
  };
}

function holdOf(item: Record<string, unknown>): Hold {
  const { pk: _pk, sk: _sk, gsi3pk: _p, gsi3sk: _s, type: _t, ...hold } = item;
  return hold as unknown as Hold;
}

/** The hold store port (shared/ports.ts) on the table. */
export const dynamoHoldStore: HoldStore = {
  async get(id) {
    const { Item } = await ddb.send(
      new GetCommand({ TableName: tableName(), Key: screeningKeys.hold(id), ConsistentRead: true }),
    );
    return Item ? holdOf(Item) : undefined;
  },

  async create(hold) {
    try {
      await ddb.send(
        new PutCommand({
          TableName: tableName(),
          Item: holdItem(hold),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  },

  async decide(id, state, decision) {
    try {
      const { Attributes } = await ddb.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: screeningKeys.hold(id),
          UpdateExpression: 'SET #state = :state, decision = :decision, gsi3pk = :partition',
          ConditionExpression: '#state = :held',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':state': state,
            ':decision': decision,
            ':held': 'held',
            ':partition': `HOLDS#${state}`,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? holdOf(Attributes) : undefined;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  },

  async list(query) {
    const page = await queryNewestFirst({
      index: 'gsi3',
      partitions: (query.state ? [query.state] : [...holdStates]).map((s) => `HOLDS#${s}`),
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return { items: page.items.map(holdOf), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  },
};
