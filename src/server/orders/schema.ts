/**
 * The orders' tables as the database holds them: the migrations (applied in order at start), the
 * indexes built from the lifecycle's rules, and how a row becomes an Order and back.
 */
import { AUTHORIZED, SWEEP_SQL } from '../payments/lifecycle.js';
import type { Sql } from './sql.js';
import type { Order, OrderEvent } from './types.js';

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
  {
    name: 'amazon_pay_orders_authorized',
    definition: `create index amazon_pay_orders_authorized on amazon_pay_orders (created_at) where status = '${AUTHORIZED}'`,
  },
];

export const COLUMNS: Record<string, string> = {
  orderId: 'order_id',
  kind: 'kind',
  stage: 'stage',
  status: 'status',
  jobCd: 'job_cd',
  amount: 'amount',
  tax: 'tax',
  cancelAmount: 'cancel_amount',
  cancelTax: 'cancel_tax',
  accessId: 'access_id',
  accessPass: 'access_pass',
  checkoutSessionId: 'checkout_session_id',
  chargePermissionId: 'charge_permission_id',
  parentOrderId: 'parent_order_id',
  frequencyUnit: 'frequency_unit',
  frequencyValue: 'frequency_value',
  description: 'description',
  errorCodes: 'error_codes',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  version: 'version',
  stale: 'stale',
  shippingAddress: 'shipping_address',
  cart: 'cart',
};

export const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

export function toOrder(row: Record<string, unknown>): Order {
  const order: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMNS)) order[key] = row[column] ?? null;
  order.createdAt = iso(row.created_at);
  order.updatedAt = iso(row.updated_at);
  for (const k of ['amount', 'tax', 'cancelAmount', 'cancelTax', 'version']) order[k] = Number(order[k]);
  order.stale = row.stale === true;
  for (const k of ['shippingAddress', 'cart']) if (typeof order[k] === 'string') order[k] = JSON.parse(order[k]);
  if (order.frequencyValue !== null) order.frequencyValue = Number(order.frequencyValue);
  return order as unknown as Order;
}

export function toEvent(r: Record<string, unknown>): OrderEvent {
  return {
    id: Number(r.id),
    orderId: String(r.order_id),
    at: iso(r.at),
    source: r.source as OrderEvent['source'],
    event: String(r.event),
    stage: r.stage as OrderEvent['stage'],
    status: (r.status as string) ?? null,
    detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as OrderEvent['detail'],
  };
}

/** Column types other than text, for the recordsets of batched writes. */
const INTEGER = new Set(['amount', 'tax', 'cancelAmount', 'cancelTax', 'frequencyValue', 'version']);
export const JSONB = new Set(['shippingAddress', 'cart']);
export const typed = (key: string) =>
  INTEGER.has(key) ? 'integer' : key === 'createdAt' || key === 'updatedAt' ? 'timestamptz' : key === 'stale' ? 'boolean' : JSONB.has(key) ? 'jsonb' : 'text';

/** A value as a statement parameter: the JSON columns as JSON text (both drivers read it as jsonb). */
export const param = (key: string, value: unknown) => (JSONB.has(key) && value != null ? JSON.stringify(value) : value);

export const sameStages = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s) => b.includes(s));

/** A string as an SQL literal (for statements that take no parameters, such as COMMENT). */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Applies the migrations not applied yet, under a lock, so that several servers can start at once. */
export function migrateSchema(sql: Sql): Promise<number> {
  return sql.transaction(async (q) => {
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
