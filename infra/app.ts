/**
 * CDK app entry (cdk.json: `npx tsx infra/app.ts`): the stablefee stack, checked by cdk-nag's AwsSolutions pack.
 * Any unacknowledged finding fails synthesis; acknowledgements live next to the construct they concern, each with
 * its reason (see infra/stack.ts and infra/function-defaults.ts).
 *
 * Deploying needs the one parameter without a default, the account xpub, and where alarms go (AlarmEmail and/or
 * AlarmHttpsEndpoint); the others default (see the stack's parameters: ChainsJson `[]`, PublicBaseUrl empty = the
 * API's own URL, NbkRatesUrl the NBK feed):
 *
 *   npx cdk deploy --parameters DepositXpub=xpub6… --parameters AlarmEmail=oncall@example.kz \
 *     --parameters ChainsJson='[{"chainId":1,"rpcUrl":"https://…"}]'
 *
 * Then fill the secrets (WebhookSecretsArn, ProviderApiSecretArn, RegistrySecretsArn, CustodianSecretArn outputs).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildConsole } from './console-build';
import { StablefeeEdgeWafStack } from './edge';
import { StablefeeStack } from './stack';

const app = new App();

// Environment-agnostic on purpose: no lookups are needed, so one template deploys to any account and region
// (the region-dependent parts, such as the Cognito issuer URL, use the AWS::Region pseudo parameter).
const stackName = process.env.STABLEFEE_STACK_NAME ?? 'Stablefee';
// The console, built from this checkout so a deploy ships the code it was synthesized with; its config.json (the
// hosted UI's domain and client) is written by the stack at deploy time, not by the build.
const consoleAssetsDir = await buildConsole({ config: null });
new StablefeeStack(app, stackName, {
  tags: { project: 'stablefee' },
  consoleAssetsDir,
});
// The edge's WAF web ACL: CloudFront takes only a CLOUDFRONT-scope web ACL, and those live in us-east-1 (infra/edge.ts).
// Deploy it first; its WebAclArn output is the service stack's EdgeWebAclArn parameter.
new StablefeeEdgeWafStack(app, `${stackName}EdgeWaf`, {
  env: { region: 'us-east-1' },
  tags: { project: 'stablefee' },
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

app.synth();
