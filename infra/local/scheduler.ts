/**
 * Runs scheduled functions locally with EventBridge "Scheduled Event" shapes, every `localEverySeconds`.
 * A run never overlaps the previous one of the same function, as a single-concurrency schedule would behave.
 */
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import type { FunctionSpec } from '../topology';
import { invoke } from './lambda';

export interface Schedule {
  /** Runs the function now (tests and `--once` use it); waits for a run already in progress first. */
  runNow(): Promise<void>;
  /** Stops timed runs until `resume` (tests pause the scanner to exercise the webhook path alone). */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

/** Builds the event EventBridge sends for a scheduled rule. */
export function scheduledEvent(fn: FunctionSpec, region: string): EventBridgeEvent<'Scheduled Event', object> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString(),
    region,
    resources: [`arn:aws:events:${region}:000000000000:rule/stablefee-${fn.name}`],
    detail: {},
  };
}

/** Starts running `fn` every `everySeconds`. */
export function startSchedule(options: {
  fn: FunctionSpec;
  everySeconds: number;
  region: string;
  onError?: (error: unknown) => void;
}): Schedule {
  let current: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    current = current.then(async () => {
      if (stopped) return;
      try {
        await invoke(options.fn, scheduledEvent(options.fn, options.region));
      } catch (error) {
        options.onError?.(error);
      }
    });
    return current;
  };
  let busy = false;
  let paused = false;
  const timer = setInterval(() => {
    if (busy || paused) return;
    busy = true;
    run().finally(() => {
      busy = false;
    });
  }, options.everySeconds * 1000);
  return {
    runNow: run,
    async pause() {
      paused = true;
      await current;
    },
    resume() {
      paused = false;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
