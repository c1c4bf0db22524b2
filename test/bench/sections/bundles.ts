/**
 * Every Lambda bundle, built as the CDK stack builds it (infra/function-defaults.ts: ESM, minified, source map,
 * target the Lambda runtime's Node, the `require` banner, AWS SDK bundled), with esbuild's metafile: size and what
 * takes the space; then module init time in a fresh `node` per import, median of several runs. The baseline is a
 * bundle holding only the DynamoDB client (test/bench/baseline-entry.ts), built and timed the same way.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { functions } from '../../../infra/topology';
import { intEnv, progress, runSection } from '../lib/section';
import { median, round } from '../lib/stats';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

/** Same text as infra/function-defaults.ts ESM_REQUIRE_BANNER. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __stablefeeCreateRequire } from 'node:module'; const require = __stablefeeCreateRequire(import.meta.url);";
/** aws-cdk-lib's NodejsFunction targets the runtime's Node major (NODEJS_24_X). */
const TARGET = 'node24';

/** The environment a function reads at module load; dummy values, so nothing throws at import. */
const INIT_ENV: Record<string, string> = {
  STAGE: 'local',
  CHAINS: '[]',
  TABLE_NAME: 'bench-table',
  QUEUE_URL_TRANSFERS: 'http://127.0.0.1:1/q/transfers',
  QUEUE_URL_OUTBOX: 'http://127.0.0.1:1/q/outbox',
  QUEUE_URL_ADDRESSWATCH: 'http://127.0.0.1:1/q/addressWatch',
  DLQ_URL_TRANSFERS: 'http://127.0.0.1:1/q/transfers-dlq',
  DLQ_URL_OUTBOX: 'http://127.0.0.1:1/q/outbox-dlq',
  DLQ_URL_ADDRESSWATCH: 'http://127.0.0.1:1/q/addressWatch-dlq',
  BUCKET_EXPORTS: 'bench-exports',
  PUBLIC_BASE_URL: 'http://127.0.0.1:1',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_SERVICE_NAME: 'stablefee',
  POWERTOOLS_METRICS_NAMESPACE: 'stablefee',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  // As the stack sets it for every function: source maps are loaded with the module.
  NODE_OPTIONS: '--enable-source-maps',
};

export interface BundleFigure {
  name: string;
  bytes: number;
  kb: number;
  mapKb: number;
  /** Largest inputs grouped by package (or first-party folder), bytes in the output. */
  top: { input: string; kb: number }[];
  initMs: number;
  initRunsMs: number[];
  sizeRatio?: number;
  initRatio?: number;
}

/** The package (node_modules/<pkg> or node_modules/@scope/<pkg>) or first-party folder an input belongs to. */
function owner(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m?.[1]) return m[1];
  const parts = input.split('/');
  return parts.length > 1 ? `${parts.slice(0, -1).join('/')}/` : input;
}

function topInputs(metafile: Metafile, outfile: string, count = 3): BundleFigure['top'] {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.mjs') && outfile.endsWith(path));
  const inputs = (output ?? Object.entries(metafile.outputs).find(([p]) => p.endsWith('.mjs')))?.[1].inputs ?? {};
  const byOwner = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    byOwner.set(owner(input), (byOwner.get(owner(input)) ?? 0) + bytesInOutput);
  }
  return [...byOwner.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([input, bytes]) => ({ input, kb: round(bytes / 1024, 1) }));
}

async function bundle(
  name: string,
  entry: string,
  outDir: string,
): Promise<Omit<BundleFigure, 'initMs' | 'initRunsMs'>> {
  const outfile = join(outDir, name, 'index.mjs');
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [entry],
    outfile,
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: TARGET,
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    banner: { js: ESM_REQUIRE_BANNER },
    external: [],
    tsconfig: join(root, 'tsconfig.json'),
    metafile: true,
    logLevel: 'error',
  });
  const bytes = statSync(outfile).size;
  return {
    name,
    bytes,
    kb: round(bytes / 1024, 1),
    mapKb: round(statSync(`${outfile}.map`).size / 1024, 1),
    top: topInputs(result.metafile, relative(root, outfile)),
  };
}

function initTimes(bundleFile: string, runs: number): number[] {
  const probe = join(here, '..', 'lib', 'init-probe.mjs');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [probe, bundleFile], {
      env: { PATH: process.env.PATH ?? '', ...INIT_ENV },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`init of ${bundleFile} failed: ${r.stderr || r.stdout}`);
    const line = r.stdout.trim().split('\n').pop() ?? '';
    times.push((JSON.parse(line) as { initMs: number }).initMs);
  }
  return times;
}

runSection('bundles', async () => {
  const runs = intEnv('BENCH_INIT_RUNS', 7);
  const outDir = mkdtempSync(join(tmpdir(), 'stablefee-bench-bundles-'));
  try {
    const entries = [
      { name: 'baseline (DynamoDB client only)', entry: join(here, '..', 'baseline-entry.ts'), dir: '_baseline' },
      ...functions.map((f) => ({ name: f.name, entry: join(root, 'functions', f.name, 'handler.ts'), dir: f.name })),
    ];
    const figures: BundleFigure[] = [];
    for (const e of entries) {
      const built = await bundle(e.dir, e.entry, outDir);
      const initRunsMs = initTimes(join(outDir, e.dir, 'index.mjs'), runs).map((t) => round(t, 1));
      figures.push({ ...built, name: e.name, initMs: median(initRunsMs), initRunsMs });
      progress('bundles', `${e.name}: ${built.kb} KB, init ${median(initRunsMs)} ms`);
    }
    const [baseline, ...fns] = figures as [BundleFigure, ...BundleFigure[]];
    for (const f of fns) {
      f.sizeRatio = round(f.bytes / baseline.bytes, 2);
      f.initRatio = round(f.initMs / baseline.initMs, 2);
    }
    return {
      settings: { format: 'esm', target: TARGET, minify: true, sourcemap: true, initRuns: runs },
      baseline,
      functions: fns,
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
