/**
 * The payer mail log: one item per mail (an invoice's invoice mail, each receipt's receipt mail), claimed by one
 * sender at a time and completed once (shared/app/notify-payer.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PayerMailRecord } from '../../domain/payer-mail';
import type { PayerMailLog } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';

/** The keys of an invoice's mail records: one partition per invoice, one item per mail. */
export const payerMailKeys = {
  mail: (invoiceId: string, mail: string) => ({ pk: `MAIL#${invoiceId}`, sk: mail }),
  invoice: (invoiceId: string) => `MAIL#${invoiceId}`,
};

function fromItem(item: Record<string, unknown>): PayerMailRecord {
  const { invoiceId, mail, template, state, at, leaseUntil, providerMessageId, reason } =
    item as unknown as PayerMailRecord;
  return {
    invoiceId,
    mail,
    template,
    state,
    at,
    ...(leaseUntil ? { leaseUntil } : {}),
    ...(providerMessageId ? { providerMessageId } : {}),
    ...(reason ? { reason } : {}),
  };
}

const refusedIfTaken = async (write: () => Promise<unknown>): Promise<boolean> => {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** The DynamoDB payer mail log. */
export const dynamoPayerMailLog: PayerMailLog = {
  claim(invoiceId, mail, template, now, leaseUntil) {
    const item = {
      ...payerMailKeys.mail(invoiceId, mail),
      type: 'payer-mail',
      invoiceId,
      mail,
      template,
      state: 'sending',
      at: now.toISOString(),
      leaseUntil: leaseUntil.toISOString(),
    };
    return refusedIfTaken(() =>
      ddb.send(
        new PutCommand({
          TableName: tableName(),
          Item: item,
          // New, or an abandoned claim (a sender that crashed between claim and outcome).
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :sending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sending': 'sending', ':now': now.toISOString() },
        }),
      ),
    );
  },
  async complete(record) {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: payerMailKeys.mail(record.invoiceId, record.mail),
        UpdateExpression:
          'SET #state = :state, #at = :at, providerMessageId = :pid, reason = :reason REMOVE leaseUntil',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#state': 'state', '#at': 'at' },
        ExpressionAttributeValues: {
          ':state': record.state,
          ':at': record.at,
          ':pid': record.providerMessageId ?? null,
          ':reason': record.reason ?? null,
        },
      }),
    );
  },
  async release(invoiceId, mail) {
    // Ends the claim now (an update, not a delete: the log keeps every mail's item), so the next try may claim it.
    await refusedIfTaken(() =>
      ddb.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: payerMailKeys.mail(invoiceId, mail),
          UpdateExpression: 'SET leaseUntil = :ended',
          ConditionExpression: '#state = :sending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sending': 'sending', ':ended': new Date(0).toISOString() },
        }),
      ),
    );
  },
  async forInvoice(invoiceId) {
    const { Items = [] } = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': payerMailKeys.invoice(invoiceId) },
        Limit: 50,
      }),
    );
    return Items.map(fromItem);
  },
};
