// The shop the model test drives, as its own process (so that `kill -9` is real): the built server
// module (dist/node/server.js) on node:http, the endpoint at /api/amazon-pay, and the back office,
// the sweep and retention behind /__ops/* for the test's commands. Test code, not a recipe: the cart
// comes from a header the harness sets (a real shop reads it from its session).
//   MODEL_SHOP='{"port":…,"gmo":{…},"dataDir"|"databaseUrl":…,"gmoTimeoutMs":…}' node test/model/shop-process.mjs
import { createServer } from 'node:http';
import { Hono } from 'hono';
import { createAmazonPayHandler, openOrderStore, publicOrder, toNodeListener } from '../../dist/node/server.js';

const cfg = JSON.parse(process.env.MODEL_SHOP);
const origin = `http://127.0.0.1:${cfg.port}`;
const store = await openOrderStore(
  cfg.databaseUrl ? { databaseUrl: cfg.databaseUrl, postgres: { queryTimeoutMs: 2000, connectTimeoutMs: 1000 } } : { dataDir: cfg.dataDir, lockStaleMs: 5000 },
);
const quiet = () => {};
const handler = await createAmazonPayHandler({
  gmo: { ...cfg.gmo, timeoutMs: cfg.gmoTimeoutMs, rateLimitRetries: 1, rateLimitDelayMs: 20 },
  store,
  resolveOrder: ({ request }) => JSON.parse(request.headers.get('x-test-cart') ?? '{"amount":1}'),
  completionUrl: '/done',
  publicUrl: origin,
  orderIdPrefix: cfg.orderIdPrefix,
  notificationQuietMs: 20,
  logger: { info: quiet, warn: quiet, error: (m, d) => process.stderr.write(`error ${m} ${JSON.stringify(d ?? {})}\n`) },
});

const ops = new Hono();
ops.post('/__ops/:op', async (c) => {
  const body = await c.req.json().catch(() => ({}));
  const office = handler.backOffice;
  try {
    switch (c.req.param('op')) {
      case 'capture':
        return c.json(await office.capture(body.orderId));
      case 'cancel':
        return c.json(await office.cancel(body.orderId, { only: body.only }));
      case 'refund':
        return c.json(await office.refund(body.orderId, body.amount ? { amount: body.amount } : {}));
      case 'change':
        return c.json(await office.changeAmount(body.orderId, body.amount));
      case 'charge':
        return c.json(await office.charge(body.consentOrderId, { amount: body.amount, tax: body.tax }));
      case 'sweep':
        return c.json(await handler.reconcile({ graceMs: body.graceMs ?? 0, abandonAfterMs: body.abandonAfterMs, leaseMs: body.leaseMs ?? 1 }));
      case 'purge': {
        // Everything retention may remove, whatever its age: what GMO-PG still holds must stay.
        const removed = [];
        let after = '';
        while (after !== undefined) {
          const batch = await store.purge({ before: new Date(Date.now() + 60_000), orders: true, after, limit: 500 });
          removed.push(...batch.orders.map((o) => o.orderId));
          after = batch.next;
        }
        return c.json({ removed });
      }
      case 'idle':
        await handler.idle();
        return c.json({ ok: true });
      case 'orders':
        return c.json((await store.list({ limit: 1_000_000 })).map(publicOrder));
      default:
        return c.json({ error: { message: 'unknown op' } }, 404);
    }
  } catch (error) {
    return c.json({ error: { name: error.name, message: error.message } }, 409);
  }
});

const shop = toNodeListener(handler, '/api/amazon-pay');
const control = toNodeListener({ app: ops });
const server = createServer((req, res) => (req.url.startsWith('/__ops/') ? control(req, res) : shop(req, res, () => res.writeHead(404).end())));
server.listen(cfg.port, '127.0.0.1', () => console.log(`ready ${origin}`));
