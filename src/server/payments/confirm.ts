/**
 * GMO-PG's truth, recorded: where an order stands is asked of GMO-PG itself (SearchTradeMulti) and
 * written into the order only if nothing changed the order while GMO-PG was being asked. A question
 * asked before another write (a RetURL that landed while the sweeper's answer was on its way, a
 * capture done while a notification was being confirmed) is asked again, never written over the
 * newer state: GMO-PG's present answer wins over a stale read, always.
 */
import type { GmoPgClient, TradeResult } from '../client/gmo-pg-client.js';
import type { Logger } from '../telemetry/logger.js';
import type { EventSource, Order, OrderChanges, OrderStore } from '../orders/types.js';
import { isPaid, saysNoSuchTrade, stageFor } from './lifecycle.js';

/** What asking GMO-PG found. */
export interface Confirmation {
  /** The order as it is now (changed or not). */
  order: Order;
  /** Whether this confirmation changed it. */
  changed: boolean;
  /** GMO-PG's answer; none when GMO-PG has no transaction under the OrderID (`noTrade`). */
  trade?: TradeResult;
  /** GMO-PG answered that it has no transaction for this OrderID (only for an order that never got an AccessID). */
  noTrade?: boolean;
  /** GMO-PG holds another transaction under this OrderID than the order's: nothing was written. */
  foreign?: boolean;
}

/** How many times an answer that came back stale is asked again before the newer write is left to stand. */
const MAX_ASKS = 3;

/**
 * Asks GMO-PG about `orderId` and records what it says (see the module comment). Undefined when the
 * order does not exist. `errorCodes`: GMO-PG-shaped codes a caller saw (RetURL's ErrInfo), kept on an
 * order that is not paid. Throws what the GMO-PG client throws, except GMO-PG's "no such trade" for
 * an order that never got an AccessID (then `noTrade`).
 */
export async function confirmOrder(
  store: OrderStore,
  gmo: GmoPgClient,
  orderId: string,
  source: EventSource,
  options: { errorCodes?: string; logger?: Logger } = {},
): Promise<Confirmation | undefined> {
  for (let ask = 1; ; ask++) {
    const seen = await store.get(orderId);
    if (!seen) return undefined;
    let trade: TradeResult;
    try {
      trade = await gmo.searchTradeMulti({ orderId });
    } catch (error) {
      // An order GMO-PG never gave an AccessID may have no transaction there at all (EntryTran
      // never arrived); for one that has an AccessID, "no such trade" is a fault, not an answer.
      if (!seen.accessId && saysNoSuchTrade(error)) return { order: seen, changed: false, noTrade: true };
      throw error;
    }
    if (seen.accessId && trade.accessId && trade.accessId !== seen.accessId) {
      options.logger?.warn('GMO-PG holds another transaction for this OrderID: not recorded', { orderId });
      return { order: seen, changed: false, trade, foreign: true };
    }
    let stale = false;
    const { order, changed } = await store.update(orderId, (current) => {
      if (current.version !== seen.version) return (void (stale = true), null);
      const changes = truthOf(trade, current, options.errorCodes);
      if ((Object.keys(changes) as (keyof OrderChanges)[]).every((k) => changes[k] === current[k])) return null;
      return { changes, event: { source, event: eventOf(source, trade.status) } };
    });
    if (!stale) return { order, changed, trade };
    if (ask >= MAX_ASKS) {
      // Changed under every answer: the writes that won are newer than anything asked here.
      options.logger?.warn('GMO-PG answer dropped: the order kept changing while GMO-PG was asked', { orderId, asks: ask });
      return { order, changed: false, trade };
    }
  }
}

/** How the history tells of GMO-PG's answer. */
const eventOf = (source: EventSource, status: string) =>
  source === 'RetURL' && isPaid(status) ? `payment completed (CheckString verified, ${status} confirmed)` : `status ${status} confirmed by SearchTradeMulti`;

/** The order's fields as GMO-PG has them. */
function truthOf(trade: TradeResult, current: Order, errorCodes: string | undefined): OrderChanges {
  const paid = isPaid(trade.status);
  return {
    status: trade.status,
    stage: stageFor(trade.status, current.stage),
    amount: trade.amount,
    tax: trade.tax,
    cancelAmount: trade.amazonPayCancelAmount,
    cancelTax: trade.amazonPayCancelTax,
    chargePermissionId: trade.amazonChargePermissionId || current.chargePermissionId,
    // An order whose EntryTran got no answer learns its transaction here: the OrderID is ours.
    accessId: current.accessId ?? (trade.accessId || null),
    accessPass: current.accessPass ?? (trade.accessPass || null),
    errorCodes: paid ? null : (errorCodes ?? current.errorCodes),
    stale: false,
  };
}

/**
 * Remembers that GMO-PG may have moved on from what the order says (a confirmation that got no
 * answer, a call whose outcome is unknown): the sweeper asks GMO-PG about it again, whatever its
 * stage. GMO-PG answers its notifications' `0` once, so this is what keeps a lost confirmation from
 * being lost for good. Best effort: a store that cannot take it is logged.
 */
export async function markStale(store: OrderStore, orderId: string, source: EventSource, why: string, logger?: Logger): Promise<void> {
  try {
    await store.update(orderId, (current) =>
      current.stale ? null : { changes: { stale: true }, event: { source, event: `${why}: GMO-PG is asked again by the sweep` } },
    );
  } catch (error) {
    logger?.error('order not marked for the sweep', { orderId, why, error: (error as Error).message });
  }
}

/**
 * One confirmation per order at a time, shared by everyone who asks meanwhile: a flood of
 * notifications or of replayed RetURL posts for one order costs GMO-PG a couple of questions, not
 * one each. A caller gets a confirmation that started (asked GMO-PG) no earlier than its own call,
 * so an answer asked before a payment completed is never handed to the RetURL of that payment.
 * Consecutive confirmations of one order are `quietMs` apart.
 */
export class ConfirmQueue<T> {
  private readonly slots = new Map<string, Slot<T>>();

  constructor(
    private readonly confirm: (orderId: string) => Promise<T>,
    private readonly options: {
      quietMs: number;
      /** Told of every confirmation run (tracked work: `idle()` waits for it). */
      later(task: Promise<unknown>): void;
      /** Orders tracked at once; beyond, a caller is refused (`undefined`): GMO-PG sends again, and the sweep settles too. */
      maxOrders?: number;
    },
  ) {}

  /** A confirmation of `orderId` that starts no earlier than now; undefined when too many orders are being confirmed. */
  ask(orderId: string): Promise<T> | undefined {
    const since = performance.now();
    let slot = this.slots.get(orderId);
    if (!slot) {
      if (this.slots.size >= (this.options.maxOrders ?? 10_000)) return undefined;
      this.slots.set(orderId, (slot = {}));
    }
    if (slot.running && slot.running.startedAt >= since) return slot.running.promise;
    if (slot.last && slot.last.startedAt >= since) return slot.last.promise;
    if (slot.queued) return slot.queued.promise;
    let resolve!: (v: T | PromiseLike<T>) => void;
    const promise = new Promise<T>((r) => (resolve = r));
    slot.queued = { promise, resolve };
    this.options.later(promise.catch(() => {}));
    if (!slot.running) this.schedule(orderId, slot);
    return promise;
  }

  private schedule(orderId: string, slot: Slot<T>) {
    const wait = slot.last ? Math.max(0, slot.last.endedAt + this.options.quietMs - performance.now()) : 0;
    const start = () => {
      const queued = slot.queued;
      if (!queued) return;
      slot.queued = undefined;
      const startedAt = performance.now();
      const promise = this.confirm(orderId);
      slot.running = { promise, startedAt };
      queued.resolve(promise);
      const done = () => {
        slot.running = undefined;
        slot.last = { promise, startedAt, endedAt: performance.now() };
        if (slot.queued) return this.schedule(orderId, slot);
        // Forgotten once quiet: an idle order costs nothing.
        setTimeout(() => !slot.running && !slot.queued && this.slots.get(orderId) === slot && this.slots.delete(orderId), this.options.quietMs).unref();
      };
      promise.then(done, done);
    };
    if (wait)
      setTimeout(start, wait); // not unref(): queued work keeps the process until it is done
    else start();
  }
}

interface Slot<T> {
  running?: { promise: Promise<T>; startedAt: number };
  queued?: { promise: Promise<T>; resolve: (v: T | PromiseLike<T>) => void };
  last?: { promise: Promise<T>; startedAt: number; endedAt: number };
}
