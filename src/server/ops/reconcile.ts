import type { GmoPgClient } from '../client/gmo-pg-client.js';
import type { EventSource, Order, OrderStore } from '../orders/types.js';
import { confirmOrder } from '../payments/confirm.js';

/**
 * Asks GMO-PG (SearchTradeMulti) where an order stands and records it if it differs; undefined when
 * the order is unknown, or GMO-PG has no transaction for it. The answer is written only over the
 * order as it was when GMO-PG was asked: a stale answer is asked again, never written over a newer
 * change (payments/confirm.ts), so repeated or reordered notifications can only confirm the truth.
 */
export async function reconcile(
  store: OrderStore,
  gmo: GmoPgClient,
  orderId: string,
  source: EventSource,
): Promise<{ order: Order; changed: boolean } | undefined> {
  const result = await confirmOrder(store, gmo, orderId, source);
  return result && !result.noTrade ? { order: result.order, changed: result.changed } : undefined;
}
