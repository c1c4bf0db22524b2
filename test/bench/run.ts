/**
 * `npm run bench`: every figure of the performance issue measured in one run on this machine, each beside its
 * comparison measured in the same run. Sections run one after another, each in its own Node process
 * (test/bench/sections/*.ts), so none disturbs another's memory, CPU or module state. Prints a table and writes
 * bench/results.json. Not part of `npm test`.
 *
 *   npm run bench                 # everything, N = BENCH_N or the default
 *   npm run bench -- --n 50       # pipeline size
 *   npm run bench -- --only scanner,bundles
 *
 * Handler logs of the sections go to a log file per section (its path is printed), not to the terminal.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { passes, render, targets } from './lib/report';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/**
 * The pipeline's default size. moto's TransactWriteItems deep-copies the whole table once per item of the
 * transaction, so the pipeline's cost grows with N²: this N keeps the whole bench under ten minutes on a 2-core
 * machine. `--n` or BENCH_N sets another.
 */
const DEFAULT_N = 50;

const SECTIONS = ['bundles', 'cpu', 'scanner', 'pipeline', 'contention', 'export', 'lists'] as const;
type Section = (typeof SECTIONS)[number];

function args() {
  const argv = process.argv.slice(2);
  const value = (name: string) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    const a = argv[i] as string;
    return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
  };
  const n = Number(value('n') ?? process.env.BENCH_N ?? DEFAULT_N);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--n must be a positive integer`);
  const only = value('only')?.split(',') as Section[] | undefined;
  for (const s of only ?? []) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}; one of ${SECTIONS}`);
  return { n, sections: only ?? [...SECTIONS] };
}

/** Runs one section in a fresh process; resolves with its JSON result, or `{error}`. */
function runSection(section: Section, env: Record<string, string>, logDir: string): Promise<unknown> {
  const out = join(logDir, `${section}.json`);
  const logFile = join(logDir, `${section}.log`);
  const log = createWriteStream(logFile);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'sections', `${section}.ts`)], {
      cwd: root,
      env: { ...process.env, ...env, BENCH_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    let pending = '';
    child.stderr.on('data', (chunk: Buffer) => {
      log.write(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('[bench:')) process.stderr.write(`${line}\n`);
    });
    const stop = () => child.kill('SIGTERM');
    process.once('SIGINT', stop);
    child.on('exit', (code) => {
      process.off('SIGINT', stop);
      log.end();
      if (code === 0) resolve(JSON.parse(readFileSync(out, 'utf8')));
      else resolve({ error: `section exited with ${code}; see ${logFile}` });
    });
  });
}

const { n, sections } = args();
const logDir = mkdtempSync(join(tmpdir(), 'stablefee-bench-'));
process.stderr.write(`[bench] N = ${n}; sections ${sections.join(', ')}; logs in ${logDir}\n`);
const started = Date.now();
const figures: Record<string, unknown> = {};
for (const section of sections) {
  figures[section] = await runSection(section, { BENCH_N: String(n) }, logDir);
}
// A run of some sections keeps the other sections' figures of the last run (each section says when it ran).
const resultsFile = join(root, 'bench', 'results.json');
const earlier =
  sections.length < SECTIONS.length && existsSync(resultsFile)
    ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as { figures?: Record<string, unknown> }).figures
    : undefined;
const ranAt = new Date().toISOString();
for (const section of sections) {
  const f = figures[section];
  if (f && typeof f === 'object') figures[section] = { ...f, ranAt };
}
const merged = { ...earlier, ...figures };
const result = {
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.versions.node },
  date: new Date().toISOString(),
  n,
  durationS: Math.round((Date.now() - started) / 1000),
  sections,
  figures: merged,
  targets: Object.fromEntries(Object.entries(targets).map(([k, t]) => [k, { max: t.max, text: t.text }])),
  pass: passes(merged),
};
mkdirSync(join(root, 'bench'), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${render(result)}\n\nwritten: bench/results.json (${result.durationS} s)\n`);
