// The order store on both of its databases: PGlite in a folder, and a real PostgreSQL server.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openOrderStore, type SqlOrderStore } from '../../src/server/orders/sql-store.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';
import { PAYLOAD, amazonCheckout, formFields, postForm, startSandbox } from './support/servers.js';
import { checkout, startShop } from './support/shop.js';

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
      assert.equal(version, 1);
    });

    it('creates, updates and lists orders, recording every change with its source and time', async () => {
      const orderId = `ST-${kind}-${Date.now()}`;
      await store.create({ orderId, kind: 'apb', jobCd: 'AUTH', amount: 1200, tax: 100, description: 'お試し' }, { source: 'checkout', event: 'created' });
      await store.update(orderId, () => ({ changes: { stage: 'entered', accessId: `A${orderId}`, accessPass: 'p' }, event: { source: 'checkout', event: 'EntryTranAmazonpay' } }));
      const unchanged = await store.update(orderId, () => null);
      assert.equal(unchanged.changed, false);
      await store.update(orderId, () => ({ changes: { stage: 'completed', status: 'AUTH' }, event: { source: 'RetURL', event: 'paid', detail: { status: 'AUTH' } } }));
      const order = (await store.get(orderId))!;
      assert.deepEqual([order.stage, order.status, order.amount, order.tax, order.description], ['completed', 'AUTH', 1200, 100, 'お試し']);
      const history = await store.history(orderId);
      assert.deepEqual(history.map((e) => [e.source, e.event, e.stage]), [
        ['checkout', 'created', 'created'],
        ['checkout', 'EntryTranAmazonpay', 'entered'],
        ['RetURL', 'paid', 'completed'],
      ]);
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
  });
}

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
