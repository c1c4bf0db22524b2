/**
 * The edge (infra/edge.ts, issue 17 item 5) over synthesized templates: the WAF web ACL stack (CLOUDFRONT scope, in
 * us-east-1) with the managed rule groups and a per-client-IP rate limit on every public route of the topology; the
 * service stack's distribution carrying that web ACL, in front of the API (uncached but `/v1/health`, cached
 * `HEALTH_CACHE_SECONDS`) and of the console bucket (`/console/*`, origin access control); the console deployment
 * only when a build directory is given. Both stacks are cdk-nag clean.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONSOLE_KEY_PREFIX,
  CONSOLE_PATH_PATTERN,
  EDGE_MANAGED_RULE_GROUPS,
  EDGE_RATE_LIMITS,
  HEALTH_CACHE_SECONDS,
  RATE_WINDOW_SECONDS,
  StablefeeEdgeWafStack,
} from '../../../infra/edge';
import { PROJECT_ROOT, StablefeeStack } from '../../../infra/stack';
import { functions } from '../../../infra/topology';
import { EDGE_ORIGIN_HEADER, EDGE_ORIGIN_SECRET_ARN_ENV } from '../../../shared/resources';

/** CloudFormation JSON (noExplicitAny is off for tests in biome.json). */
type Json = any;

const cdkContext = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;

const nagFindings = (stack: import('aws-cdk-lib').Stack): string[] =>
  new AwsSolutionsChecks(undefined, { verbose: true })
    .validateScope(stack)
    .violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );

const only = (template: Template, type: string): Json => {
  const found = Object.values(template.findResources(type));
  expect(found, type).toHaveLength(1);
  return (found[0] as Json).Properties;
};

/** The public routes of the topology, as request paths (`{id}` → a sample segment). */
const publicPaths = functions.flatMap((fn) =>
  fn.triggers.flatMap((t) =>
    t.kind === 'http' ? t.routes.filter((r) => r.auth === 'public').map((r) => r.path.replace(/\{[^}]+\}/g, 'x1')) : [],
  ),
);

/** Whether a WAF byte-match statement (on the URI path, no transformation) matches `uriPath`. */
function matches(statement: Json, uriPath: string): boolean {
  if (statement.orStatement) return statement.orStatement.statements.some((s: Json) => matches(s, uriPath));
  const match = statement.byteMatchStatement;
  expect(match.fieldToMatch).toEqual({ uriPath: {} });
  expect(match.textTransformations).toEqual([{ priority: 0, type: 'NONE' }]);
  if (match.positionalConstraint === 'STARTS_WITH') return uriPath.startsWith(match.searchString);
  if (match.positionalConstraint === 'EXACTLY') return uriPath === match.searchString;
  throw new Error(`unexpected constraint ${match.positionalConstraint}`);
}

describe('the edge WAF stack (us-east-1)', () => {
  let stack: StablefeeEdgeWafStack;
  let template: Template;
  beforeAll(() => {
    const app = new App({ context: cdkContext });
    stack = new StablefeeEdgeWafStack(app, 'TestEdgeWaf', { env: { region: 'us-east-1' } });
    template = Template.fromStack(stack);
  });

  it('is cdk-nag clean and outputs the web ACL ARN the service stack takes', () => {
    expect(nagFindings(stack)).toEqual([]);
    expect(stack.region).toBe('us-east-1');
    const acl = Object.keys(template.findResources('AWS::WAFv2::WebACL'))[0];
    template.hasOutput('WebAclArn', { Value: { 'Fn::GetAtt': [acl, 'Arn'] } });
  });

  it('is a CLOUDFRONT-scope web ACL running the managed rule groups, body size counted only', () => {
    const acl = only(template, 'AWS::WAFv2::WebACL');
    expect(acl.Scope).toBe('CLOUDFRONT');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    const managed = acl.Rules.filter((r: Json) => r.Statement.ManagedRuleGroupStatement);
    expect(managed.map((r: Json) => r.Statement.ManagedRuleGroupStatement.Name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    for (const rule of managed) {
      expect(rule.OverrideAction).toEqual({ None: {} });
      expect(rule.Statement.ManagedRuleGroupStatement.VendorName).toBe('AWS');
    }
    const common = managed.find((r: Json) => r.Name === 'AWSManagedRulesCommonRuleSet');
    // Settlement reports and bank statements are up to 5 MiB: the 8 KB body rule only counts.
    expect(common.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
    expect(EDGE_MANAGED_RULE_GROUPS).toHaveLength(3);
    const priorities = acl.Rules.map((r: Json) => r.Priority);
    expect(new Set(priorities).size).toBe(priorities.length);
  });

  it('rate-limits every public route of the topology per client IP (blocking), and nothing else', () => {
    const acl = only(template, 'AWS::WAFv2::WebACL');
    const rateRules = acl.Rules.filter((r: Json) => r.Statement.RateBasedStatement);
    expect(rateRules).toHaveLength(EDGE_RATE_LIMITS.length);
    for (const rule of rateRules) {
      expect(rule.Action).toEqual({ Block: {} });
      expect(rule.Statement.RateBasedStatement).toMatchObject({
        AggregateKeyType: 'IP',
        EvaluationWindowSec: RATE_WINDOW_SECONDS,
        Limit: expect.any(Number),
      });
    }
    const scopes = rateRules.map((r: Json) => lowerKeys(r.Statement.RateBasedStatement.ScopeDownStatement));
    for (const uriPath of publicPaths) {
      expect(
        scopes.some((s: Json) => matches(s, uriPath)),
        `${uriPath} has a per-IP rate limit`,
      ).toBe(true);
    }
    // The issue's public routes, each by its own rule, and no JWT route (those are behind the authorizer).
    const ruleFor = (uriPath: string) => rateRules.filter((_rule: Json, i: number) => matches(scopes[i], uriPath));
    for (const uriPath of ['/pay/inv_1', '/v1/pay/inv_1', '/v1/webhooks/alchemy', '/v1/health'])
      expect(ruleFor(uriPath), uriPath).toHaveLength(1);
    for (const uriPath of ['/v1/invoices', '/v1/ops/health', '/v1/ops/replay', '/v1/healthz', '/console/index.html'])
      expect(ruleFor(uriPath), uriPath).toHaveLength(0);
  });

  it('logs what WAF blocked or counted, without the Authorization header', () => {
    const logging = only(template, 'AWS::WAFv2::LoggingConfiguration');
    expect(logging.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
    expect(logging.LoggingFilter.DefaultBehavior).toBe('DROP');
    const group = only(template, 'AWS::Logs::LogGroup');
    expect(group.LogGroupName).toMatch(/^aws-waf-logs-/);
  });
});

/** CloudFormation writes WAF statement keys in PascalCase; the matcher reads the CDK (camelCase) spelling. */
function lowerKeys(node: Json): Json {
  if (Array.isArray(node)) return node.map(lowerKeys);
  if (node && typeof node === 'object')
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [
        k.charAt(0).toLowerCase() + k.slice(1),
        k === 'UriPath' ? {} : lowerKeys(v),
      ]),
    );
  return node;
}

describe('the service stack behind the edge', () => {
  let stack: StablefeeStack;
  let template: Template;
  let json: Json;
  const consoleDir = mkdtempSync(path.join(tmpdir(), 'stablefee-console-'));
  writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');

  beforeAll(() => {
    const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
    stack = new StablefeeStack(app, 'TestEdge', { consoleAssetsDir: consoleDir });
    template = Template.fromStack(stack);
    json = template.toJSON();
  });

  it('is cdk-nag clean with the console deployment too', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('puts the web ACL given as EdgeWebAclArn (a CLOUDFRONT-scope ARN, required) on the distribution', () => {
    const parameter = json.Parameters.EdgeWebAclArn;
    expect(parameter.Default).toBeUndefined();
    const pattern = new RegExp(parameter.AllowedPattern);
    const arn =
      'arn:aws:wafv2:us-east-1:123456789012:global/webacl/Edge-WebAcl-x1/0b5c1d2e-aaaa-bbbb-cccc-0123456789ab';
    expect(pattern.test(arn)).toBe(true);
    expect(pattern.test(arn.replace('us-east-1', 'eu-central-1'))).toBe(false);
    expect(pattern.test(arn.replace('global/', 'regional/'))).toBe(false);
    expect(pattern.test('')).toBe(false);
    const config = only(template, 'AWS::CloudFront::Distribution').DistributionConfig;
    expect(config.WebACLId).toEqual({ Ref: 'EdgeWebAclArn' });
    expect(config.Logging).toMatchObject({ Bucket: expect.anything(), Prefix: 'cloudfront/' });
  });

  it('sends every route to the API uncached, over TLS 1.2, with the viewer headers but Host', () => {
    const config = only(template, 'AWS::CloudFront::Distribution').DistributionConfig;
    const apiId = stack.resolve(stack.api.apiId);
    const apiOrigin = config.Origins.find((o: Json) => o.CustomOriginConfig);
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(JSON.stringify(apiId));
    expect(apiOrigin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    const behavior = config.DefaultCacheBehavior;
    expect(behavior.TargetOriginId).toBe(apiOrigin.Id);
    expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    expect(behavior.AllowedMethods).toHaveLength(7);
    // AWS managed policies: CachingDisabled, AllViewerExceptHostHeader.
    expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(behavior.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
  });

  it('adds the secret origin header to requests to the API only, from the stack-generated secret', () => {
    const config = only(template, 'AWS::CloudFront::Distribution').DistributionConfig;
    const apiOrigin = config.Origins.find((o: Json) => o.CustomOriginConfig);
    expect(apiOrigin.OriginCustomHeaders).toHaveLength(1);
    const [header] = apiOrigin.OriginCustomHeaders;
    expect(header.HeaderName).toBe(EDGE_ORIGIN_HEADER);
    // A dynamic reference to the secret's `current` (resolved by CloudFormation at deploy time), never a literal;
    // pinned to the version EdgeOriginSecretVersionId names once one is given (the rotation's stack update).
    const secretRef = stack.resolve(stack.edge.originSecret.secretArn);
    const [condition, pinned, latest] = header.HeaderValue['Fn::If'];
    expect(json.Conditions[condition]).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'EdgeOriginSecretVersionId' }, ''] }],
    });
    expect(latest).toEqual({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', secretRef, ':SecretString:current::}}']] });
    expect(pinned).toEqual({
      'Fn::Join': [
        '',
        ['{{resolve:secretsmanager:', secretRef, ':SecretString:current::', { Ref: 'EdgeOriginSecretVersionId' }, '}}'],
      ],
    });
    const parameter = json.Parameters.EdgeOriginSecretVersionId;
    expect(parameter.Default).toBe('');
    expect(new RegExp(parameter.AllowedPattern).test('a1b2c3d4-0000-1111-2222-333344445555')).toBe(true);
    expect(new RegExp(parameter.AllowedPattern).test('AWSCURRENT}}')).toBe(false);
    // The console's S3 origin carries no such header.
    for (const origin of config.Origins.filter((o: Json) => !o.CustomOriginConfig))
      expect(origin.OriginCustomHeaders).toBeUndefined();
    // The secret: generated once ({"current": 48 characters}), kept when the stack goes.
    const secret = json.Resources[secretRef.Ref];
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      SecretStringTemplate: '{}',
      GenerateStringKey: 'current',
      PasswordLength: 48,
    });
  });

  it('gives every HTTP function, and only those, the origin guard: the secret named and readable', () => {
    const secretRef = JSON.stringify(stack.resolve(stack.edge.originSecret.secretArn));
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Json[];
    for (const { spec, fn, role } of stack.serviceFunctions) {
      const guarded = spec.triggers.some((t) => t.kind === 'http');
      const resource = json.Resources[stack.getLogicalId(fn.node.defaultChild as import('aws-cdk-lib').CfnElement)];
      const env = resource.Properties.Environment.Variables;
      expect(JSON.stringify(env[EDGE_ORIGIN_SECRET_ARN_ENV]), spec.name).toBe(guarded ? secretRef : undefined);
      const roleRef = JSON.stringify(stack.resolve(role.roleName));
      const reads = policies
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleRef))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .some(
          (st: Json) =>
            [st.Action].flat().includes('secretsmanager:GetSecretValue') &&
            // Statements with the same actions are merged (@aws-cdk/aws-iam:minimizePolicies).
            [st.Resource].flat().some((r: Json) => JSON.stringify(r) === secretRef),
        );
      expect(reads, spec.name).toBe(guarded);
    }
    expect(stack.serviceFunctions.some(({ spec }) => spec.triggers.some((t) => t.kind === 'http'))).toBe(true);
    expect(stack.serviceFunctions.some(({ spec }) => !spec.triggers.some((t) => t.kind === 'http'))).toBe(true);
  });

  it(`caches GET /v1/health ${HEALTH_CACHE_SECONDS} s for everyone, keyed on nothing; the operator check is not cached`, () => {
    const config = only(template, 'AWS::CloudFront::Distribution').DistributionConfig;
    const health = config.CacheBehaviors.find((b: Json) => b.PathPattern === '/v1/health');
    expect(health.TargetOriginId).toBe(config.DefaultCacheBehavior.TargetOriginId);
    expect(health.AllowedMethods.sort()).toEqual(['GET', 'HEAD']);
    expect(health.OriginRequestPolicyId).toBeUndefined();
    const policies = template.findResources('AWS::CloudFront::CachePolicy');
    const policy = (policies[health.CachePolicyId.Ref] as Json).Properties.CachePolicyConfig;
    expect(policy).toMatchObject({
      MinTTL: HEALTH_CACHE_SECONDS,
      DefaultTTL: HEALTH_CACHE_SECONDS,
      MaxTTL: HEALTH_CACHE_SECONDS,
    });
    const key = policy.ParametersInCacheKeyAndForwardedToOrigin;
    expect(key.HeadersConfig.HeaderBehavior).toBe('none');
    expect(key.QueryStringsConfig.QueryStringBehavior).toBe('none');
    expect(key.CookiesConfig.CookieBehavior).toBe('none');
    // Only /v1/health and the console have behaviors of their own: /v1/ops/health (JWT) takes the uncached default.
    expect(config.CacheBehaviors.map((b: Json) => b.PathPattern).sort()).toEqual([CONSOLE_PATH_PATTERN, '/v1/health']);
    const route = template.findResources('AWS::ApiGatewayV2::Route', {
      Properties: { RouteKey: 'GET /v1/ops/health', AuthorizationType: 'NONE' },
    });
    expect(Object.keys(route)).toHaveLength(1);
  });

  it('serves the console bucket at /console/* through origin access control only', () => {
    const config = only(template, 'AWS::CloudFront::Distribution').DistributionConfig;
    const consoleBehavior = config.CacheBehaviors.find((b: Json) => b.PathPattern === CONSOLE_PATH_PATTERN);
    const s3Origin = config.Origins.find((o: Json) => o.Id === consoleBehavior.TargetOriginId);
    const bucketId = stack.resolve(stack.edge.consoleBucket.bucketName).Ref;
    expect(s3Origin.DomainName).toEqual({ 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] });
    expect(s3Origin.OriginAccessControlId).toBeDefined();
    expect(s3Origin.S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(consoleBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(consoleBehavior.FunctionAssociations).toHaveLength(1);
    const bucket = json.Resources[bucketId].Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    // The bucket policy lets CloudFront read, and only on behalf of this distribution.
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p: Json) => p.Properties.Bucket.Ref === bucketId,
    ) as Json;
    const reads = policy.Properties.PolicyDocument.Statement.filter((st: Json) => st.Effect === 'Allow');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({
      Action: 's3:GetObject',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
  });

  it('deploys a given console build under console/ and invalidates it; nothing without one', () => {
    const deployments = template.findResources('Custom::CDKBucketDeployment');
    expect(Object.values(deployments)).toHaveLength(1);
    const props = (Object.values(deployments)[0] as Json).Properties;
    expect(props.DestinationBucketKeyPrefix).toBe(CONSOLE_KEY_PREFIX);
    expect(props.DistributionPaths).toEqual([CONSOLE_PATH_PATTERN]);
    expect(props.Prune).toBe(true);

    const bare = new StablefeeStack(new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } }), 'Bare');
    expect(Template.fromStack(bare).findResources('Custom::CDKBucketDeployment')).toEqual({});
  });

  it('sends the console with its own CSP (hosted UI and S3 only), its config.json, and exports readable from its origin', () => {
    const config = only(template, 'AWS::CloudFront::Distribution').DistributionConfig;
    const consoleBehavior = config.CacheBehaviors.find((b: Json) => b.PathPattern === CONSOLE_PATH_PATTERN);
    const policyId = consoleBehavior.ResponseHeadersPolicyId.Ref;
    const headers = json.Resources[policyId].Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(stack.resolve(headers.ContentSecurityPolicy.ContentSecurityPolicy));
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' ");
    expect(csp).toContain('.s3.');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    // config.json: the hosted UI's sign-in, written by the deployment (a second source beside the build).
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0] as Json;
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    const exportsId = stack.resolve(stack.buckets.exports.bucketName).Ref;
    const cors = json.Resources[exportsId].Properties.CorsConfiguration.CorsRules;
    expect(cors).toHaveLength(1);
    expect(cors[0].AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(JSON.stringify(cors[0].AllowedOrigins)).toContain('DomainName');
  });

  it('points payer links at the edge and outputs its URL and the console bucket', () => {
    template.hasOutput('EdgeUrl', {});
    template.hasOutput('ConsoleBucketName', {});
  });
});
