/**
 * POST /notify: GMO-PG's result notification. Anyone can post here, so the post is only a hint:
 * the endpoint answers `0` at once (GMO-PG waits 15 s at most) and asks GMO-PG itself where the
 * order stands (SearchTradeMulti). Hints for one order are coalesced, so a flood of posts costs
 * GMO-PG a couple of calls, not one each.
 */
import type { Logger } from '../logger.js';
import { reconcile } from '../reconcile.js';
import { parseForm } from '../wire.js';
import { ORDER_ID, type HandlerContext, type Routes } from './context.js';

export function notifyRoute(routes: Routes, ctx: HandlerContext): void {
  const { gmo, store, logger, metrics } = ctx;
  const confirm = (orderId: string) =>
    reconcile(store, gmo, orderId, 'notification').then(
      (result) => {
        if (!result) return logger.warn('notification for an unknown order', { orderId });
        // The lag: from the order's start to now (its confirmation follows the notification within notificationQuietMs).
        metrics.notificationLag((Date.now() - Date.parse(result.order.createdAt)) / 1000);
        logger.info('notification confirmed', { orderId, status: result.order.status, stage: result.order.stage, changed: result.changed });
      },
      (error) => logger.warn('notification not confirmed', { orderId, error: (error as Error).message }),
    );
  const coalescer = new NotificationCoalescer(confirm, ctx.later, logger, ctx.options.notificationQuietMs ?? 1000);

  routes.post('/notify', async (c) => {
    const n = parseForm(Buffer.from(await c.req.arrayBuffer()));
    // E00000000 is GMO-PG's connectivity test: nothing to look up.
    if (n.OrderID && ORDER_ID.test(n.OrderID) && n.ErrInfo !== 'E00000000') coalescer.hint(n.OrderID);
    return c.text('0');
  });
}

/**
 * Per order: one confirmation at a time. Hints that arrive while one runs, or within `quietMs`
 * after it, are answered by one more confirmation once that time has passed.
 */
export class NotificationCoalescer {
  private readonly orders = new Map<string, { next?: { promise: Promise<void>; resolve: () => void } }>();

  constructor(
    private readonly confirm: (orderId: string) => Promise<void>,
    private readonly later: (task: Promise<unknown>) => void,
    private readonly logger: Logger,
    private readonly quietMs: number,
    /** Orders tracked at once; hints beyond are dropped (GMO-PG sends again, and RetURL settles too). */
    private readonly maxOrders = 10_000,
  ) {}

  hint(orderId: string): void {
    const slot = this.orders.get(orderId);
    if (slot) {
      if (!slot.next) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        slot.next = { promise, resolve };
        this.later(promise);
      }
      return;
    }
    if (this.orders.size >= this.maxOrders) return void this.logger.warn('notification dropped: too many orders being confirmed at once', { orderId });
    const fresh = {};
    this.orders.set(orderId, fresh);
    this.run(orderId, fresh);
  }

  private run(orderId: string, slot: { next?: { promise: Promise<void>; resolve: () => void } }, done?: () => void) {
    this.later(
      this.confirm(orderId).then(() => {
        done?.();
        setTimeout(() => {
          const next = slot.next;
          if (!next) return void this.orders.delete(orderId);
          slot.next = undefined;
          this.run(orderId, slot, next.resolve);
        }, this.quietMs).unref();
      }),
    );
  }
}
