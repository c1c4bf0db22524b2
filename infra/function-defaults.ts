/**
 * Every Lambda function of the service is created here, and only here, so that one place decides how a function is
 * built and run: runtime, architecture, bundle format, tracing, logging, memory, timeout and the baseline
 * environment. The stack (infra/stack.ts) passes what differs per function: the topology spec and its resource
 * environment.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSpec } from './topology';

/** Tag put on every service function (value: the topology name); tests and operators find our functions by it. */
export const FUNCTION_TAG = 'stablefee:function';

/** The service name used by Powertools (logs, metrics, traces). */
export const SERVICE_NAME = 'stablefee';

export const DEFAULT_MEMORY_MB = 256;
export const DEFAULT_TIMEOUT_SECONDS = 10;

/**
 * Defines `require` in the ESM bundle: CommonJS dependencies bundled by esbuild call `require` for Node built-ins,
 * which does not exist in an ES module scope.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __stablefeeCreateRequire } from 'node:module'; const require = __stablefeeCreateRequire(import.meta.url);";

export interface FunctionDefaultsProps {
  /** Repository root: holds `functions/`, `package-lock.json` and `tsconfig.json`. */
  readonly projectRoot: string;
  /** How long function logs are kept. @default one month */
  readonly logRetention?: logs.RetentionDays;
}

/** A created function with the role and log group made for it. */
export interface ServiceFunction {
  readonly spec: FunctionSpec;
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

const pascal = (name: string): string =>
  name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');

/** The one construct holding every function's defaults. */
export class FunctionDefaults extends Construct {
  /** Newest Node.js runtime this aws-cdk-lib knows (cdk-nag AwsSolutions-L1 requires the latest). */
  static readonly RUNTIME = lambda.Runtime.NODEJS_24_X;
  static readonly ARCHITECTURE = lambda.Architecture.ARM_64;

  readonly functions: ServiceFunction[] = [];
  private readonly projectRoot: string;
  private readonly logRetention: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: FunctionDefaultsProps) {
    super(scope, id);
    this.projectRoot = props.projectRoot;
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
  }

  /**
   * Creates the function for a topology spec: `functions/<name>/handler.ts`, export `handler`. The function gets its
   * own role that starts empty apart from writing to its own log group (no AWSLambdaBasicExecutionRole managed
   * policy); the caller grants exactly what the spec's `access` names.
   */
  create(spec: FunctionSpec, environment: Record<string, string>): ServiceFunction {
    const scope = new Construct(this, pascal(spec.name));

    const logGroup = new logs.LogGroup(scope, 'Logs', {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const role = new iam.Role(scope, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `stablefee ${spec.name} function`,
    });
    // Writing to its log group is also all Powertools Metrics needs: it prints EMF documents to stdout (with its own
    // Console, so the JSON log format does not wrap them) and CloudWatch Logs extracts the metrics. No
    // cloudwatch:PutMetricData is granted, and none must be.
    logGroup.grantWrite(role);
    // Tracing.ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords; X-Ray has no resource-level
    // permissions for these actions, so the only valid resource is "*". A stream trigger adds dynamodb:ListStreams,
    // which likewise only accepts "*".
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only actions without resource-level permissions use "*": xray:PutTraceSegments/PutTelemetryRecords ' +
        '(active tracing) and, for stream consumers, dynamodb:ListStreams. Every other statement names its resource.',
    });

    const fn = new NodejsFunction(scope, 'Function', {
      entry: path.join(this.projectRoot, 'functions', spec.name, 'handler.ts'),
      handler: 'handler',
      projectRoot: this.projectRoot,
      depsLockFilePath: path.join(this.projectRoot, 'package-lock.json'),
      description: spec.description.slice(0, 256),
      runtime: FunctionDefaults.RUNTIME,
      architecture: FunctionDefaults.ARCHITECTURE,
      memorySize: spec.memoryMb ?? DEFAULT_MEMORY_MB,
      timeout: Duration.seconds(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: spec.reservedConcurrency,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: SERVICE_NAME,
        NODE_OPTIONS: '--enable-source-maps',
        ...environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        banner: ESM_REQUIRE_BANNER,
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK too: the versions pinned in package-lock.json are the ones tested, not the runtime's.
        bundleAwsSDK: true,
        externalModules: [],
        forceDockerBundling: false,
        tsconfig: path.join(this.projectRoot, 'tsconfig.json'),
      },
    });
    Tags.of(fn).add(FUNCTION_TAG, spec.name);

    const created: ServiceFunction = { spec, fn, role, logGroup };
    this.functions.push(created);
    return created;
  }
}
