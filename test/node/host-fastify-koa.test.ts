// Fastify 5 and Koa 3 as shops run them: the recipes of docs/hosts.md, copied as they are into a
// fixture app with the packed tarball, the host and PGlite installed; each server started with only
// the GMO-PG settings and its public URL, and one APB payment through it, including GMO-PG's
// result notification (the sandbox posts it to the host's /notify).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { docBlock } from './support/doc-blocks.js';
import { fixtureApp } from './support/packed.js';
import { startShopProcess } from './support/hosts.js';
import { payApb } from './support/servers.js';

const PACKAGES = ['fastify@5.12.8', 'koa@3.3.0', '@electric-sql/pglite@0.5.17'];
let dir: string;
before(async () => {
  dir = await fixtureApp(
    {
      'fastify.mjs': docBlock('docs/hosts.md', 'js', /^\/\/ Fastify 5/),
      'koa.mjs': docBlock('docs/hosts.md', 'js', /^\/\/ Koa 3/),
    },
    PACKAGES,
  );
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

for (const [name, file] of [
  ['Fastify 5', 'fastify.mjs'],
  ['Koa 3', 'koa.mjs'],
] as const) {
  describe(`${name}, the recipe of docs/hosts.md from the packed tarball`, () => {
    it('pays an APB checkout: RetURL lands on the completion page and the notification is confirmed', async () => {
      const shop = await startShopProcess(dir, process.execPath, [file], { readyPath: '/thanks' });
      try {
        const paid = await payApb(shop.sandbox, shop.origin);
        assert.equal(paid.retUrl, `${shop.origin}/api/amazon-pay/result`);
        assert.equal(paid.status, 303, paid.body + shop.log());
        assert.equal(paid.landing!.searchParams.get('result'), 'success', shop.log());
        assert.match(await (await fetch(paid.landing!)).text(), /result: success/);
        assert.equal(shop.sandbox.state.tradeByOrder(shop.sandbox.shopId, paid.orderId)!.status, 'AUTH');
        await shop.logged(new RegExp(`notification confirmed.*${paid.orderId}`)); // the sandbox's notification reached /notify
        assert.doesNotMatch(shop.log(), /sandboxpass1|BODY_ALREADY_READ/);
      } finally {
        await shop.stop();
      }
    });
  });
}
