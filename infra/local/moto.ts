/**
 * The AWS emulator for the local runtime and the integration tests: spawns `moto_server` on a loopback port and
 * waits until it answers. With `AWS_ENDPOINT_URL` already set (LocalStack, or a moto started elsewhere) nothing
 * is spawned and that endpoint is used as is.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, waitFor } from './net';

export interface Emulator {
  endpoint: string;
  /** Clears all emulated state (moto only). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts moto on `port` (a free one when omitted), or adopts an endpoint given in the environment. */
export async function startEmulator(options: { port?: number; adopt?: string } = {}): Promise<Emulator> {
  if (options.adopt) {
    return { endpoint: options.adopt, reset: () => resetMoto(options.adopt as string), stop: async () => {} };
  }
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`moto_server exited (${code}): ${stderr}`))),
  );
  exited.catch(() => {});
  await Promise.race([
    waitFor(async () => (await fetch(`${endpoint}/moto-api/data.json`)).ok, { timeoutMs: 30_000 }),
    exited,
  ]);
  return {
    endpoint,
    reset: () => resetMoto(endpoint),
    stop: () => stopChild(child),
  };
}

async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the child is gone. */
export function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
