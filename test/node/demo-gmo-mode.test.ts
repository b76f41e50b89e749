// The demo with the GMO_PG_* and AMAZON_PAY_* variables set talks to that GMO-PG instead of its
// built-in sandbox. Here "that GMO-PG" is a sandbox in the test, standing in for pt01.mul-pay.jp.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startDemo } from '../../demo/server.js';
import { startSandbox } from './support/servers.js';

describe('demo against a configured GMO-PG', () => {
  it('uses the environment: GMO-PG base URL, shop, merchant, key and the pasted payload', async () => {
    const gmo = await startSandbox({ shopId: 'tshop00009999', shopPass: 'configuredPass1' });
    const dir = mkdtempSync(join(tmpdir(), 'apv2-demo-env-'));
    const saved = { ...process.env };
    Object.assign(process.env, {
      GMO_PG_SHOP_ID: 'tshop00009999',
      GMO_PG_SHOP_PASS: 'configuredPass1',
      GMO_PG_BASE_URL: gmo.baseUrl,
      AMAZON_PAY_MERCHANT_ID: 'A1REALMERCHANT',
      AMAZON_PAY_PUBLIC_KEY_ID: 'SANDBOX-REALKEY',
      AMAZON_PAY_PAYLOAD: '{"storeId":"amzn1.application-oa2-client.real"}',
      AMAZON_PAY_SIGNATURE: 'c2ln',
      AMAZON_PAY_RECURRING_PAYLOAD: '{"storeId":"amzn1.application-oa2-client.real","chargePermissionType":"Recurring"}',
      AMAZON_PAY_RECURRING_SIGNATURE: 'cmVj',
    });
    const demo = await startDemo({ port: 0, dataDir: dir, quiet: true });
    try {
      const config = (await (await fetch(`${demo.url}demo/config`)).json()) as Record<string, any>;
      assert.deepEqual(
        [config.mode, config.merchantId, config.publicKeyId, config.scriptSrc, config.onetime.signature, config.recurring.signature],
        ['gmo-pg-test', 'A1REALMERCHANT', 'SANDBOX-REALKEY', null, 'c2ln', 'cmVj'],
      );
      assert.equal((await fetch(`${demo.url}payment/EntryTranAmazonpay.idPass`)).status, 404, 'no built-in sandbox is mounted');
      const origin = demo.url.replace(/\/$/, '');
      const start = (await (
        await fetch(`${demo.url}api/amazon-pay/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: '{}' })
      ).json()) as Record<string, string>;
      assert.equal(start.startUrl, `${gmo.origin}/payment/AmazonpayStart.idPass`);
      assert.equal(gmo.state.trades.get(start.accessId)!.shopId, 'tshop00009999');
    } finally {
      process.env = saved;
      await demo.stop();
      await gmo.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which variable is missing', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { GMO_PG_SHOP_ID: 'tshop00009999', GMO_PG_SHOP_PASS: 'p', GMO_PG_BASE_URL: 'http://127.0.0.1:9/payment/' });
    delete process.env.AMAZON_PAY_MERCHANT_ID;
    const dir = mkdtempSync(join(tmpdir(), 'apv2-demo-env-'));
    try {
      await assert.rejects(startDemo({ port: 0, dataDir: dir, quiet: true }), /AMAZON_PAY_MERCHANT_ID is not set/);
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
