/**
 * Seeds the reference data at the local runtime's start (shared/app/reference-data.ts `seedReferenceData`): the
 * sample fee catalog, the MRP table and the local mock registries, each version only if not stored yet — the same
 * step a deployment runs at deploy time (infra/stack.ts), so `npm start` and a fresh stack price as before.
 */

/** Loads the seed versions with the runtime's `REGISTRIES` (call once the table exists and the environment is set). */
export async function seedLocalReferenceData(registries: Readonly<Record<string, { url: string }>>): Promise<void> {
  // Loaded only now: the adapters' clients read AWS_ENDPOINT_URL and the table name at module load.
  const [{ seedReferenceData }, { dynamoReferenceData }] = await Promise.all([
    import('../../shared/app/reference-data'),
    import('../../shared/adapters/dynamo/reference-data'),
  ]);
  await seedReferenceData(dynamoReferenceData, registries);
}
