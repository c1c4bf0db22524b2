/**
 * Which secret holds which value: each value's purpose comes from its path, so each function reads only its own
 * secret; without any secret ARN (locally) the value comes from its environment variable.
 */
import { describe, expect, it } from 'vitest';
import { secretPurposeOf, serviceSecretValue } from '../../shared/adapters/service-secret';

describe('secretPurposeOf', () => {
  it('routes each value of the former single document to its purpose', () => {
    for (const provider of ['alchemy', 'moralis', 'quicknode']) expect(secretPurposeOf([provider])).toBe('webhooks');
    for (const key of ['alchemyAuthToken', 'moralisApiKey', 'quicknodeApiKey']) {
      expect(secretPurposeOf([key])).toBe('providerApi');
    }
    expect(secretPurposeOf(['registries', 'AFSA'])).toBe('registries');
    expect(secretPurposeOf(['custodian'])).toBe('custodian');
  });
});

describe('serviceSecretValue without a secret ARN', () => {
  it('reads the environment variable, trimmed; blank is none', async () => {
    const env = { REGISTRY_SECRET: '  s3cret ', CUSTODIAN_SECRET: '   ' };
    expect(await serviceSecretValue(['registries', 'AFSA'], 'REGISTRY_SECRET', env)).toBe('s3cret');
    expect(await serviceSecretValue(['custodian'], 'CUSTODIAN_SECRET', env)).toBeUndefined();
  });
});
