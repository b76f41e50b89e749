import type { GmoPgClient } from './client.js';
import type { EventSource, Order, OrderStage, OrderStore } from './orders/types.js';

/** The stage a verified GMO-PG status puts an order in. */
export function stageOf(status: string, current: OrderStage): OrderStage {
  if (['AUTH', 'CAPTURE', 'SALES', 'CANCEL', 'RETURN'].includes(status)) return 'completed';
  if (status === 'PAYFAIL') return 'failed';
  if (status === 'REQSUCCESS' && current === 'entered') return 'started';
  return current;
}

/**
 * Asks GMO-PG (SearchTradeMulti) where an order stands and records it if it differs. Because the
 * answer is the current truth, repeated or reordered notifications can only confirm it: the
 * second of two identical calls changes nothing, and a stale notification cannot roll back.
 */
export async function reconcile(store: OrderStore, gmo: GmoPgClient, orderId: string, source: EventSource): Promise<{ order: Order; changed: boolean } | undefined> {
  const order = await store.get(orderId);
  if (!order?.accessId) return undefined;
  const trade = await gmo.searchTradeMulti({ orderId });
  return store.update(orderId, (current) => {
    if (trade.accessId && trade.accessId !== current.accessId) return null; // not our transaction
    const changes = {
      status: trade.status,
      stage: stageOf(trade.status, current.stage),
      amount: trade.amount,
      tax: trade.tax,
      cancelAmount: trade.amazonPayCancelAmount,
      cancelTax: trade.amazonPayCancelTax,
      chargePermissionId: trade.amazonChargePermissionId || current.chargePermissionId,
    };
    const same = (Object.keys(changes) as (keyof typeof changes)[]).every((k) => changes[k] === current[k]);
    if (same) return null;
    return { changes, event: { source, event: `status ${trade.status} confirmed by SearchTradeMulti` } };
  });
}
