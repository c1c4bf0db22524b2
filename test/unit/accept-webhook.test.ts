/**
 * Accepting a webhook delivery, against the real provider formats (signatures are pure), an in-memory nonce store
 * and a recording queue: no HTTP, no DynamoDB, no SQS.
 */
import { describe, expect, it } from 'vitest';
import { webhookProviders } from '../../shared/adapters/providers/index';
import { acceptWebhook } from '../../shared/app/accept-webhook';
import type { TransferObserved } from '../../shared/domain/transfers';
import type { NonceStore } from '../../shared/ports';
import { deliveryBody, type Provider, signatureHeaders, TEST_WEBHOOK_SECRETS } from '../helpers/webhooks';
import { CHAIN, DEPOSIT, PAYER, TOKEN } from '../support/reconcile-fixtures';

class MemoryNonces implements NonceStore {
  readonly seen = new Map<string, number>();
  async claim(provider: string, nonce: string, now: Date, windowSeconds: number) {
    const key = `${provider}:${nonce}`;
    const until = this.seen.get(key);
    if (until !== undefined && until > now.getTime()) return false;
    this.seen.set(key, now.getTime() + windowSeconds * 1000);
    return true;
  }
  async release(provider: string, nonce: string) {
    this.seen.delete(`${provider}:${nonce}`);
  }
}

const transfer = {
  token: TOKEN,
  txHash: `0x${'a'.repeat(64)}`,
  logIndex: 3,
  blockNumber: 12,
  blockHash: `0x${'c'.repeat(64)}`,
  from: PAYER,
  to: DEPOSIT,
  amount: 250_000_000n,
};

function deliver(provider: Provider, overrides: { amount?: bigint; secret?: string; nonce?: string } = {}) {
  const body = Buffer.from(deliveryBody(provider, { ...transfer, amount: overrides.amount ?? transfer.amount }));
  const headers = signatureHeaders(provider, body, {
    ...(overrides.secret ? { secret: overrides.secret } : {}),
    ...(overrides.nonce ? { nonce: overrides.nonce } : {}),
  });
  return { provider, body, headers, correlationId: 'req-1' };
}

function deps(provider: Provider, nonces = new MemoryNonces(), failSend = false) {
  const sent: TransferObserved[] = [];
  return {
    sent,
    nonces,
    deps: {
      format: webhookProviders[provider],
      secret: TEST_WEBHOOK_SECRETS[provider],
      chains: [CHAIN],
      nonces,
      sendTransfers: async (messages: TransferObserved[]) => {
        if (failSend) throw new Error('queue down');
        sent.push(...messages);
      },
      now: () => new Date(),
    },
  };
}

describe('acceptWebhook', () => {
  it.each(['alchemy', 'moralis', 'quicknode'] as const)(
    'turns a signed %s delivery into one hint for the queue',
    async (p) => {
      const d = deps(p);
      expect(await acceptWebhook(deliver(p), d.deps)).toEqual({ accepted: 1 });
      expect(d.sent).toEqual([
        expect.objectContaining({ source: p, amount: '250000000', logIndex: 3, to: DEPOSIT, correlationId: 'req-1' }),
      ]);
    },
  );

  it('refuses a delivery signed with another secret, and one for a provider without a secret, sending nothing', async () => {
    const d = deps('alchemy');
    await expect(acceptWebhook(deliver('alchemy', { secret: 'not-ours' }), d.deps)).rejects.toMatchObject({
      type: expect.stringContaining('unauthorized'),
    });
    await expect(acceptWebhook(deliver('alchemy'), { ...d.deps, secret: undefined })).rejects.toMatchObject({
      type: expect.stringContaining('not-found'),
    });
    expect(d.sent).toEqual([]);
  });

  it('drops zero values (never a hint of nothing) and refuses a verified body that is not the payload', async () => {
    const d = deps('alchemy');
    expect(await acceptWebhook(deliver('alchemy', { amount: 0n }), d.deps)).toEqual({ accepted: 0 });
    const junk = Buffer.from('{"not":"alchemy"}');
    const bad = { provider: 'alchemy', body: junk, headers: signatureHeaders('alchemy', junk) };
    await expect(acceptWebhook(bad, d.deps)).rejects.toMatchObject({ type: expect.stringContaining('validation') });
    expect(d.sent).toEqual([]);
  });

  it('refuses a replayed QuickNode nonce, and forgets the nonce when the queue fails so the retry gets through', async () => {
    const nonces = new MemoryNonces();
    const first = deliver('quicknode', { nonce: 'n-1' });
    expect(await acceptWebhook(first, deps('quicknode', nonces).deps)).toEqual({ accepted: 1 });
    await expect(acceptWebhook(first, deps('quicknode', nonces).deps)).rejects.toMatchObject({
      type: expect.stringContaining('unauthorized'),
    });
    const second = deliver('quicknode', { nonce: 'n-2' });
    await expect(acceptWebhook(second, deps('quicknode', nonces, true).deps)).rejects.toThrow('queue down');
    expect(await acceptWebhook(second, deps('quicknode', nonces).deps)).toEqual({ accepted: 1 });
  });
});
