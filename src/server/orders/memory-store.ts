import { purgeable } from '../payments/lifecycle.js';
import {
  CUTOFF_SLACK_MS,
  type EventInput,
  type ListOptions,
  type NewOrder,
  type Order,
  type OrderChanges,
  type OrderEvent,
  type OrderStage,
  type OrderStore,
  type PurgeBatch,
  type PurgeOptions,
} from './types.js';

/** Orders in memory: for unit tests only. Nothing survives the process; use the SQL store for a shop. */
export class MemoryOrderStore implements OrderStore {
  private orders = new Map<string, Order>();
  private events: OrderEvent[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  async create(input: NewOrder & OrderChanges, event: EventInput): Promise<void> {
    if (this.orders.has(input.orderId)) throw new Error(`order ${input.orderId} exists`);
    const now = new Date().toISOString();
    const order: Order = {
      stage: 'created',
      status: null,
      cancelAmount: 0,
      cancelTax: 0,
      accessId: null,
      accessPass: null,
      checkoutSessionId: null,
      chargePermissionId: null,
      parentOrderId: null,
      frequencyUnit: null,
      frequencyValue: null,
      description: null,
      errorCodes: null,
      shippingAddress: null,
      cart: null,
      createdAt: now,
      updatedAt: now,
      stale: false,
      ...input,
      version: 0,
    };
    this.orders.set(order.orderId, order);
    this.log(order, event);
  }

  update(orderId: string, decide: (current: Order) => { changes: OrderChanges; event: EventInput } | null) {
    // One change at a time, like the row lock of the SQL store.
    const run = this.queue.then(async () => {
      const current = this.orders.get(orderId);
      if (!current) throw new Error(`order ${orderId} not found`);
      const decision = decide({ ...current });
      if (!decision) return { order: { ...current }, changed: false };
      Object.assign(current, decision.changes, { updatedAt: new Date().toISOString(), version: current.version + 1 });
      this.log(current, decision.event);
      return { order: { ...current }, changed: true };
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async record(orderId: string, changes: OrderChanges, event: EventInput, options: { ifStage?: OrderStage; deferred?: boolean } = {}) {
    if (options.ifStage && this.orders.get(orderId)?.stage !== options.ifStage) return false;
    const { changed } = await this.update(orderId, (current) => (!options.ifStage || current.stage === options.ifStage ? { changes, event } : null));
    return changed;
  }

  private leases = new Map<string, number>();

  /** Reads see the writes submitted before them, as the SQL store's do. */
  private settled(): Promise<void> {
    return this.queue.then(
      () => {},
      () => {},
    );
  }

  async claimStale({ stages, before, limit, leaseMs }: { stages: OrderStage[]; before: Date; limit: number; leaseMs: number }) {
    const asked = Date.now();
    await this.settled();
    const now = Date.now();
    // As the SQL store: a change submitted before the claim was asked counts as before it, however long it waited.
    const cutoff = before.getTime() + (now - asked) + CUTOFF_SLACK_MS;
    const claimed = [...this.orders.values()]
      .filter((o) => (stages.includes(o.stage) || o.stale) && Date.parse(o.updatedAt) <= cutoff && (this.leases.get(o.orderId) ?? 0) < now)
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
      .slice(0, limit);
    for (const o of claimed) this.leases.set(o.orderId, now + leaseMs);
    return claimed.map((o) => ({ ...o }));
  }

  async authorizedBefore(before: Date, limit: number) {
    await this.settled();
    return [...this.orders.values()]
      .filter((o) => o.status === 'AUTH')
      .map((o) => ({ ...o, authorizedAt: this.events.find((e) => e.orderId === o.orderId && e.status === 'AUTH')?.at ?? o.updatedAt }))
      .filter((o) => Date.parse(o.authorizedAt) < before.getTime())
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, limit);
  }

  async get(orderId: string) {
    await this.settled();
    const o = this.orders.get(orderId);
    return o && { ...o };
  }
  async list({ limit = 100, offset = 0, stage, kind, parentOrderId, before }: ListOptions = {}) {
    await this.settled();
    let all = [...this.orders.values()].reverse();
    if (before) all = all.slice(all.findIndex((o) => o.orderId === before) + 1);
    const stages = stage === undefined ? undefined : ([] as OrderStage[]).concat(stage);
    return all
      .filter((o) => (!stages || stages.includes(o.stage)) && (!kind || o.kind === kind) && (!parentOrderId || o.parentOrderId === parentOrderId))
      .slice(offset, offset + limit)
      .map((o) => ({ ...o }));
  }
  async purge({ before, orders = false, after = '', limit = 500, archive }: PurgeOptions): Promise<PurgeBatch> {
    await this.settled();
    const victims = [...this.orders.values()]
      .filter((o) => o.orderId > after && purgeable(o) && Date.parse(o.updatedAt) < before.getTime())
      .filter((o) => !orders || (!o.frequencyUnit && ![...this.orders.values()].some((c) => c.parentOrderId === o.orderId)))
      .sort((a, b) => (a.orderId < b.orderId ? -1 : 1))
      .slice(0, limit);
    const ids = new Set(victims.map((o) => o.orderId));
    const last = new Map<string, number>();
    for (const e of this.events) if (ids.has(e.orderId)) last.set(e.orderId, e.id);
    const gone = this.events.filter((e) => ids.has(e.orderId) && (orders || e.id !== last.get(e.orderId)));
    await archive?.({ orders: orders ? victims : [], events: gone });
    this.events = this.events.filter((e) => !gone.includes(e));
    if (orders) for (const id of ids) this.orders.delete(id);
    return { orders: orders ? victims : [], events: gone, next: victims.length === limit ? victims[victims.length - 1].orderId : undefined };
  }
  async history(orderId: string) {
    await this.settled();
    return this.events.filter((e) => e.orderId === orderId);
  }
  async close() {}

  private log(order: Order, e: EventInput) {
    this.events.push({
      id: this.events.length + 1,
      orderId: order.orderId,
      at: new Date().toISOString(),
      source: e.source,
      event: e.event,
      stage: order.stage,
      status: order.status,
      detail: e.detail ?? null,
    });
  }
}
