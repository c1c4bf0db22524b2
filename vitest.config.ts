/**
 * Three projects, one run (`vitest run`; `--project unit` for one). Only the integration suites get the run's moto
 * (test/setup/global.ts): unit tests reach no AWS at all — their `AWS_ENDPOINT_URL` is a closed loopback port, so a
 * unit test that touches an AWS client fails at once instead of finding an emulator or the real cloud
 * (test/unit/no-aws.test.ts) — and each end-to-end suite starts its own local runtime, moto included.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_LAMBDA_FUNCTION_NAME: 'vitest',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
      // Tracing is on only in Lambda anyway; said here so that no test ever looks for an X-Ray daemon.
      POWERTOOLS_TRACE_ENABLED: 'false',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Port 9 (discard) on loopback: nothing listens, so any AWS call is refused at once.
          env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/global.ts'],
        },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
