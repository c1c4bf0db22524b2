/**
 * The sweeper's gas key as an ethers signer: {@link DigestSigner} turns any digest signer of the port
 * (`ReceiptSigner`: a KMS secp256k1 key in the cloud, a local key in development; shared/adapters/signing/key-signers.ts)
 * into an ethers `AbstractSigner`, so transactions are built and signed by ethers and only the 32-byte digest goes
 * to the key. The key pays gas and nothing else: it is no owner of anything, and the factory it calls sends funds only
 * to custody.
 */
import {
  AbstractSigner,
  hashMessage,
  type Provider,
  resolveAddress,
  Signature,
  Transaction,
  type TransactionLike,
  type TransactionRequest,
  type TypedDataDomain,
  TypedDataEncoder,
  type TypedDataField,
} from 'ethers';
import type { ReceiptSigner } from '../../ports';
import { sweeperKeyEnv } from '../../resources';
import { kms } from '../aws/kms';
import { KmsSigner, LocalKeySigner, SignerConfigurationError } from './key-signers';

/** An ethers signer whose key signs digests only (KMS: `MessageType: DIGEST`). */
export class DigestSigner extends AbstractSigner {
  readonly #key: ReceiptSigner;

  constructor(key: ReceiptSigner, provider: Provider | null = null) {
    super(provider);
    this.#key = key;
  }

  getAddress(): Promise<string> {
    return this.#key.address();
  }

  connect(provider: Provider | null): DigestSigner {
    return new DigestSigner(this.#key, provider);
  }

  /** Signs a fully populated transaction (nonce, gas, fees, chain id), as ethers' Wallet does, digest by the key. */
  async signTransaction(request: TransactionRequest): Promise<string> {
    const to = request.to ? await resolveAddress(request.to, this.provider) : null;
    const from = request.from ? await resolveAddress(request.from, this.provider) : undefined;
    if (from && from.toLowerCase() !== (await this.getAddress()).toLowerCase()) {
      throw new Error('transaction from another address than the gas key');
    }
    const tx = Transaction.from({ ...(request as TransactionLike<string>), to, from: undefined } as TransactionLike);
    tx.signature = Signature.from(await this.#key.signDigest(tx.unsignedHash));
    return tx.serialized;
  }

  async signMessage(message: string | Uint8Array): Promise<string> {
    return this.#key.signDigest(hashMessage(message));
  }

  async signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    return this.#key.signDigest(TypedDataEncoder.hash(domain, types, value));
  }
}

/**
 * The gas key this deployment is configured with: `SWEEPER_KMS_KEY_ID` → KMS; else `SWEEPER_PRIVATE_KEY`, only
 * when `STAGE=local` (refused elsewhere, even beside a KMS key id, like the receipt key).
 */
export function gasKeyFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): ReceiptSigner {
  const keyId = env[sweeperKeyEnv.kmsKeyId];
  const privateKey = env[sweeperKeyEnv.privateKey];
  const stage = env.STAGE || 'cloud';
  if (privateKey && stage !== 'local') {
    throw new SignerConfigurationError(
      `${sweeperKeyEnv.privateKey} is for local development only and is refused when STAGE=${stage}`,
    );
  }
  if (keyId) return new KmsSigner({ keyId, client: kms });
  if (privateKey) return new LocalKeySigner(privateKey);
  throw new SignerConfigurationError(
    `no sweeper gas key configured: set ${sweeperKeyEnv.kmsKeyId} (or ${sweeperKeyEnv.privateKey} with STAGE=local)`,
  );
}
