import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** One logger for the service; handlers add the Lambda context through middleware. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'stablefee' });

/** One metrics instance; namespace comes from POWERTOOLS_METRICS_NAMESPACE. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'stablefee',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'stablefee',
});
