// The reconcile sweeper (handler.reconcile) over real HTTP against the sandbox, on PGlite and on
// PostgreSQL: a paid order whose RetURL could not be confirmed and whose notifications were lost is
// settled; an order nobody paid is marked abandoned; two sweepers racing take each order once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BackOfficeError } from '../../src/server/ops/back-office.js';
import { openOrderStore } from '../../src/server/orders/open-store.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';
import { formFields, postForm, startSandbox, type RunningSandbox } from './support/servers.js';
import { checkout, startShop, type RunningShop } from './support/shop.js';

let sandbox: RunningSandbox;
let pg: TestPostgres;
before(async () => {
  sandbox = await startSandbox();
  pg = await startPostgres();
});
after(async () => {
  await sandbox.stop();
  pg?.stop();
});

/** Pays at the stand-in Amazon; GMO-PG's form for RetURL is posted while SearchTradeMulti fails, so RetURL cannot confirm it. */
async function paidButUnconfirmed(shop: RunningShop) {
  const start = await (await checkout(shop, {})).json();
  const page = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text());
  const result = formFields(await (await postForm(new URL(page.action, sandbox.origin).href, { ...page.fields, action: 'continue' })).text());
  sandbox.faults.failNext('SearchTradeMulti', 'E92000001', 3); // RetURL's confirmation (with its retries) fails
  const back = await postForm(result.action, result.fields);
  assert.match(back.headers.get('location')!, /result=pending/);
  return start.orderId as string;
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`handler.reconcile() on ${kind}`, () => {
    let shop: RunningShop;
    before(async () => {
      shop = await startShop(sandbox, { store: await openOrderStore(kind === 'pglite' ? { dataDir: 'memory://' } : { databaseUrl: pg.url }) });
    });
    after(() => shop.stop());

    it('settles a paid order RetURL could not confirm (no notification came), and marks an unpaid one abandoned', async () => {
      const paid = await paidButUnconfirmed(shop);
      const left = (await (await checkout(shop, {})).json()).orderId as string; // the shopper closed the tab at Amazon
      assert.equal((await shop.handler.store.get(paid))!.stage, 'started');
      // Within the grace period nothing is touched.
      assert.equal((await shop.handler.reconcile()).checked, 0);
      const summary = await shop.handler.reconcile({ graceMs: 0, abandonAfterMs: 0 });
      assert.ok(summary.checked >= 2 && summary.settled >= 1 && summary.abandoned >= 1, JSON.stringify(summary));
      const order = (await shop.handler.store.get(paid))!;
      assert.deepEqual([order.stage, order.status], ['completed', 'AUTH']);
      assert.deepEqual((await shop.handler.store.history(paid)).at(-1)!.source, 'reconcile');
      const abandoned = (await shop.handler.store.get(left))!;
      assert.deepEqual([abandoned.stage, abandoned.status], ['abandoned', 'REQSUCCESS']);
      assert.match((await shop.handler.store.history(left)).at(-1)!.event, /^abandoned: still REQSUCCESS/);
      assert.ok(shop.logs.some((l) => l.startsWith('info reconcile: done')));
      // Settled orders are not looked at again.
      assert.equal((await shop.handler.reconcile({ graceMs: 0, abandonAfterMs: 0 })).checked, 0);
    });
  });
}

describe('two sweepers racing on one PostgreSQL', () => {
  it('take each order once', async () => {
    const [a, b] = await Promise.all([openOrderStore({ databaseUrl: pg.url }), openOrderStore({ databaseUrl: pg.url })]);
    const shopA = await startShop(sandbox, { store: a });
    const shopB = await startShop(sandbox, { store: b });
    try {
      const stuck = [];
      for (let i = 0; i < 6; i++) stuck.push(await paidButUnconfirmed(i % 2 ? shopA : shopB));
      const [x, y] = await Promise.all([shopA.handler.reconcile({ graceMs: 0, concurrency: 2 }), shopB.handler.reconcile({ graceMs: 0, concurrency: 2 })]);
      for (const orderId of stuck) {
        const events = (await a.history(orderId)).filter((e) => e.source === 'reconcile');
        assert.equal(events.length, 1, `${orderId}: ${events.length} reconcile events`);
        assert.equal((await a.get(orderId))!.stage, 'completed');
      }
      // Disjoint claims: together they looked at each order once (without the lease, both would see all six).
      assert.equal(x.checked + y.checked, stuck.length, `${x.checked} + ${y.checked}`);
      assert.equal(x.settled + y.settled, stuck.length);
    } finally {
      await shopA.stop();
      await shopB.stop();
    }
  });
});

describe('authorizations that expire', () => {
  it('are listed for the back office and warned of by the sweep; left 30 days, Amazon cancels them (sandbox clock)', async () => {
    let now = Date.now();
    const clocked = await startSandbox({ clock: () => now });
    const shop = await startShop(clocked, { store: await openOrderStore({ dataDir: 'memory://' }) });
    try {
      const start = await (await checkout(shop, {})).json();
      const page = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text());
      const result = formFields(await (await postForm(new URL(page.action, clocked.origin).href, { ...page.fields, action: 'continue' })).text());
      assert.match((await postForm(result.action, result.fields)).headers.get('location')!, /result=success/);
      const office = shop.handler.backOffice;
      const DAY = 24 * 3600_000;
      assert.deepEqual(await office.expiring(), [], 'authorized just now: not within the default 7 days');
      const [soon] = await office.expiring({ within: 30 * DAY + 60_000 });
      assert.equal(soon.orderId, start.orderId);
      assert.ok(Math.abs(Date.parse(soon.expiresAt) - Date.parse(soon.authorizedAt) - 30 * DAY) < 1000);
      assert.ok(!('accessPass' in soon));
      const summary = await shop.handler.reconcile({ expiryWarningMs: 31 * DAY });
      assert.equal(summary.expiring, 1);
      assert.ok(shop.logs.some((l) => l.startsWith('warn authorization expires soon') && l.includes(start.orderId)));
      // 31 days later at Amazon: the authorization is gone.
      now += 31 * DAY;
      // The back office asks GMO-PG before it captures: the expiry is found there, and nothing is sent.
      await assert.rejects(
        office.capture(start.orderId),
        (e: Error) => e instanceof BackOfficeError && /it is CANCEL: only an authorization \(AUTH\) can be captured/.test(e.message),
      );
      assert.equal((await shop.handler.store.get(start.orderId))!.status, 'CANCEL', 'recorded as GMO-PG has it');
      assert.equal((await office.refresh(start.orderId)).status, 'CANCEL');
      assert.deepEqual(await office.expiring({ within: 30 * DAY + 60_000 }), [], 'no longer at AUTH');
    } finally {
      await shop.stop();
      await clocked.stop();
    }
  });
});
