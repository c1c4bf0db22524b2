/**
 * DynamoDB form of the freeze watch: each incident once under its event's identity (listed newest first on gsi3),
 * and per chain the state of each (token, address) pair an issuer froze, moved only by a newer event.
 */
import { PutCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type FreezeIncident, frozenKey } from '../../domain/freeze';
import type { FreezeStore } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { queryNewestFirst } from './paging';

export const freezeKeys = {
  incident: (id: string) => ({ pk: `INCIDENT#${id}`, sk: 'FREEZE' }),
  /** The gsi3 partition of freeze incidents, newest first. */
  byTime: (at: string, id: string) => ({ gsi3pk: 'INCIDENTS#FREEZE', gsi3sk: `${at}#${id}` }),
  pair: (chainId: number, token: string, address: string) => ({
    pk: `FROZEN#${chainId}`,
    sk: frozenKey(token, address),
  }),
  pairs: (chainId: number) => `FROZEN#${chainId}`,
};

const conditionFailed = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

/** The freeze store port (shared/ports.ts) on the table. */
export const dynamoFreezeStore: FreezeStore = {
  async record(incident) {
    // The pair first, then the incident: a crash between leaves the incident to the rescan of the same range.
    await ddb
      .send(
        new UpdateCommand({
          TableName: tableName(),
          Key: freezeKeys.pair(incident.chainId, incident.token, incident.address),
          UpdateExpression: 'SET #state = :state, blockNumber = :block, logIndex = :log, incidentId = :id, #at = :at',
          ConditionExpression:
            'attribute_not_exists(pk) OR blockNumber < :block OR (blockNumber = :block AND logIndex < :log)',
          ExpressionAttributeNames: { '#state': 'state', '#at': 'at' },
          ExpressionAttributeValues: {
            ':state': incident.kind === 'address-frozen' ? 'frozen' : 'unfrozen',
            ':block': incident.blockNumber,
            ':log': incident.logIndex,
            ':id': incident.id,
            ':at': incident.at,
          },
        }),
      )
      .catch((error: unknown) => {
        if (!conditionFailed(error)) throw error;
      });
    try {
      await ddb.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...freezeKeys.incident(incident.id),
            ...freezeKeys.byTime(incident.at, incident.id),
            type: 'freezeIncident',
            ...incident,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  },

  async frozen(chainId) {
    const keys = new Set<string>();
    const pages = paginateQuery(
      { client: ddb },
      {
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': freezeKeys.pairs(chainId) },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) if (item.state === 'frozen') keys.add(String(item.sk));
    }
    return keys;
  },

  async incidents(query) {
    const page = await queryNewestFirst({
      index: 'gsi3',
      partitions: ['INCIDENTS#FREEZE'],
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    const items = page.items.map((item) => {
      const { pk: _pk, sk: _sk, gsi3pk: _p, gsi3sk: _s, type: _t, ...incident } = item;
      return incident as unknown as FreezeIncident;
    });
    return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  },
};
