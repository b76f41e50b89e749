// In Chromium: an APB button on a shop page → the shop's server runs EntryTran + ExecTran on the
// sandbox → AmazonpayStart → the stand-in Amazon page → "今すぐ支払う" → the result POSTed to RetURL.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { clientFor, startSandbox, type RunningSandbox } from './support/servers.js';

let sandbox: RunningSandbox;
let shop: Server;
let shopOrigin: string;
let browser: Browser;
const accessIds = new Map<string, string>(); // OrderID -> AccessID, the shop's own record

before(async () => {
  sandbox = await startSandbox();
  const client = clientFor(sandbox);
  shop = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    if (req.url === '/cart') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="ja"><title>cart</title><script src="/amazon-pay-v2.iife.js"></script>
        <amazon-pay-v2 mode="apb" endpoint="/checkout" merchant-id="A2MERCHANT" sandbox
          script-src="${sandbox.origin}/amazon/checkout.js" start-origins="${sandbox.origin}"></amazon-pay-v2>`);
    } else if (req.url === '/amazon-pay-v2.iife.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(readFileSync('dist/amazon-pay-v2.iife.js'));
    } else if (req.url === '/checkout' && req.method === 'POST') {
      const orderId = `B${Date.now()}`;
      const entry = await client.entryTranAmazonpay({ orderId, jobCd: 'AUTH', amount: 1980 }); // the server decides the amount
      accessIds.set(orderId, entry.accessId);
      const start = await client.execTranAmazonpay({ ...entry, orderId, apbType: 'PayAndShip', retUrl: `${shopOrigin}/result`, description: 'テスト注文' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ startUrl: start.startUrl, accessId: start.accessId, token: start.token }));
    } else if (req.url === '/result' && req.method === 'POST') {
      const r = Object.fromEntries(new URLSearchParams(body));
      const verified = client.verifyCheckString({
        orderId: r.OrderID,
        accessId: accessIds.get(r.OrderID) ?? '',
        amazonChargePermissionId: r.AmazonChargePermissionID,
        checkString: r.CheckString,
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><p id="result">${verified ? 'verified' : 'FORGED'} ${r.Status} ${r.ErrInfo ?? ''}</p>`);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => shop.close(resolve));
  await sandbox.stop();
});

describe('AmazonpayStart in Chromium', () => {
  it('goes from the APB button through the stand-in Amazon page to RetURL with a verified result', async () => {
    const page = await browser.newPage();
    await page.goto(`${shopOrigin}/cart`);
    await page.locator('amazon-pay-v2[status=ready] [slot=button]').click();
    await page.waitForURL(`${sandbox.origin}/payment/AmazonpayStart.idPass`);
    assert.match(await page.locator('[data-testid=amount]').innerText(), /1,980/);
    await page.getByLabel(/札幌 太郎/).check();
    await page.getByRole('button', { name: '今すぐ支払う' }).click();
    await page.waitForURL(`${shopOrigin}/result`);
    assert.equal((await page.locator('#result').innerText()).trim(), 'verified AUTH');
    const trade = [...sandbox.state.trades.values()].at(-1)!;
    assert.equal(sandbox.state.chargePermissions.get(trade.chargePermissionId)!.addressIndex, 2);
    await page.close();
  });

  it('comes back to RetURL with the error when the shopper cancels', async () => {
    const page = await browser.newPage();
    await page.goto(`${shopOrigin}/cart`);
    await page.locator('amazon-pay-v2[status=ready] [slot=button]').click();
    await page.getByRole('button', { name: 'キャンセルしてショップに戻る' }).click();
    await page.waitForURL(`${shopOrigin}/result`);
    assert.equal((await page.locator('#result').innerText()).trim(), 'verified UNPROCESSED E08000002');
    await page.close();
  });
});
