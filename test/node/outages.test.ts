// What hosting does to the order store, each found by an adversarial run (issue 19): PostgreSQL
// restarted or frozen under a running shop, a purge archive on a nearly full disk, and a second
// container (another PID namespace) on the same PGlite folder. Real processes, real servers.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openOrderStore } from '../../src/server/orders/open-store.js';
import { startOwnPostgres, type OwnPostgres } from './support/postgres.js';
import { startSandbox, type RunningSandbox } from './support/servers.js';
import { checkout, payOrder, startShop } from './support/shop.js';

let dir: string;
let sandbox: RunningSandbox;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apv2-outages-'));
  sandbox = await startSandbox();
});
after(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('PostgreSQL going away under a running shop', () => {
  let pg: OwnPostgres;
  before(async () => {
    pg = await startOwnPostgres();
  });
  after(() => pg?.stop());

  it('5: stays up through a restart (503 STORE_UNAVAILABLE meanwhile), recovers by itself, and never waits for a frozen server past its timeouts', async () => {
    const store = await openOrderStore({ databaseUrl: pg.url, postgres: { queryTimeoutMs: 1500, connectTimeoutMs: 1000 } });
    const shop = await startShop(sandbox, { store });
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.join(' '));
    try {
      const paid = await payOrder(sandbox, shop);
      assert.equal((await store.get(paid))!.stage, 'completed');

      pg.shutDown(); // pg_ctl stop -m fast: the pool's idle connections are closed under it
      await new Promise((r) => setTimeout(r, 200));
      const away = await checkout(shop, {});
      assert.equal(away.status, 503);
      const body = await away.json();
      assert.ok(['STORE_UNAVAILABLE', 'ORDER_NOT_RECORDED'].includes(body.error.code), JSON.stringify(body));
      const list = await fetch(`${shop.api}/notify`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `OrderID=${paid}`,
      });
      assert.equal(await list.text(), '0', 'GMO-PG is still answered');
      // A read route: the store error is a 503 with a code, not a crash and not a 500.
      const address = await fetch(`${shop.api}/result`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `OrderID=${paid}&CheckString=x`,
        redirect: 'manual',
      });
      assert.equal(address.status, 303);
      assert.match(address.headers.get('location')!, /result=pending&reason=store_unavailable/);
      assert.ok(
        shop.logs.some((l) => l.startsWith('error order store unavailable')),
        shop.logs.join('\n'),
      );

      pg.startUp();
      const back = await checkout(shop, {});
      assert.equal(back.status, 200, 'the pool opened new connections by itself');
      await shop.handler.idle();

      pg.freeze(); // connections stay open; nothing answers
      const started = Date.now();
      const frozen = await checkout(shop, {});
      const waited = Date.now() - started;
      pg.thaw();
      assert.equal(frozen.status, 503);
      assert.ok(waited < 6000, `answered after ${waited} ms`);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await checkout(shop, {})).status, 200);
    } finally {
      console.error = original;
      pg.thaw();
      await shop.stop().catch(() => {});
    }
  });

  it('4: a purge on a nearly full disk archives whole batches and deletes only what is archived', async () => {
    const store = await openOrderStore({ databaseUrl: pg.url });
    const ids: string[] = [];
    try {
      for (let i = 0; i < 1100; i++) {
        const orderId = `PURGE-${String(i).padStart(5, '0')}`;
        ids.push(orderId);
        await store.create(
          { orderId, kind: 'apb', jobCd: 'AUTH', amount: 1000 + i, tax: 0, stage: 'failed', status: 'PAYFAIL', description: 'お試しの注文です' },
          { source: 'checkout', event: 'declined', detail: { errInfo: 'E08000001' } },
        );
      }
      await store.sql.query(`update amazon_pay_orders set updated_at = now() - interval '3 days' where order_id like 'PURGE-%'`);
    } finally {
      await store.close();
    }
    const archive = join(dir, 'archive.jsonl');
    // RLIMIT_FSIZE: files this process writes stop growing at 700 kB, mid-way through the second batch of 500 orders.
    const cli = spawnSync(
      'bash',
      ['-c', `ulimit -f 700; exec "${process.execPath}" dist/node/cli.js orders purge --older-than 1 --orders --archive ${archive} --yes --json`],
      {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: pg.url },
      },
    );
    assert.notEqual(cli.status, 0, 'the purge stops with an error');
    assert.match(cli.stderr, /could not take the batch \(EFBIG\).*nothing that is not archived was removed/);
    const lines = readFileSync(archive, 'utf8').split('\n');
    assert.equal(lines.at(-1), '', 'the file ends with a whole line');
    const archived = lines.slice(0, -1).map((l) => JSON.parse(l) as { type: string; orderId: string });
    const archivedOrders = new Set(archived.filter((l) => l.type === 'order').map((l) => l.orderId));
    assert.ok(archivedOrders.size > 0 && archivedOrders.size < ids.length, `${archivedOrders.size} archived`);
    const check = await openOrderStore({ databaseUrl: pg.url });
    try {
      const left = new Set(
        (await check.sql.query<{ order_id: string }>(`select order_id from amazon_pay_orders where order_id like 'PURGE-%'`)).map((r) => r.order_id),
      );
      for (const id of ids) assert.notEqual(archivedOrders.has(id), left.has(id), `${id}: either archived and removed, or kept`);
    } finally {
      await check.close();
    }
  });
});

describe('a PGlite folder and a second container', () => {
  const storeUrl = JSON.stringify(new URL('../../src/server/orders/open-store.ts', import.meta.url).href);

  /** A Node process on the folder; `unshare` puts it in a PID namespace of its own, as a second container would be. */
  function opener(dataDir: string, options: { namespace?: boolean; write?: string } = {}) {
    const script = `import { openOrderStore } from ${storeUrl};
      try {
        const store = await openOrderStore({ dataDir: ${JSON.stringify(dataDir)}, lockStaleMs: 1500 });
        ${options.write ? `await store.create({ orderId: ${JSON.stringify(options.write)}, kind: 'apb', jobCd: 'AUTH', amount: 1, tax: 0 }, { source: 'checkout', event: 'x' });` : ''}
        console.log('ready');
        setInterval(() => {}, 1000);
      } catch (error) { console.log('refused ' + error.name + ': ' + error.message); process.exit(3); }`;
    const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
    const proc = options.namespace
      ? spawn('unshare', ['--user', '--map-root-user', '--pid', '--fork', '--kill-child', '--mount-proc', ...node])
      : spawn(node[0], node.slice(1));
    let out = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (out += c));
    const settled = new Promise<string>((resolve) => {
      proc.stdout.on('data', () => /ready|refused/.test(out) && resolve(out));
      proc.on('exit', () => resolve(out));
    });
    return { proc, settled };
  }

  it("6: a process in another PID namespace cannot take a live holder's lock, and takes it once the holder is gone and its lease stale", async () => {
    const dataDir = join(dir, 'shared-volume');
    const holder = opener(dataDir, { write: 'HELD-1' });
    assert.match(await holder.settled, /ready/);
    const intruder = opener(dataDir, { namespace: true });
    const refused = await intruder.settled;
    assert.match(refused, /refused FolderLockedError: .*in another PID namespace/, "the holder's pid means nothing there: the lease decides");
    // The holder is killed (its container stopped): the lease is no longer renewed, and a new opener waits it out.
    holder.proc.kill('SIGKILL');
    await new Promise((r) => holder.proc.on('exit', r));
    await new Promise((r) => setTimeout(r, 1600));
    const next = opener(dataDir, { namespace: true, write: 'NEXT-1' });
    assert.match(await next.settled, /ready/);
    next.proc.kill('SIGKILL');
    await new Promise((r) => next.proc.on('exit', r));
    await new Promise((r) => setTimeout(r, 1600));
    const store = await openOrderStore({ dataDir, lockStaleMs: 1500 });
    try {
      assert.ok(await store.get('HELD-1'));
      assert.ok(await store.get('NEXT-1'));
    } finally {
      await store.close();
    }
  });
});
