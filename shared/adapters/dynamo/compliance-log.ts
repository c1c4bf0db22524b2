/** DynamoDB form of the compliance decisions: one item per decision, put once, listed by month for exports. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
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

/** A stored decision item back into the port's type. */
export function complianceDecisionOf(item: Record<string, unknown>): ComplianceDecision {
  const { id, at, actor, action, subject, reason, amount, microUsd } = item as unknown as ComplianceDecision;
  return { id, at, actor, action, subject, reason, ...(amount ? { amount } : {}), ...(microUsd ? { microUsd } : {}) };
}
