/**
 * Proving a lint rule: write a probe module with a deliberate violation (or a permitted counterpart) at a repo path,
 * run `biome lint` on it, and remove it again. Used by the architecture and function-length tests.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository's root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const biome = join(repoRoot, 'node_modules', '.bin', 'biome');

/** Lints `source` written at `path` (repo-relative); answers whether lint passed and what it printed. */
export async function lintProbe(path: string, source: string): Promise<{ ok: boolean; output: string }> {
  const file = join(repoRoot, path);
  await writeFile(file, source);
  try {
    const { stdout, stderr } = await run(biome, ['lint', '--error-on-warnings', file], { cwd: repoRoot });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  } finally {
    await rm(file, { force: true });
  }
}
