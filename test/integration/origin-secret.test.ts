/**
 * The edge origin guard's secret read against moto's Secrets Manager (shared/adapters/origin-guard.ts): the right
 * header passes, a wrong one is refused, and a secret an operator mistyped fails closed without its text in the
 * error (JSON's own syntax error quotes the start of the value, which is the secret).
 */
import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, it } from 'vitest';
import { EDGE_ORIGIN_HEADER, EDGE_ORIGIN_SECRET_ARN_ENV, requireEdgeOrigin } from '../../shared/adapters/origin-guard';
import { useMoto } from '../helpers/moto';

await useMoto();
const sm = new SecretsManagerClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION });

afterAll(() => sm.destroy());

async function secretHolding(text: string): Promise<string> {
  const name = `stablefee/edge-origin-${randomBytes(4).toString('hex')}`;
  const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: text }));
  return created.ARN as string;
}

describe('the edge origin secret', () => {
  it('accepts the current value and refuses another', async () => {
    const env = { [EDGE_ORIGIN_SECRET_ARN_ENV]: await secretHolding(JSON.stringify({ current: 'origin-value-1' })) };
    await expect(requireEdgeOrigin({ [EDGE_ORIGIN_HEADER]: 'origin-value-1' }, env)).resolves.toBeUndefined();
    await expect(requireEdgeOrigin({ [EDGE_ORIGIN_HEADER]: 'origin-value-2' }, env)).rejects.toThrow(/public address/);
  });

  it('fails closed on a mistyped secret, and its error never quotes the value', async () => {
    const value = 'xK9f2LmQ8vSecretValue';
    const env = { [EDGE_ORIGIN_SECRET_ARN_ENV]: await secretHolding(`{"current": ${value}}`) };
    const error = await requireEdgeOrigin({ [EDGE_ORIGIN_HEADER]: value }, env).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/not a JSON object/);
    expect(error?.message).not.toContain(value.slice(0, 6));
  });
});
