// The two servers benchmark 5 compares, in one child process: our merchant endpoint
// (POST /api/amazon-pay/checkout, orders in PGlite) and the floor, a bare node:http server that
// makes the same two GMO-PG calls with the client and nothing else.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { MemoryOrderStore, createAmazonPayHandler, createGmoPgClient, newOrderId, openOrderStore } from '../dist/node/server.js';

const gmo = createGmoPgClient({ shopId: 'tshop00000001', shopPass: 'sandboxpass1', baseUrl: process.env.GMO_PG_BASE_URL });

/** Our endpoint with a given order store, on a port of its own. */
async function ours(store) {
  const handler = await createAmazonPayHandler({
    gmo,
    store,
    resolveOrder: () => ({ amount: 3980, tax: 500 }),
    completionUrl: '/done',
    logger: { info() {}, warn() {}, error() {} },
  });
  const server = serve({ fetch: new Hono().route('/api/amazon-pay', handler.app).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  return server.address().port;
}

// The default durable store as a shop runs it (PGlite in a folder, with its journal; a fresh
// temporary one), and no storage at all, to tell the handler's own cost from the database's.
const dataDir = mkdtempSync(join(tmpdir(), 'apv2-bench-orders-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
const pglite = await ours(await openOrderStore({ dataDir }));
const memory = await ours(new MemoryOrderStore());

const floor = createServer(async (req, res) => {
  try {
    for await (const _ of req);
    const orderId = newOrderId();
    const entry = await gmo.entryTranAmazonpay({ orderId, jobCd: 'AUTH', amount: 3980, tax: 500 });
    const start = await gmo.execTranAmazonpay({ ...entry, orderId, apbType: 'PayAndShip', retUrl: 'http://127.0.0.1/result' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ startUrl: start.startUrl, accessId: start.accessId, token: start.token }));
  } catch (error) {
    // A failed call is counted as a non-2xx answer by the load generator, as our endpoint's are.
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
  }
}).listen(0, '127.0.0.1');
await new Promise((r) => floor.once('listening', r));

process.stdout.write(JSON.stringify({ pglite, memory, floor: floor.address().port }) + '\n');
