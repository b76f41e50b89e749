/**
 * Data retention: orders and their history grow with every checkout. `purgeOrders` removes, in
 * batches, the history of settled orders older than a cut-off (each keeps its last event), or with
 * `orders` the orders themselves; `archive` receives every batch before it is removed (the CLI
 * writes them to a JSON Lines file). Authorizations, recurring consents and orders another order
 * points to are kept whatever their age. Run it from cron: `amazon-pay-v2 orders purge --older-than 400`.
 */
import type { Order, OrderEvent, OrderStore } from './orders/types.js';

export interface PurgeOrdersOptions {
  /** Settled orders last changed more than this many days ago. At least 1. */
  olderThanDays: number;
  /** Remove the orders themselves, not only their history. */
  orders?: boolean;
  /** Receives each batch before it is committed; a throw keeps the batch. */
  archive?(removed: { orders: Order[]; events: OrderEvent[] }): Promise<void> | void;
  /** After each batch: what has been removed so far. */
  onProgress?(done: { orders: number; events: number }): void;
  batchSize?: number;
}

export async function purgeOrders(store: OrderStore, options: PurgeOrdersOptions): Promise<{ orders: number; events: number; batches: number }> {
  const days = options.olderThanDays;
  if (!Number.isFinite(days) || days < 1) throw new RangeError(`olderThanDays ${days}: give a number of days, 1 or more`);
  const before = new Date(Date.now() - days * 24 * 3600_000);
  const total = { orders: 0, events: 0, batches: 0 };
  let after: string | undefined = '';
  while (after !== undefined) {
    const batch = await store.purge({ before, orders: options.orders, after, limit: options.batchSize, archive: options.archive });
    total.orders += batch.orders.length;
    total.events += batch.events.length;
    total.batches++;
    options.onProgress?.({ orders: total.orders, events: total.events });
    after = batch.next;
  }
  return total;
}
