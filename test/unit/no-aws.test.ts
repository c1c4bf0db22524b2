/**
 * The unit project runs without moto (vitest.config.ts): no emulator endpoint is provided, and the AWS clients point
 * at a closed loopback port, so a unit test that reaches AWS fails here instead of quietly needing an emulator.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { awsEndpoint } from '../../shared/adapters/aws/config';
import { dynamodb } from '../../shared/adapters/aws/dynamodb';

describe('unit tests reach no AWS', () => {
  it('gets no emulator from the global setup', () => {
    expect(inject('awsEndpoint')).toBeUndefined();
  });

  it('points the AWS clients at a loopback port where nothing listens', async () => {
    expect(awsEndpoint).toBe('http://127.0.0.1:9');
    await expect(dynamodb.send(new ListTablesCommand({}))).rejects.toThrow(/ECONNREFUSED/);
  });
});
