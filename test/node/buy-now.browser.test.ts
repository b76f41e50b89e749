// Buy Now in Chromium, against the sandbox (its checkout.js stand-in and GMO-PG), two ways:
//  1. <amazon-pay-v2 mode="buy-now" product-type="PayAndShip"> on a shop whose endpoint prices the
//     shipping by address and offers delivery options: the buyer changes the address and the option
//     on Amazon's screen, the endpoint is asked each time, and GMO-PG authorizes base + tax + shipping
//     with ApbType=PayAndShip; the order records the address.
//  2. Amazon's own GMO-PG sample (amazonpaycpsp-gmosampleapp-apb, nodejs/): its page options as it
//     writes them (amounts in checkoutSessionConfig.paymentDetails, an onInitCheckout that returns
//     nothing) and its server's GMO-PG calls as it makes them (querystring bodies, AmazonpayType 4,
//     CheckString checked, AmazonpaySales), for a payment, a decline, a cancel and its app flow.
//     Written here after reading the sample; none of its code is copied.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Browser, Page } from 'playwright-core';
import { createSandbox, type Sandbox } from '../../src/sandbox/app.js';
import { createGmoPgClient } from '../../src/server/client/gmo-pg-client.js';
import { createAmazonPayHandler, type AmazonPayHandler, type ResolveOrderInput } from '../../src/server/endpoint/handler.js';
import { MemoryOrderStore } from '../../src/server/orders/memory-store.js';
import { sampleCallAPI } from './support/amazon-sample.js';
import { launchChromium } from './support/browser.js';

const IIFE = readFileSync('dist/amazon-pay-v2.iife.js', 'utf8');
let sandbox: Sandbox;
let handler: AmazonPayHandler;
let server: Server;
let origin: string;
let browser: Browser;
/** What the endpoint's resolveOrder was asked, step by step. */
const asked: { step?: string; region?: string; option?: string }[] = [];

/** The shop's shipping: by prefecture, two ways to deliver; Osaka is not delivered to. */
function resolveOrder(input: ResolveOrderInput) {
  asked.push({ step: input.step, region: input.shippingAddress?.stateOrRegion, option: input.deliveryOptionId });
  const region = input.shippingAddress?.stateOrRegion;
  const base = region === '北海道' ? 1200 : 500;
  return {
    amount: 3000,
    tax: 300,
    lineItems: [{ id: 'bean-200', title: 'コーヒー豆 200g', quantity: 2, listPrice: 1500 }],
    deliveryOptions: [
      { id: 'standard', name: '通常配送', price: base, isDefault: true },
      { id: 'express', name: 'お急ぎ便', price: base + 800 },
    ],
    deliverable: region !== '大阪府',
    description: '今すぐ購入 (配送あり)',
  };
}

// The sample's server, as its nodejs/app.js works: EntryTran and ExecTran on its cart, the CheckString
// checked with sha256(OrderID + AccessID + ShopID + ShopPass + charge permission), then AmazonpaySales.
const CART = {
  paymentIntent: 'Confirm',
  totalBaseAmount: { amount: '8000', currencyCode: 'JPY' },
  totalTaxAmount: { amount: '800', currencyCode: 'JPY' },
  chargeAmount: { amount: '8800', currencyCode: 'JPY' },
};
const sampleStore = new Map<string, unknown>();
const callSample = (name: string, params: Record<string, string>) => sampleCallAPI(`${origin}/sandbox/payment/`, name, params);
async function sampleExecTran(params: { chargePermissionId: string; amazonPayMFAReturnUrl: string }) {
  const keyinfo = { ShopID: sandbox.shopId, ShopPass: sandbox.shopPass };
  const orderId = randomBytes(13).toString('hex');
  const access = await callSample('EntryTranAmazonpay', {
    ...keyinfo,
    OrderID: orderId,
    JobCd: 'AUTH',
    Amount: CART.chargeAmount.amount,
    AmazonpayType: '4',
  });
  const tran = await callSample('ExecTranAmazonpay', {
    ...keyinfo,
    ...access,
    OrderID: orderId,
    RetURL: params.amazonPayMFAReturnUrl,
    AmazonChargePermissionID: params.chargePermissionId,
    ApbType: 'PayOnly',
    Description: 'ご購入ありがとうございます。',
  });
  const hash = createHash('sha256').update(`${orderId}${access.AccessID}${keyinfo.ShopID}${keyinfo.ShopPass}${params.chargePermissionId}`).digest('hex');
  if (hash !== tran.CheckString) throw new Error('CheckString mismatch');
  return { access, tran, orderId };
}
async function sampleSales(done: Awaited<ReturnType<typeof sampleExecTran>>) {
  return callSample('AmazonpaySales', {
    ShopID: sandbox.shopId,
    ShopPass: sandbox.shopPass,
    ...done.access,
    OrderID: done.tran.OrderID,
    Amount: CART.chargeAmount.amount,
  });
}

/** The sample's cart page's renderJSButton options (sample/cart.ejs), with checkout.js from the sandbox. */
const samplePage = (app: boolean) => `<!doctype html><html lang="ja"><meta charset="utf-8"><title>sample</title>
<div id="AmazonPayButton" ${app ? 'style="display: none"' : ''}></div>${app ? '<a id="ExecButton" href="#">次へ</a>' : ''}<p id="message"></p>
<script src="/sandbox/amazon/checkout.js"></script>
<script>
  window.__log = [];
  amazon.Pay.renderJSButton('#AmazonPayButton', {
    merchantId: 'A23YM23UEBY8FM', ledgerCurrency: 'JPY', checkoutLanguage: 'ja_JP', productType: 'PayOnly',
    checkoutMode: 'ProcessOrder', placement: 'Cart', sandbox: true, buttonColor: 'Gold',
    estimatedOrderAmount: { amount: "${CART.chargeAmount.amount}", currencyCode: "JPY" },
    checkoutSessionConfig: {
      storeId: "amzn1.application-oa2-client.242a859efb5f47f09847f3f0aebd50ca",
      scopes: ["name", "email", "phoneNumber", "billingAddress"],
      paymentDetails: ${JSON.stringify(CART)},
      processorSpecifications: { name: 'gmopg' },
      deliverySpecifications: { specialRestrictions: ["RestrictPOBoxes"], addressRestrictions: { type: "Allowed", restrictions: { JP: {} } } }
    },
    onInitCheckout: function (event) { window.__log.push('init'); },
    onCompleteCheckout: async function (event) {
      const params = { billingAddress: event.billingAddress, paymentDescriptor: event.paymentDescriptor, chargePermissionId: event.amazonChargePermissionId,
        amazonPayCheckoutType: event.amazonPayCheckoutType, amazonPayMFAReturnUrl: event.amazonPayMFAReturnUrl };
      const res = await fetch('${app ? '/sample/compData' : '/sample/createCharge'}', { method: 'POST', headers: { "Content-Type": "application/json" }, body: JSON.stringify(params) });
      const result = await res.json();
      document.getElementById('message').textContent = result.message || result.compToken || '';
      window.__log.push('complete ' + result.status);
      return res.status === 200 && result.status === 'OK' ? { status: "success" } : { status: "decline" };
    },
    onCancel: function (event) { window.__log.push('cancel'); },
    onError: function (event) { window.__log.push('error'); }
  });
  ${app ? "document.getElementById('ExecButton').addEventListener('click', () => document.getElementById('AmazonPayButton').click());" : ''}
</script>`;

before(async () => {
  const app = new Hono();
  sandbox = createSandbox({ basePath: '/sandbox' });
  app.all('/sandbox/*', (c) => sandbox.app.fetch(c.req.raw));
  app.get('/buy', (c) =>
    c.html(`<!doctype html><html lang="ja"><meta charset="utf-8"><title>buy now</title><script src="/iife.js"></script>
      <amazon-pay-v2 mode="buy-now" product-type="PayAndShip" endpoint="/api/amazon-pay/buy-now" merchant-id="A2MERCHANT" store-id="amzn1.application-oa2-client.test"
        sandbox show-errors script-src="/sandbox/amazon/checkout.js"></amazon-pay-v2>
      <script>window.__done = []; document.querySelector('amazon-pay-v2').addEventListener('amazon-pay-complete', (e) => window.__done.push(e.detail));</script>`),
  );
  app.get('/iife.js', (c) => c.body(IIFE, 200, { 'content-type': 'text/javascript' }));
  app.get('/sample/cart', (c) => c.html(samplePage(false)));
  app.get('/doAmazonPay', (c) => c.html(samplePage(true)));
  app.post('/sample/createCharge', async (c) => {
    const body = await c.req.json();
    try {
      let done;
      if (body.compToken)
        done = sampleStore.get(body.compToken) as Awaited<ReturnType<typeof sampleExecTran>>; // the app flow: run by compData already
      else done = await sampleExecTran(body);
      await sampleSales(done);
      return c.json({ status: 'OK', message: 'ご購入ありがとうございました。' });
    } catch {
      return c.json({ status: 'NG', message: '決済に失敗しました。やり直して下さい。' });
    }
  });
  app.post('/sample/compData', async (c) => {
    try {
      const done = await sampleExecTran(await c.req.json());
      const compToken = randomBytes(18).toString('base64url');
      sampleStore.set(compToken, done);
      return c.json({ status: 'OK', compToken });
    } catch {
      return c.json({ status: 'NG', message: '決済に失敗しました。やり直して下さい。' });
    }
  });
  app.all('/api/amazon-pay/*', (c) => handler.app.fetch(c.req.raw));
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handler = await createAmazonPayHandler({
    gmo: createGmoPgClient({ shopId: sandbox.shopId, shopPass: sandbox.shopPass, baseUrl: `${origin}/sandbox/payment/` }),
    store: new MemoryOrderStore(),
    resolveOrder,
    completionUrl: '/done',
    publicUrl: origin,
    basePath: '/api/amazon-pay',
    logger: { info() {}, warn() {}, error() {} },
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  server?.closeAllConnections?.();
  await new Promise((resolve) => server?.close(resolve));
  await handler?.close();
  sandbox?.close();
});

/** The stand-in Amazon screen's total, once it shows `expected`. */
async function total(page: Page, expected: string) {
  await page.locator('[data-amazonpay-total]').filter({ hasText: expected }).waitFor();
  return page.locator('[data-amazonpay-total]').innerText();
}

describe('Buy Now with an address (PayAndShip) in Chromium', () => {
  it('asks the endpoint for shipping when the buyer changes the address or the option, and authorizes base + tax + shipping with ApbType=PayAndShip', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/buy`);
    await page.locator('amazon-pay-v2[status=ready] [slot=button]').click();
    // Tokyo (the default address): 3,000 + 300 + 500.
    assert.match(await total(page, '3,800'), /￥3,800/);
    const screen = await page.locator('dialog[data-amazonpay-buy-now]').innerText();
    for (const shown of [/コーヒー豆 200g × 2 ￥3,000/, /通常配送 ￥500/, /お急ぎ便 ￥1,300/, /送料 ￥500/]) assert.match(screen, shown);
    // Osaka: the shop does not deliver there; Amazon's screen says so and will not pay.
    await page.locator('[data-amazonpay-address]').selectOption('1');
    await page.locator('dialog [role=status]').filter({ hasText: '配送できません' }).waitFor();
    assert.equal(await page.locator('[data-action=pay]').isDisabled(), true);
    // Hokkaido: 1,200 shipping, then the express option 2,000.
    await page.locator('[data-amazonpay-address]').selectOption('2');
    assert.match(await total(page, '4,500'), /￥4,500/);
    await page.locator('input[name=amazonpay-delivery][value=express]').check();
    assert.match(await total(page, '5,300'), /￥5,300/);
    await page.locator('[data-action=pay]').click();
    await page.waitForFunction(() => (globalThis as any).__done.length === 1);
    const [done] = (await page.evaluate(() => (globalThis as any).__done)) as { status: string; orderId: string }[];
    assert.equal(done.status, 'success');
    assert.deepEqual(
      asked.map((a) => `${a.step} ${a.region} ${a.option ?? '-'}`),
      ['init 東京都 -', 'address 大阪府 standard', 'address 北海道 standard', 'delivery 北海道 express', 'complete 北海道 express'],
    );
    const order = (await handler.store.get(done.orderId))!;
    assert.deepEqual([order.stage, order.status, order.amount, order.tax], ['completed', 'AUTH', 3000, 300 + 2000]);
    assert.equal(order.shippingAddress?.stateOrRegion, '北海道', 'the address the buyer chose, recorded');
    assert.equal((order.cart as { deliveryOptionId?: string }).deliveryOptionId, 'express');
    const trade = sandbox.state.tradeByOrder(sandbox.shopId, done.orderId)!;
    assert.deepEqual([trade.apbType, trade.amount, trade.tax], ['PayAndShip', 3000, 2300]);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("Amazon's -apb sample (its page options and its server's calls) against the sandbox, in Chromium", () => {
  const sold = () => [...sandbox.state.trades.values()].filter((t) => t.status === 'SALES' && t.amazonpayType === '4').length;

  it('pays: the amounts come from paymentDetails (its onInitCheckout returns nothing), and the trade is captured', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/sample/cart`);
    const before = sold();
    await page.locator('#AmazonPayButton').click();
    assert.match(await total(page, '8,800'), /￥8,800/);
    await page.locator('[data-action=pay]').click();
    await page.waitForFunction(() => (globalThis as any).__log.includes('complete OK'));
    assert.equal(await page.locator('#message').innerText(), 'ご購入ありがとうございました。');
    assert.equal(sold(), before + 1);
    await page.locator('dialog[data-amazonpay-buy-now]').waitFor({ state: 'detached' });
    await page.close();
  });

  it('declines: GMO-PG refuses the charge, the sample answers "decline", Amazon\'s screen says so', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/sample/cart`);
    await page.locator('#AmazonPayButton').click();
    await total(page, '8,800');
    sandbox.faults.declineNext();
    await page.locator('[data-action=pay]').click();
    await page.waitForFunction(() => (globalThis as any).__log.includes('complete NG'));
    await page.locator('dialog [role=status]').filter({ hasText: '承認されませんでした' }).waitFor();
    await page.close();
  });

  it("cancels: the buyer leaves Amazon's screen, onCancel is called and nothing is charged", async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/sample/cart`);
    const trades = sandbox.state.trades.size;
    await page.locator('#AmazonPayButton').click();
    await total(page, '8,800');
    await page.locator('[data-action=cancel]').click();
    await page.waitForFunction(() => (globalThis as any).__log.includes('cancel'));
    assert.equal(sandbox.state.trades.size, trades);
    await page.close();
  });

  it('pays in its app flow: the hidden button clicked from the page, compData, then createCharge with the compToken', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/doAmazonPay`);
    const before = sold();
    await page.locator('#ExecButton').click();
    await total(page, '8,800');
    await page.locator('[data-action=pay]').click();
    await page.waitForFunction(() => (globalThis as any).__log.includes('complete OK'));
    const compToken = await page.locator('#message').innerText();
    const charged: any = await (
      await fetch(`${origin}/sample/createCharge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ compToken, token: 'x' }),
      })
    ).json();
    assert.equal(charged.status, 'OK');
    assert.equal(sold(), before + 1);
    await page.close();
  });
});
