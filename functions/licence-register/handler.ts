/**
 * The licensed-firm register (shared/app/licence-register.ts): PUT /v1/register (compliance; `text/csv` or JSON
 * `{"firms": [...]}`) stores a new snapshot; GET /v1/register/{bin} reads a BIN's entry in the current one.
 */
import { dynamoComplianceLog } from '../../shared/adapters/dynamo/compliance-log';
import { dynamoLicenceRegister } from '../../shared/adapters/dynamo/licence-register';
import { httpRoute, httpRoutes, rawBody } from '../../shared/adapters/http';
import { countMetric } from '../../shared/adapters/metrics';
import { readRegisteredFirm, uploadRegister } from '../../shared/app/licence-register';
import { isValidBin } from '../../shared/domain/bin';
import { NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../shared/domain/errors';
import { MAX_REGISTER_BYTES } from '../../shared/domain/licence-register';

const FORMATS: Record<string, 'csv' | 'json'> = { 'text/csv': 'csv', 'application/json': 'json' };

const upload = httpRoute({ auth: ['compliance'] }, async (req) => {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const format = FORMATS[type];
  if (!format) throw new UnsupportedMediaTypeError('Send the register as text/csv or application/json.');
  const bytes = req.rawBody ?? rawBody({});
  if (bytes.length > MAX_REGISTER_BYTES) {
    throw new PayloadTooLargeError(`The register is ${bytes.length} bytes; at most ${MAX_REGISTER_BYTES}.`);
  }
  const snapshot = await uploadRegister(
    { subject: req.caller.subject, role: req.caller.role },
    { body: bytes.toString('utf8'), format },
    { register: dynamoLicenceRegister, log: dynamoComplianceLog, now: () => new Date() },
  );
  countMetric('RegisterSnapshotsUploaded');
  // No Location: a snapshot has no route of its own (the body is the snapshot; BINs are read in the current one).
  return { status: 201, body: snapshot };
});

const byBin = httpRoute({ auth: ['compliance', 'operator', 'auditor', 'ministry'] }, async (req) => {
  const bin = req.params.bin ?? '';
  if (!isValidBin(bin)) throw new NotFoundError(`BIN ${bin} is not in the current licensed-firm register.`);
  const { firm, snapshot } = await readRegisteredFirm(bin, dynamoLicenceRegister);
  return { status: 200, body: { ...firm, snapshot: { version: snapshot.version, uploadedAt: snapshot.uploadedAt } } };
});

export const handler = httpRoutes({
  'PUT /v1/register': upload,
  'GET /v1/register/{bin}': byBin,
});
