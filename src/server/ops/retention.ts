/**
 * Data retention: orders and their history grow with every checkout. `purgeOrders` removes, in
 * batches, the history of settled orders older than a cut-off (each keeps its last event), or with
 * `orders` the orders themselves; `archive` receives every batch before it is removed (the CLI
 * writes them to a JSON Lines file). Authorizations, recurring consents and orders another order
 * points to are kept whatever their age. Run it from cron: `amazon-pay-v2 orders purge --older-than 400`.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { publicOrder, type Order, type OrderEvent, type OrderStore } from '../orders/types.js';

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

/** A JSON Lines file that purge batches are appended to (see {@link jsonLinesArchive}). */
export interface PurgeArchive {
  /** Appends a batch whole and syncs it, or throws having left the file as it was. */
  archive(removed: { orders: Order[]; events: OrderEvent[] }): void;
  close(): void;
}

/**
 * The archive `orders purge --archive FILE` writes: one line per order (without its AccessPass) and
 * per event, appended (created 0600: order data is for the shop's eyes only). A batch is written
 * whole (a short write, as on a nearly full disk, is continued until every byte is down) and synced
 * before purge removes it; when the disk refuses, what was written of the batch is cut off again
 * (no torn last line) and the error stops the purge with nothing of that batch removed.
 */
export function jsonLinesArchive(path: string): PurgeArchive {
  const fd = openSync(path, 'a', 0o600);
  return {
    archive({ orders, events }) {
      const lines = [...orders.map((o) => JSON.stringify({ type: 'order', ...publicOrder(o) })), ...events.map((e) => JSON.stringify({ type: 'event', ...e }))];
      if (!lines.length) return;
      const bytes = Buffer.from(lines.join('\n') + '\n');
      const start = fstatSync(fd).size;
      try {
        for (let done = 0; done < bytes.length;) {
          const n = writeSync(fd, bytes, done, bytes.length - done);
          if (n <= 0) throw new Error('the disk took no more bytes');
          done += n;
        }
        fsyncSync(fd);
      } catch (error) {
        try {
          ftruncateSync(fd, start);
          fsyncSync(fd);
        } catch {
          /* the batch's lines may stay torn at the end; nothing of it is removed either way */
        }
        throw new Error(
          `the archive ${path} could not take the batch (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): the purge stopped, and nothing that is not archived was removed`,
        );
      }
    },
    close: () => closeSync(fd),
  };
}
