// The Buy Now route (POST /buy-now) over real HTTP against the sandbox: the cart for Amazon's
// onInitCheckout, then the payment on the charge permission Amazon's page made, as Amazon's -apb
// sample runs it (EntryTran AUTH, ExecTran with AmazonChargePermissionID, ApbType, RetURL).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startSandbox, type RunningSandbox } from './support/servers.js';
import { startShop, type RunningShop } from './support/shop.js';

let sandbox: RunningSandbox;
let shop: RunningShop;
/** The shop's cart: what resolveOrder answers, at init and again at completion. */
let cart = { amount: 8000, tax: 800 };
before(async () => {
  sandbox = await startSandbox();
  shop = await startShop(sandbox, { gmoTimeoutMs: 1000, resolveOrder: () => ({ ...cart, description: '今すぐ購入のテスト' }) });
});
after(async () => {
  await shop.stop();
  await sandbox.stop();
});
beforeEach(() => {
  sandbox.faults.clear();
  cart = { amount: 8000, tax: 800 };
});

const buyNow = (body: object, headers: Record<string, string> = {}) =>
  fetch(`${shop.api}/buy-now`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: shop.origin, ...headers },
    body: JSON.stringify(body),
  });

/**
 * What the element hands the completion: the quote the init step answered (its orderId) and what the
 * stand-in Amazon page hands onCompleteCheckout, for the total Amazon showed.
 */
async function amazonBuyNow() {
  const { orderId, totalOrderAmount } = (await (await buyNow({ step: 'init' })).json()) as { orderId: string; totalOrderAmount: { amount: string } };
  const response = await fetch(`${sandbox.origin}/amazon/buy-now/charge-permission`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ merchantId: 'A2MERCHANT', amount: Number(totalOrderAmount.amount) }),
  });
  return { orderId, ...((await response.json()) as { amazonChargePermissionId: string; amazonPayMFAReturnUrl: string; paymentDescriptor: string }) };
}
const trades = () => [...sandbox.state.trades.values()].length;

describe('POST /buy-now', () => {
  it("answers onInitCheckout's cart from resolveOrder, whatever the browser sends", async () => {
    const response = await buyNow({ step: 'init', amount: 1, totalOrderAmount: { amount: '1' } });
    assert.equal(response.status, 200);
    const { orderId, ...amounts } = (await response.json()) as { orderId: string };
    const yen = (n: number) => ({ amount: String(n), currencyCode: 'JPY' });
    // Amazon's CartDetails, every total it documents.
    assert.deepEqual(amounts, {
      totalBaseAmount: yen(8000),
      totalTaxAmount: yen(800),
      totalShippingAmount: yen(0),
      totalDiscountAmount: yen(0),
      totalChargeAmount: yen(8800),
      totalOrderAmount: yen(8800),
    });
    // The quote is kept on the server: what completion may charge.
    const quote = (await shop.handler.store.get(orderId))!;
    assert.deepEqual([quote.kind, quote.stage, quote.amount, quote.tax, quote.accessId], ['buy-now', 'created', 8000, 800, null]);
  });

  it('pays on the charge permission: EntryTran, ExecTran with ApbType and the MFA RetURL, CheckString verified, the order recorded', async () => {
    const amazon = await amazonBuyNow();
    const response = await buyNow({ step: 'complete', ...amazon, billingAddress: { name: 'x' }, amount: 1 });
    const answer = (await response.json()) as { status: string; orderId: string };
    assert.equal(answer.status, 'success');
    const order = (await shop.handler.store.get(answer.orderId))!;
    assert.deepEqual(
      [order.kind, order.stage, order.status, order.amount, order.tax, order.chargePermissionId],
      ['buy-now', 'completed', 'AUTH', 8000, 800, amazon.amazonChargePermissionId],
    );
    const trade = sandbox.state.tradeByOrder(sandbox.shopId, answer.orderId)!;
    assert.deepEqual([trade.flow, trade.apbType, trade.retUrl, trade.amount], ['buy-now', 'PayOnly', amazon.amazonPayMFAReturnUrl, 8000]);
    assert.ok(shop.logs.some((l) => l.startsWith('info Buy Now: payment completed') && l.includes(answer.orderId)));
    // A quote pays once: a second completion (a double click) answers how the first ended, and charges nothing.
    const count = trades();
    const again = (await (await buyNow({ step: 'complete', ...amazon })).json()) as { status: string; orderId: string };
    assert.deepEqual([again.status, again.orderId, trades()], ['success', answer.orderId, count]);
    // The permission was for one checkout: a payment of another quote on it is refused, and Amazon is told "decline".
    const other = (await (await buyNow({ step: 'complete', ...amazon, orderId: (await amazonBuyNow()).orderId })).json()) as {
      status: string;
      orderId: string;
    };
    assert.equal(other.status, 'decline');
    assert.equal((await shop.handler.store.get(other.orderId))!.stage, 'exec_failed');
  });

  it('charges the amount the buyer approved: a cart that changed after Amazon showed it is declined, never charged at the new amount', async () => {
    const amazon = await amazonBuyNow(); // Amazon shows ¥8,800
    cart = { amount: 50000, tax: 100 }; // the shop's cart changes before the buyer completes
    const count = trades();
    const answer = (await (await buyNow({ step: 'complete', ...amazon })).json()) as { status: string; orderId: string; message: string };
    assert.deepEqual([answer.status, trades()], ['decline', count], 'nothing sent to GMO-PG');
    assert.match(answer.message, /カートの内容が変わりました/);
    const order = (await shop.handler.store.get(answer.orderId))!;
    assert.deepEqual([order.stage, order.amount], ['failed', 8000]);
    assert.ok(shop.logs.some((l) => l.startsWith('warn Buy Now declined: the cart changed') && l.includes('"quoted":8800') && l.includes('"now":50100')));
    // The quote's id is the server's: one that is not a Buy Now quote is refused by name.
    const forged = await buyNow({ step: 'complete', ...amazon, orderId: 'AP-NOT-A-QUOTE' });
    assert.equal(forged.status, 400);
    assert.equal(((await forged.json()) as { error: { field: string } }).error.field, 'orderId');
  });

  it('is refused by Amazon (the sandbox) when more is charged than the buyer approved on its screen', async () => {
    const { orderId } = (await (await buyNow({ step: 'init' })).json()) as { orderId: string };
    // Amazon's screen showed ¥1,000 (a charge permission approved for that), the quote says ¥8,800.
    const small = await fetch(`${sandbox.origin}/amazon/buy-now/charge-permission`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: 'A2MERCHANT', amount: 1000 }),
    });
    const answer = (await (await buyNow({ step: 'complete', orderId, ...((await small.json()) as object) })).json()) as { status: string };
    assert.equal(answer.status, 'decline');
    const order = (await shop.handler.store.get(orderId))!;
    assert.deepEqual([order.stage, order.errorCodes], ['exec_failed', 'E08000010']);
  });

  it('answers "success" with pending when GMO-PG took the payment but its answer was lost, and the sweep records it paid', async () => {
    const amazon = await amazonBuyNow();
    sandbox.faults.cutNext('ExecTranAmazonpay', { processed: true }); // GMO-PG authorizes; the answer never arrives
    const answer = (await (await buyNow({ step: 'complete', ...amazon })).json()) as { status: string; orderId: string; pending?: boolean };
    assert.deepEqual([answer.status, answer.pending], ['success', true], '"error" or "decline" would invite a second payment');
    const open = (await shop.handler.store.get(answer.orderId))!;
    assert.equal(open.stage, 'exec_unknown', 'neither paid nor failed: nobody knows yet');
    assert.equal(sandbox.state.tradeByOrder(sandbox.shopId, answer.orderId)!.status, 'AUTH');
    // A retry of the completion charges nothing more.
    const count = trades();
    assert.equal(((await (await buyNow({ step: 'complete', ...amazon })).json()) as { pending?: boolean }).pending, true);
    assert.equal(trades(), count);
    await shop.handler.reconcile({ graceMs: 0 });
    const settled = (await shop.handler.store.get(answer.orderId))!;
    assert.deepEqual([settled.stage, settled.status], ['completed', 'AUTH']);
  });

  it('when Amazon asks the buyer to authenticate (MFA, inferred): the order is not paid until GMO-PG says so, then settles', async () => {
    sandbox.faults.authenticateNext(2);
    const amazon = await amazonBuyNow();
    const answer = (await (await buyNow({ step: 'complete', ...amazon })).json()) as { status: string; orderId: string; pending?: boolean };
    assert.deepEqual([answer.status, answer.pending], ['success', true], 'Amazon is not told "decline" for a payment that may still complete');
    const waiting = (await shop.handler.store.get(answer.orderId))!;
    assert.deepEqual([waiting.stage, waiting.status], ['started', 'REQSUCCESS'], 'not recorded as paid');
    assert.ok(shop.logs.some((l) => l.startsWith('warn Buy Now: payment not authorized yet') && l.includes(answer.orderId)));
    // The buyer passes the check at Amazon and is sent to the MFA return URL (GMO-PG's RetURL).
    assert.equal(sandbox.authenticate(answer.orderId), amazon.amazonPayMFAReturnUrl);
    const summary = await shop.handler.reconcile({ graceMs: 0 });
    assert.ok(summary.settled >= 1, JSON.stringify(summary));
    const paid = (await shop.handler.store.get(answer.orderId))!;
    assert.deepEqual([paid.stage, paid.status], ['completed', 'AUTH']);
    // A buyer who fails the check: the payment is declined, and the order ends failed.
    const second = (await (await buyNow({ step: 'complete', ...(await amazonBuyNow()) })).json()) as { orderId: string; pending?: boolean };
    assert.equal(second.pending, true);
    // Read first, as above: the order's 'started' mark is a deferred write, and a sweep with graceMs 0 asked
    // before it lands would take the order for one changed after the sweep began.
    assert.equal((await shop.handler.store.get(second.orderId))!.status, 'REQSUCCESS', 'not recorded as paid');
    sandbox.authenticate(second.orderId, 'declined');
    await shop.handler.reconcile({ graceMs: 0 });
    assert.deepEqual([(await shop.handler.store.get(second.orderId))!.stage, (await shop.handler.store.get(second.orderId))!.status], ['failed', 'PAYFAIL']);
  });

  it('answers "decline" when Amazon declines, and the order says where it stopped', async () => {
    sandbox.faults.declineNext();
    const answer = (await (await buyNow({ step: 'complete', ...(await amazonBuyNow()) })).json()) as { status: string; orderId: string; message: string };
    assert.equal(answer.status, 'decline');
    assert.match(answer.message, /別のお支払い方法/);
    const order = (await shop.handler.store.get(answer.orderId))!;
    assert.deepEqual([order.stage, order.errorCodes], ['exec_failed', 'E08000001']);
  });

  it("answers the full cart (lines, shipping, discount, delivery options) checked to add up, and Amazon's error shape where the shop does not deliver", async () => {
    const yen = (n: number) => ({ amount: String(n), currencyCode: 'JPY' });
    const address = { name: '札幌 太郎', postalCode: '060-0806', stateOrRegion: '北海道', city: '札幌市北区', countryCode: 'JP' };
    cart = {
      amount: 3000,
      tax: 300,
      shipping: 700,
      discount: 200,
      lineItems: [
        { id: 'a', title: '豆', quantity: 2, listPrice: 1000 },
        { id: 'b', title: 'フィルター', quantity: 1, listPrice: 1000, variantTitle: '100枚' },
      ],
      deliveryOptions: [
        { id: 'std', name: '通常配送', price: 700, isDefault: true },
        { id: 'exp', name: 'お急ぎ便', price: 1500 },
      ],
    } as never;
    const init = (await (await buyNow({ step: 'init', productType: 'PayAndShip', shippingAddress: address })).json()) as Record<string, any>;
    assert.deepEqual([init.totalShippingAmount, init.totalDiscountAmount, init.totalChargeAmount], [yen(700), yen(200), yen(3800)]);
    assert.deepEqual(init.lineItems[1], {
      id: 'b',
      title: 'フィルター',
      quantity: '1',
      listPrice: yen(1000),
      totalListPrice: yen(1000),
      variantTitle: '100枚',
    });
    assert.deepEqual(
      init.deliveryOptions.map((o: any) => [o.id, o.price.amount, o.shippingMethod.shippingMethodName, o.isDefault]),
      [
        ['std', '700', '通常配送', true],
        ['exp', '1500', 'お急ぎ便', false],
      ],
    );
    // GMO-PG is sent Amount = base − discount and Tax (税送料) = tax + shipping.
    const quote = (await shop.handler.store.get(init.orderId))!;
    assert.deepEqual([quote.amount, quote.tax, quote.shippingAddress?.stateOrRegion], [2800, 1000, '北海道']);
    // A cart that does not add up is refused by name before Amazon sees it.
    for (const [broken, field] of [
      [{ amount: 3000, lineItems: [{ id: 'a', title: '豆', quantity: 2, listPrice: 1000 }] }, 'lineItems'],
      [{ amount: 3000, discount: 3000 }, 'discount'],
      [{ amount: 3000, shipping: 700, deliveryOptions: [{ id: 'std', name: '通常', price: 900 }] }, 'shipping'],
      [
        {
          amount: 3000,
          deliveryOptions: [
            { id: 'x', name: '通常', price: 500 },
            { id: 'x', name: '速達', price: 900 },
          ],
        },
        'deliveryOptions[1].id',
      ],
    ] as const) {
      cart = broken as never;
      const response = await buyNow({ step: 'init' });
      assert.equal(response.status, 400, JSON.stringify(broken));
      const { error } = (await response.json()) as { error: { code: string; field: string } };
      assert.deepEqual([error.code, error.field], ['ORDER_INVALID', field]);
    }
    cart = { amount: 3000 } as never;
    const ship = await buyNow({ step: 'init', productType: 'PayAndShip', shippingAddress: address });
    assert.equal(((await ship.json()) as { error: { field: string } }).error.field, 'deliveryOptions', 'PayAndShip needs delivery options');
    // Not delivered there: Amazon's error shape, and the buyer picks another address.
    cart = { amount: 3000, deliveryOptions: [{ id: 'std', name: '通常', price: 500 }], deliverable: false } as never;
    assert.deepEqual(await (await buyNow({ step: 'init', productType: 'PayAndShip', shippingAddress: address })).json(), {
      status: 'error',
      reasonCode: 'shippingAddressInvalid',
    });
  });

  it("accepts only Amazon's MFA return URLs (and the sandbox's): any other RetURL is refused before GMO-PG is called", async () => {
    for (const url of ['https://evil.example/phish', 'http://www.amazon.co.jp/x', 'https://amazon.co.jp.evil.example/x', 'javascript:alert(1)']) {
      const amazon = await amazonBuyNow();
      const response = await buyNow({ step: 'complete', ...amazon, amazonPayMFAReturnUrl: url });
      assert.equal(response.status, 400, url);
      assert.equal(((await response.json()) as { error: { field: string } }).error.field, 'amazonPayMFAReturnUrl');
    }
    const amazon = await amazonBuyNow();
    const ok = (await (await buyNow({ step: 'complete', ...amazon, amazonPayMFAReturnUrl: 'https://pay.amazon.co.jp/mfa/return?x=1' })).json()) as {
      status: string;
    };
    assert.equal(ok.status, 'success', "Amazon's own domain");
  });

  it('answers "error" when GMO-PG cannot be reached, and refuses bad input by name', async () => {
    sandbox.faults.failNext('EntryTranAmazonpay', 'E92000001', 3);
    const busy = (await (await buyNow({ step: 'complete', ...(await amazonBuyNow()) })).json()) as { status: string };
    assert.equal(busy.status, 'error');
    for (const [body, field] of [
      [{ step: 'pay' }, 'step'],
      [{ step: 'complete', amazonChargePermissionId: 'S03-1234567-1234567', amazonPayMFAReturnUrl: 'https://a.example/' }, 'orderId'],
      [{ step: 'complete', orderId: 'AP-1', amazonChargePermissionId: '<x>', amazonPayMFAReturnUrl: 'https://a.example/' }, 'amazonChargePermissionId'],
      [
        { step: 'complete', orderId: 'AP-1', amazonChargePermissionId: 'S03-1234567-1234567', amazonPayMFAReturnUrl: 'javascript:alert(1)' },
        'amazonPayMFAReturnUrl',
      ],
    ] as const) {
      const response = await buyNow(body);
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { error: { field: string } }).error.field, field);
    }
    assert.equal((await buyNow({ step: 'init' }, { origin: 'https://evil.example' })).status, 403);
  });
});
