/**
 * Consumer of the `exports` queue: runs one export job (shared/app/export.ts) from the store's period reads to S3
 * multipart uploads, signs the manifest and records the job `done`. A job already done is skipped; a failed run is
 * recorded `failed` and reported as a batch failure, so the queue runs it again (same S3 keys) and finally parks it
 * in the dead-letter queue.
 */
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { s3 } from '../../shared/adapters/aws/s3';
import { enabledChains } from '../../shared/adapters/chain/enabled-chains';
import { bucketName } from '../../shared/adapters/config';
import {
  failExportJob,
  finishExportJob,
  startExportJob,
  storeExportSources,
} from '../../shared/adapters/dynamo/exports';
import { s3Sink } from '../../shared/adapters/export-stream';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { logger } from '../../shared/adapters/observability';
import { receiptSigner } from '../../shared/adapters/signing/receipt-signer';
import { type ParsedSqsRecord, SqsMessageProcessor } from '../../shared/adapters/sqs-batch';
import { runExport } from '../../shared/app/export';
import { type ChainConfig, findChain, findToken, mainnetChains } from '../../shared/domain/chains';
import type { TokenInfo } from '../../shared/domain/exports/columns';

const message = z.object({ exportId: z.string().regex(/^exp_[A-Za-z0-9_-]{22}$/) });
const processor = new SqsMessageProcessor(message, 'export');

/** Symbol and decimals of an allowlisted token: the enabled chains first, then the mainnet table. */
export function tokenInfo(chainId: number, token: string): TokenInfo | undefined {
  for (const chains of [enabledChains, mainnetChains] as readonly (readonly ChainConfig[])[]) {
    const chain = findChain(chains, chainId);
    const found = chain && findToken(chain, token);
    if (chain && found) return { chain: chain.name, symbol: found.symbol, decimals: found.decimals };
  }
  return undefined;
}

async function exportRecord(record: ParsedSqsRecord<typeof message>): Promise<void> {
  const { exportId } = record.body;
  const job = await startExportJob(exportId, new Date().toISOString());
  if (!job) {
    logger.info('export already done or unknown; nothing to do', { exportId });
    return;
  }
  try {
    const bucket = bucketName('exports');
    const result = await runExport(job, {
      sources: storeExportSources(job),
      tokenInfo,
      sinkFor: (name, contentType) => s3Sink(s3, { bucket, key: job.prefix + name, contentType }),
      signer: receiptSigner(),
      now: () => new Date(),
    });
    await finishExportJob(exportId, result.files, result.manifest, new Date().toISOString());
    logger.info('export done', { exportId, files: result.files.map((f) => ({ name: f.name, rows: f.rows })) });
  } catch (error) {
    logger.error('export failed', { exportId, error: error as Error });
    await failExportJob(exportId, (error as Error).message ?? String(error), new Date().toISOString());
    throw error;
  }
}

export const handler = lambdaHandler((event: SQSEvent) =>
  processPartialResponse(event, exportRecord, processor, { throwOnFullBatchFailure: false }),
);
