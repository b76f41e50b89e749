/**
 * The order store as the handler uses it when metrics are on: every write is timed, and every
 * change of stage that ends a checkout (completed, failed, abandoned) is counted once, where it
 * happens, whichever route or sweeper made it.
 */
import type { Order, OrderStage, OrderStore } from '../orders/types.js';
import type { Metrics } from './metrics.js';

const FAILED = new Set<OrderStage>(['failed', 'entry_failed', 'exec_failed']);

function outcomeOf(stage: OrderStage | undefined): 'completed' | 'failed' | 'abandoned' | undefined {
  if (stage === 'completed' || stage === 'abandoned') return stage;
  return stage && FAILED.has(stage) ? 'failed' : undefined;
}

/** A failure's reason: GMO-PG's first error code, else its status (CANCEL: the shopper cancelled), else the stage. */
const reasonOf = (o: Pick<Order, 'errorCodes' | 'status' | 'stage'>) => o.errorCodes?.split('|')[0] || o.status || o.stage;

export function instrumentStore(store: OrderStore, metrics: Metrics): OrderStore {
  // record() changes a row without reading it: the kind of orders made or read here is kept (a
  // bounded map, oldest dropped first) so its counts carry their kind.
  const kinds = new Map<string, string>();
  const remember = (orderId: string, kind: string) => {
    kinds.delete(orderId);
    kinds.set(orderId, kind);
    if (kinds.size > 10_000) kinds.delete(kinds.keys().next().value!);
  };
  const timed = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      metrics.storeWrite(op, (performance.now() - started) / 1000);
    }
  };
  const ended = (kind: string, order: Pick<Order, 'errorCodes' | 'status' | 'stage'>) => {
    const outcome = outcomeOf(order.stage);
    if (outcome) metrics.checkout(kind, outcome, outcome === 'completed' ? '' : reasonOf(order));
  };

  return {
    // Reads and the rest go to the store itself (bound: `this` stays the store).
    claimStale: (o) => store.claimStale(o),
    authorizedBefore: (before, limit) => store.authorizedBefore(before, limit),
    get: (orderId) => store.get(orderId),
    list: (o) => store.list(o),
    history: (orderId) => store.history(orderId),
    purge: (o) => timed('purge', () => store.purge(o)),
    close: () => store.close(),
    async create(order, event, options) {
      await timed('create', () => store.create(order, event, options));
      remember(order.orderId, order.kind);
      metrics.checkout(order.kind, 'started');
      ended(order.kind, { stage: order.stage ?? 'created', status: order.status ?? null, errorCodes: order.errorCodes ?? null });
    },
    async update(orderId, decide) {
      let before: OrderStage | undefined;
      const result = await timed('update', () => store.update(orderId, (current) => ((before = current.stage), decide(current))));
      remember(orderId, result.order.kind);
      if (result.changed && result.order.stage !== before) ended(result.order.kind, result.order);
      return result;
    },
    async record(orderId, changes, event, options) {
      const changed = await timed('record', () => store.record(orderId, changes, event, options));
      if (changed && changes.stage && changes.stage !== options?.ifStage) {
        ended(kinds.get(orderId) ?? 'unknown', { stage: changes.stage, status: changes.status ?? null, errorCodes: changes.errorCodes ?? null });
      }
      return changed;
    },
  };
}
