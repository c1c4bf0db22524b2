/**
 * Active tracing (infra/function-defaults.ts) captures the AWS calls: every AWS SDK client of shared/adapters/aws is
 * wrapped by the one tracer (shared/adapters/observability.ts) when it runs in Lambda, and left alone elsewhere, so
 * the tests and the local runtime never look for an X-Ray daemon.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation';

async function clients() {
  const [{ tracer }, { dynamodb, ddb }, { sqs }, { s3 }, { kms }, { secretsManager }] = await Promise.all([
    import('../../shared/adapters/observability'),
    import('../../shared/adapters/aws/dynamodb'),
    import('../../shared/adapters/aws/sqs'),
    import('../../shared/adapters/aws/s3'),
    import('../../shared/adapters/aws/kms'),
    import('../../shared/adapters/aws/secrets-manager'),
  ]);
  const traced = [dynamodb, ddb, sqs, s3, kms, secretsManager].map((client) =>
    client.middlewareStack.identify().some((name) => name.startsWith(XRAY_MIDDLEWARE)),
  );
  return { tracingEnabled: tracer.isTracingEnabled(), traced };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('the tracer', () => {
  it('is off outside Lambda and leaves the AWS clients as they are', async () => {
    vi.resetModules();
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', undefined);
    vi.stubEnv('AWS_EXECUTION_ENV', undefined);
    expect(await clients()).toEqual({ tracingEnabled: false, traced: [false, false, false, false, false, false] });
  });

  it('in Lambda wraps every AWS client, the document client through its base client', async () => {
    vi.resetModules();
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', undefined);
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs20.x');
    // Not the global http patch: this test process keeps its own http module as it is.
    vi.stubEnv('POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS', 'false');
    expect(await clients()).toEqual({ tracingEnabled: true, traced: [true, true, true, true, true, true] });
  });

  it('is off in Lambda when POWERTOOLS_TRACE_ENABLED is false (the tests set it so)', async () => {
    vi.resetModules();
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs20.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
    expect((await clients()).tracingEnabled).toBe(false);
  });
});
