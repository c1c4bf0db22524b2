/**
 * `npm start`'s webhook signing secrets: taken from `WEBHOOK_SECRET_*` when set, so deliveries signed by hand verify;
 * random otherwise. Checked through the handler's own secret lookup.
 */
import { describe, expect, it } from 'vitest';
import { localWebhookSecrets } from '../../infra/local/runtime';
import { webhookSecret, webhookSecretEnv } from '../../shared/adapters/providers/secrets';

describe('localWebhookSecrets', () => {
  it('keeps the secrets the environment sets, and makes the others random', async () => {
    const env = localWebhookSecrets({
      WEBHOOK_SECRET_ALCHEMY: 'my-alchemy-key',
      WEBHOOK_SECRET_QUICKNODE: 'qn-by-hand',
      WEBHOOK_SECRET_MORALIS: '  ',
      OTHER: 'ignored',
    });
    expect(Object.keys(env).sort()).toEqual(Object.values(webhookSecretEnv).sort());
    expect(env.WEBHOOK_SECRET_ALCHEMY).toBe('my-alchemy-key');
    expect(env.WEBHOOK_SECRET_QUICKNODE).toBe('qn-by-hand');
    expect(env.WEBHOOK_SECRET_MORALIS).toMatch(/^[0-9a-f]{64}$/);

    // What the ingest handler then verifies deliveries with.
    const saved = { ...process.env };
    try {
      delete process.env.WEBHOOK_SECRETS_ARN;
      Object.assign(process.env, env);
      expect(await webhookSecret('alchemy')).toBe('my-alchemy-key');
      expect(await webhookSecret('quicknode')).toBe('qn-by-hand');
    } finally {
      process.env = saved;
    }
  });

  it('makes every secret random, and different per start, when none is set', () => {
    const a = localWebhookSecrets();
    const b = localWebhookSecrets({});
    for (const name of Object.values(webhookSecretEnv)) {
      expect(a[name]).toMatch(/^[0-9a-f]{64}$/);
      expect(a[name]).not.toBe(b[name]);
    }
  });
});
