// The merchant endpoint over real HTTP, against the sandbox, with its orders in PGlite.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { encodeForm } from '../../src/server/client/wire.js';
import { openOrderStore } from '../../src/server/orders/open-store.js';
import { MemoryOrderStore } from '../../src/server/orders/memory-store.js';
import { createAmazonPayHandler } from '../../src/server/endpoint/handler.js';
import { PAYLOAD, amazonCheckout, formFields, postForm, startSandbox, type RunningSandbox } from './support/servers.js';
import { checkout, startShop, type JsonResponse, type RunningShop } from './support/shop.js';

let sandbox: RunningSandbox;
let shop: RunningShop;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apv2-handler-'));
  sandbox = await startSandbox();
  shop = await startShop(sandbox, { dataDir: join(dir, 'orders') });
});
after(async () => {
  await shop.stop();
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sandbox.faults.clear());

/** The shopper's leg after /checkout: AmazonpayStart, the stand-in page, and GMO-PG's form for RetURL. */
async function pay(start: { startUrl: string; accessId: string; token: string }, action = 'continue') {
  const page = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text());
  return formFields(await (await postForm(new URL(page.action, start.startUrl).href, { ...page.fields, action })).text());
}
/** The browser's POST of GMO-PG's result to RetURL; returns where the shop sends the shopper. */
async function returnToShop(result: { action: string; fields: Record<string, string> }) {
  const response = await postForm(result.action, result.fields);
  assert.equal(response.status, 303);
  return response.headers.get('location')!;
}
const events = async (orderId: string) => (await shop.handler.store.history(orderId)).map((e) => `${e.source}: ${e.event}`);

describe('createAmazonPayHandler', () => {
  it('refuses at start, naming the option and the fix, what would fail every request', async () => {
    const base = {
      gmo: { shopId: 'tshop00000001', shopPass: 'x', baseUrl: 'http://127.0.0.1:1/payment/' },
      store: new MemoryOrderStore(),
      completionUrl: '/done',
      resolveOrder: () => ({ amount: 100 }),
    };
    await assert.rejects(createAmazonPayHandler({ ...base, resolveOrder: undefined as never }), /resolveOrder is required/);
    await assert.rejects(createAmazonPayHandler({ ...base, completionUrl: '' }), /completionUrl is required/);
    for (const publicUrl of ['shop.example', 'ftp://shop.example', '']) {
      await assert.rejects(
        createAmazonPayHandler({ ...base, publicUrl }),
        /publicUrl ".*" is not an http\(s\) URL: give the shop's public origin, e\.g\. https:\/\/shop\.example/,
      );
    }
    const handler = await createAmazonPayHandler({ ...base, publicUrl: 'https://shop.example/some/path' });
    const refused = await handler.fetch(
      new Request('http://127.0.0.1:1/checkout', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:1' } }),
    );
    assert.equal(refused.status, 403, 'only the public origin may post');
    await handler.close();
  });
});

describe('POST /checkout', () => {
  it('runs EntryTran and ExecTran for APB and answers what the browser needs', async () => {
    const response = await checkout(shop, {});
    assert.equal(response.status, 200);
    const answer = await response.json();
    assert.deepEqual(Object.keys(answer).sort(), ['accessId', 'orderId', 'startUrl', 'token']);
    assert.equal(answer.startUrl, `${sandbox.origin}/payment/AmazonpayStart.idPass`);
    assert.ok(answer.token.includes('+'));
    const order = (await shop.handler.store.get(answer.orderId))!;
    assert.deepEqual([order.kind, order.stage, order.status, order.amount], ['apb', 'started', 'REQSUCCESS', 3980]);
    assert.deepEqual(await events(answer.orderId), ['checkout: EntryTranAmazonpay (apb)', 'checkout: ExecTranAmazonpay: shopper sent to AmazonpayStart']);
    const trade = sandbox.state.trades.get(answer.accessId)!;
    assert.equal(trade.retUrl, `${shop.api}/result`);
    assert.equal(trade.apbType, 'PayAndShip');
  });

  it('never takes the amount from the browser', async () => {
    const answer = await (await checkout(shop, { amount: 1, tax: 0, price: 1 })).json();
    assert.equal((await shop.handler.store.get(answer.orderId))!.amount, 3980);
    assert.equal(sandbox.state.trades.get(answer.accessId)!.amount, 3980);
  });

  it('refuses cross-site requests, other content types, large bodies and bad session ids', async () => {
    assert.equal((await checkout(shop, {}, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await checkout(shop, {}, { origin: '', 'sec-fetch-site': 'cross-site' })).status, 403);
    const form = await fetch(`${shop.api}/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: shop.origin },
      body: 'a=1',
    });
    assert.equal(form.status, 415);
    assert.equal((await checkout(shop, { pad: 'x'.repeat(20000) })).status, 413);
    const bad = await checkout(shop, { amazonCheckoutSessionId: '../../etc' });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.field, 'amazonCheckoutSessionId');
    const notObject = await fetch(`${shop.api}/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: shop.origin },
      body: '[1]',
    });
    assert.equal(notObject.status, 400);
  });

  it("answers the shop's own fault when resolveOrder fails or returns a bad amount", async () => {
    for (const resolveOrder of [
      () => {
        throw new Error('cart gone');
      },
      () => ({ amount: 10.5 }),
      () => ({ amount: 100, jobCd: 'SALE' as 'AUTH' }),
    ]) {
      const other = await startShop(sandbox, { resolveOrder, store: new MemoryOrderStore() }); // a unit test of the hook
      try {
        const response = await checkout(other, {});
        assert.equal(response.status, 500);
        assert.equal((await response.json()).error.code, 'ORDER_UNRESOLVED');
        assert.ok(other.logs.some((l) => l.startsWith('error resolveOrder failed')));
      } finally {
        await other.stop();
      }
    }
  });

  it('passes on a GMO-PG error with its codes, a readable message and whose fault it is', async () => {
    sandbox.faults.failNext('ExecTranAmazonpay', 'E01110002');
    const failed = await checkout(shop, {});
    assert.equal(failed.status, 502);
    const { error } = await failed.json();
    assert.equal(error.code, 'GMO_PG_ERROR');
    assert.match(error.message, /お支払いを開始できませんでした \(E01110002\)/);
    assert.deepEqual(error.gmoErrors, [{ errCode: 'E01', errInfo: 'E01110002', message: '取引IDと取引パスワードの組み合わせが正しくありません。' }]);
    sandbox.faults.failNext('EntryTranAmazonpay', 'E92000001');
    assert.equal((await checkout(shop, {})).status, 503);
    sandbox.faults.failNext('EntryTranAmazonpay', 'E01030002');
    const misconfigured = (await (await checkout(shop, {})).json()).error;
    assert.equal(misconfigured.code, 'SHOP_MISCONFIGURED');
    assert.equal(misconfigured.gmoErrors, undefined, 'no GMO-PG codes of a shop-side fault reach the browser');
    assert.ok(!JSON.stringify(misconfigured).includes('E0103'));
    assert.ok(
      shop.logs.some((l) => l.startsWith('warn checkout stopped') && l.includes('E01030002')),
      'the shop finds them in its log',
    );
  });

  it('leaves an order that says exactly where it stopped when ExecTran fails or never answers', async () => {
    sandbox.faults.failNext('ExecTranAmazonpay', 'E91099999');
    const failed = await (await checkout(shop, {})).json();
    const order = (await shop.handler.store.get(failed.error.orderId))!;
    assert.deepEqual([order.stage, order.errorCodes, order.status], ['exec_failed', 'E91099999', 'UNPROCESSED']);
    assert.match(order.accessId!, /^[0-9a-f]{32}$/);
    assert.deepEqual((await events(order.orderId)).at(-1), 'checkout: ExecTranAmazonpay failed');
    sandbox.faults.failNext('EntryTranAmazonpay', 'E01060005');
    const refused = await (await checkout(shop, {})).json();
    const never = (await shop.handler.store.get(refused.error.orderId))!;
    assert.deepEqual([never.stage, never.errorCodes, never.accessId], ['entry_failed', 'E01060005', null]);

    // A crash after EntryTran: while ExecTran hangs, the order is already recorded as entered.
    const slow = await startShop(sandbox, { gmoTimeoutMs: 300, dataDir: join(dir, 'orders-slow') });
    try {
      sandbox.faults.delayNext('ExecTranAmazonpay', 1000);
      const pending = checkout(slow, {});
      await new Promise((r) => setTimeout(r, 150));
      const [midway] = await slow.handler.store.list({ limit: 1 });
      assert.deepEqual([midway.stage, midway.status], ['entered', 'UNPROCESSED']);
      const timedOut = await pending;
      assert.equal(timedOut.status, 504);
      assert.equal((await slow.handler.store.get(midway.orderId))!.stage, 'exec_unknown');
    } finally {
      await slow.stop();
    }
  });

  it('stops before the shopper can pay when the order cannot be recorded', async () => {
    class BrokenStore extends MemoryOrderStore {
      override async create(): Promise<void> {
        throw new Error('disk full');
      }
    }
    const broken = await startShop(sandbox, { store: new BrokenStore() });
    try {
      const answer = await checkout(broken, {});
      assert.equal(answer.status, 503);
      const { error, startUrl, token } = await answer.json();
      assert.equal(error.code, 'ORDER_NOT_RECORDED');
      assert.equal(startUrl ?? token, undefined);
      // GMO-PG got its ExecTran, but the token never left the server: nobody can pay this trade.
      assert.equal(sandbox.state.tradeByOrder(sandbox.shopId, error.orderId)!.status, 'REQSUCCESS');
      assert.ok(broken.logs.some((l) => l.startsWith('error order not recorded') && l.includes('disk full')));
    } finally {
      await broken.stop();
    }
  });

  it('gives 100 concurrent checkouts 100 distinct orders, each matching the sandbox', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => checkout(shop, {}).then((r) => r.json())));
    const ids = new Set(answers.map((a) => a.orderId));
    assert.equal(ids.size, 100);
    for (const a of answers) {
      const order = (await shop.handler.store.get(a.orderId))!;
      const trade = sandbox.state.trades.get(a.accessId)!;
      assert.deepEqual(
        [trade.orderId, trade.amount, trade.status, order.accessId, order.stage],
        [a.orderId, order.amount, 'REQSUCCESS', a.accessId, 'started'],
      );
    }
  });
});

describe('GET /address', () => {
  it("answers the confirm page's address and payment, in Japanese", async () => {
    const { sessionId } = await amazonCheckout(sandbox, PAYLOAD, { address: '1', card: '1' });
    const response: JsonResponse = await fetch(`${shop.api}/address?amazonCheckoutSessionId=${sessionId}`);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const address = await response.json();
    assert.equal(address.shipping.name, '髙橋 﨑子');
    assert.equal(address.shipping.city, '大阪市北区');
    assert.equal(address.paymentDescriptor, 'JCB ****0000');
    assert.equal(address.buyer.name, 'アマゾン 花子');
    assert.equal((await fetch(`${shop.api}/address?amazonCheckoutSessionId=nope`)).status, 400);
    assert.equal((await fetch(`${shop.api}/address?amazonCheckoutSessionId=00000000-0000-0000-0000-000000000000`)).status, 409);
  });
});

describe('POST /result (RetURL)', () => {
  it('records a verified payment and sends the shopper to the completion page', async () => {
    const { sessionId } = await amazonCheckout(sandbox, PAYLOAD);
    const start = await (await checkout(shop, { amazonCheckoutSessionId: sessionId })).json();
    const location = await returnToShop(await pay(start));
    assert.equal(location, `/complete?orderId=${start.orderId}&result=success`);
    const order = (await shop.handler.store.get(start.orderId))!;
    assert.deepEqual([order.kind, order.stage, order.status], ['session', 'completed', 'AUTH']);
    assert.match(order.chargePermissionId!, /^S03-/);
    assert.equal((await events(start.orderId)).at(-1), 'RetURL: payment completed (CheckString verified, AUTH confirmed)');
    // Every state change is logged at info with the order id, and never a secret.
    const mine = shop.logs.filter((l) => l.includes(start.orderId));
    assert.ok(mine.some((l) => l.startsWith('info checkout started')));
    assert.ok(
      mine.some((l) => l.startsWith('info RetURL: payment completed') && l.includes('"status":"AUTH"')),
      mine.join('\n'),
    );
    assert.ok(!mine.join('').includes(order.accessPass!));
  });

  it('records a decline and a cancelled payment as failures', async () => {
    sandbox.faults.declineNext();
    const declined = await (await checkout(shop, {})).json();
    assert.equal(await returnToShop(await pay(declined)), `/complete?orderId=${declined.orderId}&result=failure&reason=E08000001`);
    assert.deepEqual(
      [(await shop.handler.store.get(declined.orderId))!.stage, (await shop.handler.store.get(declined.orderId))!.status],
      ['failed', 'PAYFAIL'],
    );
    const left = await (await checkout(shop, {})).json();
    assert.equal(await returnToShop(await pay(left, 'cancel')), `/complete?orderId=${left.orderId}&result=failure&reason=E08000002`);
  });

  it('changes nothing for a tampered or forged result, and reports it', async () => {
    const start = await (await checkout(shop, {})).json();
    const result = await pay(start);
    const before = await shop.handler.store.get(start.orderId);
    const historyBefore = await events(start.orderId);
    const tampers: Record<string, string>[] = [
      { AmazonChargePermissionID: 'S03-0000000-0000000' },
      { CheckString: 'f'.repeat(64) },
      { OrderID: 'AP-NOT-OURS' },
      { ShopID: 'tshop99999999' },
    ];
    for (const tamper of tampers) {
      const location = await returnToShop({ ...result, fields: { ...result.fields, ...tamper } });
      assert.match(location, /result=failure&reason=unverified$/);
    }
    assert.deepEqual(await shop.handler.store.get(start.orderId), before);
    assert.deepEqual(await events(start.orderId), historyBefore);
    assert.ok(shop.logs.some((l) => l.startsWith('warn RetURL result rejected')));
    // the genuine result still works afterwards, and a reload of it changes nothing more
    assert.match(await returnToShop(result), /result=success$/);
    const once = await events(start.orderId);
    assert.match(await returnToShop(result), /result=success$/);
    assert.deepEqual(await events(start.orderId), once);
  });

  it('takes the status from GMO-PG, not from the post: a declined result edited to look paid stays failed', async () => {
    // CheckString does not cover Status or ErrCode, so an edited Status still verifies.
    sandbox.faults.declineNext();
    const start = await (await checkout(shop, {})).json();
    const result = await pay(start);
    assert.equal(result.fields.Status, 'PAYFAIL');
    const { ErrCode: _code, ErrInfo: _info, ...rest } = result.fields;
    const location = await returnToShop({ ...result, fields: { ...rest, Status: 'AUTH' } });
    assert.match(location, /result=failure/);
    const order = (await shop.handler.store.get(start.orderId))!;
    assert.deepEqual([order.stage, order.status], ['failed', 'PAYFAIL']);
    assert.ok(shop.logs.some((l) => l.startsWith('warn RetURL status differs from GMO-PG')));
  });

  it('sends the shopper to a pending page when GMO-PG cannot confirm the result yet', async () => {
    const start = await (await checkout(shop, {})).json();
    const result = await pay(start);
    sandbox.faults.failNext('SearchTradeMulti', 'E91099999');
    assert.match(await returnToShop(result), /result=pending&reason=unconfirmed$/);
    assert.equal((await shop.handler.store.get(start.orderId))!.stage, 'started');
  });
});

describe('POST /notify', () => {
  const notification = (fields: Record<string, string>) =>
    fetch(`${shop.api}/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=windows-31j' },
      body: new Uint8Array(encodeForm(fields)),
    });

  it('answers 0 at once and confirms the status with SearchTradeMulti afterwards', async () => {
    const start = await (await checkout(shop, {})).json();
    await pay(start); // the shopper never comes back to RetURL: only the notification tells
    sandbox.faults.delayNext('SearchTradeMulti', 500);
    const answer = await notification({ ShopID: sandbox.shopId, OrderID: start.orderId, Status: 'AUTH', AccessID: start.accessId });
    assert.equal(await answer.text(), '0');
    assert.equal((await shop.handler.store.get(start.orderId))!.stage, 'started'); // not trusted yet
    await shop.handler.idle();
    const order = (await shop.handler.store.get(start.orderId))!;
    assert.deepEqual([order.stage, order.status], ['completed', 'AUTH']);
  });

  it('makes one change from the same notification five times and out of order', async () => {
    const start = await (await checkout(shop, {})).json();
    await pay(start);
    const statuses = ['SALES', 'AUTH', 'AUTH', 'REQSUCCESS', 'AUTH'];
    const answers = await Promise.all(statuses.map((Status) => notification({ OrderID: start.orderId, Status }).then((r) => r.text())));
    assert.deepEqual(answers, ['0', '0', '0', '0', '0']);
    await shop.handler.idle();
    const fromNotifications = (await shop.handler.store.history(start.orderId)).filter((e) => e.source === 'notification');
    assert.equal(fromNotifications.length, 1);
    assert.equal(fromNotifications[0].status, 'AUTH'); // what GMO-PG says, not what the posts claimed
  });

  it("logs GMO-PG's connectivity test and ignores it and unknown orders, still answering 0", async () => {
    assert.equal(await (await notification({ ErrCode: 'E00', ErrInfo: 'E00000000' })).text(), '0');
    assert.ok(
      shop.logs.some((l) => l.startsWith('info notification: GMO-PG connectivity test received')),
      shop.logs.join('\n'),
    );
    assert.equal(await (await notification({ OrderID: 'AP-UNKNOWN', Status: 'AUTH' })).text(), '0');
    await shop.handler.idle();
  });

  it("is fed by the sandbox's own notifier, retries included", async () => {
    const notified = await startSandbox({ notifyRetryDelaysMs: [30, 30] });
    const store = await openOrderStore({ dataDir: 'memory://' });
    const other = await startShop(notified, { store });
    notified.notifier.url = `${other.api}/notify`;
    try {
      notified.faults.dropNotifications(1);
      const start = await (await checkout(other, {})).json();
      await pay(start);
      await notified.notifier.idle();
      await other.handler.idle();
      const order = (await store.get(start.orderId))!;
      assert.deepEqual([order.stage, order.status], ['completed', 'AUTH']);
      assert.deepEqual(
        notified.notifier.attempts.map((a) => a.result),
        ['dropped', 'ok'],
      );
    } finally {
      await other.stop();
      await notified.stop();
    }
  });
});

describe('durability', () => {
  it('loses nothing when the server restarts mid-flow', async () => {
    const dataDir = join(dir, 'orders-restart');
    const first = await startShop(sandbox, { dataDir });
    const { sessionId } = await amazonCheckout(sandbox, PAYLOAD);
    const start = await (await checkout(first, { amazonCheckoutSessionId: sessionId })).json();
    const port = Number(new URL(first.origin).port);
    await first.stop();
    const result = await pay(start); // the shopper is at Amazon while the shop restarts
    const second = await startShop(sandbox, { dataDir, port });
    try {
      assert.match(await returnToShop(result), /result=success$/);
      const captured = await second.handler.backOffice.capture(start.orderId);
      assert.deepEqual([captured.stage, captured.status], ['completed', 'SALES']);
      assert.equal((await second.handler.store.history(start.orderId)).length, 4);
    } finally {
      await second.stop();
    }
  });
});

describe('secrets', () => {
  it('never puts ShopPass or AccessPass in a response or a log line', async () => {
    const start = await (await checkout(shop, {})).json();
    const order = (await shop.handler.store.get(start.orderId))!;
    const seen = [JSON.stringify(start), JSON.stringify(await shop.handler.backOffice.get(start.orderId)), ...shop.logs].join('\n');
    assert.ok(!seen.includes(order.accessPass!));
    assert.ok(!seen.includes(sandbox.shopPass));
    assert.equal('accessPass' in (await shop.handler.backOffice.get(start.orderId))!, false);
  });
});
