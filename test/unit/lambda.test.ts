import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { countMetric } from '../../shared/adapters/metrics';
import { metrics } from '../../shared/adapters/observability';

const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 } as Context;

describe('lambdaHandler', () => {
  it('flushes the metrics an invocation recorded, on success and on failure', async () => {
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');
    await lambdaHandler(async () => {
      countMetric('InvoicesIssued');
      return 'ok';
    })({}, context);
    expect(publish).toHaveBeenCalledTimes(1);
    expect(metrics.hasStoredMetrics()).toBe(false);

    await expect(
      lambdaHandler(async () => {
        countMetric('ReceiptDeliveryFailures');
        throw new Error('boom');
      })({}, context),
    ).rejects.toThrow('boom');
    expect(publish).toHaveBeenCalledTimes(2);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('writes nothing for an invocation without metrics', async () => {
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');
    publish.mockClear();
    await lambdaHandler(async () => 'quiet')({}, context);
    expect(publish).not.toHaveBeenCalled();
  });
});
