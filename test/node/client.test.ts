// The GMO-PG client against the sandbox, over real HTTP: every API and its failure paths.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import { createGmoPgClient, GmoPgError, GmoPgTransportError, type GmoPgClient } from '../../src/server/index.js';
import { parseForm } from '../../src/server/client/wire.js';
import { PAYLOAD, amazonCheckout, clientFor, formFields, postForm, startSandbox, type RunningSandbox } from './support/servers.js';

let sandbox: RunningSandbox;
let client: GmoPgClient;
let seq = 0;
const orderId = () => `T${Date.now().toString(36)}-${++seq}`.toUpperCase();

before(async () => {
  sandbox = await startSandbox();
  client = clientFor(sandbox);
});
after(() => sandbox.stop());
beforeEach(() => sandbox.faults.clear());

/** A fetch that records the raw bytes of each request and response. */
function tap() {
  const log: { request: Buffer; response: Buffer }[] = [];
  const tapped: typeof fetch = async (url, init) => {
    const response = await fetch(url, init);
    const bytes = Buffer.from(await response.arrayBuffer());
    log.push({ request: Buffer.from(init!.body as Uint8Array), response: bytes });
    return new Response(bytes, { status: response.status, headers: response.headers });
  };
  return { log, fetch: tapped };
}

/** EntryTran + ExecTran for the standard flow, through the stand-in Amazon's checkout. */
async function startStandard(options: { jobCd?: 'AUTH' | 'CAPTURE'; amount?: number; payload?: object } = {}) {
  const id = orderId();
  const { sessionId } = await amazonCheckout(sandbox, options.payload ?? PAYLOAD, { address: '1', card: '1' });
  const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: options.jobCd ?? 'AUTH', amount: options.amount ?? 3980, tax: 0 });
  const start = await client.execTranAmazonpay({
    ...entry,
    orderId: id,
    amazonCheckoutSessionId: sessionId,
    retUrl: 'https://shop.example/result',
    description: 'ご購入ありがとうございます。',
  });
  return { id, sessionId, entry, start };
}

/** The shopper's leg: AmazonpayStart, the stand-in pay page, and the form GMO-PG posts to RetURL. */
async function payAtAmazon(start: { accessId: string; token: string; startUrl: string }, action = 'continue') {
  const page = await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token });
  assert.equal(page.status, 200);
  const pay = formFields(await page.text());
  const result = await postForm(new URL(pay.action, sandbox.origin).href, { ...pay.fields, action });
  return formFields(await result.text());
}

describe('GMO-PG client against the sandbox', () => {
  it('EntryTranAmazonpay returns a 32-character AccessID and AccessPass', async () => {
    const entry = await client.entryTranAmazonpay({ orderId: orderId(), jobCd: 'AUTH', amount: 1000 });
    assert.match(entry.accessId, /^[0-9a-f]{32}$/);
    assert.match(entry.accessPass, /^[0-9a-f]{32}$/);
  });

  it('sends Windows-31J bytes and reads Windows-31J answers (a Japanese description and address)', async () => {
    const t = tap();
    const tapped = clientFor(sandbox, { fetch: t.fetch });
    const id = orderId();
    const { sessionId } = await amazonCheckout(sandbox, PAYLOAD, { address: '1', card: '0' });
    const entry = await tapped.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 500 });
    await tapped.execTranAmazonpay({
      ...entry,
      orderId: id,
      amazonCheckoutSessionId: sessionId,
      retUrl: 'https://shop.example/r',
      description: '髙島屋のお買い物',
    });
    const execBody = t.log[1].request.toString('latin1');
    // 髙 = FB FC, 島 = 93 87, 屋 = 89 AE in Windows-31J
    assert.ok(execBody.includes('Description=%FB%FC%93%87%89%AE%82%CC%82%A8%94%83%82%A2%95%A8'), execBody);
    assert.equal(iconv.decode(Buffer.from(parseForm(execBody, 'latin1').Description, 'latin1'), 'windows-31j'), '髙島屋のお買い物');

    const address = await tapped.searchAddressAmazonpay({ amazonCheckoutSessionId: sessionId });
    const raw = t.log[2].response.toString('latin1');
    // 大阪府 = 91 E5 8D E3 95 7B: the answer carries Shift_JIS bytes, not UTF-8
    assert.ok(raw.includes('ShippingStateOrRegion=%91%E5%8D%E3%95%7B'), raw);
    assert.deepEqual(
      { name: address.shipping.name, region: address.shipping.stateOrRegion, city: address.shipping.city, line2: address.shipping.addressLine2 },
      { name: '髙橋 﨑子', region: '大阪府', city: '大阪市北区', line2: 'ノースゲートビル ①号室' },
    );
    assert.equal(address.shipping.addressLine1, '梅田３丁目１－３'); // U+2212 sent as its Windows-31J twin
    assert.equal(address.paymentDescriptor, 'Visa ****1111');
    assert.equal(address.buyer.name, 'アマゾン 花子');
  });

  it('keeps a Token with "+" byte for byte', async () => {
    const { start } = await startStandard();
    assert.ok(start.token.includes('+'), start.token);
    const trade = sandbox.state.trades.get(start.accessId)!;
    assert.equal(start.token, trade.token);
    assert.match(start.startUrl, /\/payment\/AmazonpayStart\.idPass$/);
    assert.match(start.startLimitDate, /^\d{14}$/);
  });

  it('reuses its connection (keep-alive) for consecutive calls', async () => {
    const fresh = clientFor(sandbox);
    const before = sandbox.connections();
    for (let i = 0; i < 5; i++) await fresh.entryTranAmazonpay({ orderId: orderId(), jobCd: 'AUTH', amount: 100 });
    assert.ok(sandbox.connections() - before <= 1, `${sandbox.connections() - before} connections for 5 calls`);
  });

  it('reports several errors of one answer, in order, with messages', async () => {
    const error = await client.call('EntryTranAmazonpay', { JobCd: 'SALE', Amount: '12a', AmazonpayType: '3' }).catch((e) => e);
    assert.ok(error instanceof GmoPgError);
    assert.deepEqual(error.codes, ['E01040001', 'E01050002', 'E01060006']);
    assert.deepEqual(
      error.errors.map((e: { errCode: string }) => e.errCode),
      ['E01', 'E01', 'E01'],
    );
    assert.equal(error.errors[0].messageJa, 'オーダーIDが指定されていません。');
    assert.equal(error.errors[1].messageEn, 'JobCd is invalid (AUTH or CAPTURE).');
    assert.equal(error.retryable, false);
  });

  it('refuses a duplicate OrderID', async () => {
    const id = orderId();
    await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 1 });
    const error = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 1 }).catch((e) => e);
    assert.deepEqual(error.codes, ['E01040010']);
  });

  it('refuses a wrong AccessPass, and a wrong shop password, without ever showing the password', async () => {
    const id = orderId();
    const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 1 });
    const wrong = await client
      .execTranAmazonpay({ accessId: entry.accessId, accessPass: 'f'.repeat(32), orderId: id, apbType: 'PayOnly', retUrl: 'https://shop.example/r' })
      .catch((e) => e);
    assert.deepEqual(wrong.codes, ['E01110002']);
    const intruder = createGmoPgClient({ shopId: sandbox.shopId, shopPass: 'secretGuess123', baseUrl: sandbox.baseUrl });
    const denied = await intruder.entryTranAmazonpay({ orderId: orderId(), jobCd: 'AUTH', amount: 1 }).catch((e) => e);
    assert.deepEqual(denied.codes, ['E01030002']);
    for (const e of [wrong, denied]) {
      assert.ok(!`${e.message} ${e.stack} ${JSON.stringify(e)}`.includes(sandbox.shopPass));
      assert.ok(!`${e.message} ${JSON.stringify(e)}`.includes('secretGuess123'));
    }
  });

  it('runs the standard flow: AmazonpayStart, RetURL with a valid CheckString, then capture and partial refund', async () => {
    const { id, start, entry } = await startStandard({ amount: 5000 });
    const result = await payAtAmazon(start);
    assert.equal(result.action, 'https://shop.example/result');
    const r = result.fields;
    assert.equal(r.OrderID, id);
    assert.equal(r.Status, 'AUTH');
    assert.match(r.AmazonChargePermissionID, /^S03-\d{7}-\d{7}$/);
    assert.equal(r.ErrCode, undefined);
    assert.ok(
      client.verifyCheckString({
        orderId: r.OrderID,
        accessId: entry.accessId,
        amazonChargePermissionId: r.AmazonChargePermissionID,
        checkString: r.CheckString,
      }),
    );
    assert.ok(
      !client.verifyCheckString({ orderId: r.OrderID, accessId: entry.accessId, amazonChargePermissionId: 'S03-0000000-0000000', checkString: r.CheckString }),
    );

    const sales = await client.amazonpaySales({ ...entry, orderId: id, amount: 5000 });
    assert.deepEqual(sales, { orderId: id, status: 'SALES', amount: 5000, tax: 0 });
    const refund = await client.amazonpayCancel({ ...entry, orderId: id, cancelAmount: 1200 });
    assert.deepEqual(refund, { orderId: id, status: 'RETURN', amount: 3800, tax: 0, cancelAmount: 1200, cancelTax: 0 });
    const trade = await client.searchTradeMulti({ orderId: id });
    assert.equal(trade.status, 'RETURN');
    assert.equal(trade.payType, '38');
    assert.equal(trade.amazonPayCancelAmount, 1200);
    assert.equal(trade.amazonChargePermissionId, r.AmazonChargePermissionID);
    assert.equal(trade.accessId, entry.accessId);
  });

  it('changes the amount of an authorization, then cancels it', async () => {
    const { id, start, entry } = await startStandard({ amount: 8000 });
    await payAtAmazon(start);
    assert.deepEqual(await client.amazonpayChange({ ...entry, orderId: id, amount: 6500 }), { orderId: id, status: 'AUTH', amount: 6500, tax: 0 });
    const raise = await client.amazonpayChange({ ...entry, orderId: id, amount: 9000 }).catch((e) => e);
    assert.deepEqual(raise.codes, ['E01060005']);
    const cancel = await client.amazonpayCancel({ ...entry, orderId: id, cancelAmount: 6500 });
    assert.equal(cancel.status, 'CANCEL');
  });

  it('refuses illegal state transitions', async () => {
    const id = orderId();
    const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 100 });
    const early = await client.amazonpaySales({ ...entry, orderId: id, amount: 100 }).catch((e) => e);
    assert.deepEqual(early.codes, ['E01050004']);
    const { id: paid, start, entry: e2 } = await startStandard({ amount: 100 });
    await payAtAmazon(start);
    const wrongAmount = await client.amazonpaySales({ ...e2, orderId: paid, amount: 99 }).catch((e) => e);
    assert.deepEqual(wrongAmount.codes, ['E01060010']);
    await client.amazonpaySales({ ...e2, orderId: paid, amount: 100 });
    const twice = await client.amazonpaySales({ ...e2, orderId: paid, amount: 100 }).catch((e) => e);
    assert.deepEqual(twice.codes, ['E11010001']);
    const change = await client.amazonpayChange({ ...e2, orderId: paid, amount: 50 }).catch((e) => e);
    assert.deepEqual(change.codes, ['E01050004']);
    const execAgain = await client.execTranAmazonpay({ ...e2, orderId: paid, apbType: 'PayOnly', retUrl: 'https://shop.example/r' }).catch((e) => e);
    assert.deepEqual(execAgain.codes, ['E01050004']);
  });

  it('captures at once with JobCd CAPTURE', async () => {
    const { start } = await startStandard({ jobCd: 'CAPTURE' });
    assert.equal((await payAtAmazon(start)).fields.Status, 'CAPTURE');
  });

  it('runs APB: no session, the shopper picks address and card at AmazonpayStart', async () => {
    const id = orderId();
    const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 2200 });
    const start = await client.execTranAmazonpay({ ...entry, orderId: id, apbType: 'PayAndShip', retUrl: 'https://shop.example/apb' });
    const page = await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text();
    assert.ok(page.includes('今すぐ支払う'));
    assert.ok(page.includes('￥2,200'));
    const result = await payAtAmazon(start);
    assert.equal(result.fields.Status, 'AUTH');
  });

  it('runs 利用承諾 then 随時決済 on the charge permission, verified by CheckString, then closes it', async () => {
    const recurring = { ...PAYLOAD, chargePermissionType: 'Recurring', recurringMetadata: { frequency: { unit: 'Month', value: '1' } } };
    const { start } = await startStandard({ payload: recurring, amount: 980 });
    const permissionId = (await payAtAmazon(start)).fields.AmazonChargePermissionID;
    assert.deepEqual(
      { ...(await client.searchChargePermissionAmazonpay({ amazonChargePermissionId: permissionId })), amountBalance: 0 },
      { amazonChargePermissionId: permissionId, status: 'Chargeable', reasonCode: '', amountLimit: 100000, amountBalance: 0 },
    );
    for (const amount of [980, 980]) {
      const id = orderId();
      const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'CAPTURE', amount });
      const charge = await client.execTranAmazonpay({ ...entry, orderId: id, amazonChargePermissionId: permissionId });
      assert.equal(charge.status, 'CAPTURE');
      assert.equal(charge.amazonChargePermissionId, permissionId);
      assert.match(charge.checkString, /^[0-9a-f]{64}$/);
    }
    const balance = await client.searchChargePermissionAmazonpay({ amazonChargePermissionId: permissionId });
    assert.equal(balance.amountBalance, 100000 - 980 * 3);
    assert.deepEqual(await client.closeChargePermissionAmazonpay({ amazonChargePermissionId: permissionId }), {
      amazonChargePermissionId: permissionId,
      status: 'Closed',
    });
    const id = orderId();
    const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 980 });
    const refused = await client.execTranAmazonpay({ ...entry, orderId: id, amazonChargePermissionId: permissionId }).catch((e) => e);
    assert.deepEqual(refused.codes, ['E08000005']);
  });

  it('will not charge a one-time consent again', async () => {
    const { start } = await startStandard();
    const permissionId = (await payAtAmazon(start)).fields.AmazonChargePermissionID;
    const id = orderId();
    const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 100 });
    const refused = await client.execTranAmazonpay({ ...entry, orderId: id, amazonChargePermissionId: permissionId }).catch((e) => e);
    assert.deepEqual(refused.codes, ['E08000005']);
  });

  it('detects a tampered CheckString on a 随時決済 answer', async () => {
    const recurring = { ...PAYLOAD, chargePermissionType: 'Recurring' };
    const { start } = await startStandard({ payload: recurring });
    const permissionId = (await payAtAmazon(start)).fields.AmazonChargePermissionID;
    const forging: typeof fetch = async (url, init) => {
      const response = await fetch(url, init);
      const text = Buffer.from(await response.arrayBuffer())
        .toString('latin1')
        .replace(/CheckString=([0-9a-f])/, (_, c) => `CheckString=${c === 'a' ? 'b' : 'a'}`);
      return new Response(Buffer.from(text, 'latin1'), { status: 200 });
    };
    const forged = clientFor(sandbox, { fetch: forging });
    const id = orderId();
    const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 100 });
    const error = await forged.execTranAmazonpay({ ...entry, orderId: id, amazonChargePermissionId: permissionId }).catch((e) => e);
    assert.ok(error instanceof GmoPgTransportError);
    assert.match(error.message, /CheckString/);
  });

  it('reports a decline at Amazon on RetURL with PAYFAIL and the error', async () => {
    const { start, entry, id } = await startStandard();
    sandbox.faults.declineNext();
    const r = (await payAtAmazon(start)).fields;
    assert.deepEqual([r.Status, r.ErrCode, r.ErrInfo], ['PAYFAIL', 'E08', 'E08000001']);
    assert.ok(
      client.verifyCheckString({ orderId: id, accessId: entry.accessId, amazonChargePermissionId: r.AmazonChargePermissionID, checkString: r.CheckString }),
    );
  });

  it('reports a shopper who cancels at Amazon', async () => {
    const { start } = await startStandard();
    const r = (await payAtAmazon(start, 'cancel')).fields;
    assert.deepEqual([r.Status, r.ErrInfo], ['UNPROCESSED', 'E08000002']);
    // the token is spent: the same start again is refused
    const again = await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token });
    assert.equal(again.status, 400);
  });

  it('refuses a wrong Token and an expired one', async () => {
    const { start } = await startStandard();
    const wrong = await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token.replace('+', ' ') });
    assert.equal(wrong.status, 200);
    assert.equal(formFields(await wrong.text()).fields.ErrInfo, 'E08000003');

    const id = orderId();
    const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 1 });
    const quick = await client.execTranAmazonpay({ ...entry, orderId: id, apbType: 'PayOnly', retUrl: 'https://shop.example/r', paymentTermSec: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await postForm(quick.startUrl, { AccessID: quick.accessId, Token: quick.token });
    assert.equal(formFields(await expired.text()).fields.ErrInfo, 'E08000003');
  });

  it('passes on an error injected into any API', async () => {
    sandbox.faults.failNext('ExecTranAmazonpay', ['E01110002', 'E91019999']);
    const { sessionId } = await amazonCheckout(sandbox, PAYLOAD);
    const id = orderId();
    const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 1 });
    const error = await client
      .execTranAmazonpay({ ...entry, orderId: id, amazonCheckoutSessionId: sessionId, retUrl: 'https://shop.example/r' })
      .catch((e) => e);
    assert.deepEqual(error.codes, ['E01110002', 'E91019999']);
  });

  it('times out a slow answer and does not repeat a payment call', async () => {
    sandbox.faults.delayNext('EntryTranAmazonpay', 800);
    const impatient = clientFor(sandbox, { timeoutMs: 200 });
    const id = orderId();
    const error = await impatient.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 1 }).catch((e) => e);
    assert.ok(error instanceof GmoPgTransportError);
    assert.equal(error.kind, 'timeout');
    await new Promise((r) => setTimeout(r, 700));
    // The slow call went through at the sandbox: exactly once.
    assert.equal([...sandbox.state.trades.values()].filter((t) => t.orderId === id).length, 1);
  });

  it('retries a read-only call on a rate limit, but never a payment call', async () => {
    const { id } = await startStandard();
    sandbox.faults.failNext('SearchTradeMulti', 'E92000001');
    const patient = clientFor(sandbox, { rateLimitDelayMs: 10 });
    assert.equal((await patient.searchTradeMulti({ orderId: id })).orderId, id);
    sandbox.faults.failNext('EntryTranAmazonpay', 'E92000001');
    const error = await patient.entryTranAmazonpay({ orderId: orderId(), jobCd: 'AUTH', amount: 1 }).catch((e) => e);
    assert.deepEqual(error.codes, ['E92000001']);
    assert.equal(error.retryable, false);
    sandbox.faults.failNext('SearchTradeMulti', 'E92000002', 3);
    const limited = await patient.searchTradeMulti({ orderId: id }).catch((e) => e);
    assert.equal(limited.retryable, true);
  });

  it('answers GET, wrong content types and empty bodies with the protocol errors', async () => {
    const get = await fetch(`${sandbox.baseUrl}EntryTranAmazonpay.idPass`);
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'ErrCode=E00&ErrInfo=E00000001');
    const json = await fetch(`${sandbox.baseUrl}EntryTranAmazonpay.idPass`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(await json.text(), 'ErrCode=E00&ErrInfo=E00000003');
    const empty = await fetch(`${sandbox.baseUrl}EntryTranAmazonpay.idPass`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(await empty.text(), 'ErrCode=E00&ErrInfo=E00000010');
    assert.equal(json.headers.get('content-type'), 'text/plain;charset=windows-31j');
  });

  it("reads a UTF-8 request when it says so (as Amazon's own sample sends)", async () => {
    const body = new URLSearchParams({
      ShopID: sandbox.shopId,
      ShopPass: sandbox.shopPass,
      OrderID: orderId(),
      JobCd: 'AUTH',
      Amount: '10',
      AmazonpayType: '4',
    });
    const answer = await fetch(`${sandbox.baseUrl}EntryTranAmazonpay.idPass`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body,
    });
    assert.match(await answer.text(), /^AccessID=[0-9a-f]{32}&AccessPass=/);
  });

  it('names the missing setting when it is not configured', () => {
    const saved = { ...process.env };
    delete process.env.GMO_PG_SHOP_ID;
    delete process.env.GMO_PG_SHOP_PASS;
    delete process.env.GMO_PG_BASE_URL;
    try {
      assert.throws(() => createGmoPgClient({}), /GMO_PG_SHOP_ID/);
      assert.throws(() => createGmoPgClient({ shopId: 'x' }), /GMO_PG_SHOP_PASS/);
      assert.throws(() => createGmoPgClient({ shopId: 'x', shopPass: 'y' }), /GMO_PG_BASE_URL.*pt01\.mul-pay\.jp/);
      assert.throws(() => createGmoPgClient({ shopId: 'x', shopPass: 'y', baseUrl: 'mul-pay' }), /not a URL/);
      process.env.GMO_PG_SHOP_ID = 'envshop';
      process.env.GMO_PG_SHOP_PASS = 'envpass';
      process.env.GMO_PG_BASE_URL = 'https://pt01.mul-pay.jp/payment';
      const fromEnv = createGmoPgClient();
      assert.equal(fromEnv.shopId, 'envshop');
      assert.equal(fromEnv.baseUrl, 'https://pt01.mul-pay.jp/payment/');
    } finally {
      process.env = saved;
    }
  });

  it('reports an unreachable GMO-PG and a non-protocol answer as transport errors', async () => {
    const nowhere = createGmoPgClient({ shopId: 'x', shopPass: 'y', baseUrl: 'http://127.0.0.1:9/payment/' });
    const down = await nowhere.searchTradeMulti({ orderId: 'X' }).catch((e) => e);
    assert.equal(down.kind, 'network');
    const wrongBase = createGmoPgClient({ shopId: 'x', shopPass: 'y', baseUrl: `${sandbox.origin}/amazon/` });
    const notGmo = await wrongBase.searchTradeMulti({ orderId: 'X' }).catch((e) => e);
    assert.equal(notGmo.kind, 'protocol');
    assert.match(notGmo.message, /HTTP 404.*baseUrl/);
  });

  it('sends with the global fetch where node:http cannot be loaded (a Worker without Node HTTP modules)', async () => {
    // A child process in which importing node:http or node:https fails, as on such a runtime.
    const hook = `export async function resolve(specifier, context, next) {
      if (/^(node:)?https?$/.test(specifier)) throw Object.assign(new Error('No such module ' + specifier), { code: 'ERR_UNKNOWN_BUILTIN_MODULE' });
      return next(specifier, context);
    }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify('data:text/javascript,' + encodeURIComponent(hook))});`;
    const script = `
      const { createGmoPgClient } = await import('./src/server/client/gmo-pg-client.ts');
      const blocked = await import('node:http').then(() => false, () => true);
      const client = createGmoPgClient({ shopId: process.env.SHOP, shopPass: 'sandboxpass1', baseUrl: process.env.BASE });
      const entry = await client.entryTranAmazonpay({ orderId: process.env.ORDER, jobCd: 'AUTH', amount: 100 });
      console.log(JSON.stringify({ blocked, accessId: entry.accessId }));`;
    const id = orderId();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--import', 'data:text/javascript,' + encodeURIComponent(register), '--input-type=module', '-e', script],
      { env: { ...process.env, SHOP: sandbox.shopId, BASE: `${sandbox.origin}/payment/`, ORDER: id } },
    );
    const answer = JSON.parse(stdout.trim().split('\n').pop()!);
    assert.equal(answer.blocked, true, 'node:http could not be loaded in the child');
    assert.match(answer.accessId, /^[0-9a-f]{32}$/);
    assert.equal([...sandbox.state.trades.values()].filter((t) => t.orderId === id).length, 1);
  });

  it('on node:http (the default): a cut answer is a network error, a huge one protocol, and a trickle still times out in all', async () => {
    // A server that is not GMO-PG misbehaving in three ways, by path.
    const bad = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (req.url!.startsWith('/cut/')) {
        res.write('AccessID=');
        return setTimeout(() => req.socket.destroy(), 20);
      }
      if (req.url!.startsWith('/huge/')) return res.end('AccessID=' + 'a'.repeat(2 << 20));
      const drip = setInterval(() => res.write('a'), 50); // a byte at a time, never the end
      res.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(bad.address() as AddressInfo).port}`;
    const at = (path: string) => createGmoPgClient({ shopId: 'x', shopPass: 'y', baseUrl: `${base}/${path}/`, timeoutMs: 400 });
    try {
      const cut = await at('cut')
        .entryTranAmazonpay({ orderId: orderId(), jobCd: 'AUTH', amount: 1 })
        .catch((e) => e);
      assert.ok(cut instanceof GmoPgTransportError);
      assert.equal(cut.kind, 'network');
      const huge = await at('huge')
        .searchTradeMulti({ orderId: 'X' })
        .catch((e) => e);
      assert.equal(huge.kind, 'protocol');
      assert.match(huge.message, /1048576 bytes.*baseUrl/);
      const started = Date.now();
      const drip = await at('drip')
        .searchTradeMulti({ orderId: 'X' })
        .catch((e) => e);
      assert.equal(drip.kind, 'timeout');
      assert.ok(Date.now() - started < 2000, `timed out after ${Date.now() - started} ms, not within its 400 ms and a margin`);
    } finally {
      bad.closeAllConnections();
      await new Promise((r) => bad.close(r));
    }
  });
});
