// The sandbox's own behaviour: notifications, persistence, signatures, the change pages, mounting.
import assert from 'node:assert/strict';
import { generateKeyPairSync, createHash, sign, constants } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseForm } from '../../src/server/client/wire.js';
import { PAYLOAD, amazonCheckout, clientFor, formFields, postForm, startRecorder, startSandbox } from './support/servers.js';

let seq = 0;
const orderId = () => `S${Date.now().toString(36)}-${++seq}`.toUpperCase();

async function paidTrade(sandbox: Awaited<ReturnType<typeof startSandbox>>, amount = 1000) {
  const client = clientFor(sandbox);
  const id = orderId();
  const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount });
  const start = await client.execTranAmazonpay({ ...entry, orderId: id, apbType: 'PayOnly', retUrl: 'https://shop.example/r' });
  const page = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text());
  const result = formFields(await (await postForm(new URL(page.action, sandbox.origin).href, { ...page.fields, action: 'continue' })).text());
  return { id, entry, client, result };
}

describe('sandbox: result notifications', () => {
  it('POSTs the result in Windows-31J with masked secrets, and retries until the shop answers 0', async () => {
    const shop = await startRecorder((_r, i) => ({ body: i < 2 ? '1' : '0' }));
    const sandbox = await startSandbox({ notifyUrl: `${shop.origin}/notify`, notifyRetryDelaysMs: [20, 20, 20] });
    try {
      const { id } = await paidTrade(sandbox);
      await sandbox.notifier.idle();
      assert.equal(shop.received.length, 3);
      const first = shop.received[0];
      assert.equal(first.method, 'POST');
      assert.match(first.contentType, /windows-31j/);
      const fields = parseForm(first.body);
      assert.equal(fields.OrderID, id);
      assert.equal(fields.Status, 'AUTH');
      assert.equal(fields.PayType, '38');
      assert.equal(fields.ShopPass, '**********');
      assert.equal(fields.AccessPass, '*'.repeat(32));
      assert.ok(!first.body.toString('latin1').includes(sandbox.shopPass));
      assert.deepEqual(
        sandbox.notifier.attempts.map((a) => a.result),
        ['not-0', 'not-0', 'ok'],
      );
    } finally {
      await sandbox.stop();
      await shop.stop();
    }
  });

  it('sends one notification per status change, and retries a dropped one', async () => {
    const shop = await startRecorder();
    const sandbox = await startSandbox({ notifyUrl: `${shop.origin}/notify`, notifyRetryDelaysMs: [20, 20] });
    try {
      sandbox.faults.dropNotifications(1);
      const { id, entry, client } = await paidTrade(sandbox, 3000);
      await client.amazonpaySales({ ...entry, orderId: id, amount: 3000 });
      await client.amazonpayCancel({ ...entry, orderId: id, cancelAmount: 3000 });
      await sandbox.notifier.idle();
      const statuses = shop.received.map((r) => parseForm(r.body).Status);
      assert.deepEqual(statuses.sort(), ['AUTH', 'RETURN', 'SALES']);
      assert.equal(sandbox.notifier.attempts.filter((a) => a.result === 'dropped').length, 1);
    } finally {
      await sandbox.stop();
      await shop.stop();
    }
  });

  it('gives up after the last retry', async () => {
    const shop = await startRecorder(() => ({ status: 500, body: 'error' }));
    const sandbox = await startSandbox({ notifyUrl: `${shop.origin}/notify`, notifyRetryDelaysMs: [10, 10] });
    try {
      await paidTrade(sandbox);
      await sandbox.notifier.idle();
      assert.equal(shop.received.length, 3);
    } finally {
      await sandbox.stop();
      await shop.stop();
    }
  });
});

describe('sandbox: records', () => {
  it('keeps its records across a restart when given a state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apv2-sandbox-'));
    try {
      const first = await startSandbox({ stateFile: join(dir, 'state.json') });
      const { id, entry } = await paidTrade(first, 4200);
      await first.stop();
      const second = await startSandbox({ stateFile: join(dir, 'state.json') });
      try {
        const sales = await clientFor(second).amazonpaySales({ ...entry, orderId: id, amount: 4200 });
        assert.equal(sales.status, 'SALES');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists its trades for comparison, without secrets', async () => {
    const sandbox = await startSandbox();
    try {
      const { id } = await paidTrade(sandbox);
      const trades = (await (await fetch(`${sandbox.origin}/__sandbox/trades`)).json()) as Record<string, unknown>[];
      const trade = trades.find((t) => t.orderId === id)!;
      assert.equal(trade.status, 'AUTH');
      assert.equal('accessPass' in trade, false);
      assert.equal('token' in trade, false);
    } finally {
      await sandbox.stop();
    }
  });

  it('keeps at most maxTrades transactions, forgetting the oldest, settled ones first; the newest still work', async () => {
    const sandbox = await startSandbox({ maxTrades: 40, latencyMs: [1, 3] });
    try {
      const client = clientFor(sandbox);
      const paid = await paidTrade(sandbox); // captured below: settled, the first to go
      await client.amazonpaySales({ ...paid.entry, orderId: paid.id, amount: 1000 });
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) {
        const id = orderId();
        ids.push(id);
        const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 500 });
        if (i % 2) await client.execTranAmazonpay({ ...entry, orderId: id, apbType: 'PayOnly', retUrl: 'https://shop.example/r' });
      }
      assert.ok(sandbox.state.counts.trades <= 40, `${sandbox.state.counts.trades} kept`);
      assert.equal(sandbox.state.tradeByOrder(sandbox.shopId, paid.id), undefined, 'the settled one went first');
      assert.equal(sandbox.state.tradeByOrder(sandbox.shopId, ids[0]), undefined, 'then the oldest');
      const newest = ids.at(-2)!; // entered, not executed yet: its ExecTran still works
      const entry = sandbox.state.tradeByOrder(sandbox.shopId, newest)!;
      assert.equal(
        (
          await client.execTranAmazonpay({
            accessId: entry.accessId,
            accessPass: entry.accessPass,
            orderId: newest,
            apbType: 'PayOnly',
            retUrl: 'https://shop.example/r',
          })
        ).accessId,
        entry.accessId,
      );
    } finally {
      await sandbox.stop();
    }
  });

  it('switches faults on over HTTP', async () => {
    const sandbox = await startSandbox();
    try {
      await fetch(`${sandbox.origin}/__sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ failNext: { api: 'EntryTranAmazonpay', errInfo: 'E91099999' } }),
      });
      const error = await clientFor(sandbox)
        .entryTranAmazonpay({ orderId: orderId(), jobCd: 'AUTH', amount: 1 })
        .catch((e) => e);
      assert.deepEqual(error.codes, ['E91099999']);
    } finally {
      await sandbox.stop();
    }
  });
});

describe('sandbox: Amazon stand-in', () => {
  it('verifies the button signature when given a public key, and redirects to the review URL', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sandbox = await startSandbox({ amazonPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    try {
      const payloadJSON = JSON.stringify(PAYLOAD);
      const signed = `AMZN-PAY-RSASSA-PSS\n${createHash('sha256').update(payloadJSON).digest('hex')}`;
      const signature = sign('sha256', Buffer.from(signed), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }).toString('base64');
      const good = await postForm(`${sandbox.origin}/amazon/checkout/initiate`, { payloadJSON, signature, publicKeyId: 'SANDBOX-K' });
      assert.equal(good.status, 200);
      const bad = await postForm(`${sandbox.origin}/amazon/checkout/initiate`, { payloadJSON: payloadJSON + ' ', signature, publicKeyId: 'SANDBOX-K' });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /InvalidSignatureError/);
      const session = [...sandbox.state.sessions.values()][0];
      assert.equal(session.signature, 'verified');
    } finally {
      await sandbox.stop();
    }
  });

  it('changes the address and the card through the bindChangeAction pages', async () => {
    const sandbox = await startSandbox();
    try {
      const client = clientFor(sandbox);
      const { sessionId } = await amazonCheckout(sandbox, PAYLOAD);
      assert.equal((await client.searchAddressAmazonpay({ amazonCheckoutSessionId: sessionId })).shipping.stateOrRegion, '東京都');
      for (const [changeAction, choice] of [
        ['changeAddress', { address: '2' }],
        ['changePayment', { card: '2' }],
      ] as const) {
        const page = await fetch(`${sandbox.origin}/amazon/checkout/initiate_auth?amazonCheckoutSessionId=${sessionId}&changeAction=${changeAction}`);
        const form = formFields(await page.text());
        const back = await postForm(new URL(form.action, sandbox.origin).href, { ...form.fields, action: 'continue', ...choice });
        assert.equal(back.status, 303);
        assert.equal(new URL(back.headers.get('location')!).searchParams.get('amazonCheckoutSessionId'), sessionId);
      }
      const after = await client.searchAddressAmazonpay({ amazonCheckoutSessionId: sessionId });
      assert.equal(after.shipping.stateOrRegion, '北海道');
      assert.equal(after.paymentDescriptor, 'Mastercard ****4444');
    } finally {
      await sandbox.stop();
    }
  });

  it('serves checkout.js and mounts under a base path', async () => {
    const sandbox = await startSandbox({ basePath: '/sandbox' });
    try {
      const script = await fetch(`${sandbox.origin}/sandbox/amazon/checkout.js`);
      assert.match(script.headers.get('content-type')!, /javascript/);
      assert.match(await script.text(), /window\.amazon\.Pay = \{/);
      const client = clientFor(sandbox);
      const id = orderId();
      const entry = await client.entryTranAmazonpay({ orderId: id, jobCd: 'AUTH', amount: 1 });
      const start = await client.execTranAmazonpay({ ...entry, orderId: id, apbType: 'PayOnly', retUrl: 'https://shop.example/r' });
      assert.equal(start.startUrl, `${sandbox.origin}/sandbox/payment/AmazonpayStart.idPass`);
    } finally {
      await sandbox.stop();
    }
  });
});
