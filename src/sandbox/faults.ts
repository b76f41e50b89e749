/**
 * Failure injection: tests and the demo switch these on to see how the merchant side copes.
 * Each fault fires a given number of times, then disappears.
 */
export interface Faults {
  /** The next `times` calls of `api` answer these ErrInfo codes (several = several pairs). */
  failNext(api: string, errInfo: string | string[], times?: number): void;
  /** The next `times` calls of `api` wait `ms` before they are handled. */
  delayNext(api: string, ms: number, times?: number): void;
  /** The next `times` calls of `api` are handled at once, and their answer is held `ms` (slow on the way back: the caller may time out after GMO-PG acted). */
  holdAnswerNext(api: string, ms: number, times?: number): void;
  /**
   * The next `times` calls of `api` get their connection closed without an answer; with `processed`,
   * after GMO-PG acted on them (the nastiest case: the payment happened, the caller cannot know).
   */
  cutNext(api: string, options?: { processed?: boolean; times?: number }): void;
  /** The next `times` payments at the stand-in Amazon page are declined. */
  declineNext(times?: number): void;
  /** The next `times` result-notification attempts are never sent (as if lost on the way). */
  dropNotifications(times?: number): void;
  /**
   * The next `times` Buy Now payments need the buyer to authenticate at Amazon first (MFA):
   * ExecTranAmazonpay answers REQSUCCESS, and the payment completes with `sandbox.authenticate()`.
   * Inferred: no published source shows GMO-PG's answer in this case.
   */
  authenticateNext(times?: number): void;
  clear(): void;
}

export class FaultBox implements Faults {
  private fails: { api: string; errInfo: string[]; times: number }[] = [];
  private delays: { api: string; ms: number; times: number }[] = [];
  private holds: { api: string; ms: number; times: number }[] = [];
  private cuts: { api: string; processed: boolean; times: number }[] = [];
  private declines = 0;
  private drops = 0;
  private authentications = 0;

  failNext(api: string, errInfo: string | string[], times = 1) {
    this.fails.push({ api, errInfo: [errInfo].flat(), times });
  }
  delayNext(api: string, ms: number, times = 1) {
    this.delays.push({ api, ms, times });
  }
  holdAnswerNext(api: string, ms: number, times = 1) {
    this.holds.push({ api, ms, times });
  }
  cutNext(api: string, { processed = false, times = 1 }: { processed?: boolean; times?: number } = {}) {
    this.cuts.push({ api, processed, times });
  }
  declineNext(times = 1) {
    this.declines += times;
  }
  dropNotifications(times = 1) {
    this.drops += times;
  }
  authenticateNext(times = 1) {
    this.authentications += times;
  }
  clear() {
    this.fails = [];
    this.delays = [];
    this.holds = [];
    this.cuts = [];
    this.declines = 0;
    this.drops = 0;
    this.authentications = 0;
  }

  /** Consumes a forced failure for `api`, if one is armed. */
  takeFailure(api: string): string[] | undefined {
    return take(this.fails, api)?.errInfo;
  }
  /** Consumes a delay for `api`, if one is armed. */
  takeDelay(api: string): number {
    return take(this.delays, api)?.ms ?? 0;
  }
  /** Consumes a held answer for `api`: how long to hold it. */
  takeHold(api: string): number {
    return take(this.holds, api)?.ms ?? 0;
  }
  /** Consumes a cut for `api`, if one is armed. */
  takeCut(api: string): { processed: boolean } | undefined {
    return take(this.cuts, api);
  }
  takeDecline(): boolean {
    return this.declines > 0 ? (this.declines--, true) : false;
  }
  takeDrop(): boolean {
    return this.drops > 0 ? (this.drops--, true) : false;
  }
  takeAuthentication(): boolean {
    return this.authentications > 0 ? (this.authentications--, true) : false;
  }
}

function take<T extends { api: string; times: number }>(list: T[], api: string): T | undefined {
  const i = list.findIndex((f) => f.api === api);
  if (i < 0) return undefined;
  const fault = list[i];
  if (--fault.times <= 0) list.splice(i, 1);
  return fault;
}

/** A fault request as `POST /__sandbox/faults` takes it, checked. */
export interface FaultRequest {
  failNext?: { api: string; errInfo: string[]; times: number };
  delayNext?: { api: string; ms: number; times: number };
  holdAnswerNext?: { api: string; ms: number; times: number };
  cutNext?: { api: string; processed: boolean; times: number };
  declineNext?: number;
  dropNotifications?: number;
  authenticateNext?: number;
  clear?: boolean;
}

/** Parses and checks a fault request: every value in range, or an error naming the field. */
export function parseFaults(text: string, apis: readonly string[]): { faults: FaultRequest } | { error: { field?: string; message: string } } {
  let input: any;
  try {
    input = JSON.parse(text);
  } catch {
    return { error: { message: 'the body is not JSON' } };
  }
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { error: { message: 'send a JSON object, e.g. {"declineNext":1}' } };
  const count = (value: unknown, field: string, max: number, min = 1) => {
    if (Number.isInteger(value) && (value as number) >= min && (value as number) <= max) return value as number;
    throw new FaultSettingError(field, `${field}: a whole number from ${min} to ${max}`);
  };
  const api = (value: unknown, field: string) => {
    if (typeof value === 'string' && apis.includes(value)) return value;
    throw new FaultSettingError(field, `${field}: one of ${apis.join(', ')}`);
  };
  try {
    const faults: FaultRequest = {};
    const known = ['failNext', 'delayNext', 'holdAnswerNext', 'cutNext', 'declineNext', 'dropNotifications', 'authenticateNext', 'clear'];
    const unknown = Object.keys(input).filter((k) => !known.includes(k));
    if (unknown.length) throw new FaultSettingError(unknown[0], `${unknown[0]}: not a fault; use ${known.join(', ')}`);
    if (input.failNext !== undefined) {
      const f = input.failNext ?? {};
      const codes = [f.errInfo].flat();
      if (!codes.length || codes.some((code) => typeof code !== 'string' || !/^[A-Z0-9]{9}$/.test(code))) {
        throw new FaultSettingError('failNext.errInfo', 'failNext.errInfo: a GMO-PG code such as "E01040010", or a list of them');
      }
      faults.failNext = { api: api(f.api, 'failNext.api'), errInfo: codes, times: f.times === undefined ? 1 : count(f.times, 'failNext.times', 1000) };
    }
    if (input.delayNext !== undefined) {
      const d = input.delayNext ?? {};
      faults.delayNext = {
        api: api(d.api, 'delayNext.api'),
        ms: count(d.ms, 'delayNext.ms', 60_000, 0),
        times: d.times === undefined ? 1 : count(d.times, 'delayNext.times', 1000),
      };
    }
    if (input.holdAnswerNext !== undefined) {
      const d = input.holdAnswerNext ?? {};
      faults.holdAnswerNext = {
        api: api(d.api, 'holdAnswerNext.api'),
        ms: count(d.ms, 'holdAnswerNext.ms', 60_000, 0),
        times: d.times === undefined ? 1 : count(d.times, 'holdAnswerNext.times', 1000),
      };
    }
    if (input.cutNext !== undefined) {
      const d = input.cutNext ?? {};
      if (d.processed !== undefined && typeof d.processed !== 'boolean')
        throw new FaultSettingError('cutNext.processed', 'cutNext.processed: true (GMO-PG acts, then the answer is lost) or false');
      faults.cutNext = {
        api: api(d.api, 'cutNext.api'),
        processed: d.processed === true,
        times: d.times === undefined ? 1 : count(d.times, 'cutNext.times', 1000),
      };
    }
    if (input.declineNext !== undefined) faults.declineNext = count(input.declineNext, 'declineNext', 1000);
    if (input.dropNotifications !== undefined) faults.dropNotifications = count(input.dropNotifications, 'dropNotifications', 1000);
    if (input.authenticateNext !== undefined) faults.authenticateNext = count(input.authenticateNext, 'authenticateNext', 1000);
    if (input.clear !== undefined) faults.clear = input.clear === true;
    return { faults };
  } catch (error) {
    if (!(error instanceof FaultSettingError)) throw error;
    return { error: { field: error.field, message: error.message } };
  }
}

/** A fault setting out of range, naming its field. */
class FaultSettingError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
