// The merchant endpoint under hostile input, over real HTTP against the sandbox: forged and
// malformed posts, text GMO-PG cannot carry, bodies without end, floods, and forged Host headers.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { GmoPgClient } from '../../src/server/client/gmo-pg-client.js';
import { MemoryOrderStore } from '../../src/server/orders/memory-store.js';
import { formFields, postForm, sendEndless, startSandbox, clientFor, type RunningSandbox } from './support/servers.js';
import { checkout, startShop, type RunningShop } from './support/shop.js';

let sandbox: RunningSandbox;
let shop: RunningShop;

before(async () => {
  sandbox = await startSandbox();
  shop = await startShop(sandbox);
});
after(async () => {
  await shop.stop();
  await sandbox.stop();
});
beforeEach(() => sandbox.faults.clear());

/** The shopper's leg after /checkout, up to GMO-PG's form for RetURL (not posted). */
async function resultForm(start: { startUrl: string; accessId: string; token: string }, action = 'continue') {
  const page = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text());
  return formFields(await (await postForm(new URL(page.action, start.startUrl).href, { ...page.fields, action })).text());
}

/** A raw request with a Host header of our choosing (fetch does not let one set it). */
function withHost(url: string, host: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; body: string; location?: string }>((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: { ...init.headers, host } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('hostile input at the merchant endpoint', () => {
  it('keeps only GMO-PG-shaped error codes from a resent RetURL post (no markup reaches the records)', async () => {
    const start = await (await checkout(shop, {})).json();
    const result = await resultForm(start, 'cancel'); // the shopper cancels at Amazon
    assert.ok(result.fields.ErrInfo);
    const forged = { ...result.fields, ErrInfo: '<img src=x onerror=alert(document.cookie)>', ErrCode: 'E08' };
    const response = await postForm(result.action, forged);
    assert.equal(response.status, 303);
    const order = (await shop.handler.store.get(start.orderId))!;
    assert.equal(order.stage, 'failed');
    assert.ok(order.errorCodes === null || /^[A-Z0-9]{9}$/.test(order.errorCodes), `stored ${order.errorCodes}`);
    const history = JSON.stringify(await shop.handler.store.history(start.orderId));
    assert.ok(!history.includes('<img'), history);
    assert.ok(!response.headers.get('location')!.includes('img'));
  });

  it('answers a NUL in OrderID or ErrInfo like any forged post: a redirect, not a 500', async () => {
    const start = await (await checkout(shop, {})).json();
    const result = await resultForm(start, 'cancel');
    for (const fields of [{ ...result.fields, OrderID: 'AP\u0000X' }, { ...result.fields, ErrInfo: 'E0800000\u00002' }, { OrderID: '\u0000' }]) {
      const response = await postForm(result.action, fields);
      assert.equal(response.status, 303, JSON.stringify(fields));
    }
    const order = (await shop.handler.store.get(start.orderId))!;
    assert.ok(!order.errorCodes?.includes('\u0000'));
  });

  it('refuses order text GMO-PG or the store cannot carry, with a 400 naming the field, before EntryTran', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['description', { description: 'コーヒー\u0000豆' }, /U\+0000 \(NUL\)/],
      ['description', { description: 'コーヒー\uD83D豆' }, /lone surrogate/],
      ['description', { description: 'コーヒー豆 ☕️🎁' }, /U\+2615/],
      ['clientField2', { clientField2: 'x\uDC00' }, /lone surrogate/],
      ['clientField1', { clientField1: 'あ'.repeat(51) }, /102 bytes .* at most 100/],
    ];
    const store = new MemoryOrderStore();
    for (const [field, extra, message] of cases) {
      const trades = sandbox.state.trades.size;
      const other = await startShop(sandbox, { store, resolveOrder: () => ({ amount: 1000, ...extra }) });
      try {
        const response = await checkout(other, {});
        assert.equal(response.status, 400, field);
        const { error } = await response.json();
        assert.equal(error.code, 'ORDER_INVALID');
        assert.equal(error.field, field);
        assert.match(error.message, message);
        assert.equal(sandbox.state.trades.size, trades, 'nothing was sent to GMO-PG');
        assert.ok(other.logs.some((l) => l.startsWith('error resolveOrder failed') && l.includes(field)));
      } finally {
        await other.stop();
      }
    }
    assert.deepEqual(await store.list(), [], 'no order was written');
  });

  it('stops reading a body at the limit on every route, with or without Content-Length', async () => {
    for (const path of ['/checkout', '/result', '/notify']) {
      const { status, sent } = await sendEndless(`${shop.api}${path}`, {
        'content-type': path === '/checkout' ? 'application/json' : 'application/x-www-form-urlencoded',
        origin: shop.origin,
      });
      assert.equal(status, 413, path);
      assert.ok(sent < 4 * 1024 * 1024, `${path}: answered after ${sent} bytes, not at the end of the body`);
    }
    const declared = await fetch(`${shop.api}/result`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a'.repeat(20000),
    });
    assert.equal(declared.status, 413);
  });

  it('coalesces a flood of notifications for one order into at most two SearchTradeMulti calls', async () => {
    let searches = 0;
    const gmo = clientFor(sandbox);
    const counting: GmoPgClient = { ...gmo, verifyCheckString: gmo.verifyCheckString, searchTradeMulti: (i) => (searches++, gmo.searchTradeMulti(i)) };
    const other = await startShop(sandbox, { gmo: counting, notificationQuietMs: 1000 });
    try {
      const start = await (await checkout(other, {})).json();
      const body = new URLSearchParams({ ShopID: sandbox.shopId, OrderID: start.orderId, Status: 'AUTH' }).toString();
      const answers = await Promise.all(
        Array.from({ length: 300 }, () =>
          fetch(`${other.api}/notify`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then((r) => r.text()),
        ),
      );
      assert.ok(answers.every((a) => a === '0'));
      await other.handler.idle();
      assert.ok(searches >= 1 && searches <= 2, `${searches} SearchTradeMulti calls`);
      // A later notification, after the quiet period, is looked up again.
      await new Promise((r) => setTimeout(r, 1100));
      const before = searches;
      await fetch(`${other.api}/notify`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      await other.handler.idle();
      assert.equal(searches, before + 1);
    } finally {
      await other.stop();
    }
  });

  it('believes only allowedHosts (or publicUrl) for the RetURL, and warns at start when neither is set', async () => {
    assert.ok(
      shop.logs.some((l) => l.startsWith('warn neither publicUrl nor allowedHosts is set')),
      'the test shop has neither',
    );
    const other = await startShop(sandbox, { allowedHosts: ['127.0.0.1'] }); // any port: the test server's is not known yet
    try {
      assert.ok(!other.logs.some((l) => l.includes('neither publicUrl')));
      const forged = await withHost(`${other.api}/checkout`, 'evil.example', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
        body: '{}',
      });
      assert.equal(forged.status, 403);
      assert.match(JSON.parse(forged.body).error.message, /Host evil\.example is not in allowedHosts/);
      const answer = await (await checkout(other, {})).json();
      assert.equal(sandbox.state.trades.get(answer.accessId)!.retUrl, `${other.api}/result`);
    } finally {
      await other.stop();
    }
    const fixed = await startShop(sandbox, { publicUrl: 'https://shop.example' });
    try {
      const answer = await (await checkout(fixed, {}, { origin: 'https://shop.example' })).json();
      assert.equal(sandbox.state.trades.get(answer.accessId)!.retUrl, 'https://shop.example/api/amazon-pay/result');
      const refused = await checkout(fixed, {});
      assert.equal(refused.status, 403);
      assert.match((await refused.json()).error.message, /set publicUrl/);
    } finally {
      await fixed.stop();
    }
  });
});
