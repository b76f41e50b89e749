// The sandbox and the client against what Amazon's own GMO-PG sample apps send
// (amazonpay-labs/amazonpaycpsp-gmosampleapp-2step, nodejs/app.js): its callAPI posts
// querystring.stringify(params) (UTF-8, no charset in the Content-Type, as axios sends a string),
// AmazonpayType 4, and keeps the answer's Token raw. Replayed here byte for byte, over real HTTP.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createGmoPgClient } from '../../src/server/client/gmo-pg-client.js';
import { sampleCallAPI } from './support/amazon-sample.js';
import { PAYLOAD, amazonCheckout, clientFor, formFields, postForm, startRecorder, startSandbox, type RunningSandbox } from './support/servers.js';

let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox.stop());

const keyinfo = () => ({ ShopID: sandbox.shopId, ShopPass: sandbox.shopPass });
let seq = 0;
const orderId = () => `SAMPLE${Date.now().toString(36)}${++seq}`.toUpperCase();

/** The sample's callAPI (support/amazon-sample.ts) against the sandbox. */
const callAPI = (name: string, params: Record<string, string>) => sampleCallAPI(sandbox.baseUrl, name, params);

describe("Amazon's GMO-PG sample, replayed against the sandbox", () => {
  it('takes its UTF-8 requests without charset, AmazonpayType 4, and its raw Token, through to AmazonpaySales', async () => {
    const { sessionId } = await amazonCheckout(sandbox, PAYLOAD);
    const address = await callAPI('SearchAddressAmazonpay', { AmazonCheckoutSessionID: sessionId, ...keyinfo() });
    assert.equal(address.ShippingName, 'アマゾン 花子');
    const id = createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 26); // 13 random bytes in hex, as the sample
    const access = await callAPI('EntryTranAmazonpay', { ...keyinfo(), OrderID: id, JobCd: 'AUTH', Amount: '26312', AmazonpayType: '4' });
    const start = await callAPI('ExecTranAmazonpay', {
      ...keyinfo(),
      ...access,
      OrderID: id,
      RetURL: 'https://localhost:3443/sample/thanks',
      AmazonCheckoutSessionID: sessionId,
      Description: 'ご購入ありがとうございます。',
    });
    const trade = sandbox.state.trades.get(access.AccessID)!;
    assert.equal(trade.amazonpayType, '4');
    assert.equal(trade.description, 'ご購入ありがとうございます。', 'read as UTF-8, not garbled as Windows-31J');
    assert.match(start.Token, /[+/]/, 'a Token with + or / in it, kept raw');
    // The sample's page posts AccessID and Token to StartURL as a browser form.
    const page = await postForm(start.StartURL, { AccessID: start.AccessID, Token: start.Token });
    const html = await page.text();
    assert.match(html, /ご購入ありがとうございます。/);
    const choice = formFields(html);
    const result = formFields(await (await postForm(new URL(choice.action, sandbox.origin).href, { ...choice.fields, action: 'continue' })).text());
    // The sample's own security check on its thanks page.
    const hash = createHash('sha256')
      .update(`${id}${access.AccessID}${sandbox.shopId}${sandbox.shopPass}${result.fields.AmazonChargePermissionID}`)
      .digest('hex');
    assert.equal(result.fields.CheckString, hash);
    const sales = await callAPI('AmazonpaySales', { ...keyinfo(), ...access, OrderID: id, Amount: '26312' });
    assert.equal(sales.Status, 'SALES');
  });

  it('still reads Windows-31J bodies without charset as Windows-31J', async () => {
    const client = clientFor(sandbox);
    const id = orderId();
    const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 100 });
    const body = Buffer.concat([
      Buffer.from(
        `ShopID=${sandbox.shopId}&ShopPass=${sandbox.shopPass}&AccessID=${entry.accessId}&AccessPass=${entry.accessPass}&OrderID=${id}&ApbType=PayOnly&RetURL=https%3A%2F%2Fshop.example%2Fr&Description=`,
      ),
      Buffer.from('%82%B2%8D%77%93%FC'), // ご購入 in Windows-31J
    ]);
    await fetch(`${sandbox.baseUrl}ExecTranAmazonpay.idPass`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(sandbox.state.trades.get(entry.accessId)!.description, 'ご購入');
  });
});

describe('client and sandbox details', () => {
  it('sends AmazonpayType from GMO_PG_AMAZONPAY_TYPE (or the config), and names the choice when it is neither 3 nor 4', async () => {
    const saved = process.env.GMO_PG_AMAZONPAY_TYPE;
    try {
      process.env.GMO_PG_AMAZONPAY_TYPE = '4';
      const entry = await clientFor(sandbox).entryTranAmazonpay({ orderId: orderId(), jobCd: 'AUTH', amount: 100 });
      assert.equal(sandbox.state.trades.get(entry.accessId)!.amazonpayType, '4');
      const three = await clientFor(sandbox, { amazonpayType: '3' }).entryTranAmazonpay({ orderId: orderId(), jobCd: 'AUTH', amount: 100 });
      assert.equal(sandbox.state.trades.get(three.accessId)!.amazonpayType, '3');
      process.env.GMO_PG_AMAZONPAY_TYPE = '5';
      assert.throws(
        () => createGmoPgClient({ shopId: 'x', shopPass: 'y', baseUrl: sandbox.baseUrl }),
        /amazonpayType "5" is not 3 or 4: 3 for Amazon Pay V2 .* 4 for the cPSP contract/,
      );
    } finally {
      if (saved === undefined) delete process.env.GMO_PG_AMAZONPAY_TYPE;
      else process.env.GMO_PG_AMAZONPAY_TYPE = saved;
    }
  });

  it('lets a refused ExecTran be retried: the trade and the checkout session are left as they were', async () => {
    const client = clientFor(sandbox);
    const { sessionId } = await amazonCheckout(sandbox, PAYLOAD);
    for (const flow of [{ amazonCheckoutSessionId: sessionId }, { apbType: 'PayOnly' as const }]) {
      const id = orderId();
      const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 500 });
      const refused = await client.execTranAmazonpay({ ...entry, orderId: id, retUrl: 'ftp://nowhere', ...flow } as never).catch((e) => e);
      assert.deepEqual(refused.codes, ['E08000007']);
      const start = await client.execTranAmazonpay({ ...entry, orderId: id, retUrl: 'https://shop.example/result', ...flow } as never);
      assert.ok('token' in start && start.token);
    }
  });

  it('checks a 随時決済 answer without AmazonChargePermissionID against the charge permission it sent', async () => {
    const client = clientFor(sandbox);
    const recurring = { ...PAYLOAD, chargePermissionType: 'Recurring', recurringMetadata: { frequency: { unit: 'Month', value: '1' } } };
    const { sessionId } = await amazonCheckout(sandbox, recurring);
    const id = orderId();
    const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 980 });
    const start = await client.execTranAmazonpay({ ...entry, orderId: id, retUrl: 'https://shop.example/r', amazonCheckoutSessionId: sessionId });
    assert.ok('token' in start);
    const page = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text());
    const result = formFields(await (await postForm(new URL(page.action, sandbox.origin).href, { ...page.fields, action: 'continue' })).text());
    const permissionId = result.fields.AmazonChargePermissionID;
    // An answer that leaves the field out: the CheckString is still GMO-PG's, over the id that was sent.
    const without: typeof fetch = async (url, init) => {
      const text = Buffer.from(await (await fetch(url, init)).arrayBuffer())
        .toString('latin1')
        .replace(/&?AmazonChargePermissionID=[^&]*/, '');
      return new Response(Buffer.from(text, 'latin1'), { status: 200 });
    };
    const charge = clientFor(sandbox, { fetch: without });
    const next = orderId();
    const e2 = await client.entryTranAmazonpay({ orderId: next, jobCd: 'CAPTURE', amount: 980 });
    const answer = await charge.execTranAmazonpay({ ...e2, orderId: next, amazonChargePermissionId: permissionId });
    assert.equal(answer.status, 'CAPTURE');
    assert.equal(answer.amazonChargePermissionId, permissionId);
  });

  it('refuses a bad PaymentTermSec with its own code, not the JobCd one', async () => {
    const client = clientFor(sandbox);
    const id = orderId();
    const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 100 });
    const refused = await client
      .execTranAmazonpay({ ...entry, orderId: id, retUrl: 'https://shop.example/r', apbType: 'PayOnly', paymentTermSec: 999999 })
      .catch((e) => e);
    assert.deepEqual(refused.codes, ['E08000008']);
  });

  it('notifies without Currency, with ErrCode= and ErrInfo= even when empty', async () => {
    const shop = await startRecorder();
    const notifying = await startSandbox({ notifyUrl: `${shop.origin}/notify`, notifyRetryDelaysMs: [20] });
    try {
      const client = clientFor(notifying);
      const id = orderId();
      const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 100 });
      const start = await client.execTranAmazonpay({ ...entry, orderId: id, retUrl: 'https://shop.example/r', apbType: 'PayOnly' });
      assert.ok('token' in start);
      const page = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text());
      await postForm(new URL(page.action, notifying.origin).href, { ...page.fields, action: 'continue' });
      await notifying.notifier.idle();
      const raw = shop.received[0].body.toString('latin1');
      assert.ok(!/(^|&)Currency=/.test(raw), raw);
      assert.match(raw, /(^|&)ErrCode=(&|$)/);
      assert.match(raw, /(^|&)ErrInfo=(&|$)/);
    } finally {
      await notifying.stop();
      await shop.stop();
    }
  });

  it('answers SearchAddressAmazonpay for an AmazonBuyerToken as the client sends it', async () => {
    const { sessionId } = await amazonCheckout(sandbox, PAYLOAD);
    const address = await clientFor(sandbox).searchAddressAmazonpay({ amazonBuyerToken: sessionId });
    assert.equal(address.buyer.name, 'アマゾン 花子');
  });
});
