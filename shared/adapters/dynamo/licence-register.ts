/**
 * DynamoDB form of the licensed-firm register: each snapshot's firms under their own version's partition (written
 * once, never overwritten), the snapshot headers in one partition, and a pointer to the current version, moved
 * only forward once a snapshot is whole.
 */
import { BatchWriteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RegisteredFirm, RegisterSnapshot } from '../../domain/licence-register';
import type { LicenceRegister } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { takeNext } from './counters';

const version = (v: number) => `V${String(v).padStart(8, '0')}`;

export const registerKeys = {
  firm: (v: number, bin: string) => ({ pk: `REGISTER#${version(v)}`, sk: `BIN#${bin}` }),
  snapshot: (v: number) => ({ pk: 'REGISTER#SNAPSHOTS', sk: version(v) }),
  current: { pk: 'REGISTER#SNAPSHOTS', sk: 'CURRENT' },
  counter: 'register-version',
};

/** DynamoDB's largest batch write. */
const BATCH = 25;

async function putFirms(v: number, firms: readonly RegisteredFirm[]): Promise<void> {
  for (let i = 0; i < firms.length; i += BATCH) {
    let requests: Record<string, unknown>[] | undefined = firms.slice(i, i + BATCH).map((firm) => ({
      PutRequest: { Item: { ...registerKeys.firm(v, firm.bin), type: 'registeredFirm', ...firm } },
    }));
    for (let attempt = 0; requests?.length; attempt++) {
      if (attempt > 8) throw new Error(`register v${v}: DynamoDB kept refusing a batch of firms`);
      if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const { UnprocessedItems } = await ddb.send(
        new BatchWriteCommand({ RequestItems: { [tableName()]: requests as never } }),
      );
      requests = UnprocessedItems?.[tableName()] as Record<string, unknown>[] | undefined;
    }
  }
}

async function currentVersion(): Promise<number | undefined> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: registerKeys.current, ConsistentRead: true }),
  );
  return Item ? Number(Item.version) : undefined;
}

function firmOf(item: Record<string, unknown>): RegisteredFirm {
  const { bin, name, licenceNo, status, activities, validFrom } = item as unknown as RegisteredFirm;
  return { bin, name, licenceNo, status, activities: [...(activities ?? [])], validFrom };
}

function snapshotOf(item: Record<string, unknown>): RegisterSnapshot {
  const { version: v, uploadedBy, uploadedAt, firms, sha256, format } = item as unknown as RegisterSnapshot;
  return { version: Number(v), uploadedBy, uploadedAt, firms: Number(firms), sha256, format };
}

/** The register port (shared/ports.ts) on the table. */
export const dynamoLicenceRegister: LicenceRegister = {
  async firm(bin) {
    const v = await currentVersion();
    if (v === undefined) return undefined;
    const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: registerKeys.firm(v, bin) }));
    return Item ? firmOf(Item) : undefined;
  },

  async current() {
    const v = await currentVersion();
    if (v === undefined) return undefined;
    const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: registerKeys.snapshot(v) }));
    return Item ? snapshotOf(Item) : undefined;
  },

  async store(firms, header) {
    const v = (await takeNext(registerKeys.counter)) + 1;
    // The firms first, then the header, then the pointer: a snapshot is current only once it is whole.
    await putFirms(v, firms);
    const snapshot: RegisterSnapshot = { ...header, version: v };
    await ddb.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...registerKeys.snapshot(v), type: 'registerSnapshot', ...snapshot },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await ddb
      .send(
        new UpdateCommand({
          TableName: tableName(),
          Key: registerKeys.current,
          UpdateExpression: 'SET #v = :v',
          ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': v },
        }),
      )
      .catch((error: Error) => {
        // A later upload finished first: it stays current, and this snapshot is kept as history.
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
    return snapshot;
  },
};
