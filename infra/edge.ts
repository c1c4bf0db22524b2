/**
 * The edge in front of the HTTP API and the console (issue 17, item 5): a CloudFront distribution with an AWS WAF web
 * ACL, a cached public `GET /v1/health`, and the console's static assets from a private S3 bucket at `/console/*`.
 *
 * A web ACL that protects a CloudFront distribution has scope CLOUDFRONT and must live in us-east-1, while the
 * service stack is region-agnostic (it deploys to any region). So the web ACL is its own small stack,
 * `StablefeeEdgeWafStack` (infra/app.ts pins it to us-east-1), whose `WebAclArn` output the service stack takes as its
 * required `EdgeWebAclArn` parameter: deploy the WAF stack first (docs/operations.md, *Edge*). A parameter, not a
 * cross-region reference, because CDK's cross-region references need both stacks bound to an account and region.
 *
 * The execute-api URL stays reachable (an HTTP API takes no resource policy), so CloudFront adds a secret header to
 * what it forwards to the API (`EDGE_ORIGIN_HEADER`, its value from the stack-generated origin secret through a
 * CloudFormation dynamic reference) and the HTTP functions refuse requests without it (shared/adapters/origin-guard.ts).
 */
import {
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  DefaultStackSynthesizer,
  Duration,
  Fn,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { EDGE_ORIGIN_HEADER } from '../shared/resources';

/** How long CloudFront serves one answer of the public `GET /v1/health` to everyone (the health function's cost). */
export const HEALTH_CACHE_SECONDS = 10;

/** Where the console's static assets are served, and their key prefix in the console bucket. */
export const CONSOLE_PATH_PATTERN = '/console/*';
export const CONSOLE_KEY_PREFIX = 'console/';

/** WAF evaluates rate-based rules over this window (seconds): the limits below count requests per client IP in it. */
export const RATE_WINDOW_SECONDS = 300;

/** A rate-based rule: at most `limit` requests per client IP per `RATE_WINDOW_SECONDS` to paths starting with one of `prefixes` (or equal to one of `exact`). */
export interface EdgeRateLimit {
  readonly name: string;
  readonly prefixes: readonly string[];
  readonly exact: readonly string[];
  readonly limit: number;
}

/**
 * Per-client-IP limits on the public routes (the JWT routes verify tokens in their functions, throttled by the stage).
 * Generous for people and providers, tight enough that one address cannot flood the functions behind them.
 */
export const EDGE_RATE_LIMITS: readonly EdgeRateLimit[] = [
  // A payer's page polls its invoice every few seconds; an office behind one NAT address holds many payers.
  { name: 'pay', prefixes: ['/pay/', '/v1/pay/'], exact: [], limit: 1_000 },
  // Providers deliver from a few addresses, in bursts when a block carries many of our transfers (~67/s sustained).
  { name: 'webhooks', prefixes: ['/v1/webhooks/'], exact: [], limit: 20_000 },
  // Uptime monitors: one a second per address is plenty (and the edge answers most from its cache).
  { name: 'health', prefixes: [], exact: ['/v1/health'], limit: 300 },
  // The fee catalog: read by integrators' forms, rarely more than once a page.
  { name: 'fees', prefixes: [], exact: ['/v1/fees'], limit: 1_000 },
  // The API's description and its reference page: read by people and code generators, now and then.
  { name: 'docs', prefixes: [], exact: ['/v1/openapi.json', '/docs'], limit: 300 },
];

/** The AWS managed rule groups the web ACL runs before the rate limits, with the rules counted instead of blocked. */
export const EDGE_MANAGED_RULE_GROUPS = [
  { name: 'AWSManagedRulesAmazonIpReputationList', countOnly: [] as string[] },
  {
    name: 'AWSManagedRulesCommonRuleSet',
    // Bodies over 8 KB are legitimate here: settlement reports (CSV) and bank statements (camt.053) up to 5 MiB, and
    // providers' webhook batches; the handlers bound and parse every body themselves.
    countOnly: ['SizeRestrictions_BODY'],
  },
  { name: 'AWSManagedRulesKnownBadInputsRuleSet', countOnly: [] as string[] },
] as const;

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

/** `uri path starts with / equals text`, as a WAF statement. */
const pathMatch = (
  text: string,
  positionalConstraint: 'STARTS_WITH' | 'EXACTLY',
): wafv2.CfnWebACL.StatementProperty => ({
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint,
    searchString: text,
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
});

function rateRule(spec: EdgeRateLimit, priority: number): wafv2.CfnWebACL.RuleProperty {
  const paths = [
    ...spec.prefixes.map((p) => pathMatch(p, 'STARTS_WITH')),
    ...spec.exact.map((p) => pathMatch(p, 'EXACTLY')),
  ];
  const scopeDown = paths.length === 1 ? paths[0] : { orStatement: { statements: paths } };
  return {
    name: `RateLimit-${spec.name}`,
    priority,
    action: { block: {} },
    statement: {
      rateBasedStatement: {
        aggregateKeyType: 'IP',
        limit: spec.limit,
        evaluationWindowSec: RATE_WINDOW_SECONDS,
        scopeDownStatement: scopeDown,
      },
    },
    visibilityConfig: visibility(`stablefee-rate-${spec.name}`),
  };
}

function managedRule(group: (typeof EDGE_MANAGED_RULE_GROUPS)[number], priority: number): wafv2.CfnWebACL.RuleProperty {
  return {
    name: group.name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name: group.name,
        ...(group.countOnly.length === 0
          ? {}
          : { ruleActionOverrides: group.countOnly.map((name) => ({ name, actionToUse: { count: {} } })) }),
      },
    },
    visibilityConfig: visibility(`stablefee-${group.name}`),
  };
}

/** The CLOUDFRONT-scope web ACL (its stack must be in us-east-1): managed rule groups, then per-IP rate limits. */
export class EdgeWebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description: 'stablefee edge: AWS managed rules and per-client-IP rate limits on the public routes',
      rules: [
        ...EDGE_MANAGED_RULE_GROUPS.map((group, i) => managedRule(group, i)),
        ...EDGE_RATE_LIMITS.map((spec, i) => rateRule(spec, EDGE_MANAGED_RULE_GROUPS.length + i)),
      ],
      visibilityConfig: visibility('stablefee-edge'),
    });
    // WAF's own log of blocked and counted requests (the log group's name must start with aws-waf-logs-).
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${Stack.of(this).stackName}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [logGroup.logGroupArn],
      // Only what WAF acted on (blocked or counted): allowed traffic is in CloudFront's and the API's access logs.
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
  }
}

/** The us-east-1 stack holding the edge's web ACL; its `WebAclArn` output is the service stack's `EdgeWebAclArn`. */
export class StablefeeEdgeWafStack extends Stack {
  readonly webAcl: EdgeWebAcl;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description:
        'stablefee edge WAF (CLOUDFRONT scope, us-east-1): pass WebAclArn as the service stack EdgeWebAclArn',
      ...props,
    });
    this.webAcl = new EdgeWebAcl(this, 'Edge');
    new CfnOutput(this, 'WebAclArn', {
      value: this.webAcl.webAcl.attrArn,
      description: 'Give this to the stablefee stack: --parameters EdgeWebAclArn=<this ARN>',
    });
  }
}

/** The pattern an `EdgeWebAclArn` parameter must match: a CLOUDFRONT-scope (global, us-east-1) web ACL. */
export const EDGE_WEB_ACL_ARN_PATTERN =
  '^arn:aws[a-z-]*:wafv2:us-east-1:\\d{12}:global/webacl/[A-Za-z0-9_-]+/[a-f0-9-]+$';

/** A Secrets Manager version id (a UUID), or empty: the `EdgeOriginSecretVersionId` parameter. */
export const SECRET_VERSION_ID_PATTERN = '^([0-9a-fA-F-]{32,64})?$';

/**
 * The edge origin secret: JSON `{"current": "<48 random characters>"}`, generated once by CloudFormation. CloudFront
 * sends `current` as the `EDGE_ORIGIN_HEADER` header; the HTTP functions accept `current` and, during a rotation,
 * `previous` (shared/adapters/origin-guard.ts).
 */
function createOriginSecret(scope: Construct): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'OriginSecret', {
    description: `stablefee edge origin header (${EDGE_ORIGIN_HEADER}): JSON {"current":"…","previous"?:"…"}`,
    generateSecretString: {
      secretStringTemplate: '{}',
      generateStringKey: 'current',
      passwordLength: 48,
      excludePunctuation: true,
    },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'No rotation Lambda: CloudFront takes a new value only through a stack update (the distribution re-resolves ' +
      'its dynamic reference), so rotation is the documented two-value procedure (docs/operations.md, Edge).',
  });
  return secret;
}

export interface ApiEdgeProps {
  readonly api: apigw.IHttpApi;
  /** Receives the console bucket's server access logs. */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * A directory holding the built console (index.html and its assets): deployed to the console bucket under
   * `CONSOLE_KEY_PREFIX` on every deploy, then invalidated at the edge. Omitted: the bucket is left as it is
   * (the lead's pipeline uploads it).
   */
  readonly consoleAssetsDir?: string;
  /**
   * The console's `config.json` in the cloud (hosted-UI sign-in: the Cognito domain and the console's app client),
   * written beside the assets at deploy time.
   */
  readonly consoleConfig?: { mode: 'cognito'; domain: string; clientId: string };
  /**
   * Origins the console's pages may fetch besides their own (the hosted UI's token endpoint, the exports bucket's
   * presigned links): its Content-Security-Policy's `connect-src`.
   */
  readonly consoleConnectOrigins?: string[];
}

/** The console's CSP at the edge, as the local runtime serves it (infra/local/static-files.ts), plus `origins`. */
export function consoleCsp(origins: readonly string[]): string {
  return [
    "default-src 'self'",
    `connect-src 'self'${origins.map((o) => ` ${o}`).join('')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * `/console/` and the console's own routes (`/console/invoices/inv_…`, no file extension) are its single page:
 * rewritten to `/console/index.html` before the S3 origin sees them.
 */
const CONSOLE_INDEX_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/console' || uri === '/console/' || !/\\/[^/]*\\.[^/]+$/.test(uri)) {
    request.uri = '/console/index.html';
  }
  return request;
}`;

/**
 * The CloudFront distribution in front of the HTTP API (every route, uncached; `/v1/health` cached
 * `HEALTH_CACHE_SECONDS`) and the console bucket (`/console/*`, origin access control), with the WAF web ACL named by
 * the `EdgeWebAclArn` parameter.
 */
export class ApiEdge extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly consoleBucket: s3.Bucket;
  readonly webAclArn: string;
  /** The distribution's https:// origin (payer links default to it). */
  readonly url: string;
  /** What CloudFront sends as `EDGE_ORIGIN_HEADER` to the API, and the HTTP functions check. */
  readonly originSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ApiEdgeProps) {
    super(scope, id);
    this.webAclArn = new CfnParameter(Stack.of(this), 'EdgeWebAclArn', {
      type: 'String',
      description:
        'ARN of the CLOUDFRONT-scope WAF web ACL (us-east-1) in front of the distribution: the WebAclArn output of ' +
        'the StablefeeEdgeWaf stack (docs/operations.md, Edge).',
      allowedPattern: EDGE_WEB_ACL_ARN_PATTERN,
      constraintDescription:
        'must be a CLOUDFRONT-scope web ACL ARN (arn:aws:wafv2:us-east-1:<account>:global/webacl/…)',
    }).valueAsString;
    this.originSecret = createOriginSecret(this);
    const logBucket = this.createLogBucket();
    this.consoleBucket = new s3.Bucket(this, 'ConsoleBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // SSE-S3: CloudFront's origin access control reads it without a KMS key policy.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket ?? logBucket,
      serverAccessLogsPrefix: 'console/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.distribution = this.createDistribution(props, logBucket);
    this.url = `https://${this.distribution.distributionDomainName}`;
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          "No geo restriction: payers pay from anywhere (citizens abroad, foreign licensees), and the providers' " +
          'webhooks come from their clouds; per-IP rate limits and the managed rules guard the public routes instead.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution answers on its *.cloudfront.net name, whose default certificate CloudFront serves with ' +
          'its own security policy (TLS 1.2+ is negotiated by every current client; the minimum is settable only ' +
          'with a custom domain and ACM certificate, which docs/operations.md, Edge, describes).',
      },
    );
    if (props.consoleAssetsDir !== undefined) this.deployConsole(props.consoleAssetsDir, props.consoleConfig);
  }

  private createLogBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'LogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are delivered with an ACL grant: the bucket must accept ACLs (owner preferred).
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "This bucket is itself the log destination (CloudFront standard logs, the console bucket's access logs); " +
        'logging its own log deliveries would add nothing.',
    });
    return bucket;
  }

  /** The console's security headers: CloudFront's managed set, with the console's own CSP. */
  private consoleHeaders(origins: readonly string[]): cloudfront.IResponseHeadersPolicy {
    return new cloudfront.ResponseHeadersPolicy(this, 'ConsoleHeaders', {
      comment: 'stablefee console: strict CSP, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleCsp(origins), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });
  }

  private createDistribution(props: ApiEdgeProps, logBucket: s3.IBucket): cloudfront.Distribution {
    const { api } = props;
    const apiOrigin = new origins.HttpOrigin(`${api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // Replaces a viewer's header of the same name; the functions refuse a request without it (origin-guard.ts).
      customHeaders: { [EDGE_ORIGIN_HEADER]: this.originHeaderValue() },
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      // Nothing of the API is cached but /v1/health. With caching disabled this policy forwards every viewer header
      // (Authorization included) but Host, which API Gateway's execute-api endpoint must see as its own.
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    const healthCache = new cloudfront.CachePolicy(this, 'HealthCachePolicy', {
      comment: `stablefee GET /v1/health: one answer for everyone, ${HEALTH_CACHE_SECONDS} s`,
      // The handler answers `cache-control: no-store`; the minimum TTL makes the edge keep it anyway.
      minTtl: Duration.seconds(HEALTH_CACHE_SECONDS),
      defaultTtl: Duration.seconds(HEALTH_CACHE_SECONDS),
      maxTtl: Duration.seconds(HEALTH_CACHE_SECONDS),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const consoleIndex = new cloudfront.Function(this, 'ConsoleIndexFunction', {
      code: cloudfront.FunctionCode.fromInline(CONSOLE_INDEX_FUNCTION),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'stablefee console: its routes are its single page',
    });
    return new cloudfront.Distribution(this, 'Distribution', {
      comment: 'stablefee: the API and the console',
      webAclId: this.webAclArn,
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      defaultBehavior: apiBehavior,
      additionalBehaviors: {
        '/v1/health': {
          ...apiBehavior,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: healthCache,
          // Nothing of the viewer's request reaches the origin: the cached answer must not depend on it.
          originRequestPolicy: undefined,
        },
        [CONSOLE_PATH_PATTERN]: {
          origin: origins.S3BucketOrigin.withOriginAccessControl(this.consoleBucket),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: this.consoleHeaders(props.consoleConnectOrigins ?? []),
          functionAssociations: [{ function: consoleIndex, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        },
      },
    });
  }

  /**
   * The origin header's value: a CloudFormation dynamic reference to the secret's `current` (resolved at deploy time;
   * dynamic references to Secrets Manager are allowed in every resource property). CloudFormation resolves it again
   * only when the distribution's template changes, so the `EdgeOriginSecretVersionId` parameter pins the version:
   * giving the version id of a rotated value is the stack update that makes CloudFront send it.
   */
  private originHeaderValue(): string {
    const versionId = new CfnParameter(Stack.of(this), 'EdgeOriginSecretVersionId', {
      type: 'String',
      default: '',
      description:
        'Version id of the edge origin secret whose "current" CloudFront sends to the API; give the new one after ' +
        'rotating it (docs/operations.md, Edge). Empty: the version current at the last distribution update.',
      allowedPattern: SECRET_VERSION_ID_PATTERN,
      constraintDescription: 'must be empty or a Secrets Manager version id',
    }).valueAsString;
    const pinned = new CfnCondition(this, 'OriginSecretVersionPinned', {
      expression: Fn.conditionNot(Fn.conditionEquals(versionId, '')),
    });
    const reference = (id?: string) =>
      SecretValue.secretsManager(this.originSecret.secretArn, {
        jsonField: 'current',
        ...(id ? { versionId: id } : {}),
      }).unsafeUnwrap();
    return Fn.conditionIf(pinned.logicalId, reference(versionId), reference()).toString();
  }

  /** Uploads the built console (prune: files gone from the build go from the bucket) and invalidates its paths. */
  private deployConsole(directory: string, config: ApiEdgeProps['consoleConfig']): void {
    const deployment = new s3deploy.BucketDeployment(this, 'ConsoleDeployment', {
      // The build carries no config.json in the cloud: it is written here, with the stack's sign-in values.
      sources: [s3deploy.Source.asset(directory), ...(config ? [s3deploy.Source.jsonData('config.json', config)] : [])],
      destinationBucket: this.consoleBucket,
      destinationKeyPrefix: CONSOLE_KEY_PREFIX,
      distribution: this.distribution,
      distributionPaths: [CONSOLE_PATH_PATTERN],
      prune: true,
    });
    // CDK's deployment function is a stack-level singleton (not under this construct): its findings (cdk-nag matches
    // each finding's full id) are acknowledged on it.
    const singleton = deployment.handlerRole.node.scope;
    if (!singleton) return;
    const stack = Stack.of(this);
    const bucketId = stack.resolve(this.consoleBucket.bucketArn)['Fn::GetAtt'][0] as string;
    const assets = `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>`;
    const wildcards = [
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      `Resource::arn:<AWS::Partition>:s3:::${assets}/*`,
      `Resource::<${bucketId}.Arn>/*`,
      'Resource::*',
    ];
    Validations.of(singleton).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's BucketDeployment function (deploy time only, no request path) logs through " +
          'AWSLambdaBasicExecutionRole; it is CDK-owned and not configurable.',
      },
      ...wildcards.map((finding) => ({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason:
          "CDK's BucketDeployment grants itself read on the CDK assets bucket and object writes/deletes on the " +
          'console bucket (it syncs the whole console/ prefix), plus cloudfront:CreateInvalidation, which has no ' +
          'resource-level permission. Confined to those two buckets; it runs only during a deploy.',
      })),
      {
        id: 'AwsSolutions-L1',
        reason:
          "CDK pins the BucketDeployment function's runtime with the CDK release; upgrading aws-cdk-lib moves it.",
      },
    );
  }
}
