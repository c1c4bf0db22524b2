/**
 * The sweeper's gas key as an ethers signer (shared/adapters/signing/gas-signer.ts): transactions signed through the
 * digest-signing port are the ones ethers' own Wallet signs, from the key's address, with a local key and with a KMS
 * key (a stub client signing DIGESTs, as emulators cannot), including KMS's high-s answers; a private key is refused
 * outside a local stage.
 */
import { GetPublicKeyCommand, type KMSClient, type SignCommand } from '@aws-sdk/client-kms';
import { getBytes, hexlify, SigningKey, Transaction, toBeArray, verifyMessage, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { DigestSigner, gasKeyFromEnv } from '../../shared/adapters/signing/gas-signer';
import {
  KmsSigner,
  LocalKeySigner,
  SECP256K1_N,
  SignerConfigurationError,
} from '../../shared/adapters/signing/key-signers';

const KEY = '0x8166f546bab6da521a8369cab06c5d2b9e46670292d85c875ee9ec20e84ffb61'; // a test key, worth nothing
const TX = {
  chainId: 31337n,
  nonce: 7,
  to: '0xa513E6E4b8f2a923D98304ec87F64353C4D5C853',
  data: '0x1234',
  gasLimit: 200_000n,
  type: 2,
  maxFeePerGas: 2_000_000_000n,
  maxPriorityFeePerGas: 1_000_000_000n,
};

const SPKI_HEADER = '0x3056301006072a8648ce3d020106052b8104000a034200';
const derInt = (x: bigint) => {
  const bytes = [...toBeArray(x)];
  return (bytes[0] ?? 0) & 0x80 ? [0, ...bytes] : bytes;
};
const der = (r: bigint, s: bigint) => {
  const ri = derInt(r);
  const si = derInt(s);
  return new Uint8Array([0x30, ri.length + si.length + 4, 0x02, ri.length, ...ri, 0x02, si.length, ...si]);
};

/** A KMS client signing the given DIGEST with `key`, answering high-s DER like KMS may. */
function stubKms(key: SigningKey) {
  const calls: string[] = [];
  const client = {
    async send(command: GetPublicKeyCommand | SignCommand) {
      if (command instanceof GetPublicKeyCommand) {
        calls.push('GetPublicKey');
        return {
          PublicKey: getBytes(SPKI_HEADER + key.publicKey.slice(2)),
          KeySpec: 'ECC_SECG_P256K1',
          KeyUsage: 'SIGN_VERIFY',
        };
      }
      calls.push(`Sign:${command.input.MessageType}`);
      const sig = key.sign(hexlify(command.input.Message as Uint8Array));
      return { Signature: der(BigInt(sig.r), SECP256K1_N - BigInt(sig.s)) };
    },
  };
  return { client: client as unknown as Pick<KMSClient, 'send'>, calls };
}

describe('DigestSigner', () => {
  it('signs a transaction exactly as an ethers Wallet with the same key does', async () => {
    const wallet = new Wallet(KEY);
    const signer = new DigestSigner(new LocalKeySigner(KEY));
    expect(await signer.getAddress()).toBe(wallet.address);
    const raw = await signer.signTransaction(TX);
    expect(raw).toBe(await wallet.signTransaction(TX));
    expect(Transaction.from(raw).from).toBe(wallet.address);
    expect(verifyMessage('hello', await signer.signMessage('hello'))).toBe(wallet.address);
  });

  it('signs through KMS (DIGEST, high-s normalised): the transaction is from the KMS key address', async () => {
    const key = new SigningKey(KEY);
    const { client, calls } = stubKms(key);
    const signer = new DigestSigner(new KmsSigner({ keyId: 'alias/gas', client }));
    const raw = await signer.signTransaction(TX);
    expect(Transaction.from(raw).from).toBe(new Wallet(KEY).address);
    expect(raw).toBe(await new Wallet(KEY).signTransaction(TX));
    expect(calls).toEqual(['GetPublicKey', 'Sign:DIGEST']);
  });

  it('refuses to sign a transaction from another address', async () => {
    const signer = new DigestSigner(new LocalKeySigner(KEY));
    await expect(signer.signTransaction({ ...TX, from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })).rejects.toThrow(
      /another address/,
    );
  });
});

describe('gasKeyFromEnv', () => {
  it('uses KMS when a key id is set, a private key only on a local stage, and refuses one elsewhere', async () => {
    expect(gasKeyFromEnv({ SWEEPER_KMS_KEY_ID: 'arn:aws:kms:eu-central-1:1:key/x', STAGE: 'cloud' })).toBeInstanceOf(
      KmsSigner,
    );
    expect(gasKeyFromEnv({ SWEEPER_PRIVATE_KEY: KEY, STAGE: 'local' })).toBeInstanceOf(LocalKeySigner);
    expect(() => gasKeyFromEnv({ SWEEPER_PRIVATE_KEY: KEY })).toThrow(SignerConfigurationError);
    expect(() => gasKeyFromEnv({ SWEEPER_PRIVATE_KEY: KEY, SWEEPER_KMS_KEY_ID: 'k', STAGE: 'cloud' })).toThrow(
      /local development only/,
    );
    expect(() => gasKeyFromEnv({ STAGE: 'local' })).toThrow(/no sweeper gas key/);
  });
});
