/**
 * Integration-test setup: provisions the topology's resources in the run's shared moto under a prefix unique to
 * the test file and points the shared/ adapters at them. Call before importing modules that use shared/aws.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type ProvisionedResources, provision } from '../../infra/local/provision';

export async function useMoto(): Promise<ProvisionedResources> {
  const endpoint = inject('awsEndpoint');
  process.env.AWS_ENDPOINT_URL = endpoint;
  const resources = await provision(endpoint, `t${randomBytes(4).toString('hex')}`);
  Object.assign(process.env, resources.env);
  return resources;
}
