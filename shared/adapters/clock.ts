/**
 * The clock handlers give their use cases. It is the real time everywhere except in the local runtime, where an
 * end-to-end test may move it (`setLocalClock`) to see what happens on another day — an invoice on 31 December and
 * on 1 January, a fee scheduled for later — without waiting. The shift lives on `globalThis`, so a test and the
 * in-process handlers share it whatever their module instances; outside the local stage it is never read.
 */

const SHIFT = Symbol.for('stablefee.localClockShiftMs');

type ShiftHolder = { [SHIFT]?: number };

function isLocal(): boolean {
  return process.env.STAGE === 'local';
}

/** Now, as the service sees it: the real time, shifted only in the local runtime when a test set it. */
export function serviceNow(): Date {
  const shift = isLocal() ? ((globalThis as ShiftHolder)[SHIFT] ?? 0) : 0;
  return new Date(Date.now() + shift);
}

/**
 * Local runtime only: makes {@link serviceNow} read `at` (then move on with real time), or the real time again
 * when `at` is undefined.
 * @throws Error outside the local stage.
 */
export function setLocalClock(at: Date | undefined): void {
  if (!isLocal()) throw new Error('the service clock can be moved only in the local runtime');
  (globalThis as ShiftHolder)[SHIFT] = at ? at.getTime() - Date.now() : 0;
}
