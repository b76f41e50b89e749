// A storefront on one origin and the merchant endpoint on another (allowedOrigins), in Chromium:
// the element's JSON call is preflighted and answered with CORS, the shopper's cookie reaches
// resolveOrder, and the payment completes; a storefront on an origin not listed is refused by the
// browser itself (no CORS answer), and the element reports it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createAmazonPayHandler } from '../../src/server/endpoint/handler.js';
import { launchChromium } from './support/browser.js';
import { startSandbox, type RunningSandbox } from './support/servers.js';
import { startShop, type RunningShop } from './support/shop.js';

let sandbox: RunningSandbox;
let shop: RunningShop;
let storefront: Server;
let port: number;
let browser: Browser;
const carts: string[] = [];

before(async () => {
  sandbox = await startSandbox();
  const iife = readFileSync('dist/amazon-pay-v2.iife.js');
  storefront = createServer((req, res) => {
    if (req.url === '/amazon-pay-v2.iife.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(iife);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><html lang="ja"><meta charset="utf-8"><script src="/amazon-pay-v2.iife.js"></script>
      <amazon-pay-v2 mode="apb" endpoint="${shop.api}/checkout" merchant-id="A2MERCHANT" sandbox
        script-src="${sandbox.origin}/amazon/checkout.js" start-origins="${sandbox.origin}"></amazon-pay-v2>`);
  });
  await new Promise<void>((r) => storefront.listen(0, '127.0.0.1', r));
  port = (storefront.address() as AddressInfo).port;
  shop = await startShop(sandbox, {
    allowedOrigins: [`http://127.0.0.1:${port}`],
    // The cart by the shopper's cookie, which a cross-origin call carries only with credentials.
    resolveOrder: ({ request }) => {
      const cart = /(?:^|; )cart=(\d+)/.exec(request.headers.get('cookie') ?? '')?.[1];
      carts.push(cart ?? '(none)');
      return { amount: Number(cart ?? 1) };
    },
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  storefront?.close();
  await shop?.stop();
  await sandbox?.stop();
});

describe('an endpoint on another origin than the storefront (allowedOrigins)', () => {
  it('answers the preflight and the call with CORS; the cookie reaches resolveOrder and the payment completes', async () => {
    const context = await browser.newContext();
    await context.addCookies([{ name: 'cart', value: '2480', domain: '127.0.0.1', path: '/' }]);
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.locator('amazon-pay-v2[status=ready] [slot=button]').click();
    await page.waitForURL(`${sandbox.origin}/payment/AmazonpayStart.idPass`);
    await page.getByRole('button', { name: '今すぐ支払う' }).click();
    await page.waitForURL(new RegExp(`^${shop.origin}/complete`));
    const [, outcome, orderId] = (await page.locator('body').innerText()).split(' ');
    assert.equal(outcome, 'success');
    // What the browser was told (Chromium does not show preflights to Playwright): this origin, with credentials.
    const preflight = await fetch(`${shop.api}/checkout`, {
      method: 'OPTIONS',
      headers: { origin: `http://127.0.0.1:${port}`, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), `http://127.0.0.1:${port}`);
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
    assert.deepEqual(carts, ['2480']);
    assert.equal(sandbox.state.tradeByOrder(sandbox.shopId, orderId)!.amount, 2480);
    await context.close();
  });

  it('gives a page of an origin not listed no CORS answer: the browser refuses, the element reports it, nothing is charged', async () => {
    const before = carts.length;
    const page = await browser.newPage();
    await page.goto(`http://localhost:${port}/`); // another origin: localhost is not 127.0.0.1
    const error = page.evaluate(
      () =>
        new Promise((resolve) =>
          (globalThis as any).document.querySelector('amazon-pay-v2').addEventListener('amazon-pay-error', (e: any) => resolve(e.detail.code)),
        ),
    );
    await page.locator('amazon-pay-v2[status=ready] [slot=button]').click();
    assert.equal(await error, 'ENDPOINT_FAILED');
    assert.equal(carts.length, before, 'resolveOrder never ran');
    const preflight = await fetch(`${shop.api}/checkout`, {
      method: 'OPTIONS',
      headers: { origin: `http://localhost:${port}`, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    await page.close();
  });

  it('refuses an allowedOrigins entry that is not an origin, naming it', async () => {
    await assert.rejects(
      createAmazonPayHandler({
        allowedOrigins: ['https://store.example/'],
        resolveOrder: () => ({ amount: 1 }),
        completionUrl: '/',
        gmo: shop.handler.gmo,
        store: shop.handler.store,
      }),
      /allowedOrigins entry "https:\/\/store\.example\/" is not an origin/,
    );
  });
});
