/**
 * How a bench section runs: each section is its own Node process (started by test/bench/run.ts), so that memory,
 * CPU and module state of one never leak into another. A section computes its figures and writes them as JSON to
 * the file named by BENCH_OUT; progress goes to stderr.
 */
import { writeFileSync } from 'node:fs';

export function progress(section: string, message: string): void {
  process.stderr.write(`[bench:${section}] ${message}\n`);
}

const cleanups: (() => Promise<void>)[] = [];

/** Registers what must be stopped if the section is interrupted (moto and the chain are child resources). */
export function onInterrupt(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled(cleanups.map((c) => c())).finally(() => process.exit(130));
  });
}

/** Runs `main` and writes its result for the orchestrator; exits non-zero on failure. */
export function runSection(name: string, main: () => Promise<unknown>): void {
  const out = process.env.BENCH_OUT;
  const started = performance.now();
  main()
    .then((result) => {
      progress(name, `done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      if (out) writeFileSync(out, JSON.stringify(result, null, 2));
      else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`[bench:${name}] failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}

/** Integer option from the environment, with a default. */
export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

/**
 * Points this process's AWS clients at the emulator at `endpoint`, with `extra` settings. Call it before importing any
 * adapter module: the clients read the endpoint when they load.
 */
export function pointAwsAt(endpoint: string, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    ...extra,
  });
}
