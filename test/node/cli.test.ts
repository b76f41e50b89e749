// The ops command as a shop runs it: the built bin (dist/node/cli.js) in a child process, over a
// PostgreSQL store the shop's server uses at the same time, against the sandbox. Exit codes,
// --json, the confirmation before money moves, the progress bar, retention with an archive.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openOrderStore } from '../../src/server/orders/open-store.js';
import type { SqlOrderStore } from '../../src/server/orders/sql-store.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';
import { startSandbox, type RunningSandbox } from './support/servers.js';
import { checkout, payOrder, startShop, type RunningShop } from './support/shop.js';

const BIN = 'dist/node/cli.js';
let sandbox: RunningSandbox;
let pg: TestPostgres;
let shop: RunningShop;
let env: Record<string, string>;
/** The next order is a 利用承諾 (the shop's resolveOrder gives its frequency). */
let consentNext = false;
async function payConsent() {
  consentNext = true;
  try {
    return await payOrder(sandbox, shop, true);
  } finally {
    consentNext = false;
  }
}

before(async () => {
  assert.ok(existsSync(BIN), `${BIN} is built by npm run build`);
  sandbox = await startSandbox();
  pg = await startPostgres();
  shop = await startShop(sandbox, {
    store: await openOrderStore({ databaseUrl: pg.url }),
    resolveOrder: () => ({ amount: 3980, description: 'テストのご注文', ...(consentNext && { frequency: { unit: 'Month', value: 1 } }) }),
  });
  env = { DATABASE_URL: pg.url, GMO_PG_BASE_URL: sandbox.baseUrl, GMO_PG_SHOP_ID: sandbox.shopId, GMO_PG_SHOP_PASS: sandbox.shopPass };
});
after(async () => {
  await shop?.stop();
  await sandbox?.stop();
  pg?.stop();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json(): any;
}

/** Runs the bin with `args`, the given environment only (plus PATH), and `input` on stdin (then closed). */
function cli(args: string[], options: { env?: Record<string, string | undefined>; input?: string } = {}): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...(options.env ?? env) } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) })));
}

const trade = (orderId: string) => sandbox.state.tradeByOrder(sandbox.shopId, orderId)!;
const sql = () => (shop.handler.store as SqlOrderStore).sql;

describe('amazon-pay-v2 orders', () => {
  it('lists and shows orders, as a table and as JSON', async () => {
    const orderId = await payOrder(sandbox, shop);
    const listed = await cli(['orders', 'list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.json()[0].orderId, orderId, 'newest first');
    assert.ok(!listed.stdout.includes('accessPass'), 'no AccessPass in the output');
    const table = await cli(['orders', 'list', '--stage', 'completed']);
    assert.match(table.stdout, /^ORDER ID\s+KIND\s+STAGE\s+STATUS\s+AMOUNT\s+CREATED$/m);
    assert.match(table.stdout, new RegExp(`^${orderId}\\s+session\\s+completed\\s+AUTH\\s+3980 `, 'm'));
    const readOnly = await cli(['orders', 'list', '--limit', '1'], { env: { DATABASE_URL: pg.url } });
    assert.equal(readOnly.code, 0, `listing needs no GMO-PG settings: ${readOnly.stderr}`);
    const shown = await cli(['orders', 'show', orderId, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.json().status, 'AUTH');
    assert.ok(shown.json().history.some((e: { source: string }) => e.source === 'RetURL'));
    const human = await cli(['orders', 'show', orderId]);
    assert.match(human.stdout, /GMO-PG status AUTH/);
    assert.match(human.stdout, /^history$/m);
  });

  it('exits 3 for an unknown order and 2 for a wrong command line, saying why', async () => {
    const missing = await cli(['orders', 'show', 'NO-SUCH-ORDER', '--json']);
    assert.equal(missing.code, 3);
    assert.deepEqual(JSON.parse(missing.stderr).error.code, 'NOT_FOUND');
    const noArg = await cli(['orders', 'capture']);
    assert.equal(noArg.code, 2);
    assert.match(noArg.stderr, /missing required argument 'orderId'/);
    const badAmount = await cli(['orders', 'capture', 'X', '--amount', '12.5']);
    assert.equal(badAmount.code, 2);
    assert.match(badAmount.stderr, /--amount.*whole number/);
    const badStage = await cli(['orders', 'list', '--stage', 'paid']);
    assert.equal(badStage.code, 2);
    assert.match(badStage.stderr, /Allowed choices are created, /);
  });

  it('asks before capturing: "n" (or no answer) sends nothing, "y" captures', async () => {
    const orderId = await payOrder(sandbox, shop);
    for (const input of ['n\n', '']) {
      const no = await cli(['orders', 'capture', orderId], { input });
      assert.equal(no.code, 5, no.stderr);
      assert.match(no.stderr, /Capture 3,980 yen of order .*\? \[y\/N\]/);
      assert.match(no.stderr, /not confirmed: nothing was changed/);
      assert.equal(trade(orderId).status, 'AUTH');
    }
    const yes = await cli(['orders', 'capture', orderId], { input: 'y\n' });
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /captured: SALES, 3,980 yen/);
    assert.equal(trade(orderId).status, 'SALES');
    assert.equal((await shop.handler.store.get(orderId))!.status, 'SALES', 'the server sees what the command did');
    // A second capture sends nothing and succeeds; cancel of captured money points to refund.
    assert.match((await cli(['orders', 'capture', orderId, '--yes'])).stdout, /captured already/);
    const cancel = await cli(['orders', 'cancel', orderId, '--yes']);
    assert.equal(cancel.code, 1);
    assert.match(cancel.stderr, /orders refund/);
    const refund = await cli(['orders', 'refund', orderId, '--amount', '1000', '--yes', '--json']);
    assert.equal(refund.code, 0, refund.stderr);
    assert.deepEqual([refund.json().status, refund.json().cancelAmount], ['RETURN', 1000]);
    const tooMuch = await cli(['orders', 'refund', orderId, '--amount', '5000', '--yes']);
    assert.equal(tooMuch.code, 1);
    assert.match(tooMuch.stderr, /more than the 2,980 yen left/);
  });

  it('charges a recurring consent (随時決済), closes it, and a charge after that is refused by GMO-PG (exit 1)', async () => {
    const consent = await payConsent();
    const charged = await cli(['orders', 'charge', consent, '--amount', '1200', '--yes', '--json']);
    assert.equal(charged.code, 0, charged.stderr);
    assert.equal(charged.json().parentOrderId, consent);
    assert.equal(trade(charged.json().orderId).status, 'AUTH');
    const closed = await cli(['orders', 'close', consent, '--yes']);
    assert.equal(closed.code, 0, closed.stderr);
    assert.match(closed.stdout, /closed: Closed/i);
    const again = await cli(['orders', 'charge', consent, '--amount', '1200', '--yes', '--json']);
    assert.equal(again.code, 1);
    assert.equal(JSON.parse(again.stderr).error.code, 'GMO_PG_REFUSED');
  });

  it('exits 4 when GMO-PG is not configured, and 6 when GMO-PG does not answer (the outcome is unknown)', async () => {
    const orderId = await payOrder(sandbox, shop);
    const unset = await cli(['orders', 'capture', orderId, '--yes'], { env: { ...env, GMO_PG_SHOP_ID: undefined } });
    assert.equal(unset.code, 4);
    assert.match(unset.stderr, /GMO_PG_SHOP_ID/);
    const silent = await cli(['orders', 'capture', orderId, '--yes'], { env: { ...env, GMO_PG_BASE_URL: 'http://127.0.0.1:9/payment/' } });
    assert.equal(silent.code, 6, silent.stderr);
    assert.match(silent.stderr, /outcome is unknown/);
  });

  it('reconciles with a progress bar and a summary; exits 7 when GMO-PG cannot be asked', async () => {
    const left = (await (await checkout(shop, {})).json()).orderId as string; // the shopper never paid
    await shop.handler.idle();
    const unreachable = await cli(['orders', 'reconcile', '--grace-minutes', '0', '--json'], {
      env: { ...env, GMO_PG_BASE_URL: 'http://127.0.0.1:9/payment/' },
    });
    assert.equal(unreachable.code, 7, unreachable.stderr);
    assert.ok(unreachable.json().errors >= 1);
    // The lease of the failed run (5 minutes) is given back, as if that time had passed.
    await sql().query('update amazon_pay_orders set reconcile_lease = null');
    const run = await cli(['orders', 'reconcile', '--grace-minutes', '0', '--abandon-after-minutes', '0', '--progress', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.json().abandoned >= 1, run.stdout);
    assert.match(run.stderr, /reconcile \[[█░]+\] (\d+)\/\1 orders/);
    assert.equal((await shop.handler.store.get(left))!.stage, 'abandoned');
  });

  it('lists authorizations about to expire', async () => {
    const orderId = await payOrder(sandbox, shop);
    await sql().query(`update amazon_pay_order_events set at = at - interval '28 days' where order_id = $1`, [orderId]);
    await sql().query(`update amazon_pay_orders set created_at = created_at - interval '28 days' where order_id = $1`, [orderId]);
    const soon = await cli(['orders', 'expiring', '--within-days', '3', '--json']);
    assert.equal(soon.code, 0, soon.stderr);
    assert.deepEqual(
      soon.json().map((o: { orderId: string }) => o.orderId),
      [orderId],
    );
    assert.match((await cli(['orders', 'expiring', '--within-days', '1'])).stdout, /no authorization expires within 1 days/);
  });

  it('purges old history into an archive, then old orders, keeping authorizations and consents', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apv2-purge-'));
    try {
      const captured = await payOrder(sandbox, shop);
      await shop.handler.backOffice.capture(captured);
      const authorized = await payOrder(sandbox, shop);
      const consent = await payConsent();
      await shop.handler.backOffice.capture(consent);
      const events = (await shop.handler.store.history(captured)).length;
      await sql().query(`update amazon_pay_orders set updated_at = now() - interval '400 days'`);
      const archive = join(dir, 'archive.jsonl');
      const asked = await cli(['orders', 'purge', '--older-than', '365', '--archive', archive], { input: 'n\n' });
      assert.equal(asked.code, 5);
      const history = await cli(['orders', 'purge', '--older-than', '365', '--archive', archive, '--yes', '--json']);
      assert.equal(history.code, 0, history.stderr);
      assert.equal((await shop.handler.store.history(captured)).length, 1, 'the last event is kept');
      assert.equal((await shop.handler.store.history(authorized)).length, events - 1, 'an authorization keeps its history (its expiry is read there)');
      assert.equal(statSync(archive).mode & 0o777, 0o600, 'the archive is for the shop only');
      const lines = readFileSync(archive, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(lines.length, history.json().events);
      assert.ok(lines.filter((l) => l.orderId === captured).length === events - 1);
      const orders = await cli(['orders', 'purge', '--older-than', '365', '--orders', '--archive', archive, '--yes', '--json']);
      assert.equal(orders.code, 0, orders.stderr);
      assert.equal(await shop.handler.store.get(captured), undefined);
      assert.ok(await shop.handler.store.get(authorized), 'authorizations are kept');
      assert.ok(await shop.handler.store.get(consent), 'a recurring consent is kept');
      const archived = readFileSync(archive, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.ok(archived.some((l) => l.type === 'order' && l.orderId === captured && !('accessPass' in l)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the command lines of docs/operations.md as written (answering y where it asks)', async () => {
    const readme = readFileSync('docs/operations.md', 'utf8');
    const lines = [...readme.matchAll(/^\s*npx amazon-pay-v2 (orders .*?)\s*(?:#.*)?$/gm)].map((m) => m[1]);
    assert.ok(lines.length >= 6, lines.join('\n'));
    const orderId = await payOrder(sandbox, shop);
    const dir = mkdtempSync(join(tmpdir(), 'apv2-readme-cli-'));
    try {
      for (const line of lines) {
        const args = line.replaceAll('<注文ID>', orderId).split(/\s+/);
        const child = spawn(process.execPath, [join(process.cwd(), BIN), ...args], { cwd: dir, env: { PATH: process.env.PATH, ...env } });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.stdin.end('y\n');
        const code = await new Promise((resolve) => child.on('close', resolve));
        assert.equal(code, 0, `${line}\n${output}`);
      }
      assert.equal(trade(orderId).status, 'RETURN', 'captured, then refunded in part, as the README shows');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 4 on a PGlite folder the server holds, naming the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apv2-cli-'));
    const held = await openOrderStore({ dataDir: dir });
    try {
      const run = await cli(['orders', 'list', '--data-dir', dir], { env: {} });
      assert.equal(run.code, 4);
      assert.match(run.stderr, new RegExp(`could not be opened: .*${dir}`));
      // A folder with no store (a typo) is not made into an empty one.
      const typo = await cli(['orders', 'list', '--data-dir', `${dir}-typo`], { env: {} });
      assert.equal(typo.code, 4);
      assert.match(typo.stderr, /no order store in .*-typo: give the server's folder with --data-dir/);
      assert.ok(!existsSync(`${dir}-typo`), 'nothing was created');
    } finally {
      await held.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
