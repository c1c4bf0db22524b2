/**
 * No function in shared/, functions/, tools/, infra/ or bin/ is longer than 80 lines: Biome's noExcessiveLinesPerFunction
 * (biome.json) fails `npm run lint`, which `npm test` runs first. Proven here with deliberate probes.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const biome = join(root, 'node_modules', '.bin', 'biome');

/** Lints a probe module at `path` (repo-relative) holding one function of `lines` body lines; removes it after. */
async function lintProbe(path: string, lines: number): Promise<{ ok: boolean; output: string }> {
  const file = join(root, path);
  const body = Array.from({ length: lines - 2 }, (_, i) => `  total += ${i};`).join('\n');
  await writeFile(file, `export function probe(): number {\n  let total = 0;\n${body}\n  return total;\n}\n`);
  try {
    const { stdout, stderr } = await run(biome, ['lint', '--error-on-warnings', file], { cwd: root });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  } finally {
    await rm(file, { force: true });
  }
}

describe('functions are at most 80 lines long', () => {
  const probe = `length-probe-${process.pid}.ts`;
  it.each([
    `shared/app/${probe}`,
    `shared/adapters/${probe}`,
    `functions/health/${probe}`,
    `tools/${probe}`,
    `infra/local/${probe}`,
  ])('lint refuses an 81-line function in %s and accepts an 80-line one', async (path) => {
    const long = await lintProbe(path, 81);
    expect(long.ok).toBe(false);
    expect(long.output).toMatch(/noExcessiveLinesPerFunction/);
    expect(await lintProbe(path, 80)).toMatchObject({ ok: true });
  });
});
