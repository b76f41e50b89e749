import { writeBatch, type WriteOp } from './batched-writes.js';
import type { FolderLock } from './folder-lock.js';
import type { OrderJournal } from './journal.js';
import { COLUMNS, iso, migrateSchema, param, sameStages, toEvent, toOrder } from './schema.js';
import { StoreUnavailableError, type Query, type Sql } from './sql.js';
import { AUTHORIZED, OPEN_STAGES, PURGEABLE_SQL, sqlIn, SWEEP_SQL } from '../payments/lifecycle.js';
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
import { WriteBatch } from './write-batch.js';

/**
 * How long a deferred write (an order already in the journal, a "started" mark) may wait to be
 * written with others: the longer, the bigger and cheaper the batch. Reads never wait for it:
 * they send it at once.
 */
const DEFERRED_MS = 200;
/**
 * The most deferred writes in one statement. Rows travel as one JSON parameter, so a big batch
 * costs no planning; what matters is that an order and its 'started' mark, which arrive a few
 * milliseconds apart, land in the same batch and are written as one row (see writeBatch).
 */
const DEFERRED_MAX_OPS = 2000;

/** Orders in Postgres or PGlite. Open it with `openOrderStore`. */
export class SqlOrderStore implements OrderStore {
  // create and record are the checkout's writes: batched (group commit), each order row with its
  // event in one statement. Deferred writes (journaled orders, bookkeeping nobody waits for)
  // gather for up to DEFERRED_MS first. Reads and updates wait for every write submitted before them.
  private readonly writes: WriteBatch<WriteOp, boolean>;
  private readonly deferred: WriteBatch<WriteOp, boolean>;
  private readonly journal?: OrderJournal;
  private readonly lock?: FolderLock;
  private closed = false;
  /** Set when another process took the PGlite folder over (folder-lock.ts): every write is refused from then on. */
  private lost?: Error;

  /**
   * @param options.journal where new orders are made durable first (see journal.ts); PGlite only
   * @param options.lock the PGlite folder's lock, released on close
   */
  constructor(
    readonly sql: Sql,
    options: { journal?: OrderJournal; lock?: FolderLock } = {},
  ) {
    this.writes = new WriteBatch((ops) => writeBatch(sql, ops), { parallel: sql.parallel });
    this.deferred = new WriteBatch((ops) => writeBatch(sql, ops), { delayMs: DEFERRED_MS, maxOps: DEFERRED_MAX_OPS });
    this.journal = options.journal;
    this.lock = options.lock;
  }

  /** Refuses every write from now on: the folder's lock was taken over by another process. */
  lockLost(error: Error): void {
    this.lost = error;
    console.error(`[amazon-pay-v2] ${error.message}`);
  }

  private writable() {
    if (this.lost) throw new StoreUnavailableError(this.lost.message);
  }

  /** Deferred writes not yet in the database: with a journal, orders that are only in the journal. */
  backlog(): number {
    return this.deferred.backlog;
  }

  private async settled() {
    await Promise.all([this.deferred.settled(), this.writes.settled()]);
  }

  /** Applies the migrations not applied yet (schema.ts). */
  migrate(): Promise<number> {
    return migrateSchema(this.sql);
  }

  async create(input: NewOrder & OrderChanges, event: EventInput, options: { journal?: boolean } = {}): Promise<void> {
    this.writable();
    const fields = { stage: 'created', ...input };
    if (!options.journal || !this.journal) {
      await this.writes.submit({ kind: 'create', fields, event });
      return;
    }
    this.journal.append({ fields, event }); // durable from here
    this.apply({ kind: 'create', fields, event, journaled: true });
  }

  /** Writes a journaled order to the database with the deferred writes, until it is there. */
  private apply(op: Extract<WriteOp, { kind: 'create' }>, attempt = 0) {
    this.deferred.submit(op).then(
      () => this.journal!.applied(1),
      (error: Error) => {
        if (this.closed) return; // still in the journal: the next open applies it
        if (permanent(error)) {
          // The database refuses this row for what it holds: trying again would never end, and the
          // journal would keep growing. It is kept for a person instead.
          this.journal!.setAside(JSON.stringify({ fields: op.fields, event: op.event }), `the database refused it: ${error.message}`);
          return this.journal!.applied(1);
        }
        console.error(`[amazon-pay-v2] order ${String(op.fields.orderId)} is in the journal but not yet in the database (${error.message}); trying again`);
        setTimeout(() => this.apply(op, attempt + 1), Math.min(30_000, 500 * 2 ** attempt)).unref();
      },
    );
  }

  /**
   * Applies what a previous process left in the journal, before anything else is written. A line
   * that is not an order, or that the database refuses, is set aside (journal.ts) and the start
   * goes on: one bad line must not keep the shop closed.
   */
  async replayJournal(): Promise<number> {
    const journal = this.journal;
    if (!journal?.leftover.length) return 0;
    const results = await Promise.all(
      journal.leftover.map(async ({ line, entry }) => {
        const problem = journalEntryProblem(entry);
        if (problem) return (journal.setAside(line, problem), 0);
        const { fields, event } = entry as { fields: Record<string, unknown>; event: EventInput };
        try {
          await this.writes.submit({ kind: 'create', fields, event, journaled: true });
          return 1;
        } catch (error) {
          journal.setAside(line, `the database refused it: ${(error as Error).message}`);
          return 0;
        }
      }),
    );
    journal.applied(journal.leftover.length);
    return results.reduce<number>((a, b) => a + b, 0);
  }

  async record(orderId: string, changes: OrderChanges, event: EventInput, options: { ifStage?: OrderStage; deferred?: boolean } = {}): Promise<boolean> {
    this.writable();
    const op = { kind: 'record', orderId, changes: changes as Record<string, unknown>, event, ifStage: options.ifStage } as const;
    if (options.deferred) return this.deferred.submit(op);
    // The order may be a journaled one still on its way to the database: then this write goes
    // after it, in the same queue, sent at once.
    if (!this.deferred.busy) return this.writes.submit(op);
    const written = this.deferred.submit(op);
    this.deferred.flush();
    return written;
  }

  async update(orderId: string, decide: (current: Order) => { changes: OrderChanges; event: EventInput } | null) {
    this.writable();
    await this.settled();
    return this.sql.transaction(async (q) => {
      const [row] = await q('select * from amazon_pay_orders where order_id = $1 for update', [orderId]);
      if (!row) throw new Error(`order ${orderId} not found`);
      const current = toOrder(row);
      const decision = decide(current);
      if (!decision) return { order: current, changed: false };
      const keys = Object.keys(decision.changes).filter((k) => (decision.changes as Record<string, unknown>)[k] !== undefined);
      const [updated] = await q(
        `update amazon_pay_orders set ${keys.map((k, i) => `${COLUMNS[k]} = $${i + 2}`).join(', ')}${keys.length ? ', ' : ''}version = version + 1, updated_at = clock_timestamp()
         where order_id = $1 returning *`,
        [orderId, ...keys.map((k) => param(k, (decision.changes as Record<string, unknown>)[k]))],
      );
      const order = toOrder(updated);
      await this.log(q, order, decision.event);
      return { order, changed: true };
    });
  }

  async claimStale({ stages, before, limit, leaseMs }: { stages: OrderStage[]; before: Date; limit: number; leaseMs: number }): Promise<Order[]> {
    const asked = Date.now();
    await this.settled();
    // A deferred write submitted before this claim was asked gets its updated_at only when it lands
    // (up to DEFERRED_MS later, during settled()): the cutoff moves by that wait, so that such an order
    // is not taken for one changed after `before` (a sweep with no grace would skip it). Plus CUTOFF_SLACK_MS:
    // the database keeps microseconds, the cutoff milliseconds, and `before` is taken a moment before the claim is asked.
    const cutoff = new Date(before.getTime() + (Date.now() - asked) + CUTOFF_SLACK_MS);
    // One statement: the rows are locked while their lease is set, and rows another sweeper holds
    // locked are skipped, so two sweepers never claim the same order.
    // The stages are written into the statement (from the fixed set of names only), so that the
    // planner can use the partial index of unsettled orders: with a parameter it cannot know the
    // list matches the index's condition, and scans every order (seconds at a million). The open
    // stages with the stale orders are that index's very condition (lifecycle.ts SWEEP_SQL).
    const rows = await this.sql.query(
      `update amazon_pay_orders set reconcile_lease = clock_timestamp() + ($3::integer * interval '1 millisecond')
       where order_id in (
         select order_id from amazon_pay_orders
         where ${sameStages(stages, OPEN_STAGES) ? SWEEP_SQL : `(${sqlIn('stage', stages)} or stale)`} and updated_at < $1::timestamptz and (reconcile_lease is null or reconcile_lease < clock_timestamp())
         order by updated_at limit $2 for update skip locked)
       returning *`,
      [cutoff.toISOString(), limit, leaseMs],
    );
    return rows.map(toOrder);
  }

  async authorizedBefore(before: Date, limit: number): Promise<(Order & { authorizedAt: string })[]> {
    await this.settled();
    // When it was authorized: the first event that recorded AUTH (each order's events are its key's prefix).
    // An order is authorized minutes after it is created (the AmazonpayStart token's life), so
    // the oldest created come first: walked along the partial index of authorizations, the
    // history is read for `limit` orders, not for every authorization (a sort by authorized_at
    // read all of them: 0.5 s at 80,000, bench/store-scale.mjs).
    const rows = await this.sql.query(
      `select o.*, a.authorized_at from amazon_pay_orders o
       cross join lateral (select min(e.at) as authorized_at from amazon_pay_order_events e where e.order_id = o.order_id and e.status = '${AUTHORIZED}') a
       where o.status = '${AUTHORIZED}' and o.created_at < $1::timestamptz and a.authorized_at < $1::timestamptz
       order by o.created_at limit $2`,
      [before.toISOString(), limit],
    );
    return rows.map((row) => ({ ...toOrder(row), authorizedAt: iso(row.authorized_at) }));
  }

  async get(orderId: string) {
    await this.settled();
    const [row] = await this.sql.query('select * from amazon_pay_orders where order_id = $1', [orderId]);
    return row ? toOrder(row) : undefined;
  }

  async list({ limit = 100, offset = 0, stage, kind, parentOrderId, before }: ListOptions = {}) {
    await this.settled();
    // Newest first along the (created_at, order_id) index. `before` continues a page from its last
    // order (keyset: as fast on page 10,000 as on page 1); `offset` counts rows one by one.
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown) => (params.push(v), `$${params.length}`);
    if (stage) where.push(sqlIn('stage', Array.isArray(stage) ? stage : [stage]));
    if (kind) where.push(`kind = ${param(kind)}`);
    if (parentOrderId) where.push(`parent_order_id = ${param(parentOrderId)}`);
    if (before) {
      where.push(`(created_at, order_id) < (select created_at, order_id from amazon_pay_orders where order_id = ${param(before)})`);
    }
    const rows = await this.sql.query(
      `select * from amazon_pay_orders ${where.length ? `where ${where.join(' and ')}` : ''}
       order by created_at desc, order_id desc limit ${param(limit)} offset ${param(offset)}`,
      params,
    );
    return rows.map(toOrder);
  }

  async purge({ before, orders = false, after = '', limit = 500, archive }: PurgeOptions): Promise<PurgeBatch> {
    this.writable();
    await this.settled();
    return this.sql.transaction(async (q) => {
      // One batch of settled orders last changed before `before`, in OrderID order from `after`
      // (the primary key: each batch starts where the last ended, whatever it deleted). Kept
      // whatever their age: authorizations (their expiry is read from their history), recurring
      // consents (a later 随時決済 needs them) and orders another order points to.
      const victims = await q<{ order_id: string }>(
        `select order_id from amazon_pay_orders o
         where order_id > $1 and ${PURGEABLE_SQL} and updated_at < $2::timestamptz
         ${orders ? `and frequency_unit is null and not exists (select 1 from amazon_pay_orders c where c.parent_order_id = o.order_id)` : ''}
         order by order_id limit $3 for update`,
        [after, before.toISOString(), limit],
      );
      const ids = victims.map((v) => v.order_id);
      const next = ids.length === limit ? ids[ids.length - 1] : undefined;
      if (!ids.length) return { orders: [], events: [], next };
      const list = JSON.stringify(ids);
      // Without `orders`, each order keeps its last event (how it ended); with it, all go.
      const events = await q(
        `delete from amazon_pay_order_events e where e.order_id in (select json_array_elements_text($1::json))
         ${orders ? '' : 'and e.id < (select max(l.id) from amazon_pay_order_events l where l.order_id = e.order_id)'}
         returning *`,
        [list],
      );
      const removed = orders ? await q(`delete from amazon_pay_orders where order_id in (select json_array_elements_text($1::json)) returning *`, [list]) : [];
      const batch = {
        orders: removed.map(toOrder),
        events: events.map(toEvent).sort((a, b) => (a.orderId === b.orderId ? a.id - b.id : a.orderId < b.orderId ? -1 : 1)),
        next,
      };
      await archive?.(batch);
      return batch;
    });
  }

  async history(orderId: string): Promise<OrderEvent[]> {
    await this.settled();
    const rows = await this.sql.query<Record<string, unknown>>('select * from amazon_pay_order_events where order_id = $1 order by id', [orderId]);
    return rows.map(toEvent);
  }

  async close() {
    await this.settled();
    this.closed = true;
    this.journal?.close();
    try {
      await this.sql.close();
    } finally {
      this.lock?.release();
    }
  }

  private async log(q: Query, order: Order, e: EventInput) {
    await q('insert into amazon_pay_order_events (order_id, source, event, stage, status, detail) values ($1, $2, $3, $4, $5, $6)', [
      order.orderId,
      e.source,
      e.event,
      order.stage,
      order.status,
      e.detail ? JSON.stringify(e.detail) : null,
    ]);
  }
}

/** Whether the database refused a write for what it holds (so trying again cannot help): SQLSTATE classes 22, 23 and 42. */
function permanent(error: Error): boolean {
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|42)/.test(code);
}

/** Why a journal line is not an order this version can write, or undefined when it is one. */
function journalEntryProblem(entry: unknown): string | undefined {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return `not an order entry (${JSON.stringify(entry)})`;
  const { fields, event } = entry as { fields?: Record<string, unknown>; event?: Record<string, unknown> };
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return 'no order fields';
  if (typeof fields.orderId !== 'string' || !fields.orderId) return 'no orderId';
  const unknown = Object.keys(fields).filter((k) => !Object.hasOwn(COLUMNS, k));
  if (unknown.length) return `unknown order fields: ${unknown.join(', ')}`;
  for (const k of ['kind', 'stage', 'jobCd']) if (typeof fields[k] !== 'string') return `no ${k}`;
  if (!Number.isInteger(fields.amount)) return 'no whole amount';
  if (!event || typeof event !== 'object' || typeof event.source !== 'string' || typeof event.event !== 'string') return 'no event';
  return undefined;
}
