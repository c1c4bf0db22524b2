/**
 * An in-process stand-in for DynamoDB and SQS behind the real SDK clients, for measuring our own code's CPU with
 * I/O excluded: middleware at the top of each client's stack answers every command from memory and never calls the
 * rest of the stack (no marshalling, signing, HTTP). It keeps items by pk/sk, applies Puts and the plain `SET a = :v`
 * / `list_append` / `ADD n :v` updates our code issues, and checks no conditions (there are no races here).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';

type Item = Record<string, unknown>;

interface UpdateInput {
  Key: Item;
  UpdateExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

export class FakeTable {
  readonly items = new Map<string, Item>();
  requests = 0;

  private key(k: Item): string {
    return `${String(k.pk)}|${String(k.sk)}`;
  }

  get(key: Item): Item | undefined {
    return this.items.get(this.key(key));
  }

  put(item: Item): void {
    this.items.set(this.key(item), item);
  }

  update(u: UpdateInput): Item {
    const item: Item = { ...(this.get(u.Key) ?? u.Key) };
    const name = (n: string) => u.ExpressionAttributeNames?.[n] ?? n;
    const value = (v: string) => u.ExpressionAttributeValues?.[v];
    const [setPart = '', removePart = ''] = u.UpdateExpression.split(/\sREMOVE\s/);
    for (const m of setPart.matchAll(/(#?\w+)\s*=\s*(:\w+)/g)) item[name(m[1] as string)] = value(m[2] as string);
    for (const m of setPart.matchAll(
      /(#?\w+)\s*=\s*list_append\(\s*(?:if_not_exists\(\s*)?(#?\w+)[^,]*,[^:]*(:\w+)\s*\)/g,
    )) {
      const current = (item[name(m[2] as string)] as unknown[] | undefined) ?? [];
      item[name(m[1] as string)] = [...current, ...((value(m[3] as string) as unknown[]) ?? [])];
    }
    for (const m of setPart.matchAll(/(#?\w+)\s*=\s*if_not_exists\(\s*#?\w+\s*,\s*(:\w+)\s*\)/g)) {
      const field = name(m[1] as string);
      if (item[field] === undefined) item[field] = value(m[2] as string);
    }
    const add = /^\s*ADD\s+(#?\w+)\s+(:\w+)/.exec(u.UpdateExpression);
    if (add) {
      const field = name(add[1] as string);
      item[field] = Number(item[field] ?? 0) + Number(value(add[2] as string));
    }
    for (const field of removePart
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean))
      delete item[name(field)];
    this.put(item);
    return item;
  }

  /** Answers one DynamoDB command (document-client shapes: plain values in and out). */
  answer(command: string, input: Item): Item {
    this.requests++;
    switch (command) {
      case 'GetItemCommand': {
        const item = this.get(input.Key as Item);
        return item ? { Item: structuredClone(item) } : {};
      }
      case 'PutItemCommand':
        this.put(structuredClone(input.Item as Item));
        return {};
      case 'UpdateItemCommand': {
        const item = this.update(input as unknown as UpdateInput);
        return input.ReturnValues ? { Attributes: structuredClone(item) } : {};
      }
      case 'TransactWriteItemsCommand':
        for (const t of input.TransactItems as Item[]) {
          if (t.Put) this.put(structuredClone((t.Put as Item).Item as Item));
          else if (t.Update) this.update(t.Update as unknown as UpdateInput);
        }
        return {};
      case 'QueryCommand':
        return { Items: [], Count: 0 };
      default:
        throw new Error(`fake DynamoDB does not answer ${command}`);
    }
  }
}

/** Puts the fake table in front of `dynamodb` and a message sink in front of `sqs`. */
export function fakeAws(dynamodb: DynamoDBClient, sqs: SQSClient): { table: FakeTable; messages: () => number } {
  const table = new FakeTable();
  let messages = 0;
  dynamodb.middlewareStack.add(
    (_next, context) => async (args) => ({
      output: { $metadata: {}, ...table.answer(String(context.commandName), args.input as Item) } as never,
      response: {},
    }),
    { step: 'initialize', name: 'benchFakeDynamoDb', priority: 'high', override: true },
  );
  sqs.middlewareStack.add(
    (_next) => async (args) => {
      const entries = ((args.input as { Entries?: { Id: string }[] }).Entries ?? []).map((e) => ({
        Id: e.Id,
        MessageId: e.Id,
        MD5OfMessageBody: '',
      }));
      messages += entries.length || 1;
      return { output: { $metadata: {}, Successful: entries, Failed: [] } as never, response: {} };
    },
    { step: 'initialize', name: 'benchFakeSqs', priority: 'high', override: true },
  );
  return { table, messages: () => messages };
}
