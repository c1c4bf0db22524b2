/**
 * The local runtime's sample licensed-firm register (samples/compliance/register.csv), uploaded at start through
 * the same use case as `PUT /v1/register`, so fees that require a licence can be invoiced to the sample firm at once.
 * Local only: a deployment starts with no register, and the compliance officer uploads the regulator's.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Where the sample register is kept. */
export const SAMPLE_REGISTER_PATH = fileURLToPath(new URL('../../samples/compliance/register.csv', import.meta.url));

/** Uploads the sample register as snapshot 1 (call once the table is provisioned and the environment is set). */
export async function seedSampleRegister(): Promise<void> {
  // Loaded only now: the adapters' clients read AWS_ENDPOINT_URL and the table name at module load.
  const [{ uploadRegister }, { dynamoLicenceRegister }, { dynamoComplianceLog }] = await Promise.all([
    import('../../shared/app/licence-register'),
    import('../../shared/adapters/dynamo/licence-register'),
    import('../../shared/adapters/dynamo/compliance-log'),
  ]);
  await uploadRegister(
    { subject: 'local-runtime', role: 'compliance' },
    {
      body: await readFile(SAMPLE_REGISTER_PATH, 'utf8'),
      format: 'csv',
      reason: 'sample register of the local runtime',
    },
    { register: dynamoLicenceRegister, log: dynamoComplianceLog, now: () => new Date() },
  );
}
