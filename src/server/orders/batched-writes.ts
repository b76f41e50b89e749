/**
 * The store's batched writes (group commit): a batch of creates and records becomes one statement
 * per shape of write, each order row with its event, the rows sent as one JSON parameter.
 */
import { COLUMNS, typed } from './schema.js';
import type { Sql } from './sql.js';
import type { EventInput, OrderStage } from './types.js';

export type WriteOp =
  // journaled: the order is in the journal already, and a row that exists is left as it is
  | { kind: 'create'; fields: Record<string, unknown>; event: EventInput; journaled?: boolean }
  | { kind: 'record'; orderId: string; changes: Record<string, unknown>; event: EventInput; ifStage?: OrderStage };

/** A create as written: its fields, and its events with the stage and status each one records. */
type CreateWrite = Extract<WriteOp, { kind: 'create' }> & { events: (EventInput & { stage: unknown; status: unknown })[] };

const definedKeys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);

/** A json_to_recordset column list: `name type, …`. */
const recordset = (columns: [string, string][]) => columns.map(([name, type]) => `${name} ${type}`).join(', ');
/** The columns and values every batched write carries for its event. */
const EVENT_COLUMNS: [string, string][] = [
  ['ev_source', 'text'],
  ['ev_event', 'text'],
  ['ev_detail', 'jsonb'],
];
const eventRow = (e: EventInput) => ({ ev_source: e.source, ev_event: e.event, ev_detail: e.detail ?? null });

/**
 * Writes a batch: one statement per shape of write (which columns, guarded or not), creates
 * first (a record may be for an order created in the same batch), an order at most once per
 * statement. A statement that fails is retried row by row, so one bad write (a duplicate
 * OrderID) fails alone.
 */
export async function writeBatch(sql: Sql, ops: WriteOp[]): Promise<(boolean | Error)[]> {
  const results: (boolean | Error)[] = []; // one per op, by index
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
      const written = await writeStatement(sql, indexes.map(ofIndex));
      indexes.forEach((i, n) => (results[i] = written[n]));
    } catch (error) {
      if (indexes.length === 1) return void (results[indexes[0]] = error as Error);
      for (const i of indexes)
        results[i] = await writeStatement(sql, [ofIndex(i)]).then(
          ([r]) => r,
          (e: Error) => e,
        );
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
async function writeStatement(sql: Sql, ops: WriteOp[]): Promise<(boolean | Error)[]> {
  if (ops[0].kind === 'create') {
    const creates = ops as CreateWrite[];
    const keys = definedKeys(creates[0].fields);
    const rows = creates.map((op) => Object.fromEntries(keys.map((k) => [COLUMNS[k], op.fields[k]])));
    let seq = 0;
    const events = creates.flatMap((op) =>
      op.events.map((e) => ({ order_id: op.fields.orderId, seq: ++seq, ev_stage: e.stage, ev_status: e.status, ...eventRow(e) })),
    );
    // Returns only the OrderIDs inserted: reading rows back costs as much as writing them.
    const inserted = await sql.query<{ order_id: string }>(
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
    ['order_id', 'text'],
    ...(guarded ? [['if_stage', 'text'] as [string, string]] : []),
    ...keys.map((k): [string, string] => [COLUMNS[k], typed(k)]),
    ...EVENT_COLUMNS,
  ];
  const rows = records.map((op) => ({
    order_id: op.orderId,
    ...(guarded ? { if_stage: op.ifStage } : {}),
    ...Object.fromEntries(keys.map((k) => [COLUMNS[k], op.changes[k]])),
    ...eventRow(op.event),
  }));
  const found = await sql.query<{ order_id: string }>(
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
