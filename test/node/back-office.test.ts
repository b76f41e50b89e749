// The back office over real HTTP against the sandbox: capture, refund, amount change, 随時決済.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BackOfficeError } from '../../src/server/ops/back-office.js';
import { GmoPgError } from '../../src/server/client/errors.js';
import { startSandbox, type RunningSandbox } from './support/servers.js';
import { checkout, payOrder, startShop, type RunningShop } from './support/shop.js';

let sandbox: RunningSandbox;
let shop: RunningShop;
let nextSpec: { amount: number; jobCd?: 'AUTH' | 'CAPTURE'; frequency?: { unit: 'Month'; value: number } } = { amount: 5000 };

before(async () => {
  sandbox = await startSandbox();
  shop = await startShop(sandbox, { resolveOrder: () => nextSpec });
});
after(async () => {
  await shop.stop();
  await sandbox.stop();
});

/** A paid order through the standard flow (`recurring` makes it a 利用承諾). */
async function paidOrder(spec: typeof nextSpec, recurring = false) {
  nextSpec = spec;
  return payOrder(sandbox, shop, recurring);
}
const office = () => shop.handler.backOffice;

describe('back office', () => {
  it('captures, then refunds in part, recording each step', async () => {
    const orderId = await paidOrder({ amount: 5000 });
    assert.equal((await office().capture(orderId)).status, 'SALES');
    const refunded = await office().cancel(orderId, { amount: 1500 });
    assert.deepEqual([refunded.status, refunded.cancelAmount, refunded.amount], ['RETURN', 1500, 5000]);
    const rest = await office().cancel(orderId);
    assert.equal(rest.cancelAmount, 5000);
    const history = await office().history(orderId);
    assert.deepEqual(
      history.filter((e) => e.source === 'back office').map((e) => e.event),
      ['AmazonpaySales', 'AmazonpayCancel (refund 1500)', 'AmazonpayCancel (refund 3500)'],
    );
    const trade = sandbox.state.tradeByOrder(sandbox.shopId, orderId)!;
    assert.deepEqual([trade.status, trade.cancelAmount], ['RETURN', 5000]);
  });

  it('lowers an authorization, then cancels it', async () => {
    const orderId = await paidOrder({ amount: 9000 });
    assert.equal((await office().changeAmount(orderId, 7000)).amount, 7000);
    const cancelled = await office().cancel(orderId);
    assert.deepEqual([cancelled.status, cancelled.cancelAmount], ['CANCEL', 7000]);
  });

  it('records a refused operation and tells why', async () => {
    const orderId = await paidOrder({ amount: 1000 });
    sandbox.faults.failNext('AmazonpaySales', 'E01060010');
    const error = await office()
      .capture(orderId)
      .catch((e) => e);
    assert.ok(error instanceof GmoPgError);
    assert.deepEqual(error.codes, ['E01060010']);
    const last = (await office().history(orderId)).at(-1)!;
    assert.equal(last.event, 'AmazonpaySales refused');
    assert.equal((await office().get(orderId))!.errorCodes, 'E01060010');
    nextSpec = { amount: 100 };
    const unpaid = (await (await checkout(shop, {})).json()).orderId;
    await assert.rejects(office().capture(unpaid), (e: Error) => e instanceof BackOfficeError && /is started.*only a paid order/.test(e.message));
    await assert.rejects(office().capture('AP-NONE'), /not found/);
  });

  it('runs concurrent operations on one order one at a time: five captures make one AmazonpaySales', async () => {
    const orderId = await paidOrder({ amount: 2400 });
    const results = await Promise.all(Array.from({ length: 5 }, () => office().capture(orderId)));
    assert.deepEqual(
      results.map((o) => [o.status, o.errorCodes]),
      Array(5).fill(['SALES', null]),
    );
    const order = (await office().get(orderId))!;
    assert.deepEqual([order.status, order.errorCodes], ['SALES', null]);
    assert.deepEqual(
      (await office().history(orderId)).filter((e) => e.source === 'back office').map((e) => e.event),
      ['AmazonpaySales'],
    );
    // Two full cancels: one AmazonpayCancel, the second finds nothing left to refund.
    const [a, b] = await Promise.all([office().cancel(orderId), office().cancel(orderId)]);
    assert.deepEqual([a.status, b.status, b.cancelAmount, b.errorCodes], ['RETURN', 'RETURN', 2400, null]);
    assert.equal((await office().history(orderId)).filter((e) => e.event.startsWith('AmazonpayCancel')).length, 1);
  });

  it('never returns an AccessPass, from any operation', async () => {
    const orderId = await paidOrder({ amount: 3000 });
    const consent = await paidOrder({ amount: 1280, frequency: { unit: 'Month', value: 1 } }, true);
    const answers: unknown[] = [
      await office().changeAmount(orderId, 2500),
      await office().capture(orderId),
      await office().cancel(orderId, { amount: 100 }),
      await office().refresh(orderId),
      await office().get(orderId),
      await office().list(),
      await office().charge(consent, { amount: 1280 }),
      await office().chargePermission(consent),
    ];
    const secret = (await shop.handler.store.get(orderId))!.accessPass!;
    assert.ok(secret.length > 8);
    for (const answer of answers) {
      const text = JSON.stringify(answer);
      assert.ok(!text.includes('accessPass') && !text.includes(secret), `no AccessPass in ${text.slice(0, 80)}`);
    }
  });

  it('refuses a 随時決済 description GMO-PG cannot carry, before calling it', async () => {
    const consent = await paidOrder({ amount: 1280, frequency: { unit: 'Month', value: 1 } }, true);
    const before = (await office().list()).length;
    await assert.rejects(
      office().charge(consent, { amount: 1280, description: '今月分 \u{1F375}' }),
      (e: Error) => e instanceof BackOfficeError && /description: .*U\+1F375/.test(e.message),
    );
    await assert.rejects(office().charge(consent, { amount: 1280, description: 'a\u0000b' }), /description: holds the control character U\+0000 \(NUL\)/);
    assert.equal((await office().list()).length, before);
  });

  it('charges a 利用承諾 twice (随時決済), then closes it', async () => {
    const consent = await paidOrder({ amount: 1280, frequency: { unit: 'Month', value: 1 } }, true);
    const permission = await office().chargePermission(consent);
    assert.equal(permission.status, 'Chargeable');
    const charges = [];
    for (const amount of [1280, 1480]) charges.push(await office().charge(consent, { amount, jobCd: 'CAPTURE', description: '月額プラン' }));
    for (const [i, c] of charges.entries()) {
      assert.deepEqual(
        [c.kind, c.stage, c.status, c.amount, c.parentOrderId, c.chargePermissionId],
        ['charge', 'completed', 'CAPTURE', [1280, 1480][i], consent, permission.amazonChargePermissionId],
      );
      assert.equal((await office().history(c.orderId)).at(-1)!.event, 'ExecTranAmazonpay (随時決済), CheckString verified');
    }
    assert.equal((await office().closeChargePermission(consent)).status, 'Closed');
    const refused = await office()
      .charge(consent, { amount: 1280 })
      .catch((e) => e);
    assert.deepEqual(refused.codes, ['E08000005']);
    const [failed] = await office().list({ limit: 1 });
    assert.deepEqual([failed.kind, failed.stage, failed.errorCodes], ['charge', 'exec_failed', 'E08000005']);
    await assert.rejects(office().charge(consent, { amount: 0.5 }), /whole number/);
  });

  it('refreshes an order from GMO-PG', async () => {
    const orderId = await paidOrder({ amount: 2000 });
    const { entry } = { entry: sandbox.state.tradeByOrder(sandbox.shopId, orderId)! };
    // a capture done outside this shop (GMO-PG's admin screen)
    entry.status = 'SALES';
    const refreshed = await office().refresh(orderId);
    assert.equal(refreshed.status, 'SALES');
    assert.equal((await office().history(orderId)).at(-1)!.source, 'back office');
  });
});
