/** The Secrets Manager client (see shared/adapters/aws/config.ts), through which Powertools reads the service secret. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, traced } from './config';

export const secretsManager = traced(new SecretsManagerClient(clientConfig()));
