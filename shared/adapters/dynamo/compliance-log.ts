/** DynamoDB form of the compliance decisions: one item per decision, put once, listed by month for exports. */
import { PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { ComplianceDecision, ComplianceLog } from '../../ports';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';

export const complianceKeys = {
  decision: (id: string) => ({ pk: `COMPLIANCE#${id}`, sk: 'DECISION' }),
  /** The gsi2 partition of a month's decisions (`YYYY-MM`). */
  month: (month: string) => `COMPLIANCE#${month}`,
  byMonth: (at: string, id: string) => ({ gsi2pk: complianceKeys.month(at.slice(0, 7)), gsi2sk: `${at}#${id}` }),
};

/** The decision journal port (shared/ports.ts) on the table. */
export const dynamoComplianceLog: ComplianceLog = {
  async record(decision) {
    await ddb
      .send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...complianceKeys.decision(decision.id),
            ...complianceKeys.byMonth(decision.at, decision.id),
            type: 'complianceDecision',
            ...decision,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  },
};

/** The compliance decisions of one month (`YYYY-MM`), oldest first, page by page. */
export async function* complianceDecisionsOfMonth(month: string): AsyncGenerator<ComplianceDecision> {
  const pages = paginateQuery(
    { client: ddb },
    {
      TableName: tableName(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': complianceKeys.month(month) },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const { id, at, actor, action, subject, reason, amount, microUsd } = item as ComplianceDecision;
      yield {
        id,
        at,
        actor,
        action,
        subject,
        reason,
        ...(amount ? { amount } : {}),
        ...(microUsd ? { microUsd } : {}),
      };
    }
  }
}
