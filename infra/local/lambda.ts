/**
 * Loads a topology function's handler in-process and invokes it with a Lambda-shaped context, the way the
 * Lambda runtime would. Modules are imported once, so module-scope clients and config behave as in a warm
 * container.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../topology';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// biome-ignore lint/suspicious/noExplicitAny: handlers take events of many shapes
export type AnyHandler = (event: any, context: Context) => Promise<any>;

const loaded = new Map<string, Promise<AnyHandler>>();

/** The handler module of a function, imported once. */
export function loadHandler(spec: Pick<FunctionSpec, 'name'>): Promise<AnyHandler> {
  let handler = loaded.get(spec.name);
  if (!handler) {
    const file = pathToFileURL(join(root, 'functions', spec.name, 'handler.ts')).href;
    handler = import(file).then((module: { handler?: AnyHandler }) => {
      if (typeof module.handler !== 'function') throw new Error(`functions/${spec.name}/handler.ts exports no handler`);
      return module.handler;
    });
    loaded.set(spec.name, handler);
  }
  return handler;
}

/** Invokes a function's handler with `event` and a fresh context. */
export async function invoke(spec: FunctionSpec, event: unknown): Promise<unknown> {
  const handler = await loadHandler(spec);
  return handler(event, lambdaContext(spec));
}

function lambdaContext(spec: FunctionSpec): Context {
  const timeoutMs = (spec.timeoutSeconds ?? 10) * 1000;
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `stablefee-${spec.name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:stablefee-${spec.name}`,
    memoryLimitInMB: String(spec.memoryMb ?? 256),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/stablefee-${spec.name}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
