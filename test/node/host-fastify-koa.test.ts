// Fastify 5 and Koa 3 as shops run them: the recipes of docs/hosts.md, copied as they are into a
// fixture app with the packed tarball, the host and PGlite installed; each server started with only
// the GMO-PG settings and its public URL, and one APB payment through it, including GMO-PG's
// result notification (the sandbox posts it to the host's /notify).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { docBlock } from './support/doc-blocks.js';
import { fixtureApp } from './support/packed.js';
import { freePort, payApb, startSandbox } from './support/servers.js';

const PACKAGES = ['fastify@5.12.8', 'koa@3.3.0', '@electric-sql/pglite@0.5.17'];
let dir: string;
before(async () => {
  dir = await fixtureApp({
    'fastify.mjs': docBlock('docs/hosts.md', 'js', /^\/\/ Fastify 5/),
    'koa.mjs': docBlock('docs/hosts.md', 'js', /^\/\/ Koa 3/),
  }, PACKAGES);
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

/** Starts `file` of the fixture on a free port with a sandbox that notifies it; resolves once it answers. */
async function host(file: string) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const sandbox = await startSandbox({ notifyUrl: `${origin}/api/amazon-pay/notify` });
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), PUBLIC_URL: origin,
    GMO_PG_BASE_URL: sandbox.baseUrl, GMO_PG_SHOP_ID: sandbox.shopId, GMO_PG_SHOP_PASS: sandbox.shopPass,
  };
  const child: ChildProcess = spawn(process.execPath, [file], { cwd: dir, env });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${file} exited ${child.exitCode}: ${log}`);
    if (await fetch(`${origin}/thanks`).then(() => true, () => false)) break;
    if (i > 200) throw new Error(`${file} never answered: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    origin, sandbox, log: () => log,
    async stop() {
      child.kill();
      await sandbox.stop();
    },
  };
}

for (const [name, file] of [['Fastify 5', 'fastify.mjs'], ['Koa 3', 'koa.mjs']] as const) {
  describe(`${name}, the recipe of docs/hosts.md from the packed tarball`, () => {
    it('pays an APB checkout: RetURL lands on the completion page and the notification is confirmed', async () => {
      const shop = await host(file);
      try {
        const paid = await payApb(shop.sandbox, shop.origin);
        assert.equal(paid.retUrl, `${shop.origin}/api/amazon-pay/result`);
        assert.equal(paid.status, 303, paid.body + shop.log());
        assert.equal(paid.landing!.searchParams.get('result'), 'success', shop.log());
        assert.match(await (await fetch(paid.landing!)).text(), /result: success/);
        assert.equal(shop.sandbox.state.tradeByOrder(shop.sandbox.shopId, paid.orderId)!.status, 'AUTH');
        for (let i = 0; i < 100 && !/notification confirmed/.test(shop.log()); i++) await new Promise((r) => setTimeout(r, 100));
        assert.match(shop.log(), new RegExp(`notification confirmed.*${paid.orderId}`), 'the sandbox\'s notification reached /notify and was confirmed');
        assert.doesNotMatch(shop.log(), /sandboxpass1|BODY_ALREADY_READ/);
      } finally {
        await shop.stop();
      }
    });
  });
}
