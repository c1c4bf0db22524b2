/**
 * The KMS signer against moto. moto 5.2.1 creates ECC_SECG_P256K1 keys, answers GetPublicKey in KMS's DER SPKI
 * form and signs with real ECDSA, but ignores `MessageType: 'DIGEST'` (it hashes the digest again with SHA-256),
 * so it cannot sign an EIP-712 digest as KMS does. What it can prove is everything around the signing call: the
 * address derived from KMS's public key, and the DER → low-s → v conversion of signatures KMS-style DER produces,
 * here over SHA-256(message) with `MessageType: 'RAW'` (the same on moto and AWS). The DIGEST path itself is covered
 * by the stub-client tests in test/unit/receipts.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CreateKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { hexlify, recoverAddress } from 'ethers';
import { beforeAll, describe, expect, inject, it } from 'vitest';

type SignerModule = typeof import('../../shared/adapters/signing/key-signers');

let signerModule: SignerModule;
let client: KMSClient;

async function createKey(keySpec: 'ECC_SECG_P256K1' | 'ECC_NIST_P256'): Promise<string> {
  const out = await client.send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY' }));
  const keyId = out.KeyMetadata?.KeyId;
  if (!keyId) throw new Error('moto created no key');
  return keyId;
}

beforeAll(async () => {
  const endpoint = inject('awsEndpoint');
  // shared/adapters/aws/kms.ts reads AWS_ENDPOINT_URL when first imported, so set it before importing the signer module.
  process.env.AWS_ENDPOINT_URL = endpoint;
  signerModule = await import('../../shared/adapters/signing/key-signers');
  client = new KMSClient({ endpoint });
});

describe('KmsSigner against moto', () => {
  it('derives the address from GetPublicKey, and DER signatures KMS produces recover to it', async () => {
    const { KmsSigner, ethSignatureFromDer, SECP256K1_N } = signerModule;
    const keyId = await createKey('ECC_SECG_P256K1');
    const signer = new KmsSigner({ keyId, client });
    const address = await signer.address();
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);

    const parities = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const message = randomBytes(40);
      const out = await client.send(
        new SignCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      if (!out.Signature) throw new Error('moto returned no signature');
      const digest = hexlify(createHash('sha256').update(message).digest());
      const signature = ethSignatureFromDer(out.Signature, digest, address);
      expect(signature).toMatch(/^0x[0-9a-f]{128}(1b|1c)$/);
      expect(BigInt(`0x${signature.slice(66, 130)}`) <= SECP256K1_N / 2n).toBe(true);
      expect(recoverAddress(digest, signature)).toBe(address);
      parities.add(signature.slice(-2));
    }
    // Twelve random signatures all landing on one recovery id has probability 2^-11.
    expect(parities.size).toBe(2);
  });

  it('signerFromEnv reaches the configured key through the shared KMS client', async () => {
    const keyId = await createKey('ECC_SECG_P256K1');
    const fromEnv = signerModule.signerFromEnv({ RECEIPT_SIGNER_KMS_KEY_ID: keyId, STAGE: 'cloud' });
    expect(fromEnv).toBeInstanceOf(signerModule.KmsSigner);
    expect(await fromEnv.address()).toBe(await new signerModule.KmsSigner({ keyId, client }).address());
  });

  it('refuses a key on another curve', async () => {
    const keyId = await createKey('ECC_NIST_P256');
    const signer = new signerModule.KmsSigner({ keyId, client });
    await expect(signer.address()).rejects.toThrow(/ECC_NIST_P256|secp256k1/);
  });
});
