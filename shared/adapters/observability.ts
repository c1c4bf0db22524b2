import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'stablefee';

/** One logger for the service; handlers add the Lambda context through middleware. */
export const logger = new Logger({ serviceName });

/** One metrics instance; namespace comes from POWERTOOLS_METRICS_NAMESPACE. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'stablefee',
  serviceName,
});

/**
 * One tracer: every AWS SDK client is wrapped with it (shared/adapters/aws/), so each AWS call is a subsegment of the
 * function's active-tracing segment. Powertools turns it on only inside Lambda (`AWS_EXECUTION_ENV` set, and
 * `POWERTOOLS_TRACE_ENABLED` not `false`); elsewhere — the local runtime, the tests, the CLI — it leaves the clients
 * as they are and never looks for an X-Ray daemon.
 */
export const tracer = new Tracer({ serviceName });
