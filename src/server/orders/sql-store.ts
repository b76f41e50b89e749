import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../telemetry/logger.js';
import { lockFolder, type FolderLock } from './folder-lock.js';
import { OrderJournal } from './journal.js';
import { resolvePglite } from './pglite-thread.js';
import { openPglite, openPostgres, StoreUnavailableError, type PostgresTimeouts, type Query, type Sql } from './sql.js';
import { AUTHORIZED, OPEN_STAGES, PURGEABLE_SQL, sqlIn, SWEEP_SQL } from '../payments/lifecycle.js';
import type { EventInput, ListOptions, NewOrder, Order, OrderChanges, OrderEvent, OrderStage, OrderStore, PurgeBatch, PurgeOptions } from './types.js';
import { WriteBatch } from './write-batch.js';

/**
 * The schema, one migration per entry, applied in order on start and recorded in
 * amazon_pay_schema. Never edit an applied migration: add the next one.
 */
const MIGRATIONS: string[] = [
  `create table amazon_pay_orders (
     order_id text primary key,
     kind text not null,
     stage text not null,
     status text,
     job_cd text not null,
     amount integer not null,
     tax integer not null default 0,
     cancel_amount integer not null default 0,
     cancel_tax integer not null default 0,
     access_id text unique,
     access_pass text,
     checkout_session_id text,
     charge_permission_id text,
     parent_order_id text references amazon_pay_orders(order_id),
     frequency_unit text,
     frequency_value integer,
     description text,
     error_codes text,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   );
   create table amazon_pay_order_events (
     id bigserial primary key,
     order_id text not null references amazon_pay_orders(order_id),
     at timestamptz not null default clock_timestamp(),
     source text not null,
     event text not null,
     stage text not null,
     status text,
     detail jsonb
   );
   create index amazon_pay_order_events_order on amazon_pay_order_events (order_id, id);
   create index amazon_pay_orders_charge_permission on amazon_pay_orders (charge_permission_id);`,
  // An event is only ever written by the statement or transaction that writes its order, joined
  // on the order row itself, so the foreign key checked nothing those writes do not already
  // guarantee, and its check was a fifth of the cost of each checkout write in PGlite.
  `alter table amazon_pay_order_events drop constraint amazon_pay_order_events_order_id_fkey;`,
  // Events are only ever read by order (history), so one index, the primary key, serves: with
  // the id alone as key each event row updated two indexes, a third of its cost in PGlite.
  `alter table amazon_pay_order_events drop constraint amazon_pay_order_events_pkey;
   drop index amazon_pay_order_events_order;
   alter table amazon_pay_order_events add primary key (order_id, id);`,
  // The reconcile sweeper: a lease per order (so that sweepers in several processes take disjoint
  // orders), and an index over the orders that are not settled yet, which stays small.
  `alter table amazon_pay_orders add column reconcile_lease timestamptz;
   create index amazon_pay_orders_unsettled on amazon_pay_orders (updated_at)
     where stage in ('created', 'entered', 'started', 'entry_unknown', 'exec_unknown');`,
  // A million orders (bench/store-scale.mjs): the orders list pages by creation time (newest
  // first, keyset: no sort, no offset scan); the expiry check looks only at authorizations; the
  // retention purge and consent lookups find an order's children without a scan.
  `create index amazon_pay_orders_created on amazon_pay_orders (created_at, order_id);
   create index amazon_pay_orders_authorized on amazon_pay_orders (created_at) where status = 'AUTH';
   create index amazon_pay_orders_parent on amazon_pay_orders (parent_order_id) where parent_order_id is not null;`,
  // Writes that check what they overwrite: every change counts up the version, and a decision taken
  // from an older read (GMO-PG asked before another change landed) sees that it is stale.
  // And the orders GMO-PG may have moved on from (stale), for the sweeper to ask again.
  // Buy Now's address and cart, as Amazon's screen showed them.
  `alter table amazon_pay_orders add column version integer not null default 0;
   alter table amazon_pay_orders add column stale boolean not null default false;
   alter table amazon_pay_orders add column shipping_address jsonb;
   alter table amazon_pay_orders add column cart jsonb;`,
];

/**
 * Indexes whose condition is a rule of the lifecycle (payments/lifecycle.ts): their definition is
 * kept as the index's comment, and an index built under other rules (a new open stage, say) is
 * built again at start, so that the statements written from the rules keep using it.
 */
const RULE_INDEXES = [
  { name: 'amazon_pay_orders_unsettled', definition: `create index amazon_pay_orders_unsettled on amazon_pay_orders (updated_at) where ${SWEEP_SQL}` },
  { name: 'amazon_pay_orders_authorized', definition: `create index amazon_pay_orders_authorized on amazon_pay_orders (created_at) where status = '${AUTHORIZED}'` },
];

const COLUMNS: Record<string, string> = {
  orderId: 'order_id', kind: 'kind', stage: 'stage', status: 'status', jobCd: 'job_cd', amount: 'amount', tax: 'tax',
  cancelAmount: 'cancel_amount', cancelTax: 'cancel_tax', accessId: 'access_id', accessPass: 'access_pass',
  checkoutSessionId: 'checkout_session_id', chargePermissionId: 'charge_permission_id', parentOrderId: 'parent_order_id',
  frequencyUnit: 'frequency_unit', frequencyValue: 'frequency_value', description: 'description', errorCodes: 'error_codes',
  createdAt: 'created_at', updatedAt: 'updated_at', version: 'version', stale: 'stale', shippingAddress: 'shipping_address', cart: 'cart',
};

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

function toOrder(row: Record<string, unknown>): Order {
  const order: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMNS)) order[key] = row[column] ?? null;
  order.createdAt = iso(row.created_at);
  order.updatedAt = iso(row.updated_at);
  for (const k of ['amount', 'tax', 'cancelAmount', 'cancelTax', 'version']) order[k] = Number(order[k]);
  order.stale = row.stale === true;
  for (const k of ['shippingAddress', 'cart']) if (typeof order[k] === 'string') order[k] = JSON.parse(order[k] as string);
  if (order.frequencyValue !== null) order.frequencyValue = Number(order.frequencyValue);
  return order as unknown as Order;
}

function toEvent(r: Record<string, unknown>): OrderEvent {
  return {
    id: Number(r.id), orderId: String(r.order_id), at: iso(r.at), source: r.source as OrderEvent['source'],
    event: String(r.event), stage: r.stage as OrderEvent['stage'], status: (r.status as string) ?? null,
    detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as OrderEvent['detail'],
  };
}


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

/** Column types other than text, for the recordsets of batched writes. */
const INTEGER = new Set(['amount', 'tax', 'cancelAmount', 'cancelTax', 'frequencyValue', 'version']);
const JSONB = new Set(['shippingAddress', 'cart']);
const typed = (key: string) => (INTEGER.has(key) ? 'integer' : key === 'createdAt' || key === 'updatedAt' ? 'timestamptz' : key === 'stale' ? 'boolean' : JSONB.has(key) ? 'jsonb' : 'text');

type WriteOp =
  // journaled: the order is in the journal already, and a row that exists is left as it is
  | { kind: 'create'; fields: Record<string, unknown>; event: EventInput; journaled?: boolean }
  | { kind: 'record'; orderId: string; changes: Record<string, unknown>; event: EventInput; ifStage?: OrderStage };

/** A create as written: its fields, and its events with the stage and status each one records. */
type CreateWrite = Extract<WriteOp, { kind: 'create' }> & { events: (EventInput & { stage: unknown; status: unknown })[] };

const definedKeys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);

/** A json_to_recordset column list: `name type, …`. */
const recordset = (columns: [string, string][]) => columns.map(([name, type]) => `${name} ${type}`).join(', ');
/** The columns and values every batched write carries for its event. */
const EVENT_COLUMNS: [string, string][] = [['ev_source', 'text'], ['ev_event', 'text'], ['ev_detail', 'jsonb']];
const eventRow = (e: EventInput) => ({ ev_source: e.source, ev_event: e.event, ev_detail: e.detail ?? null });

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
  constructor(readonly sql: Sql, options: { journal?: OrderJournal; lock?: FolderLock } = {}) {
    this.writes = new WriteBatch((ops) => this.writeBatch(ops), { parallel: sql.parallel });
    this.deferred = new WriteBatch((ops) => this.writeBatch(ops), { delayMs: DEFERRED_MS, maxOps: DEFERRED_MAX_OPS });
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

  /** Applies the migrations not applied yet, under a lock, so that several servers can start at once. */
  async migrate(): Promise<number> {
    return this.sql.transaction(async (q) => {
      await q('select pg_advisory_xact_lock(727202)');
      await q('create table if not exists amazon_pay_schema (version integer primary key, applied_at timestamptz not null default now())');
      const [{ v }] = await q<{ v: number | null }>('select max(version) as v from amazon_pay_schema');
      let applied = 0;
      for (let version = (v ?? 0) + 1; version <= MIGRATIONS.length; version++) {
        for (const statement of MIGRATIONS[version - 1].split(/;\s*(?:\n|$)/).filter((s) => s.trim())) await q(statement);
        await q('insert into amazon_pay_schema (version) values ($1)', [version]);
        applied++;
      }
      for (const index of RULE_INDEXES) {
        const [row] = await q<{ definition: string | null }>(`select obj_description(to_regclass($1), 'pg_class') as definition`, [index.name]);
        if (row?.definition === index.definition) continue;
        await q(`drop index if exists ${index.name}`);
        await q(index.definition);
        await q(`comment on index ${index.name} is ${literal(index.definition)}`);
      }
      return applied;
    });
  }

  async create(input: NewOrder & OrderChanges, event: EventInput, options: { journal?: boolean } = {}): Promise<void> {
    this.writable();
    const fields = { stage: 'created', ...input };
    if (!options.journal || !this.journal) return void (await this.writes.submit({ kind: 'create', fields, event }));
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
        console.error(`[amazon-pay-v2] order ${op.fields.orderId} is in the journal but not yet in the database (${error.message}); trying again`);
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
        if (problem) return journal.setAside(line, problem), 0;
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

  /**
   * Writes a batch: one statement per shape of write (which columns, guarded or not), creates
   * first (a record may be for an order created in the same batch), an order at most once per
   * statement. A statement that fails is retried row by row, so one bad write (a duplicate
   * OrderID) fails alone.
   */
  private async writeBatch(ops: WriteOp[]): Promise<(boolean | Error)[]> {
    const results: (boolean | Error)[] = new Array(ops.length);
    // A record for an order created earlier in the same batch is folded into its insert (the
    // 'started' mark usually waits in the same deferred batch as its journaled order): the row is
    // written once, with both events, instead of inserted and then updated.
    const inserts = new Map<number, CreateWrite>();
    const createdAt = new Map<string, number>();
    const folded = new Map<number, number>(); // record index → create index
    const rest: number[] = [];
    ops.forEach((op, i) => {
      if (op.kind === 'create') {
        const fields = { ...op.fields };
        inserts.set(i, { ...op, fields, events: [{ ...op.event, stage: fields.stage, status: fields.status ?? null }] });
        createdAt.set(String(fields.orderId), i);
        return;
      }
      const c = createdAt.get(op.orderId);
      if (c === undefined) return rest.push(i);
      const create = inserts.get(c)!;
      if (op.ifStage && create.fields.stage !== op.ifStage) return void (results[i] = false);
      for (const k of definedKeys(op.changes)) create.fields[k] = op.changes[k];
      create.fields.version = Number(create.fields.version ?? 0) + 1;
      create.events.push({ ...op.event, stage: create.fields.stage, status: create.fields.status ?? null });
      folded.set(i, c);
    });

    const creates = new Map<string, number[]>();
    for (const [i, op] of inserts) {
      const shape = `${op.journaled ? 'journaled' : ''}:${definedKeys(op.fields).join()}`;
      const group = creates.get(shape);
      if (group) group.push(i);
      else creates.set(shape, [i]);
    }
    const run = async (indexes: number[], ofIndex: (i: number) => WriteOp) => {
      try {
        const written = await this.writeStatement(indexes.map(ofIndex));
        indexes.forEach((i, n) => (results[i] = written[n]));
      } catch (error) {
        if (indexes.length === 1) return void (results[indexes[0]] = error as Error);
        for (const i of indexes) results[i] = await this.writeStatement([ofIndex(i)]).then(([r]) => r, (e: Error) => e);
      }
    };
    for (const indexes of creates.values()) await run(indexes, (i) => inserts.get(i)!);
    // A journaled order that was there already (written by an earlier try) took none of the
    // records folded into it: those are written as records.
    for (const [r, c] of folded) {
      if (results[c] === false) rest.push(r);
      else results[r] = results[c] instanceof Error ? results[c] : true;
    }
    const records: { shape: string; ids: Set<string>; indexes: number[] }[] = [];
    for (const i of rest.sort((a, b) => a - b)) {
      const op = ops[i] as Extract<WriteOp, { kind: 'record' }>;
      const shape = `${op.ifStage ? 'if' : ''}:${definedKeys(op.changes).join()}`;
      let after = -1;
      records.forEach((g, n) => g.ids.has(op.orderId) && (after = n));
      let group = records.find((g, n) => n > after && g.shape === shape);
      if (!group) records.push((group = { shape, ids: new Set(), indexes: [] }));
      group.ids.add(op.orderId);
      group.indexes.push(i);
    }
    for (const g of records) await run(g.indexes, (i) => ops[i]);
    for (const c of inserts.keys()) if (results[c] === false) results[c] = true; // there already: done
    return results;
  }

  /**
   * One statement for ops of one shape. The rows travel as one JSON parameter, read back with
   * json_to_recordset: the statement's text depends only on the shape, never on how many rows the
   * batch holds, so it is planned once and then prepared (sql.ts), and a batch of a hundred orders
   * costs the database one small parameter instead of thousands of typed ones to bind and plan.
   */
  private async writeStatement(ops: WriteOp[]): Promise<(boolean | Error)[]> {
    if (ops[0].kind === 'create') {
      const creates = ops as CreateWrite[];
      const keys = definedKeys(creates[0].fields);
      const rows = creates.map((op) => Object.fromEntries(keys.map((k) => [COLUMNS[k], op.fields[k]])));
      let seq = 0;
      const events = creates.flatMap((op) =>
        op.events.map((e) => ({ order_id: op.fields.orderId, seq: ++seq, ev_stage: e.stage, ev_status: e.status, ...eventRow(e) })),
      );
      // Returns only the OrderIDs inserted: reading rows back costs as much as writing them.
      const inserted = await this.sql.query<{ order_id: string }>(
        `with o as (insert into amazon_pay_orders (${keys.map((k) => COLUMNS[k]).join(', ')})
           select * from json_to_recordset($1::json) as v(${recordset(keys.map((k) => [COLUMNS[k], typed(k)]))})
           ${creates[0].journaled ? 'on conflict (order_id) do nothing' : ''} returning order_id),
         e as (insert into amazon_pay_order_events (order_id, source, event, stage, status, detail)
           select v.order_id, v.ev_source, v.ev_event, v.ev_stage, v.ev_status, v.ev_detail
           from o join json_to_recordset($2::json) as v(order_id text, seq integer, ev_stage text, ev_status text, ${recordset(EVENT_COLUMNS)})
             on v.order_id = o.order_id
           order by v.seq)
         select order_id from o`,
        [JSON.stringify(rows), JSON.stringify(events)],
      );
      const ids = new Set(inserted.map((r) => r.order_id));
      return creates.map((op) => ids.has(String(op.fields.orderId)));
    }
    const records = ops as Extract<WriteOp, { kind: 'record' }>[];
    const keys = definedKeys(records[0].changes);
    const guarded = !!records[0].ifStage;
    const columns: [string, string][] = [
      ['order_id', 'text'], ...(guarded ? [['if_stage', 'text'] as [string, string]] : []), ...keys.map((k): [string, string] => [COLUMNS[k], typed(k)]), ...EVENT_COLUMNS,
    ];
    const rows = records.map((op) => ({
      order_id: op.orderId, ...(guarded ? { if_stage: op.ifStage } : {}), ...Object.fromEntries(keys.map((k) => [COLUMNS[k], op.changes[k]])), ...eventRow(op.event),
    }));
    const found = await this.sql.query<{ order_id: string }>(
      `with v as (select * from json_to_recordset($1::json) as v(${recordset(columns)})),
       o as (update amazon_pay_orders t set ${keys.map((k) => `${COLUMNS[k]} = v.${COLUMNS[k]}, `).join('')}version = t.version + 1, updated_at = clock_timestamp()
         from v where t.order_id = v.order_id${guarded ? ' and t.stage = v.if_stage' : ''} returning t.order_id, t.stage, t.status),
       e as (insert into amazon_pay_order_events (order_id, source, event, stage, status, detail)
         select o.order_id, v.ev_source, v.ev_event, o.stage, o.status, v.ev_detail from o join v on v.order_id = o.order_id)
       select order_id from o`,
      [JSON.stringify(rows)],
    );
    const ids = new Set(found.map((r) => r.order_id));
    return records.map((op) => ids.has(op.orderId) || (op.ifStage ? false : new Error(`order ${op.orderId} not found`)));
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
    await this.settled();
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
      [before.toISOString(), limit, leaseMs],
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
      const batch = { orders: removed.map(toOrder), events: events.map(toEvent).sort((a, b) => (a.orderId === b.orderId ? a.id - b.id : a.orderId < b.orderId ? -1 : 1)), next };
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
    await q(
      'insert into amazon_pay_order_events (order_id, source, event, stage, status, detail) values ($1, $2, $3, $4, $5, $6)',
      [order.orderId, e.source, e.event, order.stage, order.status, e.detail ? JSON.stringify(e.detail) : null],
    );
  }
}

/**
 * Opens the order store and migrates it: Postgres when `databaseUrl` (default DATABASE_URL, unless
 * a `dataDir` is given) is set, for shops that run several servers; otherwise PGlite in `dataDir`
 * (default .data/orders), which needs no server and keeps its data across restarts, for one process.
 */
/**
 * Where `openOrderStore(options)` keeps the orders: an explicit databaseUrl, else an explicit
 * dataDir, else DATABASE_URL, else the PGlite folder .data/orders (relative to the working folder).
 */
export function storeLocation(options: { databaseUrl?: string; dataDir?: string } = {}): { databaseUrl: string } | { dataDir: string } {
  const databaseUrl = options.databaseUrl ?? (options.dataDir === undefined ? process.env.DATABASE_URL : undefined);
  return databaseUrl ? { databaseUrl } : { dataDir: options.dataDir ?? '.data/orders' };
}

export async function openOrderStore(
  options: {
    databaseUrl?: string;
    dataDir?: string;
    /** PostgreSQL: how long a statement or a connection may take (sql.ts). */
    postgres?: PostgresTimeouts;
    /** PGlite folder: the lock's lease is taken over when not renewed for this long (default 30000 ms; folder-lock.ts). */
    lockStaleMs?: number;
    /** Where to say that a new PGlite database is being created (default stderr, which leaves a program's stdout to its data). */
    logger?: Pick<Logger, 'info'>;
  } = {},
): Promise<SqlOrderStore> {
  const where = storeLocation(options);
  if ('databaseUrl' in where) {
    const store = new SqlOrderStore(await openPostgres(where.databaseUrl, options.postgres));
    await store.migrate();
    return store;
  }
  const { dataDir } = where;
  // In memory there is nothing to survive and nothing to share: no lock, no journal.
  if (dataDir.includes('://')) {
    const store = new SqlOrderStore(await openPglite(dataDir));
    await store.migrate();
    return store;
  }
  // The lock first: a second process must not even open the database files (see folder-lock.ts).
  mkdirSync(dataDir, { recursive: true });
  let opened: SqlOrderStore | undefined;
  const lock = lockFolder(dataDir, { staleMs: options.lockStaleMs, onLost: (error) => (opened ? opened.lockLost(error) : console.error(`[amazon-pay-v2] ${error.message}`)) });
  let sql: Sql | undefined;
  let journal: OrderJournal | undefined;
  try {
    // The journal lives in the data folder, so that the two are moved and backed up together.
    // Opened first: a journal that cannot be used fails the start before PGlite's seconds of set-up.
    journal = OrderJournal.open(join(dataDir, JOURNAL_FILE));
    // A new database takes PGlite seconds to create (3 s on a quiet 2-core machine, up to 20 s under
    // load; later starts about 0.5 s): said, so that a slow first start is not taken for a hang.
    if (!existsSync(join(dataDir, 'PG_VERSION')) && resolvePglite()) { // (PGlite missing: its own error first)
      (options.logger ?? { info: (message: string) => console.error(`[amazon-pay-v2] ${message}`) }).info(`order store: creating a new PGlite database in ${dataDir}; the first start takes a few seconds (later ones under one)`);
    }
    sql = await openPglite(dataDir);
    const store = (opened = new SqlOrderStore(sql, { journal, lock }));
    await store.migrate();
    await store.replayJournal();
    return store;
  } catch (error) {
    journal?.close();
    await sql?.close().catch(() => {});
    lock.release();
    throw error;
  }
}

/** A value as a statement parameter: the JSON columns as JSON text (both drivers read it as jsonb). */
const param = (key: string, value: unknown) => (JSONB.has(key) && value != null ? JSON.stringify(value) : value);

const sameStages = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s) => b.includes(s));

/** A string as an SQL literal (for statements that take no parameters, such as COMMENT). */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

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

/** The journal's file name inside a PGlite data folder (Postgres ignores files it does not know). */
export const JOURNAL_FILE = 'amazon-pay-v2.journal';
