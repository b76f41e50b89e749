// amazonPayRoutes: the route module of a Next.js App Router app is evaluated by `next build` with no
// configuration, and again on every hot reload. Served here over real HTTP, as `next start` would.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { amazonPayRoutes, type AmazonPayRoutes } from '../../src/server/endpoint/lazy-routes.js';
import { startSandbox, type RunningSandbox } from './support/servers.js';

let sandbox: RunningSandbox;
let dir: string;
const saved = { ...process.env };
before(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'apv2-routes-'));
  for (const k of ['GMO_PG_SHOP_ID', 'GMO_PG_SHOP_PASS', 'GMO_PG_BASE_URL', 'DATABASE_URL']) delete process.env[k];
});
after(async () => {
  process.env = saved;
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Serves `routes` as Next.js would, under /api/amazon-pay; returns its origin and a stop function. */
async function host(routes: AmazonPayRoutes) {
  const server = serve({ fetch: (request) => (request.method === 'GET' ? routes.GET(request) : routes.POST(request)), port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, stop: () => new Promise((r) => server.close(r)) };
}

const options = (dataDir: string, origin = 'http://127.0.0.1') => ({
  basePath: '/api/amazon-pay',
  dataDir,
  resolveOrder: () => ({ amount: 1200 }),
  completionUrl: '/thanks',
  publicUrl: origin,
  logger: { info() {}, warn() {}, error() {} },
});

describe('amazonPayRoutes (Next.js route handlers)', () => {
  it('configures nothing and opens nothing at import; the first request says what is missing', async () => {
    const dataDir = join(dir, 'unconfigured');
    const errors: string[] = [];
    const routes = amazonPayRoutes({ ...options(dataDir), logger: { info() {}, warn() {}, error: (m) => errors.push(m) } }); // what `next build` runs: no GMO_PG_* variables
    assert.equal(existsSync(dataDir), false, 'no store opened at import');
    const server = await host(routes);
    try {
      const response = await fetch(`${server.origin}/api/amazon-pay/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(response.status, 500);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'NOT_CONFIGURED');
      assert.match(errors.join('\n'), /not configured: GMO-PG shopId is missing: pass \{ shopId \} or set GMO_PG_SHOP_ID/);
    } finally {
      await server.stop();
    }
  });

  it('shares one order store across hot reloads of the route module (no second opener on the PGlite folder)', async () => {
    Object.assign(process.env, { GMO_PG_SHOP_ID: sandbox.shopId, GMO_PG_SHOP_PASS: sandbox.shopPass, GMO_PG_BASE_URL: sandbox.baseUrl });
    const dataDir = join(dir, 'reloaded');
    const first = amazonPayRoutes(options(dataDir));
    const server = await host(first);
    const reloaded = amazonPayRoutes(options(dataDir)); // the module evaluated again
    const second = await host(reloaded);
    try {
      for (const origin of [server.origin, second.origin]) {
        const response = await fetch(`${origin}/api/amazon-pay/checkout`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1' },
          body: '{}',
        });
        assert.equal(response.status, 200, await response.clone().text());
      }
      assert.equal((await first.handler()).store, (await reloaded.handler()).store);
    } finally {
      await server.stop();
      await second.stop();
      await (await first.handler()).close();
    }
  });
});
