/**
 * Global setup of the integration project only (vitest.config.ts): one moto server for the whole run, on a free
 * loopback port. Integration tests read its endpoint with `inject('awsEndpoint')` and provision their own resources
 * under a unique prefix. Unit tests get none; end-to-end suites start their own local runtime.
 */
import type { TestProject } from 'vitest/node';
import { type Emulator, startEmulator } from '../../infra/local/moto';

let emulator: Emulator | undefined;

export async function setup(project: TestProject): Promise<void> {
  emulator = await startEmulator();
  project.provide('awsEndpoint', emulator.endpoint);
}

export async function teardown(): Promise<void> {
  await emulator?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    awsEndpoint: string;
  }
}
