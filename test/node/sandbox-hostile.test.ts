// The sandbox is as strict as the real GMO-PG and Amazon, and never answers 500: malformed and
// hostile requests on every route, its fault control, and redirects it must not follow.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_NAMES } from '../../src/sandbox/gmo/api.js';
import { PAYLOAD, clientFor, postForm, sendEndless, startSandbox, type RunningSandbox } from './support/servers.js';

let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox.stop());

const FORM = 'application/x-www-form-urlencoded';
const faults = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${sandbox.origin}/__sandbox/faults`, { method: 'POST', headers, body });

describe('the sandbox under hostile input', () => {
  it('answers malformed requests on every route with a 4xx or a protocol error, never a 500', async () => {
    const routes = [
      '/amazon/checkout/initiate',
      '/amazon/checkout/continue',
      '/payment/AmazonpayStart.idPass',
      '/amazon/pay',
      '/__sandbox/faults',
      ...API_NAMES.map((api) => `/payment/${api}.idPass`),
    ];
    const bodies: [string, string][] = [
      [FORM, ''],
      [FORM, '%%%&&&==='],
      [FORM, 'payloadJSON=null'],
      [FORM, 'payloadJSON=[]'],
      [FORM, 'payloadJSON=' + encodeURIComponent(JSON.stringify({ webCheckoutDetails: { checkoutReviewReturnUrl: 'not a url' } }))],
      [FORM, 'payloadJSON=' + encodeURIComponent(JSON.stringify({ webCheckoutDetails: { checkoutReviewReturnUrl: 'javascript:alert(1)' } }))],
      [FORM, 'session=x&AccessID=%00&Token=%FF&ShopID=%00&OrderID=' + 'A'.repeat(5000)],
      [FORM, 'AccessID[]=1&Token=2&action=cancel'],
      ['application/json', 'null'],
      ['application/json', '{"failNext":{"api":"ExecTranAmazonpay","errInfo":12345}}'],
      ['application/json', '{"delayNext":{"api":"ExecTranAmazonpay","ms":"1e9"}}'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--'],
      ['text/plain', '\u0000\uFFFF'],
    ];
    for (const path of routes) {
      for (const [type, body] of bodies) {
        const response = await fetch(`${sandbox.origin}${path}`, { method: 'POST', headers: { 'content-type': type }, body, redirect: 'manual' });
        assert.ok(response.status < 500, `${path} ${type} ${body.slice(0, 60)}: ${response.status} ${(await response.text()).slice(0, 200)}`);
      }
    }
    for (const path of ['/amazon/checkout/initiate_auth?amazonCheckoutSessionId=%00&changeAction=x', '/__sandbox/trades', '/payment/Nothing.idPass']) {
      assert.ok((await fetch(`${sandbox.origin}${path}`)).status < 500, path);
    }
    // After all of that, the next real call still works.
    const client = clientFor(sandbox);
    await client.entryTranAmazonpay({ orderId: `HOSTILE-${Date.now()}`, jobCd: 'AUTH', amount: 100 });
  });

  it('takes fault settings only as checked JSON from the same site', async () => {
    assert.equal((await faults('{"declineNext":1}', { 'content-type': 'text/plain' })).status, 415, 'a cross-site form can send text/plain');
    assert.equal((await faults('{"declineNext":1}', { 'content-type': 'application/json', origin: 'https://evil.example' })).status, 403);
    assert.equal((await faults('{"declineNext":1}', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' })).status, 403);
    for (const [body, field] of [
      ['{"failNext":{"api":"ExecTranAmazonpay","errInfo":12345}}', 'failNext.errInfo'],
      ['{"failNext":{"api":"Nope","errInfo":"E01040010"}}', 'failNext.api'],
      ['{"failNext":{"api":"ExecTranAmazonpay","errInfo":"<b>"}}', 'failNext.errInfo'],
      ['{"delayNext":{"api":"ExecTranAmazonpay","ms":"1e9"}}', 'delayNext.ms'],
      ['{"delayNext":{"api":"ExecTranAmazonpay","ms":1000000}}', 'delayNext.ms'],
      ['{"declineNext":"1e9"}', 'declineNext'],
      ['{"dropNotifications":-1}', 'dropNotifications'],
      ['{"failNext":{"api":"ExecTranAmazonpay","errInfo":"E01040010","times":0.5}}', 'failNext.times'],
    ]) {
      const response = await faults(body);
      assert.equal(response.status, 400, body);
      assert.equal(((await response.json()) as { error: { field: string } }).error.field, field, body);
    }
    // Nothing of the refused ones was armed: the next call succeeds.
    const client = clientFor(sandbox);
    await client.entryTranAmazonpay({ orderId: `FAULTS-${Date.now()}`, jobCd: 'AUTH', amount: 100 });
    assert.equal((await faults('{"failNext":{"api":"EntryTranAmazonpay","errInfo":["E01040010","E01040013"]}}')).status, 200);
    await assert.rejects(client.entryTranAmazonpay({ orderId: `FAULTS2-${Date.now()}`, jobCd: 'AUTH', amount: 100 }), /E01040010.*E01040013/);
  });

  it('sends a cancelled shopper only back to the shop that started the checkout', async () => {
    for (const [payload, originUrl] of [
      [{ webCheckoutDetails: { checkoutReviewReturnUrl: 'https://shop.example/confirm', checkoutCancelUrl: 'https://evil.example/' } }, undefined],
      [PAYLOAD, 'https://evil.example/phish'],
    ] as const) {
      const page = await postForm(`${sandbox.origin}/amazon/checkout/initiate`, {
        payloadJSON: JSON.stringify(payload),
        signature: 'c2ln',
        publicKeyId: 'SANDBOX-AKEY',
        productType: 'PayAndShip',
        ...(originUrl ? { origin_url: originUrl } : {}),
      });
      const html = await page.text();
      const session = /name="session" value="([^"]+)"/.exec(html)?.[1];
      if (!session) {
        assert.equal(page.status, 400, 'refused at initiate');
        assert.match(html, /checkoutCancelUrl/);
        continue;
      }
      const back = await postForm(`${sandbox.origin}/amazon/checkout/continue`, { session, action: 'cancel' });
      assert.equal(back.status, 303);
      assert.equal(new URL(back.headers.get('location')!).origin, 'https://shop.example');
    }
  });

  it("stops reading a body at its limit on /payment and Amazon's pages", async () => {
    for (const [path, type] of [
      ['/payment/EntryTranAmazonpay.idPass', FORM],
      ['/amazon/checkout/initiate', FORM],
      ['/__sandbox/faults', 'application/json'],
    ]) {
      const { status, sent } = await sendEndless(`${sandbox.origin}${path}`, { 'content-type': type });
      assert.equal(status, 413, path);
      assert.ok(sent < 4 * 1024 * 1024, `${path}: answered after ${sent} bytes`);
    }
  });
});
