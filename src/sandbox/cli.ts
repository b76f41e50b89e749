/**
 * `npm run sandbox`: the sandbox alone on PORT (default 8787), printing what to point a shop at.
 * NOTIFY_URL sets where result notifications go; SANDBOX_STATE_FILE keeps records across restarts
 * (default .data/sandbox.json; `none` keeps them in memory only).
 */
import { serve } from '@hono/node-server';
import { createSandbox } from './app.js';

const port = Number(process.env.PORT ?? 8787);
const stateFile = process.env.SANDBOX_STATE_FILE ?? '.data/sandbox.json';
const sandbox = createSandbox({
  notifyUrl: process.env.NOTIFY_URL,
  stateFile: stateFile === 'none' ? undefined : stateFile, // "none": keep records in memory only
});
const server = serve({ fetch: sandbox.app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  const origin = `http://127.0.0.1:${info.port}`;
  console.log(`GMO-PG / Amazon Pay sandbox on ${origin}
  GMO_PG_BASE_URL=${origin}/payment/
  GMO_PG_SHOP_ID=${sandbox.shopId}
  GMO_PG_SHOP_PASS=${process.env.GMO_PG_SHOP_PASS ? '(from GMO_PG_SHOP_PASS)' : sandbox.shopPass + '   (sandbox default; never a real password)'}
  checkout.js:        ${origin}/amazon/checkout.js  (<amazon-pay-v2 script-src="...">)
  AmazonpayStart:     ${origin}/payment/AmazonpayStart.idPass
  result notification: ${sandbox.notifier.url ?? 'off (set NOTIFY_URL)'}`);
});
const stop = () => {
  sandbox.close();
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
