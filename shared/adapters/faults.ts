/**
 * Fault injection for the fault-tolerance tests, off in production: only when `STAGE=local` and `FAULTS` names a
 * step (`reconcile:after-commit`, comma-separated) does the hook throw there, once per listed occurrence count
 * (`reconcile:after-commit*2`). The tests drive it through the environment of the process that runs the handler.
 */
import { stage } from './config';

const remaining = new Map<string, number>();

function load(): void {
  for (const spec of (process.env.FAULTS ?? '').split(',').filter(Boolean)) {
    const [step, count] = spec.split('*');
    if (step) remaining.set(step, Number(count ?? 1));
  }
}

/** A hook for `component`; a no-op unless faults are configured on a local stage. */
export function faultHook(component: string): ((step: string) => void) | undefined {
  if (stage !== 'local' || !process.env.FAULTS) return undefined;
  if (remaining.size === 0) load();
  return (step) => {
    const key = `${component}:${step}`;
    const left = remaining.get(key) ?? 0;
    if (left > 0) {
      remaining.set(key, left - 1);
      throw new Error(`injected fault at ${key}`);
    }
  };
}

/** Re-reads `FAULTS` (tests change it between runs). */
export function resetFaults(): void {
  remaining.clear();
  load();
}
