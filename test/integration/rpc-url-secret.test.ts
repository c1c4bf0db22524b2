/**
 * Keyed RPC URLs kept in Secrets Manager (shared/adapters/chain/rpc-urls.ts) against moto: a CHAINS entry with
 * `rpcUrlInSecret` gets its URL from the secret named by RPC_URLS_SECRET_ARN before the first invocation, beside an
 * entry in the clear, and the errors about the secret name the chain, never the URL or the secret's text.
 */
import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useMoto } from '../helpers/moto';

const KEYED_URL = 'https://eth-mainnet.g.alchemy.example/v2/secret-api-key-1';
const PLAIN_URL = 'https://polygon-rpc.example';
const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 } as Context;

await useMoto();
const sm = new SecretsManagerClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION });
let arn: string;

beforeAll(async () => {
  const created = await sm.send(
    new CreateSecretCommand({
      Name: `stablefee/rpc-urls-${randomBytes(4).toString('hex')}`,
      SecretString: JSON.stringify({ 1: KEYED_URL }),
    }),
  );
  arn = created.ARN as string;
  // Read by config.ts at import: chain 1 keyed (in the secret), chain 137 in the clear.
  process.env.CHAINS = JSON.stringify([
    { chainId: 1, rpcUrlInSecret: true },
    { chainId: 137, rpcUrl: PLAIN_URL },
  ]);
  process.env.RPC_URLS_SECRET_ARN = arn;
});

afterAll(() => {
  delete process.env.CHAINS;
  delete process.env.RPC_URLS_SECRET_ARN;
  sm.destroy();
});

describe('RPC URLs in Secrets Manager', () => {
  it('reads a keyed URL from the secret before the first invocation, beside one in the clear', async () => {
    const { lambdaHandler } = await import('../../shared/adapters/lambda');
    const { rpcUrlOf } = await import('../../shared/adapters/chain/enabled-chains');
    expect(rpcUrlOf(137)).toBe(PLAIN_URL);
    // Outside an invocation the keyed URL is not known yet, and the error says why without naming it.
    expect(() => rpcUrlOf(1)).toThrow(/chain 1's RPC URL is in the RPC URL secret/);
    const handler = lambdaHandler(async () => [rpcUrlOf(1), rpcUrlOf(137)]);
    expect(await handler({}, context)).toEqual([KEYED_URL, PLAIN_URL]);
  });

  it('names the chain, never the text, when the secret lacks a URL or holds a bad one', async () => {
    const { resolveRpcUrls } = await import('../../shared/adapters/chain/rpc-urls');
    const env = { RPC_URLS_SECRET_ARN: arn };
    const keyed = [{ chainId: 1, rpcUrlInSecret: true as const }];
    await expect(resolveRpcUrls([{ chainId: 8453, rpcUrlInSecret: true }], env)).rejects.toThrow(
      'the RPC URL secret has no URL for chain 8453 (key "8453")',
    );
    // A secret of its own per case: Powertools caches a value per ARN.
    const secretHolding = async (text: string) =>
      (
        await sm.send(
          new CreateSecretCommand({ Name: `stablefee/rpc-urls-${randomBytes(4).toString('hex')}`, SecretString: text }),
        )
      ).ARN;
    for (const [text, message] of [
      ['{"1": "ftp://secret-api-key-2@host"}', "the RPC URL secret's entry for chain 1 is not an http(s) URL"],
      ['{"1": secret-api-key-3', 'the RPC URL secret is not a JSON object'],
    ] as const) {
      const failure = resolveRpcUrls(keyed, { RPC_URLS_SECRET_ARN: await secretHolding(text) });
      await expect(failure).rejects.toThrow(message);
      await expect(failure).rejects.not.toThrow(/secret-api-key/);
    }
  });
});
