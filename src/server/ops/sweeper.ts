/**
 * The reconcile sweeper: orders that never settled (the shopper closed the tab at Amazon, RetURL
 * could not be confirmed and the notifications were lost, a GMO-PG call got no answer) are asked
 * of GMO-PG (SearchTradeMulti), and what it says is recorded with the source "reconcile". An order
 * GMO-PG still has unpaid long after its AmazonpayStart token expired is marked abandoned.
 * Call `handler.reconcile()` from cron, or set `reconcileEveryMs`. Orders are claimed with a lease
 * (OrderStore.claimStale), so sweepers in several processes share the work without overlap.
 */
import type { GmoPgClient } from '../client/gmo-pg-client.js';
import type { Logger } from '../telemetry/logger.js';
import type { Order, OrderStore } from '../orders/types.js';
import { confirmOrder } from '../payments/confirm.js';
import { AUTHORIZATION_LIFETIME_MS, isUnpaid, OPEN_STAGES } from '../payments/lifecycle.js';

export interface ReconcileOptions {
  /** Orders last changed longer ago than this are looked at; default 10 minutes. */
  graceMs?: number;
  /**
   * An order GMO-PG still has unpaid (UNPROCESSED, REQSUCCESS) this long after its last change is
   * marked abandoned; default 1 hour (AmazonpayStart tokens live minutes: PaymentTermSec).
   */
  abandonAfterMs?: number;
  /** How long an order this run looked at is left to it (other sweepers skip it; one it could not ask is asked again after it); default 5 minutes. */
  leaseMs?: number;
  /** Most orders looked at in one run; default 500. */
  limit?: number;
  /** GMO-PG calls at once; default 4. */
  concurrency?: number;
  /** Authorizations that expire within this many ms are logged at warn, to capture or cancel; default 3 days. */
  expiryWarningMs?: number;
  /** Called after each order is looked at (a progress bar), with how many are done of how many claimed. */
  onProgress?(done: number, total: number): void;
}

/** What one run did. */
export interface ReconcileSummary {
  checked: number;
  /** Now completed or failed, as GMO-PG has them. */
  settled: number;
  abandoned: number;
  /** Still open at GMO-PG, left for a later run. */
  unchanged: number;
  /** GMO-PG could not be asked (they are looked at again after the lease). */
  errors: number;
  /** Authorizations about to expire (logged at warn). */
  expiring: number;
}

export async function reconcileOrders(store: OrderStore, gmo: GmoPgClient, logger: Logger, options: ReconcileOptions = {}): Promise<ReconcileSummary> {
  const graceMs = options.graceMs ?? 10 * 60_000;
  const abandonAfterMs = options.abandonAfterMs ?? 60 * 60_000;
  const orders = await store.claimStale({
    stages: [...OPEN_STAGES],
    before: new Date(Date.now() - graceMs),
    limit: options.limit ?? 500,
    leaseMs: options.leaseMs ?? 5 * 60_000,
  });
  const summary: ReconcileSummary = { checked: orders.length, settled: 0, abandoned: 0, unchanged: 0, errors: 0, expiring: 0 };
  const queue = [...orders];
  const worker = async () => {
    for (let order = queue.shift(); order; order = queue.shift()) {
      try {
        summary[await settle(order)]++;
      } catch (error) {
        summary.errors++;
        logger.warn('reconcile: GMO-PG could not be asked', { orderId: order.orderId, error: (error as Error).message });
      }
      options.onProgress?.(summary.settled + summary.abandoned + summary.unchanged + summary.errors, orders.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  // Money that expires: Amazon cancels an authorization nobody captured (back-office.ts).
  const soon = await store.authorizedBefore(new Date(Date.now() - AUTHORIZATION_LIFETIME_MS + (options.expiryWarningMs ?? 3 * 24 * 3600_000)), 100);
  for (const o of soon) {
    logger.warn('authorization expires soon: capture or cancel it', {
      orderId: o.orderId,
      amount: o.amount,
      expiresAt: new Date(Date.parse(o.authorizedAt) + AUTHORIZATION_LIFETIME_MS).toISOString(),
    });
  }
  summary.expiring = soon.length;
  if (summary.checked || summary.expiring) logger.info('reconcile: done', { ...summary });
  return summary;

  /**
   * GMO-PG's answer for one order. Only an answer counts: an error (busy, a timeout) throws and the
   * order is asked again after its lease. An order is abandoned only when GMO-PG says it is unpaid,
   * or that it has no transaction at all, long after its last change, and nothing changed it since.
   */
  async function settle(order: Order): Promise<'settled' | 'abandoned' | 'unchanged'> {
    const old = Date.now() - Date.parse(order.updatedAt) > abandonAfterMs;
    const result = await confirmOrder(store, gmo, order.orderId, 'reconcile', { logger });
    if (!result) return 'unchanged'; // removed meanwhile
    const now = result.order;
    if (now.stage === 'completed' || now.stage === 'failed') {
      logger.info('reconcile: order settled', { orderId: order.orderId, stage: now.stage, status: now.status });
      return 'settled';
    }
    if (old && !result.foreign && (result.noTrade || isUnpaid(now.status))) {
      const seen = now.version;
      const { changed } = await store.update(order.orderId, (current) =>
        current.version === seen && OPEN_STAGES.includes(current.stage)
          ? {
              changes: { stage: 'abandoned' },
              event: {
                source: 'reconcile',
                event: `abandoned: still ${result.noTrade ? 'not at GMO-PG' : current.status} after ${Math.round(abandonAfterMs / 60_000)} min`,
              },
            }
          : null,
      );
      if (changed) logger.info('reconcile: order abandoned', { orderId: order.orderId, status: now.status });
      return changed ? 'abandoned' : 'unchanged';
    }
    return 'unchanged';
  }
}
