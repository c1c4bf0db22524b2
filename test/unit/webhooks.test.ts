/**
 * Webhook adapters: signature verification on the raw bytes (right signature accepted; one changed byte of body or
 * signature, a stale QuickNode timestamp, a wrong secret rejected; base64 bodies as API Gateway delivers binary
 * ones), and parsing into exact `TransferObserved` messages from the sample events: every token contract is kept (one
 * off the allowlist ends in suspense as `token_not_accepted`), zero values are dropped and reported.
 */
import { gzipSync } from 'node:zlib';
import { keccak256, toUtf8Bytes } from 'ethers';
import { describe, expect, it } from 'vitest';
import { alchemySignature } from '../../shared/adapters/providers/alchemy';
import { type Candidate, TransferCollector } from '../../shared/adapters/providers/common';
import {
  type Drop,
  findWebhookProvider,
  WebhookPayloadError,
  webhookProviders,
} from '../../shared/adapters/providers/index';
import { QUICKNODE_TOLERANCE_SECONDS, quicknodeSignature } from '../../shared/adapters/providers/quicknode';
import { mainnetChains } from '../../shared/domain/chains';
import { transferId, transferObservedSchema } from '../../shared/domain/transfers';
import {
  eventBody,
  loadEvent,
  type Provider,
  type SampleEvent,
  signatureHeaders,
  signedEvent,
  TEST_WEBHOOK_SECRETS,
} from '../helpers/webhooks';

const now = new Date('2024-10-14T09:12:32.000Z');
const samples: [Provider, SampleEvent][] = [
  ['alchemy', 'alchemy-address-activity'],
  ['moralis', 'moralis-unconfirmed'],
  ['moralis', 'moralis-confirmed'],
  ['moralis', 'moralis-test'],
  ['quicknode', 'quicknode-stream'],
];

function lowerHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

function flipByte(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

function flipHexChar(signature: string): string {
  const i = signature.length - 1;
  return signature.slice(0, i) + (signature[i] === '0' ? '1' : '0');
}

const signatureHeaderOf: Record<Provider, string> = {
  alchemy: 'x-alchemy-signature',
  moralis: 'x-signature',
  quicknode: 'x-qn-signature',
};

describe.each(samples)('%s verification (%s)', (provider, sample) => {
  const { verify } = webhookProviders[provider];
  const secret = TEST_WEBHOOK_SECRETS[provider];
  // QuickNode's stored signature covers a past timestamp: re-sign at `now`.
  const event = provider === 'quicknode' ? signedEvent(loadEvent(sample), provider, { now }) : loadEvent(sample);
  const raw = eventBody(event);
  const headers = lowerHeaders(event.headers);

  it('accepts the signature the provider sent', () => {
    expect(verify(raw, headers, secret, now)).toBe(true);
  });

  it('rejects a body with one byte changed, anywhere', () => {
    for (const at of [0, Math.floor(raw.length / 2), raw.length - 1]) {
      expect(verify(flipByte(raw, at), headers, secret, now)).toBe(false);
    }
    expect(verify(Buffer.concat([raw, Buffer.from(' ')]), headers, secret, now)).toBe(false);
  });

  it('rejects a signature with one character changed, a missing one, or another secret', () => {
    const name = signatureHeaderOf[provider];
    expect(verify(raw, { ...headers, [name]: flipHexChar(headers[name] ?? '') }, secret, now)).toBe(false);
    const { [name]: _, ...unsigned } = headers;
    expect(verify(raw, unsigned, secret, now)).toBe(false);
    expect(verify(raw, { ...headers, [name]: '' }, secret, now)).toBe(false);
    expect(verify(raw, headers, `${secret}x`, now)).toBe(false);
  });

  it('verifies a base64-encoded body (API Gateway binary media) on the decoded bytes', async () => {
    const { rawBody } = await import('../../shared/adapters/http');
    const b64 = signedEvent(loadEvent(sample), provider, { base64: true, now });
    expect(b64.isBase64Encoded).toBe(true);
    expect(verify(rawBody(b64), lowerHeaders(b64.headers), secret, now)).toBe(true);
    // Verifying the base64 text itself (the classic mistake) fails.
    expect(verify(Buffer.from(b64.body ?? ''), lowerHeaders(b64.headers), secret, now)).toBe(false);
  });
});

describe('signature details', () => {
  it('Alchemy: hex HMAC-SHA256 of the raw body, case-insensitive hex', () => {
    const raw = Buffer.from('{"a":1}');
    const sig = alchemySignature(raw, 'k');
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(webhookProviders.alchemy.verify(raw, { 'x-alchemy-signature': sig.toUpperCase() }, 'k', now)).toBe(true);
    // A re-serialized body (same JSON, other bytes) does not verify.
    expect(webhookProviders.alchemy.verify(Buffer.from('{"a": 1}'), { 'x-alchemy-signature': sig }, 'k', now)).toBe(
      false,
    );
  });

  it('Moralis: 0x-prefixed keccak256(body + secret)', () => {
    const headers = signatureHeaders('moralis', '{}', { secret: 's' });
    expect(headers['x-signature']).toBe(keccak256(toUtf8Bytes('{}s')));
  });

  it('QuickNode: rejects a timestamp outside the tolerance, either way, and accepts base64 signatures', () => {
    const raw = Buffer.from('{"network":"ethereum-mainnet","logs":[]}');
    const secret = TEST_WEBHOOK_SECRETS.quicknode;
    const { verify } = webhookProviders.quicknode;
    const old = new Date(now.getTime() - (QUICKNODE_TOLERANCE_SECONDS + 1) * 1000);
    const future = new Date(now.getTime() + (QUICKNODE_TOLERANCE_SECONDS + 1) * 1000);
    const justInside = new Date(now.getTime() - (QUICKNODE_TOLERANCE_SECONDS - 1) * 1000);
    expect(verify(raw, signatureHeaders('quicknode', raw, { now: old }), secret, now)).toBe(false);
    expect(verify(raw, signatureHeaders('quicknode', raw, { now: future }), secret, now)).toBe(false);
    expect(verify(raw, signatureHeaders('quicknode', raw, { now: justInside }), secret, now)).toBe(true);
    // The timestamp is signed: moving it into the window breaks the signature.
    const stale = signatureHeaders('quicknode', raw, { now: old });
    expect(verify(raw, { ...stale, 'x-qn-timestamp': String(now.getTime() / 1000) }, secret, now)).toBe(false);
    // So is the nonce.
    const fresh = signatureHeaders('quicknode', raw, { now });
    expect(verify(raw, { ...fresh, 'x-qn-nonce': `${fresh['x-qn-nonce']}0` }, secret, now)).toBe(false);
    expect(verify(raw, { ...fresh, 'x-qn-timestamp': 'soon' }, secret, now)).toBe(false);
    const ts = String(Math.floor(now.getTime() / 1000));
    const b64 = Buffer.from(quicknodeSignature(raw, secret, 'n', ts), 'hex').toString('base64');
    expect(verify(raw, { 'x-qn-nonce': 'n', 'x-qn-timestamp': ts, 'x-qn-signature': b64 }, secret, now)).toBe(true);
  });
});

describe('provider registry', () => {
  it('knows exactly alchemy, moralis and quicknode', () => {
    expect(findWebhookProvider('alchemy')?.name).toBe('alchemy');
    for (const name of ['stripe', '__proto__', 'toString', 'constructor', '', 'Alchemy']) {
      expect(findWebhookProvider(name)).toBeUndefined();
    }
  });
});

function parseSample(provider: Provider, sample: SampleEvent, chains = mainnetChains) {
  const drops: Drop[] = [];
  const transfers = webhookProviders[provider].parse(eventBody(loadEvent(sample)), chains, {
    now,
    onDrop: (d) => drops.push(d),
  });
  return { transfers, drops };
}

describe('parsing', () => {
  it('Alchemy: the USDT transfer, exactly; the look-alike "USDT" contract kept for suspense; the ETH transfer dropped', () => {
    const { transfers, drops } = parseSample('alchemy', 'alchemy-address-activity');
    expect(transfers).toEqual([
      {
        chainId: 1,
        token: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
        txHash: '0x9e3c7a1f5b2d8e4c6a0b3f7d9e1c5a8b2f4d6e0a3c7b9d1f5e8a2c4b6d0e3f7a',
        logIndex: 214,
        blockNumber: 21_000_123,
        blockHash: '0x5f1d3c9a8e2b47d6a0c3e1f9b8d7a6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9',
        from: '0x28C6c06298d514Db089934071355E5743bf21d60',
        to: '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
        amount: '3000000000',
        removed: false,
        source: 'alchemy',
        observedAt: now.toISOString(),
      },
      {
        chainId: 1,
        token: '0x3B8dbF2D4e6a1b55C7e0F2a91d6c4e5F8a7b9C10',
        txHash: '0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809',
        logIndex: 230,
        blockNumber: 21_000_123,
        blockHash: '0x5f1d3c9a8e2b47d6a0c3e1f9b8d7a6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9',
        from: '0x4e8b2c1A9d7f3e6b5a0C2D4f6e8a1B3c5D7E9F02',
        to: '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
        amount: '3000000000',
        removed: false,
        source: 'alchemy',
        observedAt: now.toISOString(),
      },
    ]);
    expect(drops.map((d) => d.reason)).toEqual(['not_a_token_transfer']);
    for (const t of transfers) expect(transferObservedSchema.parse(t)).toEqual(t);
  });

  it('Alchemy: reads removed:true (reorg), ignores the float value, and refuses a rawValue that contradicts the log', () => {
    const payload = JSON.parse(eventBody(loadEvent('alchemy-address-activity')).toString());
    payload.event.activity[0].log.removed = true;
    payload.event.activity[0].value = 1e-9;
    payload.event.activity[0].rawContract.decimals = 18;
    const [t] = webhookProviders.alchemy.parse(Buffer.from(JSON.stringify(payload)), mainnetChains, { now });
    expect(t).toMatchObject({ removed: true, amount: '3000000000' });

    payload.event.activity[0].rawContract.rawValue = '0x01';
    const drops: Drop[] = [];
    const rest = webhookProviders.alchemy.parse(Buffer.from(JSON.stringify(payload)), mainnetChains, {
      onDrop: (d) => drops.push(d),
    });
    expect(rest.map((x) => x.txHash)).not.toContain(payload.event.activity[0].hash);
    expect(drops[0]?.reason).toBe('malformed');
  });

  it('Alchemy: a network that is not enabled drops everything; another webhook type yields nothing', () => {
    const payload = JSON.parse(eventBody(loadEvent('alchemy-address-activity')).toString());
    payload.event.network = 'ETH_SEPOLIA';
    const drops: Drop[] = [];
    const raw = Buffer.from(JSON.stringify(payload));
    expect(webhookProviders.alchemy.parse(raw, mainnetChains, { onDrop: (d) => drops.push(d) })).toEqual([]);
    expect(drops.map((d) => d.reason)).toContain('chain_not_enabled');
    const ethereumOnly = mainnetChains.filter((c) => c.chainId === 137);
    expect(parseSample('alchemy', 'alchemy-address-activity', ethereumOnly).transfers).toEqual([]);
    payload.type = 'MINED_TRANSACTION';
    expect(webhookProviders.alchemy.parse(Buffer.from(JSON.stringify(payload)), mainnetChains)).toEqual([]);
  });

  it('Moralis: native USDC and bridged USDC.e (off the allowlist) on Polygon, each kept once (parsed + raw log)', () => {
    const { transfers, drops } = parseSample('moralis', 'moralis-unconfirmed');
    expect(transfers).toEqual([
      {
        chainId: 137,
        token: '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359',
        txHash: '0x4b7d2e9f1a3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a0c2e4b',
        logIndex: 41,
        blockNumber: 62_845_113,
        blockHash: '0x2d8f6a1c4e7b9d0f3a5c8e1b4d6f9a2c5e8b0d3f6a9c1e4b7d0f2a5c8e1b3d6f',
        from: '0xF977814e90dA44bFA03b6295A0616a897441aceC',
        to: '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
        amount: '150250000',
        removed: false,
        source: 'moralis',
        observedAt: now.toISOString(),
      },
      {
        chainId: 137,
        token: '0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174',
        txHash: '0x0c2e4b6d8f1a3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a0c2e',
        logIndex: 57,
        blockNumber: 62_845_113,
        blockHash: '0x2d8f6a1c4e7b9d0f3a5c8e1b4d6f9a2c5e8b0d3f6a9c1e4b7d0f2a5c8e1b3d6f',
        from: '0xF977814e90dA44bFA03b6295A0616a897441aceC',
        to: '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
        amount: '20000000',
        removed: false,
        source: 'moralis',
        observedAt: now.toISOString(),
      },
    ]);
    expect(drops).toEqual([]);
  });

  it('Moralis: the confirmed:false and confirmed:true deliveries give the same identities and content', () => {
    const unconfirmed = parseSample('moralis', 'moralis-unconfirmed').transfers;
    const confirmed = parseSample('moralis', 'moralis-confirmed').transfers;
    expect(confirmed.map(transferId)).toEqual(unconfirmed.map(transferId));
    expect(confirmed).toEqual(unconfirmed);
    expect(confirmed[0]?.final).toBeUndefined();
  });

  it('Moralis: the test webhook yields no transfers and no drops', () => {
    expect(parseSample('moralis', 'moralis-test')).toEqual({ transfers: [], drops: [] });
  });

  it('QuickNode: the 18-decimal BSC USDT amount is exact; BUSD (off the allowlist) kept too', () => {
    const { transfers, drops } = parseSample('quicknode', 'quicknode-stream');
    expect(transfers).toEqual([
      {
        chainId: 56,
        token: '0x55d398326f99059fF775485246999027B3197955',
        txHash: '0xd3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5',
        logIndex: 63,
        blockNumber: 42_381_907,
        blockHash: '0x6a0c2e4b7d9f1a3c5e8b0d2f4a6c9e1b3d5f7a0c2e4b6d8f1a3c5e7b9d0f2a4c',
        from: '0x8894E0a0c962CB723c1976a4421c95949bE2D4E3',
        to: '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
        amount: '3000123456789012345678',
        removed: false,
        source: 'quicknode',
        observedAt: now.toISOString(),
      },
      expect.objectContaining({
        chainId: 56,
        token: '0xe9e7CEA3DedcA5984780Bafc599bD69ADd087D56',
        amount: '500000000000000000000',
      }),
    ]);
    expect(drops).toEqual([]);
  });

  it('QuickNode: also reads the unfiltered {metadata, data: [[receipt]]} shape and a bare array of logs', () => {
    const { logs } = JSON.parse(eventBody(loadEvent('quicknode-stream')).toString());
    const unfiltered = { metadata: { network: 'bsc-mainnet', dataset: 'receipts' }, data: [[{ status: '0x1', logs }]] };
    const bare = logs.map((l: object) => ({ ...l, chainId: '0x38' }));
    const expected = parseSample('quicknode', 'quicknode-stream').transfers;
    for (const shape of [unfiltered, bare]) {
      expect(webhookProviders.quicknode.parse(Buffer.from(JSON.stringify(shape)), mainnetChains, { now })).toEqual(
        expected,
      );
    }
    expect(webhookProviders.quicknode.parse(Buffer.from('null'), mainnetChains)).toEqual([]);
  });

  it('rejects bodies that are not JSON or not the provider payload', () => {
    for (const provider of ['alchemy', 'moralis', 'quicknode'] as const) {
      expect(() => webhookProviders[provider].parse(Buffer.from('{not json'), mainnetChains)).toThrow(
        WebhookPayloadError,
      );
    }
    expect(() => webhookProviders.alchemy.parse(Buffer.from('{"hello":1}'), mainnetChains)).toThrow(
      WebhookPayloadError,
    );
    expect(() => webhookProviders.moralis.parse(Buffer.from('[]'), mainnetChains)).toThrow(WebhookPayloadError);
    expect(() => webhookProviders.quicknode.parse(Buffer.from('42'), mainnetChains)).toThrow(WebhookPayloadError);
  });

  it('gzip is not the parser’s business (the handler inflates first)', () => {
    const zipped = gzipSync(eventBody(loadEvent('quicknode-stream')));
    expect(() => webhookProviders.quicknode.parse(zipped, mainnetChains)).toThrow(WebhookPayloadError);
  });
});

describe('TransferCollector: dust and tokens off the allowlist', () => {
  const USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
  const NOT_LISTED = '0x3B8dbF2D4e6a1b55C7e0F2a91d6c4e5F8a7b9C10';
  const candidate = (over: Partial<Candidate> = {}): Candidate => ({
    chainId: 1,
    token: USDT,
    txHash: `0x${'ab'.repeat(32)}`,
    logIndex: 7,
    blockNumber: 21_000_123,
    blockHash: `0x${'cd'.repeat(32)}`,
    from: '0x28C6c06298d514Db089934071355E5743bf21d60',
    to: '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
    amount: 1n,
    removed: false,
    ...over,
  });
  function collect(...candidates: Candidate[]) {
    const drops: Drop[] = [];
    const collector = new TransferCollector(mainnetChains, 'alchemy', { now, onDrop: (d) => drops.push(d) });
    for (const c of candidates) collector.add(c);
    return { transfers: collector.transfers, drops };
  }

  it('drops a zero-value transfer (added or removed) as zero_value, naming it; one base unit is kept', () => {
    const { transfers, drops } = collect(
      candidate({ amount: 0n }),
      candidate({ amount: 0n, logIndex: 8, removed: true }),
      candidate({ amount: 0n, logIndex: 9, token: NOT_LISTED }),
      candidate({ amount: 1n, logIndex: 10 }),
    );
    expect(transfers.map((t) => [t.logIndex, t.amount])).toEqual([[10, '1']]);
    expect(drops).toEqual([
      { reason: 'zero_value', chainId: 1, token: USDT.toLowerCase(), txHash: `0x${'ab'.repeat(32)}`, logIndex: 7 },
      expect.objectContaining({ reason: 'zero_value', logIndex: 8 }),
      expect.objectContaining({ reason: 'zero_value', logIndex: 9, token: NOT_LISTED.toLowerCase() }),
    ]);
  });

  it('keeps a transfer of a token off the allowlist as a normal message (reconciliation puts it in suspense)', () => {
    const { transfers, drops } = collect(candidate({ token: NOT_LISTED.toLowerCase(), amount: 5_000_000n }));
    expect(drops).toEqual([]);
    expect(transfers).toEqual([expect.objectContaining({ chainId: 1, token: NOT_LISTED, amount: '5000000' })]);
    expect(transferObservedSchema.parse(transfers[0])).toEqual(transfers[0]);
  });

  it('still drops a chain that is not enabled, and an entry without a token contract as malformed', () => {
    const { transfers, drops } = collect(candidate({ chainId: 11_155_111 }), candidate({ token: undefined }));
    expect(transfers).toEqual([]);
    expect(drops.map((d) => d.reason)).toEqual(['chain_not_enabled', 'malformed']);
  });

  it("every provider drops the sample deliveries' transfers once their amounts are zero, as zero_value", () => {
    const zero = `0x${'0'.repeat(64)}`;
    const alchemy = JSON.parse(eventBody(loadEvent('alchemy-address-activity')).toString());
    for (const a of alchemy.event.activity) {
      if (a.rawContract) a.rawContract.rawValue = zero;
      if (a.log) a.log.data = zero;
    }
    const moralis = JSON.parse(eventBody(loadEvent('moralis-unconfirmed')).toString());
    for (const t of moralis.erc20Transfers) t.value = '0';
    for (const l of moralis.logs) l.data = zero;
    const quicknode = JSON.parse(eventBody(loadEvent('quicknode-stream')).toString());
    for (const l of quicknode.logs) l.data = zero;
    const cases: [Provider, unknown, number][] = [
      ['alchemy', alchemy, 2],
      ['moralis', moralis, 4], // each transfer both as a parsed transfer and as a raw log
      ['quicknode', quicknode, 2],
    ];
    for (const [provider, payload, zeroDrops] of cases) {
      const drops: Drop[] = [];
      const raw = Buffer.from(JSON.stringify(payload));
      expect(webhookProviders[provider].parse(raw, mainnetChains, { now, onDrop: (d) => drops.push(d) })).toEqual([]);
      expect(
        drops.filter((d) => d.reason === 'zero_value'),
        provider,
      ).toHaveLength(zeroDrops);
    }
  });
});
