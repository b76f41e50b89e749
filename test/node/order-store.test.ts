// The order store on both of its databases: PGlite in a folder, and a real PostgreSQL server.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MemoryOrderStore } from '../../src/server/orders/memory-store.js';
import { SqlOrderStore } from '../../src/server/orders/sql-store.js';
import type { OrderStore } from '../../src/server/orders/types.js';
import { JOURNAL_FILE, openOrderStore } from '../../src/server/orders/open-store.js';
import { purgeOrders } from '../../src/server/ops/retention.js';
import { openPglite } from '../../src/server/orders/sql.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { journalEntry } from './support/orders.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';
import { PAYLOAD, amazonCheckout, formFields, postForm, startSandbox } from './support/servers.js';
import { checkout, startShop } from './support/shop.js';

const run = promisify(execFile);
let pg: TestPostgres;
let dir: string;
before(async () => {
  pg = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'apv2-store-'));
});
after(() => {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// What every OrderStore must do, the public MemoryOrderStore included: the same tests on each.
for (const kind of ['memory', 'pglite', 'postgres'] as const) {
  describe(`the OrderStore contract on ${kind}`, () => {
    let store: OrderStore;
    before(async () => {
      store =
        kind === 'memory'
          ? new MemoryOrderStore()
          : kind === 'postgres'
            ? await openOrderStore({ databaseUrl: pg.url })
            : await openOrderStore({ dataDir: join(dir, 'contract') });
    });
    after(() => store.close());
    const id = (name: string) => `K-${kind}-${name}-${Date.now()}`;

    it('creates an order once; updates it and records every change with its source, in order', async () => {
      const orderId = id('life');
      await store.create({ orderId, kind: 'apb', jobCd: 'AUTH', amount: 1200, tax: 100 }, { source: 'checkout', event: 'created' });
      await assert.rejects(store.create({ orderId, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0 }, { source: 'checkout', event: 'again' }));
      const entered = await store.update(orderId, () => ({
        changes: { stage: 'entered', accessId: 'A', accessPass: 'p' },
        event: { source: 'checkout', event: 'EntryTranAmazonpay' },
      }));
      assert.equal(entered.changed, true);
      assert.equal((await store.update(orderId, () => null)).changed, false);
      await store.update(orderId, () => ({
        changes: { stage: 'completed', status: 'AUTH' },
        event: { source: 'RetURL', event: 'paid', detail: { status: 'AUTH' } },
      }));
      const order = (await store.get(orderId))!;
      assert.deepEqual([order.stage, order.status, order.amount, order.tax, order.version], ['completed', 'AUTH', 1200, 100, 2]);
      assert.deepEqual(
        (await store.history(orderId)).map((e) => [e.source, e.event, e.stage, e.status]),
        [
          ['checkout', 'created', 'created', null],
          ['checkout', 'EntryTranAmazonpay', 'entered', null],
          ['RetURL', 'paid', 'completed', 'AUTH'],
        ],
      );
      assert.equal(await store.get(id('never')), undefined);
      assert.deepEqual(await store.history(id('never')), []);
    });

    it('loses no update when forty change one order at once', async () => {
      const orderId = id('race');
      await store.create({ orderId, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0 }, { source: 'checkout', event: 'created' });
      await Promise.all(
        Array.from({ length: 40 }, () =>
          store.update(orderId, (o) => ({ changes: { cancelAmount: o.cancelAmount + 1 }, event: { source: 'back office', event: '+1' } })),
        ),
      );
      assert.equal((await store.get(orderId))!.cancelAmount, 40);
      assert.equal((await store.history(orderId)).length, 41);
    });

    it('records with ifStage only while the order is at that stage, and not for an unknown order', async () => {
      const orderId = id('if');
      await store.create({ orderId, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0, stage: 'entered' }, { source: 'checkout', event: 'created' });
      assert.equal(
        await store.record(orderId, { stage: 'started', status: 'REQSUCCESS' }, { source: 'checkout', event: 'on time' }, { ifStage: 'entered' }),
        true,
      );
      assert.equal(await store.record(orderId, { stage: 'failed' }, { source: 'checkout', event: 'late' }, { ifStage: 'entered' }), false);
      assert.equal(await store.record(id('missing'), { stage: 'started' }, { source: 'checkout', event: 'late' }, { ifStage: 'entered' }), false);
      assert.equal((await store.get(orderId))!.stage, 'started');
    });

    it('lists newest first, filtered by stage and kind, and pages by OrderID', async () => {
      const prefix = id('page');
      for (let i = 0; i < 5; i++) {
        await store.create(
          { orderId: `${prefix}-${i}`, kind: i % 2 ? 'apb' : 'session', jobCd: 'AUTH', amount: 100 + i, tax: 0, stage: i === 4 ? 'abandoned' : 'created' },
          { source: 'checkout', event: 'created' },
        );
        await new Promise((r) => setTimeout(r, 2)); // distinct creation times
      }
      const mine = (orders: { orderId: string }[]) => orders.map((o) => o.orderId).filter((o) => o.startsWith(prefix));
      const first = await store.list({ limit: 2 });
      assert.deepEqual(mine(first), [`${prefix}-4`, `${prefix}-3`]);
      assert.deepEqual(mine(await store.list({ limit: 2, before: first[1].orderId })), [`${prefix}-2`, `${prefix}-1`]);
      assert.deepEqual(mine(await store.list({ limit: 100, stage: 'abandoned' })), [`${prefix}-4`]);
      assert.deepEqual(mine(await store.list({ limit: 100, kind: 'apb', stage: ['created', 'abandoned'] })), [`${prefix}-3`, `${prefix}-1`]);
    });

    it('hands a sweep with no grace an order whose change was still waiting to be written when it was asked', async () => {
      const orderId = id('deferred');
      await store.create({ orderId, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0, stage: 'entered' }, { source: 'checkout', event: 'created' });
      const marked = store.record(orderId, { stage: 'started', status: 'REQSUCCESS' }, { source: 'checkout', event: 'ExecTranAmazonpay' }, { deferred: true });
      const claimed = await store.claimStale({ stages: ['started'], before: new Date(), limit: 1000, leaseMs: 60_000 });
      assert.ok(await marked);
      assert.ok(
        claimed.some((o) => o.orderId === orderId && o.stage === 'started'),
        'the deferred mark counts as made before the sweep',
      );
    });

    it('hands the sweep each open order once per lease, and lists authorizations by age', async () => {
      const open = id('open');
      const auth = id('auth');
      await store.create(
        { orderId: open, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0, stage: 'started', status: 'REQSUCCESS' },
        { source: 'checkout', event: 'created' },
      );
      await store.create(
        { orderId: auth, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0, stage: 'completed', status: 'AUTH' },
        { source: 'checkout', event: 'created' },
      );
      const later = new Date(Date.now() + 60_000);
      const claim = () => store.claimStale({ stages: ['started'], before: later, limit: 1000, leaseMs: 60_000 });
      assert.ok((await claim()).some((o) => o.orderId === open));
      assert.ok(!(await claim()).some((o) => o.orderId === open), 'leased: not handed out twice');
      assert.ok((await store.authorizedBefore(later, 1000)).some((o) => o.orderId === auth && typeof o.authorizedAt === 'string'));
    });
  });
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`order store on ${kind}`, () => {
    let store: SqlOrderStore;
    const open = () => (kind === 'postgres' ? openOrderStore({ databaseUrl: pg.url }) : openOrderStore({ dataDir: join(dir, 'pglite') }));
    before(async () => {
      store = await open();
    });
    after(() => store.close());

    it('migrates once, on start, and again is a no-op', async () => {
      assert.equal(store.sql.kind, kind);
      assert.equal(await store.migrate(), 0);
      const [{ version }] = await store.sql.query<{ version: number }>('select max(version) as version from amazon_pay_schema');
      assert.equal(version, 6);
      // The indexes whose condition is a lifecycle rule carry it, and are not built again when it is the same.
      const [{ definition }] = await store.sql.query<{ definition: string }>(
        `select obj_description('amazon_pay_orders_unsettled'::regclass, 'pg_class') as definition`,
      );
      assert.match(definition, /where \(stage in \('created', 'entry_unknown', 'entered', 'exec_unknown', 'started'\) or stale\)$/);
    });

    it("builds a rule index again when the lifecycle's rule differs from the one it was built with", async () => {
      await store.sql.query(`drop index amazon_pay_orders_unsettled`);
      await store.sql.query(`create index amazon_pay_orders_unsettled on amazon_pay_orders (updated_at) where stage in ('created', 'entered', 'started')`);
      await store.sql.query(`comment on index amazon_pay_orders_unsettled is 'an older rule'`);
      assert.equal(await store.migrate(), 0);
      const [{ predicate }] = await store.sql.query<{ predicate: string }>(
        `select pg_get_expr(indpred, indrelid) as predicate from pg_index where indexrelid = 'amazon_pay_orders_unsettled'::regclass`,
      );
      assert.match(predicate, /entry_unknown.*exec_unknown/);
    });

    it('upgrades a database made by an earlier version, keeping its orders', async () => {
      const orderId = `UP-${kind}-${Date.now()}`;
      await store.create({ orderId, kind: 'apb', jobCd: 'AUTH', amount: 500, tax: 0 }, { source: 'checkout', event: 'created' });
      // Back to schema 1 (the events' foreign key, their key the id alone plus an index by order,
      // no reconcile lease, one applied migration), as version 0.1 left it.
      await store.sql.query(
        'alter table amazon_pay_order_events add constraint amazon_pay_order_events_order_id_fkey foreign key (order_id) references amazon_pay_orders(order_id)',
      );
      await store.sql.query('alter table amazon_pay_order_events drop constraint amazon_pay_order_events_pkey');
      await store.sql.query('alter table amazon_pay_order_events add primary key (id)');
      await store.sql.query('create index amazon_pay_order_events_order on amazon_pay_order_events (order_id, id)');
      await store.sql.query('drop index amazon_pay_orders_unsettled');
      await store.sql.query('alter table amazon_pay_orders drop column reconcile_lease');
      for (const index of ['created', 'authorized', 'parent']) await store.sql.query(`drop index amazon_pay_orders_${index}`);
      await store.sql.query('alter table amazon_pay_orders drop column version, drop column stale, drop column shipping_address, drop column cart');
      await store.sql.query('delete from amazon_pay_schema where version > 1');
      assert.equal(await store.migrate(), 5);
      const constraints = await store.sql.query<{ contype: string; key: string }>(
        "select contype, pg_get_constraintdef(oid) as key from pg_constraint where conrelid = 'amazon_pay_order_events'::regclass and contype in ('p', 'f', 'u') order by contype",
      );
      assert.deepEqual(
        constraints.map((c) => [c.contype, c.key]),
        [['p', 'PRIMARY KEY (order_id, id)']],
      );
      const indexes = await store.sql.query("select indexname from pg_indexes where tablename = 'amazon_pay_order_events'");
      assert.deepEqual(indexes, [{ indexname: 'amazon_pay_order_events_pkey' }]);
      assert.equal((await store.get(orderId))!.amount, 500);
      assert.equal((await store.history(orderId)).length, 1);
    });

    it('creates, updates and lists orders, recording every change with its source and time', async () => {
      const orderId = `ST-${kind}-${Date.now()}`;
      await store.create({ orderId, kind: 'apb', jobCd: 'AUTH', amount: 1200, tax: 100, description: 'お試し' }, { source: 'checkout', event: 'created' });
      await store.update(orderId, () => ({
        changes: { stage: 'entered', accessId: `A${orderId}`, accessPass: 'p' },
        event: { source: 'checkout', event: 'EntryTranAmazonpay' },
      }));
      const unchanged = await store.update(orderId, () => null);
      assert.equal(unchanged.changed, false);
      await store.update(orderId, () => ({
        changes: { stage: 'completed', status: 'AUTH' },
        event: { source: 'RetURL', event: 'paid', detail: { status: 'AUTH' } },
      }));
      const order = (await store.get(orderId))!;
      assert.deepEqual([order.stage, order.status, order.amount, order.tax, order.description], ['completed', 'AUTH', 1200, 100, 'お試し']);
      const history = await store.history(orderId);
      assert.deepEqual(
        history.map((e) => [e.source, e.event, e.stage]),
        [
          ['checkout', 'created', 'created'],
          ['checkout', 'EntryTranAmazonpay', 'entered'],
          ['RetURL', 'paid', 'completed'],
        ],
      );
      assert.deepEqual(history[2].detail, { status: 'AUTH' });
      assert.ok(history.every((e, i) => i === 0 || e.at >= history[i - 1].at));
      assert.ok((await store.list({ limit: 500 })).some((o) => o.orderId === orderId));
      await assert.rejects(store.create({ orderId, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0 }, { source: 'checkout', event: 'again' }));
    });

    it('serializes concurrent changes to one order (no lost update)', async () => {
      const orderId = `CC-${kind}-${Date.now()}`;
      await store.create({ orderId, kind: 'apb', jobCd: 'AUTH', amount: 0 + 1, tax: 0 }, { source: 'checkout', event: 'created' });
      await Promise.all(
        Array.from({ length: 40 }, () =>
          store.update(orderId, (current) => ({ changes: { cancelAmount: current.cancelAmount + 1 }, event: { source: 'back office', event: '+1' } })),
        ),
      );
      assert.equal((await store.get(orderId))!.cancelAmount, 40);
      assert.equal((await store.history(orderId)).length, 41);
    });

    it('writes concurrent creates and records together (group commit), each row with its own event', async () => {
      let statements = 0;
      const counted = new SqlOrderStore({ ...store.sql, query: (text: string, params?: unknown[]) => (statements++, store.sql.query(text, params)) });
      const ids = Array.from({ length: 50 }, (_, i) => `GC-${kind}-${Date.now()}-${i}`);
      await Promise.all(
        ids.map((orderId, i) =>
          counted.create(
            { orderId, kind: 'apb', jobCd: 'AUTH', amount: 1000 + i, tax: i, stage: 'entered', accessId: `A${orderId}`, accessPass: 'p' },
            { source: 'checkout', event: 'EntryTranAmazonpay', detail: { i } },
          ),
        ),
      );
      assert.equal(statements, 1, 'fifty creates in the same turn are one statement');
      await Promise.all(
        ids.map((orderId, i) =>
          counted.record(orderId, { stage: 'started', status: 'REQSUCCESS', cancelAmount: i }, { source: 'checkout', event: 'ExecTranAmazonpay' }),
        ),
      );
      assert.equal(statements, 2);
      for (const [i, orderId] of ids.entries()) {
        const order = (await store.get(orderId))!;
        assert.deepEqual(
          [order.amount, order.tax, order.stage, order.status, order.cancelAmount, order.accessId],
          [1000 + i, i, 'started', 'REQSUCCESS', i, `A${orderId}`],
        );
        assert.deepEqual(
          (await store.history(orderId)).map((e) => [e.event, e.stage, e.detail]),
          [
            ['EntryTranAmazonpay', 'entered', { i }],
            ['ExecTranAmazonpay', 'started', null],
          ],
        );
      }
    });

    it('keeps any text exactly through batched writes (their rows travel as JSON), the first batch and the prepared ones', async () => {
      const nasty = ["it's", 'back\\slash \\\' quote "dq"', '$1 and $$dollar$$', '髙橋 﨑子 ①号室', '😀 emoji', "'); drop table x; --", '', 'tab\tnew\nline'];
      const base = `TXT-${kind}-${Date.now()}`;
      for (const round of [1, 2, 3]) {
        const ids = nasty.map((_, i) => `${base}-${round}-${i}`);
        await Promise.all(
          ids.map((orderId, i) =>
            store.create(
              { orderId, kind: 'apb', jobCd: 'AUTH', amount: 100, tax: 0, description: nasty[i] },
              { source: 'checkout', event: nasty[i], detail: { text: nasty[i] } },
            ),
          ),
        );
        await Promise.all(
          ids.map((orderId, i) =>
            store.record(orderId, { errorCodes: nasty[i] }, { source: 'checkout', event: `again ${nasty[i]}`, detail: { text: nasty[i] } }),
          ),
        );
        for (const [i, orderId] of ids.entries()) {
          const order = (await store.get(orderId))!;
          assert.deepEqual([order.description, order.errorCodes], [nasty[i], nasty[i]]);
          assert.deepEqual(
            (await store.history(orderId)).map((e) => [e.event, e.detail]),
            [
              [nasty[i], { text: nasty[i] }],
              [`again ${nasty[i]}`, { text: nasty[i] }],
            ],
          );
        }
      }
    });

    it('folds a record into the insert of an order created in the same batch, events in order', async () => {
      let statements = 0;
      const counted = new SqlOrderStore({ ...store.sql, query: (text: string, params?: unknown[]) => (statements++, store.sql.query(text, params)) });
      const orderId = `FOLD-${kind}-${Date.now()}`;
      const [, started, refused] = await Promise.all([
        counted.create(
          { orderId, kind: 'apb', jobCd: 'AUTH', amount: 700, tax: 0, stage: 'entered', status: 'UNPROCESSED' },
          { source: 'checkout', event: 'EntryTranAmazonpay' },
        ),
        counted.record(orderId, { stage: 'started', status: 'REQSUCCESS' }, { source: 'checkout', event: 'ExecTranAmazonpay' }, { ifStage: 'entered' }),
        counted.record(orderId, { stage: 'failed' }, { source: 'checkout', event: 'never' }, { ifStage: 'entered' }),
      ]);
      assert.equal(statements, 1, 'one insert, no update');
      assert.deepEqual([started, refused], [true, false]);
      const order = (await store.get(orderId))!;
      assert.deepEqual([order.stage, order.status, order.amount], ['started', 'REQSUCCESS', 700]);
      assert.deepEqual(
        (await store.history(orderId)).map((e) => [e.event, e.stage, e.status]),
        [
          ['EntryTranAmazonpay', 'entered', 'UNPROCESSED'],
          ['ExecTranAmazonpay', 'started', 'REQSUCCESS'],
        ],
      );
    });

    it('fails only the bad write of a batch, and applies two records of one order in order', async () => {
      const base = `BW-${kind}-${Date.now()}`;
      await store.create({ orderId: `${base}-taken`, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0 }, { source: 'checkout', event: 'created' });
      const results = await Promise.allSettled([
        store.create({ orderId: `${base}-a`, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0 }, { source: 'checkout', event: 'created' }),
        store.create({ orderId: `${base}-taken`, kind: 'apb', jobCd: 'AUTH', amount: 2, tax: 0 }, { source: 'checkout', event: 'again' }),
        store.create({ orderId: `${base}-b`, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0 }, { source: 'checkout', event: 'created' }),
        store.record(`${base}-a`, { stage: 'entered' }, { source: 'checkout', event: 'first' }),
        store.record(`${base}-a`, { stage: 'started' }, { source: 'checkout', event: 'second' }),
        store.record(`${base}-missing`, { stage: 'started' }, { source: 'checkout', event: 'lost' }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected'],
      );
      assert.match(String((results[5] as PromiseRejectedResult).reason), /order .*-missing not found/);
      assert.equal((await store.get(`${base}-taken`))!.amount, 1);
      assert.equal((await store.get(`${base}-a`))!.stage, 'started');
      assert.deepEqual(
        (await store.history(`${base}-a`)).map((e) => [e.event, e.stage]),
        [
          ['created', 'created'],
          ['first', 'entered'],
          ['second', 'started'],
        ],
      );
      assert.equal((await store.history(`${base}-taken`)).length, 1);
    });

    it('records with ifStage only while the order is at that stage; a read sees the writes submitted before it', async () => {
      const orderId = `IF-${kind}-${Date.now()}`;
      await store.create({ orderId, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0, stage: 'entered' }, { source: 'checkout', event: 'created' });
      await store.update(orderId, () => ({ changes: { stage: 'completed', status: 'AUTH' }, event: { source: 'RetURL', event: 'paid' } }));
      assert.equal(
        await store.record(orderId, { stage: 'started', status: 'REQSUCCESS' }, { source: 'checkout', event: 'late' }, { ifStage: 'entered' }),
        false,
      );
      assert.equal(await store.record(`${orderId}-missing`, { stage: 'started' }, { source: 'checkout', event: 'late' }, { ifStage: 'entered' }), false);
      void store.record(orderId, { description: 'not awaited' }, { source: 'back office', event: 'note' });
      const order = (await store.get(orderId))!;
      assert.deepEqual([order.stage, order.status, order.description], ['completed', 'AUTH', 'not awaited']);
      assert.deepEqual(
        (await store.history(orderId)).map((e) => e.event),
        ['created', 'paid', 'note'],
      );
    });

    it('pages the list newest first by OrderID (keyset), filtered by stage and kind', async () => {
      const prefix = `PG-${kind}-${Date.now()}-`;
      for (let i = 0; i < 5; i++)
        await store.create(
          { orderId: `${prefix}${i}`, kind: i % 2 ? 'apb' : 'session', jobCd: 'AUTH', amount: 100 + i, tax: 0, stage: i === 4 ? 'abandoned' : 'created' },
          { source: 'checkout', event: 'created' },
        );
      const mine = (orders: { orderId: string }[]) => orders.map((o) => o.orderId).filter((id) => id.startsWith(prefix));
      const first = await store.list({ limit: 2 });
      assert.deepEqual(mine(first), [`${prefix}4`, `${prefix}3`]);
      assert.deepEqual(mine(await store.list({ limit: 2, before: first[1].orderId })), [`${prefix}2`, `${prefix}1`]);
      assert.deepEqual(mine(await store.list({ limit: 100, stage: 'abandoned' })), [`${prefix}4`]);
      assert.deepEqual(mine(await store.list({ limit: 100, kind: 'apb', stage: ['created', 'abandoned'] })), [`${prefix}3`, `${prefix}1`]);
      await assert.rejects(store.list({ stage: "x') or true --" as never }), /unknown order stage/);
    });

    it('purges old settled history in batches, archiving each batch before it is removed', async () => {
      const id = `PU-${kind}-${Date.now()}`;
      await store.create({ orderId: id, kind: 'apb', jobCd: 'AUTH', amount: 100, tax: 0 }, { source: 'checkout', event: 'created' });
      for (const stage of ['entered', 'started', 'completed'] as const)
        await store.update(id, () => ({ changes: { stage, status: stage === 'completed' ? 'SALES' : null }, event: { source: 'checkout', event: stage } }));
      await store.sql.query(`update amazon_pay_orders set updated_at = now() - interval '2 days' where order_id = $1`, [id]);
      // An archive that fails (a full disk) removes nothing.
      await assert.rejects(
        store.purge({
          before: new Date(),
          archive: () => {
            throw new Error('ENOSPC');
          },
        }),
        /ENOSPC/,
      );
      assert.equal((await store.history(id)).length, 4);
      const archived: string[] = [];
      const done = await purgeOrders(store, {
        olderThanDays: 1,
        batchSize: 1,
        archive: ({ events }) => void archived.push(...events.filter((e) => e.orderId === id).map((e) => e.event)),
      });
      assert.ok(done.batches >= 2, 'one order per batch, then an empty one');
      assert.deepEqual(archived, ['created', 'entered', 'started']);
      assert.deepEqual(
        (await store.history(id)).map((e) => e.event),
        ['completed'],
      );
      await purgeOrders(store, { olderThanDays: 1, orders: true });
      assert.equal(await store.get(id), undefined);
      await assert.rejects(purgeOrders(store, { olderThanDays: 0 }), /olderThanDays 0: give a number of days, 1 or more/);
    });
  });
}

describe('PGlite on its worker thread', () => {
  it('keeps any text exactly, through prepared statements and their literals', async () => {
    const sql = await openPglite('memory://');
    try {
      const nasty = ["it's", "back\\slash \\' quote", '$1 and $$dollar$$', '髙橋 﨑子 ①号室', '😀 emoji', "'); drop table x; --", ''];
      for (const [i, text] of nasty.entries()) {
        const [row] = await sql.query<{ t: string; n: number; j: unknown }>('select $1::text as t, $2::integer as n, $3::jsonb as j', [
          text,
          i,
          JSON.stringify({ text }),
        ]);
        assert.deepEqual([row.t, row.n, row.j], [text, i, { text }]);
      }
      const [row] = await sql.query<{ t: string | null }>('select $1::text as t', [null]);
      assert.equal(row.t, null);
    } finally {
      await sql.close();
    }
  });

  it('keeps working past the prepared-statement limit, and reports SQL errors with their code', async () => {
    const sql = await openPglite('memory://');
    try {
      for (let i = 0; i < 130; i++) {
        // the second run of a statement prepares it; past 100, the least recently used go
        for (const n of [1, 2, 3]) {
          const [row] = await sql.query<{ v: number }>(`select $1::integer + ${i} as v`, [n]);
          assert.equal(row.v, i + n);
        }
      }
      const [{ count }] = await sql.query<{ count: number }>('select count(*)::integer as count from pg_prepared_statements');
      assert.equal(count, 100);
      await assert.rejects(
        sql.query('select $1::integer', ['not a number']),
        (e: Error & { code?: string }) => e.code === '22P02' && /invalid input syntax/.test(e.message),
      );
      await assert.rejects(sql.query('select * from no_such_table'), (e: Error & { code?: string }) => e.code === '42P01');
      // a transaction that throws leaves nothing behind and the session usable
      await sql.query('create table t (v integer)');
      await assert.rejects(
        sql.transaction(async (q) => {
          await q('insert into t values ($1)', [1]);
          throw new Error('changed my mind');
        }),
        /changed my mind/,
      );
      assert.deepEqual(await sql.query('select count(*)::integer as n from t'), [{ n: 0 }]);
    } finally {
      await sql.close();
    }
  });

  it('does not keep a script alive once its writes are done', async () => {
    const script = `import { openOrderStore } from ${JSON.stringify(new URL('../../src/server/orders/open-store.ts', import.meta.url).href)};
      const store = await openOrderStore({ dataDir: 'memory://' });
      await store.create({ orderId: 'EXIT-1', kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0 }, { source: 'checkout', event: 'created' });
      void store.record('EXIT-1', { stage: 'started' }, { source: 'checkout', event: 'later' }, { deferred: true }).then(() => console.log('deferred write done'));
      console.log('not closed');`;
    const started = Date.now();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
    assert.deepEqual(stdout.trim().split('\n'), ['not closed', 'deferred write done']);
    assert.ok(Date.now() - started < 30_000);
  });
});

describe('the journal of new orders (PGlite in a folder)', () => {
  const storeUrl = JSON.stringify(new URL('../../src/server/orders/open-store.ts', import.meta.url).href);
  const entry = (orderId: string) => journalEntry(orderId);

  it('keeps an order the process died before writing to the database', async () => {
    const dataDir = join(dir, 'journal-crash');
    const script = `import { openOrderStore } from ${storeUrl};
      const store = await openOrderStore({ dataDir: ${JSON.stringify(dataDir)} });
      const e = ${JSON.stringify(entry('JR-CRASH-1'))};
      await store.create(e.fields, e.event, { journal: true });
      console.log('created');
      process.kill(process.pid, 'SIGKILL'); // before the database has had its turn`;
    const child = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]).catch((e) => e);
    assert.equal(child.signal, 'SIGKILL');
    assert.equal(child.stdout.trim(), 'created'); // the store's word about creating the database went to stderr
    assert.match(readFileSync(join(dataDir, JOURNAL_FILE), 'utf8'), /JR-CRASH-1/);
    const store = await openOrderStore({ dataDir });
    try {
      const order = (await store.get('JR-CRASH-1'))!;
      assert.deepEqual([order.stage, order.status, order.amount, order.accessId, order.accessPass], ['entered', 'UNPROCESSED', 3980, 'AJR-CRASH-1', 'secret']);
      assert.deepEqual(
        (await store.history('JR-CRASH-1')).map((e) => [e.source, e.event, e.detail]),
        [['checkout', 'EntryTranAmazonpay (apb)', { amount: 3980 }]],
      );
      assert.equal(statSync(join(dataDir, JOURNAL_FILE)).size, 0);
    } finally {
      await store.close();
    }
  });

  it('applies a journal line once however often it is replayed, and skips a torn last line', async () => {
    const dataDir = join(dir, 'journal-replay');
    let store = await openOrderStore({ dataDir });
    const { fields, event } = entry('JR-TWICE-1');
    await store.create(fields as never, event as never, { journal: true });
    assert.equal((await store.get('JR-TWICE-1'))!.stage, 'entered'); // a read waits for the database
    assert.equal(statSync(join(dataDir, JOURNAL_FILE)).size, 0);
    await store.record('JR-TWICE-1', { stage: 'started', status: 'REQSUCCESS' }, { source: 'checkout', event: 'ExecTranAmazonpay' });
    await store.close();
    const line = JSON.stringify({ fields, event }) + '\n';
    writeFileSync(join(dataDir, JOURNAL_FILE), line + line + '{"fields":{"orderId":"JR-TORN');
    store = await openOrderStore({ dataDir });
    try {
      const order = (await store.get('JR-TWICE-1'))!;
      assert.deepEqual([order.stage, order.status], ['started', 'REQSUCCESS'], 'a replay never rolls an order back');
      assert.equal((await store.history('JR-TWICE-1')).length, 2);
      assert.equal(await store.get('JR-TORN'), undefined);
      assert.equal(statSync(join(dataDir, JOURNAL_FILE)).size, 0);
    } finally {
      await store.close();
    }
  });
});

describe('PostgreSQL shared by several servers', () => {
  it('lets two shops migrate at once, and a result arrive at the other server', async () => {
    const [a, b] = await Promise.all([openOrderStore({ databaseUrl: pg.url }), openOrderStore({ databaseUrl: pg.url })]);
    const sandbox = await startSandbox();
    const shopA = await startShop(sandbox, { store: a });
    const shopB = await startShop(sandbox, { store: b });
    try {
      const { sessionId } = await amazonCheckout(sandbox, PAYLOAD);
      const start = await (await checkout(shopA, { amazonCheckoutSessionId: sessionId })).json();
      const page = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text());
      const result = formFields(await (await postForm(new URL(page.action, sandbox.origin).href, { ...page.fields, action: 'continue' })).text());
      // GMO-PG's form goes to server A's RetURL; the load balancer hands it to B instead.
      const atB = await postForm(result.action.replace(shopA.origin, shopB.origin), result.fields);
      assert.match(atB.headers.get('location')!, /result=success/);
      const order = (await a.get(start.orderId))!;
      assert.deepEqual([order.stage, order.status], ['completed', 'AUTH']);
    } finally {
      await shopA.stop();
      await shopB.stop();
      await sandbox.stop();
    }
  });
});
