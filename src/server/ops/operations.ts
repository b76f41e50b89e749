/**
 * How a back-office operation runs on one order: one at a time per order in this process, GMO-PG's
 * present state first, the lifecycle's rule for it (payments/lifecycle.ts), the call, and its answer
 * recorded over the order as it was before the call (else GMO-PG is asked again).
 */
import { GmoPgError } from '../client/errors.js';
import type { GmoPgClient } from '../client/gmo-pg-client.js';
import { publicOrder, type Order, type OrderStore, type PublicOrder } from '../orders/types.js';
import { confirmOrder, markStale } from '../payments/confirm.js';
import { permission, stageFor, type Operation } from '../payments/lifecycle.js';
import type { Logger } from '../telemetry/logger.js';

/** A back-office request that cannot be done, with the reason (for example the order's state). */
export class BackOfficeError extends Error {
  override name = 'BackOfficeError';
}

export interface OperationParts {
  store: OrderStore;
  gmo: GmoPgClient;
  logger: Logger;
}

/** An order with its GMO-PG transaction. */
export type Transaction = Order & { accessId: string; accessPass: string };

/** One operation per order at a time: five clicks on "capture" make one AmazonpaySales, and the other four find the order captured. */
export class PerOrderQueue {
  private readonly queues = new Map<string, Promise<unknown>>();

  run<T>(orderId: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(orderId) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => {});
    this.queues.set(orderId, tail);
    void tail.then(() => this.queues.get(orderId) === tail && this.queues.delete(orderId));
    return run;
  }
}

/** The order as GMO-PG has it now: the store's copy may be older (a notification not yet confirmed, another process's capture). */
export async function currentTransaction({ store, gmo, logger }: OperationParts, orderId: string): Promise<Transaction> {
  const known = await store.get(orderId);
  if (!known) throw new BackOfficeError(`order ${orderId} not found`);
  const fresh = known.accessId ? await confirmOrder(store, gmo, orderId, 'back office', { logger }) : undefined;
  const order = fresh?.order ?? known;
  if (!order.accessId || !order.accessPass) throw new BackOfficeError(`order ${orderId} is ${order.stage}: it has no GMO-PG transaction to change`);
  return order as Transaction;
}

/** One operation on an order: which one (or how to choose it from the order), its history label, the GMO-PG call, and what its answer changes. */
export interface OperationSpec<T extends { status: string }> {
  op: Operation | ((o: Order) => Operation);
  event: (o: Order) => string;
  call: (o: Transaction) => Promise<T>;
  changes: (r: T) => Partial<Order>;
}

/**
 * Runs an operation (serialised per order by `queue`). Asking for what is already so returns the
 * order as it is; a refusal is recorded with GMO-PG's codes; a call with no answer has GMO-PG asked
 * at once, or the order marked stale for the sweep.
 */
export function operate<T extends { status: string }>(
  parts: OperationParts,
  queue: PerOrderQueue,
  orderId: string,
  spec: OperationSpec<T>,
): Promise<PublicOrder> {
  const { store, gmo, logger } = parts;
  return queue.run(orderId, async () => {
    const o = await currentTransaction(parts, orderId);
    const name = typeof spec.op === 'function' ? spec.op(o) : spec.op;
    const allowed = permission(name, o);
    if (!allowed.allowed) {
      if (allowed.already) {
        logger.info(`${name} not sent: ${allowed.reason}`, { orderId, status: o.status });
        return publicOrder(o);
      }
      throw new BackOfficeError(`order ${orderId} cannot be ${PAST[name]}: ${allowed.reason}`);
    }
    const label = spec.event(o);
    let result: T;
    try {
      result = await spec.call(o);
    } catch (error) {
      if (error instanceof GmoPgError) {
        await store.update(orderId, () => ({
          changes: { errorCodes: error.codes.join('|') },
          event: { source: 'back office', event: `${label} refused`, detail: { codes: error.codes } },
        }));
      } else {
        // No answer: the call may have gone through. GMO-PG is asked now, or else by the sweep.
        await confirmOrder(store, gmo, orderId, 'back office', { logger }).catch(() =>
          markStale(store, orderId, 'back office', `${label} got no answer`, logger),
        );
      }
      logger.warn(`${label} failed`, { orderId, error: (error as Error).message });
      throw error;
    }
    let stale = false;
    const { order } = await store.update(orderId, (now) => {
      if (now.version !== o.version) return (void (stale = true), null);
      return {
        changes: { ...spec.changes(result), status: result.status, stage: stageFor(result.status, now.stage), errorCodes: null },
        event: { source: 'back office', event: label, detail: { status: result.status } },
      };
    });
    logger.info(`${label} done`, { orderId, status: result.status });
    if (!stale) return publicOrder(order);
    // Something recorded a change while the call was on the wire: GMO-PG's present answer, not this one, is written.
    try {
      const fresh = await confirmOrder(store, gmo, orderId, 'back office', { logger });
      return publicOrder(fresh?.order ?? order);
    } catch {
      await markStale(store, orderId, 'back office', `${label} done, not recorded over a newer change`, logger);
      return publicOrder(order);
    }
  });
}

const PAST: Record<Operation, string> = { capture: 'captured', cancel: 'cancelled', refund: 'refunded', change: 'changed' };
