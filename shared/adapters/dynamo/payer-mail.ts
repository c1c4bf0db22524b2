/** The payer mail log: one item per (invoice, template), written once (shared/app/notify-payer.ts). */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { PayerMailRecord, PayerMailTemplate } from '../../domain/payer-mail';
import type { PayerMailLog } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';

/** The keys of an invoice's mail records: one partition per invoice, one item per template. */
export const payerMailKeys = {
  mail: (invoiceId: string, template: PayerMailTemplate) => ({ pk: `MAIL#${invoiceId}`, sk: template }),
  invoice: (invoiceId: string) => `MAIL#${invoiceId}`,
};

function fromItem(item: Record<string, unknown>): PayerMailRecord {
  const { invoiceId, template, state, at, messageId, reason } = item as unknown as PayerMailRecord;
  return { invoiceId, template, state, at, messageId, ...(reason ? { reason } : {}) };
}

/** The DynamoDB payer mail log. */
export const dynamoPayerMailLog: PayerMailLog = {
  async get(invoiceId, template) {
    const { Item } = await ddb.send(
      new GetCommand({ TableName: tableName(), Key: payerMailKeys.mail(invoiceId, template), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  },
  async record(record) {
    try {
      await ddb.send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...payerMailKeys.mail(record.invoiceId, record.template), type: 'payer-mail', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // A twin consumer recorded it first: the first record stands.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  },
  async forInvoice(invoiceId) {
    const { Items = [] } = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': payerMailKeys.invoice(invoiceId) },
        Limit: 10,
      }),
    );
    return Items.map(fromItem);
  },
};
