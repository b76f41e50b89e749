// The order's money state against races and GMO-PG faults, over real HTTP against the sandbox: each
// case is a defect found by an adversarial run (issue 19), and failed before payments/ held the rules.
// Then the lifecycle's rules themselves, as tables.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { BackOfficeError } from '../../src/server/ops/back-office.js';
import { GmoPgError, GmoPgTransportError } from '../../src/server/client/errors.js';
import {
  FINAL_STAGES,
  GMO_PG_STATUSES,
  OPEN_STAGES,
  ORDER_STAGES,
  PAID_STATUSES,
  permission,
  purgeable,
  saysNoSuchTrade,
  stageAfterFailure,
  stageFor,
  type MoneyState,
  type Operation,
  type OrderStage,
} from '../../src/server/payments/lifecycle.js';
import { formFields, postForm, startSandbox, type RunningSandbox } from './support/servers.js';
import { checkout, payOrder, startShop, type RunningShop } from './support/shop.js';

let sandbox: RunningSandbox;
let shop: RunningShop;
/** SearchTradeMulti calls the shop made (its client's observer). */
let searches = 0;
let nextSpec: { amount: number; frequency?: { unit: 'Month'; value: number } } = { amount: 3980 };

before(async () => {
  sandbox = await startSandbox();
  shop = await startShop(sandbox, { gmoTimeoutMs: 3000, resolveOrder: () => nextSpec });
  shop.handler.gmo.observe!((api) => api === 'SearchTradeMulti' && searches++);
});
after(async () => {
  await shop.stop();
  await sandbox.stop();
});
beforeEach(() => {
  sandbox.faults.clear();
  nextSpec = { amount: 3980 };
});

const store = () => shop.handler.store;
const trade = (orderId: string) => sandbox.state.tradeByOrder(sandbox.shopId, orderId)!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An APB checkout the shopper has not paid yet: the token, and GMO-PG's page to pay on. */
async function started() {
  const start = await (await checkout(shop, {})).json();
  await shop.handler.idle(); // the 'started' mark
  return start as { orderId: string; startUrl: string; accessId: string; token: string };
}
/** The shopper pays at the stand-in Amazon; returns GMO-PG's form for RetURL (not posted). */
async function pays(start: { startUrl: string; accessId: string; token: string }) {
  const page = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text());
  return formFields(await (await postForm(new URL(page.action, sandbox.origin).href, { ...page.fields, action: 'continue' })).text());
}

describe('money state under races and GMO-PG faults', () => {
  it('1: a sweep whose answer was asked before the shopper paid never writes it over the paid order', async () => {
    const start = await started();
    // The sweep asks first; GMO-PG answers REQSUCCESS, and the answer is 1.5 s on the way back.
    sandbox.faults.holdAnswerNext('SearchTradeMulti', 1500);
    const sweep = shop.handler.reconcile({ graceMs: 0 });
    await sleep(100);
    const result = await pays(start);
    const back = await postForm(result.action, result.fields);
    assert.match(back.headers.get('location')!, /result=success/);
    const summary = await sweep;
    assert.equal(summary.errors, 0);
    const order = (await store().get(start.orderId))!;
    assert.deepEqual([order.stage, order.status], ['completed', 'AUTH'], 'the stale REQSUCCESS was asked again, not written');
    assert.ok(!(await store().history(start.orderId)).some((e) => e.status === 'REQSUCCESS' && e.stage === 'completed'));
    // So it is watched for expiry, and retention keeps it: GMO-PG holds an uncaptured authorization.
    assert.ok((await shop.handler.backOffice.expiring({ within: 31 * 24 * 3600_000 })).some((o) => o.orderId === start.orderId));
    await store().purge({ before: new Date(Date.now() + 60_000), orders: true, limit: 10_000 });
    assert.ok(await store().get(start.orderId), 'not purged');
  });

  it('2: a GMO-PG error answered to the sweep never abandons an order; only "no such trade" may', async () => {
    const start = await started();
    await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token }).then(async (r) => {
      const page = formFields(await r.text());
      await postForm(new URL(page.action, sandbox.origin).href, { ...page.fields, action: 'continue' }); // paid; RetURL never posted
    });
    sandbox.faults.failNext('SearchTradeMulti', 'E90000001'); // busy
    const busy = await shop.handler.reconcile({ graceMs: 0, abandonAfterMs: 0 });
    assert.ok(busy.errors >= 1, JSON.stringify(busy));
    assert.equal((await store().get(start.orderId))!.stage, 'started', 'asked again later, not abandoned');
    // The sweep leaves it to the next run after its lease; asked again, GMO-PG says paid.
    assert.equal((await shop.handler.reconcile({ graceMs: 0, abandonAfterMs: 0 })).checked, 0, 'leased: not asked again at once');
    const order = await shop.handler.backOffice.refresh(start.orderId);
    assert.deepEqual([order.stage, order.status], ['completed', 'AUTH']);

    // EntryTran never reached GMO-PG: no transaction there, so the order is abandoned once old.
    sandbox.faults.cutNext('EntryTranAmazonpay');
    const lost = (await (await checkout(shop, {})).json()).error.orderId as string;
    assert.equal((await store().get(lost))!.stage, 'entry_unknown');
    // EntryTran reached GMO-PG, its answer did not: the sweep finds the transaction by OrderID and keeps its AccessPass.
    sandbox.faults.cutNext('EntryTranAmazonpay', { processed: true });
    const found = (await (await checkout(shop, {})).json()).error.orderId as string;
    await shop.handler.reconcile({ graceMs: 0, abandonAfterMs: 0 });
    const adopted = (await store().get(found))!;
    assert.deepEqual([adopted.status, adopted.accessId, adopted.accessPass], ['UNPROCESSED', trade(found).accessId, trade(found).accessPass]);
    assert.equal(adopted.stage, 'abandoned', 'unpaid at GMO-PG past the grace');
    assert.equal((await store().get(lost))!.stage, 'abandoned');
    assert.match((await store().history(lost)).at(-1)!.event, /abandoned: still not at GMO-PG/);
  });

  it('3: a 随時決済 that gets no answer stays open, blocks a second charge, and the sweep records what GMO-PG did', async () => {
    nextSpec = { amount: 1280, frequency: { unit: 'Month', value: 1 } };
    const consent = await payOrder(sandbox, shop, true);
    sandbox.faults.cutNext('ExecTranAmazonpay', { processed: true }); // charged at GMO-PG; the answer is lost
    const error = await shop.handler.backOffice.charge(consent, { amount: 1280 }).catch((e) => e);
    assert.ok(error instanceof GmoPgTransportError, String(error));
    const [charge] = await store().list({ parentOrderId: consent });
    assert.equal(charge.stage, 'exec_unknown', 'not exec_failed: the money may have moved');
    assert.equal(trade(charge.orderId).status, 'AUTH');
    const count = sandbox.state.trades.size;
    await assert.rejects(
      shop.handler.backOffice.charge(consent, { amount: 1280 }),
      (e: Error) => e instanceof BackOfficeError && e.message.includes(charge.orderId) && /orders reconcile/.test(e.message),
    );
    assert.equal(sandbox.state.trades.size, count, 'no second charge was sent');
    const summary = await shop.handler.reconcile({ graceMs: 0 });
    assert.ok(summary.settled >= 1);
    assert.deepEqual([(await store().get(charge.orderId))!.stage, (await store().get(charge.orderId))!.status], ['completed', 'AUTH']);
    const next = await shop.handler.backOffice.charge(consent, { amount: 1280 });
    assert.equal(next.stage, 'completed', 'once known, the consent can be charged again');
  });

  it('7: a notification confirmed with an answer asked before a capture never sets the order back, and "cancel" never refunds', async () => {
    const orderId = await payOrder(sandbox, shop);
    sandbox.faults.holdAnswerNext('SearchTradeMulti', 1000); // the notification's question: AUTH, slow on the way back
    await fetch(`${shop.api}/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `OrderID=${orderId}&Status=AUTH`,
    });
    await sleep(100);
    assert.equal((await shop.handler.backOffice.capture(orderId)).status, 'SALES');
    await shop.handler.idle();
    const order = (await store().get(orderId))!;
    assert.deepEqual([order.status, trade(orderId).status], ['SALES', 'SALES'], 'the stale AUTH was asked again, not written');
    // Even a store that still said AUTH would not refund: cancel asks GMO-PG first, and takes back authorizations only.
    await store().update(orderId, () => ({ changes: { status: 'AUTH' }, event: { source: 'back office', event: 'test: a stale copy' } }));
    await assert.rejects(
      shop.handler.backOffice.cancel(orderId, { only: 'authorization' }),
      (e: Error) => e instanceof BackOfficeError && /it is SALES/.test(e.message),
    );
    assert.deepEqual([trade(orderId).status, trade(orderId).cancelAmount], ['SALES', 0], 'no money went back');
  });

  it('9: three hundred replays of one RetURL post cost GMO-PG a few questions and the history one entry', async () => {
    const start = await started();
    const result = await pays(start);
    const first = await postForm(result.action, result.fields);
    assert.match(first.headers.get('location')!, /result=success/);
    const events = (await store().history(start.orderId)).length;
    const before = searches;
    const replays = await Promise.all(Array.from({ length: 300 }, () => postForm(result.action, result.fields)));
    assert.ok(replays.every((r) => /result=success/.test(r.headers.get('location')!)));
    assert.ok(searches - before <= 2, `${searches - before} SearchTradeMulti calls for 300 replays`);
    assert.equal((await store().history(start.orderId)).length, events, 'nothing new to record');
  });
});

describe('the lifecycle rules', () => {
  const money = (status: string, o: Partial<MoneyState> = {}): MoneyState => ({
    stage: 'completed',
    status,
    amount: 1000,
    tax: 100,
    cancelAmount: 0,
    cancelTax: 0,
    ...o,
  });

  it('knows every GMO-PG status, and what each means for the stage', () => {
    const table: [string, OrderStage, OrderStage][] = [
      // status, stage before, stage after
      ['AUTH', 'started', 'completed'],
      ['CAPTURE', 'exec_unknown', 'completed'],
      ['SALES', 'completed', 'completed'],
      ['RETURN', 'completed', 'completed'],
      ['CANCEL', 'completed', 'completed'],
      ['REQRETURN', 'completed', 'completed'],
      ['AUTH', 'abandoned', 'completed'],
      ['PAYFAIL', 'started', 'failed'],
      ['EXPIRED', 'started', 'failed'],
      ['UNPROCESSED', 'entry_unknown', 'entered'],
      ['UNPROCESSED', 'created', 'entered'],
      ['UNPROCESSED', 'started', 'started'],
      ['UNPROCESSED', 'exec_failed', 'exec_failed'],
      ['REQSUCCESS', 'entered', 'started'],
      ['REQSUCCESS', 'exec_unknown', 'started'],
      ['REQSUCCESS', 'completed', 'completed'],
      ['AUTHPROCESS', 'entered', 'started'],
      ['SOMETHING_NEW', 'started', 'started'],
    ];
    for (const [status, from, to] of table) assert.equal(stageFor(status, from), to, `${status} on ${from}`);
    assert.deepEqual([...PAID_STATUSES].sort(), ['AUTH', 'CANCEL', 'CAPTURE', 'REQRETURN', 'RETURN', 'SALES']);
    assert.equal(GMO_PG_STATUSES.length, 11);
  });

  it('splits the stages into open (the sweep revisits them) and final, with nothing left over', () => {
    assert.deepEqual([...OPEN_STAGES, ...FINAL_STAGES].sort(), [...ORDER_STAGES].sort());
    assert.ok(!OPEN_STAGES.some((s) => FINAL_STAGES.includes(s)));
    for (const s of ['entry_unknown', 'exec_unknown'] as const) assert.ok(OPEN_STAGES.includes(s), `${s}: no answer is never final`);
    const refused = new GmoPgError('ExecTranAmazonpay', [{ errCode: 'E01', errInfo: 'E01040010' }], false);
    assert.deepEqual([stageAfterFailure('entry', refused), stageAfterFailure('exec', refused)], ['entry_failed', 'exec_failed']);
    const silent = new GmoPgTransportError('ExecTranAmazonpay', 'no answer', 'timeout');
    assert.deepEqual([stageAfterFailure('entry', silent), stageAfterFailure('exec', silent)], ['entry_unknown', 'exec_unknown']);
  });

  it('says which operation is allowed in which status', () => {
    const table: [Operation, MoneyState, 'allowed' | 'already' | 'refused'][] = [
      ['capture', money('AUTH'), 'allowed'],
      ['capture', money('SALES'), 'already'],
      ['capture', money('CAPTURE'), 'already'],
      ['capture', money('CANCEL'), 'refused'],
      ['capture', money('AUTH', { stage: 'started' }), 'refused'],
      ['cancel', money('AUTH'), 'allowed'],
      ['cancel', money('CANCEL'), 'already'],
      ['cancel', money('SALES'), 'refused'],
      ['cancel', money('RETURN'), 'refused'],
      ['change', money('AUTH'), 'allowed'],
      ['change', money('SALES'), 'refused'],
      ['refund', money('SALES'), 'allowed'],
      ['refund', money('CAPTURE'), 'allowed'],
      ['refund', money('RETURN', { cancelAmount: 500 }), 'allowed'],
      ['refund', money('RETURN', { cancelAmount: 1000, cancelTax: 100 }), 'already'],
      ['refund', money('AUTH'), 'refused'],
      ['refund', money('PAYFAIL', { stage: 'failed' }), 'refused'],
    ];
    for (const [op, state, expected] of table) {
      const p = permission(op, state);
      assert.equal(p.allowed ? 'allowed' : p.already ? 'already' : 'refused', expected, `${op} on ${state.stage}/${state.status}`);
    }
  });

  it('keeps from retention what GMO-PG still holds, and reads "no such trade" only from that answer', () => {
    assert.equal(purgeable({ stage: 'completed', status: 'AUTH' }), false);
    assert.equal(purgeable({ stage: 'completed', status: 'REQRETURN' }), false);
    assert.equal(purgeable({ stage: 'started', status: 'REQSUCCESS' }), false);
    assert.equal(purgeable({ stage: 'completed', status: 'SALES' }), true);
    assert.equal(purgeable({ stage: 'abandoned', status: null }), true);
    assert.equal(saysNoSuchTrade(new GmoPgError('SearchTradeMulti', [{ errCode: 'E01', errInfo: 'E01110002' }], false)), true);
    assert.equal(saysNoSuchTrade(new GmoPgError('SearchTradeMulti', [{ errCode: 'E90', errInfo: 'E90000001' }], false)), false);
    assert.equal(saysNoSuchTrade(new GmoPgTransportError('SearchTradeMulti', 'cut', 'network')), false);
  });
});
