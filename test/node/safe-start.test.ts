// Settings that look fine and are not (issue 19, 10 and 11): a metrics token read from an unset
// variable, the sandbox in a production shop, the sandbox adopting the shop's real credentials, and
// faults switched on from another machine. Each is refused at start, naming the setting.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createSandbox } from '../../src/sandbox/app.js';
import { createAmazonPayHandler, type AmazonPayHandlerOptions } from '../../src/server/endpoint/handler.js';
import { MemoryOrderStore } from '../../src/server/orders/memory-store.js';
import { clientFor, startSandbox, type RunningSandbox } from './support/servers.js';

let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox.stop());

const saved = { ...process.env };
afterEach(() => {
  for (const k of ['NODE_ENV', 'AMAZON_PAY_V2_ALLOW_SANDBOX', 'GMO_PG_SHOP_ID', 'GMO_PG_SHOP_PASS', 'SANDBOX_SHOP_ID', 'SANDBOX_SHOP_PASS']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

const logs: string[] = [];
const handler = (o: Partial<AmazonPayHandlerOptions> = {}) =>
  createAmazonPayHandler({
    gmo: clientFor(sandbox),
    store: new MemoryOrderStore(),
    resolveOrder: () => ({ amount: 100 }),
    completionUrl: '/done',
    logger: { info() {}, warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    ...o,
  });

describe('refused at start', () => {
  it('10: a metrics route whose bearer token is missing or short (an unset variable) is refused, naming it', async () => {
    for (const bearerToken of [undefined, '', '   ', 'short']) {
      await assert.rejects(
        handler({ metrics: { registry: new Registry(), route: { bearerToken: bearerToken as string } } }),
        /metrics\.route\.bearerToken is .*at least 16 characters \(is its environment variable set\?\)/,
        String(bearerToken),
      );
    }
    const ok = await handler({ metrics: { registry: new Registry(), route: { bearerToken: 'a-long-enough-scrape-token' } } });
    await ok.close();
  });

  it('11: a production shop (NODE_ENV=production, an https publicUrl) on the sandbox is refused unless it says it means it', async () => {
    process.env.NODE_ENV = 'production';
    await assert.rejects(
      handler({ publicUrl: 'https://shop.example' }),
      /GMO-PG's base URL http:\/\/127\.0\.0\.1:\d+\/payment\/ is not https .*allowSandbox: true \(AMAZON_PAY_V2_ALLOW_SANDBOX=1\)/,
    );
    await (await handler({ publicUrl: 'https://shop.example', allowSandbox: true })).close();
    process.env.AMAZON_PAY_V2_ALLOW_SANDBOX = '1';
    await (await handler({ publicUrl: 'https://shop.example' })).close();
    delete process.env.AMAZON_PAY_V2_ALLOW_SANDBOX;
    // A production build tried on this machine: allowed, with a warning.
    logs.length = 0;
    await (await handler({ publicUrl: 'http://127.0.0.1:3000' })).close();
    assert.ok(
      logs.some((l) => /not https \(the sandbox\?\) with NODE_ENV=production/.test(l)),
      logs.join('\n'),
    );
    // Not production: nothing to say.
    delete process.env.NODE_ENV;
    logs.length = 0;
    await (await handler({ publicUrl: 'https://shop.example' })).close();
    assert.ok(!logs.some((l) => /not https/.test(l)));
  });

  it("11: the sandbox never takes the shop's GMO_PG_SHOP_* as its own credentials", () => {
    Object.assign(process.env, { GMO_PG_SHOP_ID: 'tshop00012345', GMO_PG_SHOP_PASS: 'realShopPass9' });
    const plain = createSandbox();
    assert.deepEqual([plain.shopId, plain.shopPass], ['tshop00000001', 'sandboxpass1']);
    plain.close();
    Object.assign(process.env, { SANDBOX_SHOP_ID: 'tshop00000077', SANDBOX_SHOP_PASS: 'sandboxOwn77' });
    const own = createSandbox();
    assert.deepEqual([own.shopId, own.shopPass], ['tshop00000077', 'sandboxOwn77']);
    own.close();
  });

  it('11: the sandbox takes fault settings from this machine only (another peer is refused, whatever Origin it claims)', async () => {
    const json = { 'content-type': 'application/json' };
    const local = await fetch(`${sandbox.origin}/__sandbox/faults`, { method: 'POST', headers: json, body: '{"declineNext":1}' });
    assert.equal(local.status, 200, 'curl on this machine, as the README shows');
    sandbox.faults.clear();
    // Another machine: the peer address the Node server hands the app (env.incoming), as @hono/node-server does.
    const remote = (origin?: string) =>
      sandbox.app.fetch(
        new Request('http://sandbox.example/__sandbox/faults', {
          method: 'POST',
          headers: { ...json, ...(origin ? { origin } : {}) },
          body: '{"declineNext":1}',
        }),
        {
          incoming: { socket: { remoteAddress: '203.0.113.7' } },
        },
      );
    for (const origin of [undefined, 'http://sandbox.example']) {
      const answer = await remote(origin);
      assert.equal(answer.status, 403);
      assert.match(
        ((await answer.json()) as { error: { message: string } }).error.message,
        /this machine only \(the request came from 203\.0\.113\.7\).*faultsFromAnywhere/,
      );
    }
    const opened = createSandbox({ faultsFromAnywhere: true });
    const answer = await opened.app.fetch(
      new Request('http://sandbox.example/__sandbox/faults', { method: 'POST', headers: json, body: '{"declineNext":1}' }),
      { incoming: { socket: { remoteAddress: '203.0.113.7' } } },
    );
    assert.equal(answer.status, 200);
    opened.close();
  });
});
