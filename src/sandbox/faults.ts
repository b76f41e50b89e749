/**
 * Failure injection: tests and the demo switch these on to see how the merchant side copes.
 * Each fault fires a given number of times, then disappears.
 */
export interface Faults {
  /** The next `times` calls of `api` answer these ErrInfo codes (several = several pairs). */
  failNext(api: string, errInfo: string | string[], times?: number): void;
  /** The next `times` calls of `api` wait `ms` before answering. */
  delayNext(api: string, ms: number, times?: number): void;
  /** The next `times` payments at the stand-in Amazon page are declined. */
  declineNext(times?: number): void;
  /** The next `times` result-notification attempts are never sent (as if lost on the way). */
  dropNotifications(times?: number): void;
  clear(): void;
}

export class FaultBox implements Faults {
  private fails: { api: string; errInfo: string[]; times: number }[] = [];
  private delays: { api: string; ms: number; times: number }[] = [];
  private declines = 0;
  private drops = 0;

  failNext(api: string, errInfo: string | string[], times = 1) {
    this.fails.push({ api, errInfo: [errInfo].flat(), times });
  }
  delayNext(api: string, ms: number, times = 1) {
    this.delays.push({ api, ms, times });
  }
  declineNext(times = 1) {
    this.declines += times;
  }
  dropNotifications(times = 1) {
    this.drops += times;
  }
  clear() {
    this.fails = [];
    this.delays = [];
    this.declines = 0;
    this.drops = 0;
  }

  /** Consumes a forced failure for `api`, if one is armed. */
  takeFailure(api: string): string[] | undefined {
    return take(this.fails, api)?.errInfo;
  }
  /** Consumes a delay for `api`, if one is armed. */
  takeDelay(api: string): number {
    return take(this.delays, api)?.ms ?? 0;
  }
  takeDecline(): boolean {
    return this.declines > 0 ? (this.declines--, true) : false;
  }
  takeDrop(): boolean {
    return this.drops > 0 ? (this.drops--, true) : false;
  }
}

function take<T extends { api: string; times: number }>(list: T[], api: string): T | undefined {
  const i = list.findIndex((f) => f.api === api);
  if (i < 0) return undefined;
  const fault = list[i];
  if (--fault.times <= 0) list.splice(i, 1);
  return fault;
}
