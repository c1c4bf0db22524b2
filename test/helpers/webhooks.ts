/**
 * Webhook test helpers: the documented test secrets the sample events in events/ingest-webhook/ are signed with,
 * signing a body as each provider does, and re-signing a sample event (QuickNode's signature covers a timestamp
 * that must be recent, so its stored signature goes stale; tests re-sign with the current time).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { ALCHEMY_SIGNATURE_HEADER, alchemySignature } from '../../shared/adapters/providers/alchemy';
import { MORALIS_SIGNATURE_HEADER, moralisSignature } from '../../shared/adapters/providers/moralis';
import { QUICKNODE_HEADERS, quicknodeSignature } from '../../shared/adapters/providers/quicknode';

/** The secrets the sample events are signed with. Test values only; never used by a deployment. */
export const TEST_WEBHOOK_SECRETS = {
  alchemy: 'whsec_stablefee_test_alchemy',
  moralis: 'stablefee-test-moralis-streams-secret',
  quicknode: 'qnsec_stablefee_test_quicknode',
} as const;

export type Provider = keyof typeof TEST_WEBHOOK_SECRETS;

/** Environment the handler reads the test secrets from. */
export const TEST_WEBHOOK_SECRET_ENV = {
  WEBHOOK_SECRET_ALCHEMY: TEST_WEBHOOK_SECRETS.alchemy,
  WEBHOOK_SECRET_MORALIS: TEST_WEBHOOK_SECRETS.moralis,
  WEBHOOK_SECRET_QUICKNODE: TEST_WEBHOOK_SECRETS.quicknode,
};

/** The signature headers `provider` would send with `body`. */
export function signatureHeaders(
  provider: Provider,
  body: Buffer | string,
  options: { secret?: string; now?: Date; nonce?: string } = {},
): Record<string, string> {
  const secret = options.secret ?? TEST_WEBHOOK_SECRETS[provider];
  switch (provider) {
    case 'alchemy':
      return { [ALCHEMY_SIGNATURE_HEADER]: alchemySignature(body, secret) };
    case 'moralis':
      return { [MORALIS_SIGNATURE_HEADER]: moralisSignature(body, secret) };
    case 'quicknode': {
      const nonce = options.nonce ?? randomBytes(16).toString('hex');
      const timestamp = String(Math.floor((options.now ?? new Date()).getTime() / 1000));
      return {
        [QUICKNODE_HEADERS.nonce]: nonce,
        [QUICKNODE_HEADERS.timestamp]: timestamp,
        [QUICKNODE_HEADERS.signature]: quicknodeSignature(body, secret, nonce, timestamp),
      };
    }
  }
}

const eventsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'events', 'ingest-webhook');

export type SampleEvent =
  | 'alchemy-address-activity'
  | 'moralis-unconfirmed'
  | 'moralis-confirmed'
  | 'moralis-test'
  | 'quicknode-stream';

/** A sample API Gateway v2 event from events/ingest-webhook/, as stored (signed with the test secrets). */
export function loadEvent(name: SampleEvent): APIGatewayProxyEventV2WithJWTAuthorizer {
  return JSON.parse(readFileSync(join(eventsDir, `${name}.json`), 'utf8'));
}

/** The raw bytes of an event's body (base64-decoded when the event says so). */
export function eventBody(event: APIGatewayProxyEventV2WithJWTAuthorizer): Buffer {
  return Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
}

/**
 * `event` with its body replaced (when `body` is given), optionally base64-encoded as API Gateway does for binary
 * media types, and signed afresh for `provider`.
 */
export function signedEvent(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  provider: Provider,
  options: { body?: Buffer | string; base64?: boolean; secret?: string; now?: Date } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const bytes = options.body === undefined ? eventBody(event) : Buffer.from(options.body);
  const base64 = options.base64 ?? event.isBase64Encoded;
  const headers = { ...event.headers };
  for (const name of [ALCHEMY_SIGNATURE_HEADER, MORALIS_SIGNATURE_HEADER, ...Object.values(QUICKNODE_HEADERS)]) {
    delete headers[name];
  }
  return {
    ...event,
    headers: { ...headers, ...signatureHeaders(provider, bytes, options) },
    body: base64 ? bytes.toString('base64') : bytes.toString('utf8'),
    isBase64Encoded: base64,
  };
}

/** One ERC-20 Transfer as a provider would report it (hex hashes, checksummed or lower-case addresses). */
export interface ReportedTransfer {
  token: string;
  txHash: string;
  logIndex: number;
  blockNumber: number;
  blockHash: string;
  from: string;
  to: string;
  amount: bigint;
  removed?: boolean;
}

const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
const hexQ = (n: number | bigint) => `0x${n.toString(16)}`;
const word = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}`;
const addressTopic = (a: string) => `0x${a.toLowerCase().replace(/^0x/, '').padStart(64, '0')}`;

/**
 * A delivery body of `provider` on the local chain (31337) reporting `t`, in the provider's own shape: Alchemy
 * Address Activity (`LOCAL_HARDHAT`), a Moralis Streams block event (no removal notices in that format), a QuickNode
 * Streams log batch (`local-hardhat`).
 */
export function deliveryBody(provider: Provider, t: ReportedTransfer, alchemyWebhookId = 'wh_local'): string {
  const log = {
    address: t.token.toLowerCase(),
    topics: [TRANSFER_TOPIC, addressTopic(t.from), addressTopic(t.to)],
    data: word(t.amount),
    blockNumber: hexQ(t.blockNumber),
    blockHash: t.blockHash,
    transactionHash: t.txHash,
    transactionIndex: '0x0',
    logIndex: hexQ(t.logIndex),
    removed: t.removed === true,
  };
  switch (provider) {
    case 'alchemy':
      return JSON.stringify({
        webhookId: alchemyWebhookId,
        id: `whevt_${randomBytes(8).toString('hex')}`,
        createdAt: new Date().toISOString(),
        type: 'ADDRESS_ACTIVITY',
        event: {
          network: 'LOCAL_HARDHAT',
          activity: [
            {
              fromAddress: t.from.toLowerCase(),
              toAddress: t.to.toLowerCase(),
              blockNum: hexQ(t.blockNumber),
              hash: t.txHash,
              category: 'token',
              rawContract: { rawValue: word(t.amount), address: t.token.toLowerCase(), decimals: 6 },
              log,
            },
          ],
        },
      });
    case 'moralis':
      if (t.removed) throw new Error('Moralis Streams have no removal notice');
      return JSON.stringify({
        confirmed: false,
        chainId: '0x7a69',
        streamId: 'local',
        tag: 'stablefee-local',
        retries: 0,
        block: { number: String(t.blockNumber), hash: t.blockHash, timestamp: String(Math.floor(Date.now() / 1000)) },
        logs: [
          {
            logIndex: String(t.logIndex),
            transactionHash: t.txHash,
            address: log.address,
            data: log.data,
            topic0: log.topics[0],
            topic1: log.topics[1],
            topic2: log.topics[2],
            topic3: null,
          },
        ],
        txs: [],
        txsInternal: [],
        erc20Transfers: [],
      });
    case 'quicknode':
      return JSON.stringify({ network: 'local-hardhat', logs: [log] });
  }
}
