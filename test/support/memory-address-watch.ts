/** In-memory AddressWatchRequests (shared/ports.ts): records each request; can be told to fail. */
import type { AddressWatchRequests, WatchedDeposit } from '../../shared/ports';

export class MemoryAddressWatch implements AddressWatchRequests {
  readonly requests: { action: 'watch' | 'unwatch'; deposits: WatchedDeposit[] }[] = [];
  /** When set, every request rejects with this error (and is not recorded). */
  failWith?: Error;

  async watch(deposits: readonly WatchedDeposit[]): Promise<void> {
    this.record('watch', deposits);
  }

  async unwatch(deposits: readonly WatchedDeposit[]): Promise<void> {
    this.record('unwatch', deposits);
  }

  private record(action: 'watch' | 'unwatch', deposits: readonly WatchedDeposit[]): void {
    if (this.failWith) throw this.failWith;
    this.requests.push({ action, deposits: [...deposits] });
  }
}
