// Mounting the handler in a plain node:http server (as Express or Connect would), under a path.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { createAmazonPayHandler } from '../../src/server/endpoint/handler.js';
import { MemoryOrderStore } from '../../src/server/orders/memory-store.js';
import { toNodeListener } from '../../src/server/endpoint/node-listener.js';
import { clientFor, startSandbox } from './support/servers.js';

describe('toNodeListener', () => {
  it('serves the handler under its base path and passes other paths on', async () => {
    const sandbox = await startSandbox();
    const handler = await createAmazonPayHandler({
      gmo: clientFor(sandbox),
      store: new MemoryOrderStore(), // this test is about routing, not storage
      resolveOrder: () => ({ amount: 500 }),
      completionUrl: '/done',
      logger: { info() {}, warn() {}, error() {} },
    });
    const listener = toNodeListener(handler, '/shop/api/amazon-pay');
    const server = createServer((req, res) =>
      listener(req, res, () => {
        res.writeHead(418).end('not mine');
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const response = await fetch(`${origin}/shop/api/amazon-pay/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: '{}',
      });
      const answer = (await response.json()) as { accessId: string };
      assert.equal(response.status, 200);
      assert.equal(sandbox.state.trades.get(answer.accessId)!.retUrl, `${origin}/shop/api/amazon-pay/result`);
      assert.equal((await fetch(`${origin}/elsewhere`)).status, 418);
    } finally {
      server.close();
      await handler.close();
      await sandbox.stop();
    }
  });

  it('serves whole URLs under basePath through fetch, as a Next.js route handler does', async () => {
    const sandbox = await startSandbox();
    const handler = await createAmazonPayHandler({
      gmo: clientFor(sandbox),
      store: new MemoryOrderStore(), // this test is about routing, not storage
      resolveOrder: () => ({ amount: 700 }),
      completionUrl: '/done',
      basePath: '/api/amazon-pay',
      logger: { info() {}, warn() {}, error() {} },
    });
    // export const POST = (request) => handler.fetch(request)
    const server = serve({ fetch: (request) => handler.fetch(request), port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const response = await fetch(`${origin}/api/amazon-pay/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: '{}',
      });
      const answer = (await response.json()) as { accessId: string };
      assert.equal(sandbox.state.trades.get(answer.accessId)!.retUrl, `${origin}/api/amazon-pay/result`);
      assert.equal((await fetch(`${origin}/checkout`, { method: 'POST' })).status, 404);
    } finally {
      server.close();
      await handler.close();
      await sandbox.stop();
    }
  });
});
