import { openPglite, openPostgres, type Query, type Sql } from './sql.js';
import type { EventInput, NewOrder, Order, OrderChanges, OrderEvent, OrderStore } from './types.js';

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
];

const COLUMNS: Record<string, string> = {
  orderId: 'order_id', kind: 'kind', stage: 'stage', status: 'status', jobCd: 'job_cd', amount: 'amount', tax: 'tax',
  cancelAmount: 'cancel_amount', cancelTax: 'cancel_tax', accessId: 'access_id', accessPass: 'access_pass',
  checkoutSessionId: 'checkout_session_id', chargePermissionId: 'charge_permission_id', parentOrderId: 'parent_order_id',
  frequencyUnit: 'frequency_unit', frequencyValue: 'frequency_value', description: 'description', errorCodes: 'error_codes',
  createdAt: 'created_at', updatedAt: 'updated_at',
};

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

function toOrder(row: Record<string, unknown>): Order {
  const order: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMNS)) order[key] = row[column] ?? null;
  order.createdAt = iso(row.created_at);
  order.updatedAt = iso(row.updated_at);
  for (const k of ['amount', 'tax', 'cancelAmount', 'cancelTax']) order[k] = Number(order[k]);
  if (order.frequencyValue !== null) order.frequencyValue = Number(order.frequencyValue);
  return order as unknown as Order;
}

/** Orders in Postgres or PGlite. Open it with `openOrderStore`. */
export class SqlOrderStore implements OrderStore {
  constructor(readonly sql: Sql) {}

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
      return applied;
    });
  }

  // create and record are one statement each (the order row and its event together, atomically):
  // they are on the checkout's path, where every round trip to the database counts.
  async create(input: NewOrder & OrderChanges, event: EventInput): Promise<void> {
    const fields = { stage: 'created', ...input } as Record<string, unknown>;
    const keys = Object.keys(fields).filter((k) => fields[k] !== undefined);
    const n = keys.length;
    // Returns nothing: reading a whole row back costs as much as writing it.
    await this.sql.query(
      `with o as (insert into amazon_pay_orders (${keys.map((k) => COLUMNS[k]).join(', ')})
         values (${keys.map((_, i) => `$${i + 1}`).join(', ')}) returning order_id, stage, status),
       e as (insert into amazon_pay_order_events (order_id, source, event, stage, status, detail)
         select order_id, $${n + 1}, $${n + 2}, stage, status, $${n + 3}::jsonb from o)
       select 1 from o`,
      [...keys.map((k) => fields[k]), event.source, event.event, event.detail ? JSON.stringify(event.detail) : null],
    );
  }

  async record(orderId: string, changes: OrderChanges, event: EventInput): Promise<void> {
    const keys = Object.keys(changes).filter((k) => (changes as Record<string, unknown>)[k] !== undefined);
    const n = keys.length + 1;
    const [row] = await this.sql.query(
      `with o as (update amazon_pay_orders set ${keys.map((k, i) => `${COLUMNS[k]} = $${i + 2}, `).join('')}updated_at = clock_timestamp()
         where order_id = $1 returning order_id, stage, status),
       e as (insert into amazon_pay_order_events (order_id, source, event, stage, status, detail)
         select order_id, $${n + 1}, $${n + 2}, stage, status, $${n + 3}::jsonb from o)
       select 1 as found from o`,
      [orderId, ...keys.map((k) => (changes as Record<string, unknown>)[k]), event.source, event.event, event.detail ? JSON.stringify(event.detail) : null],
    );
    if (!row) throw new Error(`order ${orderId} not found`);
  }

  async update(orderId: string, decide: (current: Order) => { changes: OrderChanges; event: EventInput } | null) {
    return this.sql.transaction(async (q) => {
      const [row] = await q('select * from amazon_pay_orders where order_id = $1 for update', [orderId]);
      if (!row) throw new Error(`order ${orderId} not found`);
      const current = toOrder(row);
      const decision = decide(current);
      if (!decision) return { order: current, changed: false };
      const keys = Object.keys(decision.changes).filter((k) => (decision.changes as Record<string, unknown>)[k] !== undefined);
      const [updated] = await q(
        `update amazon_pay_orders set ${keys.map((k, i) => `${COLUMNS[k]} = $${i + 2}`).join(', ')}${keys.length ? ', ' : ''}updated_at = clock_timestamp()
         where order_id = $1 returning *`,
        [orderId, ...keys.map((k) => (decision.changes as Record<string, unknown>)[k])],
      );
      const order = toOrder(updated);
      await this.log(q, order, decision.event);
      return { order, changed: true };
    });
  }

  async get(orderId: string) {
    const [row] = await this.sql.query('select * from amazon_pay_orders where order_id = $1', [orderId]);
    return row ? toOrder(row) : undefined;
  }

  async list({ limit = 100, offset = 0 } = {}) {
    const rows = await this.sql.query('select * from amazon_pay_orders order by created_at desc, order_id desc limit $1 offset $2', [limit, offset]);
    return rows.map(toOrder);
  }

  async history(orderId: string): Promise<OrderEvent[]> {
    const rows = await this.sql.query<Record<string, unknown>>('select * from amazon_pay_order_events where order_id = $1 order by id', [orderId]);
    return rows.map((r) => ({
      id: Number(r.id), orderId: String(r.order_id), at: iso(r.at), source: r.source as OrderEvent['source'],
      event: String(r.event), stage: r.stage as OrderEvent['stage'], status: (r.status as string) ?? null,
      detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as OrderEvent['detail'],
    }));
  }

  close() {
    return this.sql.close();
  }

  private async log(q: Query, order: Order, e: EventInput) {
    await q(
      'insert into amazon_pay_order_events (order_id, source, event, stage, status, detail) values ($1, $2, $3, $4, $5, $6)',
      [order.orderId, e.source, e.event, order.stage, order.status, e.detail ? JSON.stringify(e.detail) : null],
    );
  }
}

/**
 * Opens the order store and migrates it: Postgres when `databaseUrl` (default DATABASE_URL) is
 * set, for shops that run several servers; otherwise PGlite in `dataDir` (default .data/orders),
 * which needs no server and keeps its data across restarts.
 */
export async function openOrderStore(options: { databaseUrl?: string; dataDir?: string } = {}): Promise<SqlOrderStore> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  const sql = url ? await openPostgres(url) : await openPglite(options.dataDir ?? '.data/orders');
  const store = new SqlOrderStore(sql);
  await store.migrate();
  return store;
}
