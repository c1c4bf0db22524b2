/**
 * The licensed-firm register's use cases: the compliance role uploads a snapshot (validated whole, stored as the next
 * version, journaled as a compliance decision), and anyone entitled reads a BIN's entry in the current snapshot.
 */
import { createHash } from 'node:crypto';
import { NotFoundError } from '../domain/errors';
import { parseRegister, type RegisteredFirm, type RegisterSnapshot } from '../domain/licence-register';
import type { ComplianceActor, ComplianceLog, LicenceRegister } from '../ports';

export interface RegisterDeps {
  register: LicenceRegister;
  log: ComplianceLog;
  now: () => Date;
}

/**
 * Validates an uploaded register (`format` as its content type said) and stores it as the next snapshot; the
 * upload is journaled with its uploader, time and file hash.
 * @throws ValidationError when any firm is invalid: nothing is stored then.
 */
export async function uploadRegister(
  actor: ComplianceActor,
  upload: { body: string; format: 'csv' | 'json'; reason?: string },
  deps: RegisterDeps,
): Promise<RegisterSnapshot> {
  const firms = parseRegister(upload.body, upload.format);
  const at = deps.now().toISOString();
  const snapshot = await deps.register.store(firms, {
    uploadedBy: actor.subject,
    uploadedAt: at,
    firms: firms.length,
    sha256: createHash('sha256').update(upload.body).digest('hex'),
    format: upload.format,
  });
  await deps.log.record({
    id: `register:v${snapshot.version}`,
    at,
    actor,
    action: 'register-upload',
    subject: `register v${snapshot.version}`,
    reason: upload.reason ?? `${firms.length} firms, sha256 ${snapshot.sha256}`,
  });
  return snapshot;
}

/** A BIN's entry in the current snapshot, with that snapshot's header. */
export async function readRegisteredFirm(
  bin: string,
  register: LicenceRegister,
): Promise<{ firm: RegisteredFirm; snapshot: RegisterSnapshot }> {
  const [firm, snapshot] = await Promise.all([register.firm(bin), register.current()]);
  if (!firm || !snapshot) throw new NotFoundError(`BIN ${bin} is not in the current licensed-firm register.`);
  return { firm, snapshot };
}
