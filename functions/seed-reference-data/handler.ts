/**
 * Deploy-time step (a CDK trigger; locally at start): loads the seed reference data — the sample fee catalog, the
 * MRP by year and the deployment's registries (`REGISTRIES`, already checked: https outside the local stage) — each
 * version only where none with its id is stored. Running it again writes nothing, so a redeploy changes no data and
 * approved versions always take precedence by their later effective dates.
 */
import { stage } from '../../shared/adapters/config';
import { dynamoReferenceData } from '../../shared/adapters/dynamo/reference-data';
import { lambdaHandler } from '../../shared/adapters/lambda';
import { logger } from '../../shared/adapters/observability';
import { parseRegistries } from '../../shared/adapters/registry';
import { seedReferenceData } from '../../shared/app/reference-data';

export const handler = lambdaHandler(async () => {
  const registries = parseRegistries(process.env.REGISTRIES ?? '', stage);
  const outcome = await seedReferenceData(dynamoReferenceData, registries);
  logger.info('reference data seeded', outcome);
  return outcome;
});
