/**
 * No function in shared/, functions/, tools/, infra/ or bin/ is longer than 80 lines: Biome's noExcessiveLinesPerFunction
 * (biome.json) fails `npm run lint`, which `npm test` runs first. Proven here with deliberate probes.
 */
import { describe, expect, it } from 'vitest';
import { lintProbe as lint } from '../helpers/lint-probe';

/** Lints a probe module at `path` (repo-relative) holding one function of `lines` body lines. */
function lintProbe(path: string, lines: number) {
  const body = Array.from({ length: lines - 2 }, (_, i) => `  total += ${i};`).join('\n');
  return lint(path, `export function probe(): number {\n  let total = 0;\n${body}\n  return total;\n}\n`);
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
