// HTTP routes the browser tests talk to, served by web-test-runner's own dev server:
// the checkout.js stand-in (with injectable delay, HTTP status and first-request failures),
// a scripted merchant endpoint, and an echo of what the browser POSTs to AmazonpayStart.
import { readFileSync } from 'node:fs';

const STAND_IN = new URL('../../src/sandbox/amazon/checkout.js', import.meta.url);
const seen = new Map(); // key -> requests seen, for "fail the first N" and request counts
const lastBody = new Map(); // key -> the last body the merchant endpoint received
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const count = (key) => {
  const n = (seen.get(key) ?? 0) + 1;
  seen.set(key, n);
  return n;
};

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('latin1');
}

/** Koa middleware for @web/test-runner. */
export async function testRoutes(ctx, next) {
  const url = new URL(ctx.url, 'http://localhost');
  const q = url.searchParams;
  const key = q.get('key') ?? '';

  // GET /amazon/checkout.js?delay=ms&status=404&failFirst=N&key=K&region=fe&submit=0
  if (url.pathname === '/amazon/checkout.js') {
    const n = count('script:' + key);
    await sleep(Number(q.get('delay') ?? 0));
    const status = Number(q.get('status') ?? (n <= Number(q.get('failFirst') ?? 0) ? 503 : 200));
    ctx.status = status;
    ctx.type = 'application/javascript';
    ctx.set('cache-control', 'no-store');
    ctx.body = status === 200 ? readFileSync(STAND_IN, 'utf8') : '/* unavailable */';
    return;
  }

  // POST /amazon/buy-now/charge-permission: the sandbox's answer to the stand-in's Buy Now screen
  if (url.pathname === '/amazon/buy-now/charge-permission') {
    const n = count('permission');
    ctx.type = 'application/json';
    ctx.body = JSON.stringify({
      amazonChargePermissionId: `S03-0000000-${String(n).padStart(7, '0')}`,
      amazonPayMFAReturnUrl: 'http://localhost/amazon/buy-now/mfa-return',
      billingAddress: { name: 'テスト 太郎' },
      paymentDescriptor: 'Visa ****1111',
      amazonPayCheckoutType: 'BuyNow',
    });
    return;
  }

  // POST /merchant/buy-now?scenario=ok|decline|pending|http500&key=K: the Buy Now endpoint (init, then complete)
  if (url.pathname === '/merchant/buy-now') {
    count('endpoint:' + key);
    const body = JSON.parse(Buffer.from(await readBody(ctx.req), 'latin1').toString('utf8') || '{}');
    lastBody.set(key, { body: JSON.stringify(body), contentType: ctx.get('content-type') });
    const scenario = q.get('scenario') ?? 'ok';
    ctx.type = 'application/json';
    if (scenario === 'http500') {
      ctx.status = 500;
      ctx.body = JSON.stringify({ error: { message: 'the order store is unavailable', userMessage: 'ただいまご注文を受け付けられません。' } });
      return;
    }
    const money = (amount) => ({ amount, currencyCode: 'JPY' });
    ctx.body = JSON.stringify(
      body.step === 'init'
        ? { orderId: 'AP-BUYNOW-1', totalBaseAmount: money('8000'), totalTaxAmount: money('800'), totalOrderAmount: money('8800') }
        : { status: scenario === 'decline' ? 'decline' : 'success', orderId: 'AP-BUYNOW-1', ...(scenario === 'pending' && { pending: true }), received: body },
    );
    return;
  }

  // POST /merchant/checkout?scenario=ok|plus|http500|forbidden|html|gmo|slow|foreign|script|data|incomplete&key=K
  if (url.pathname === '/merchant/checkout') {
    count('endpoint:' + key);
    const body = await readBody(ctx.req);
    const csrf = ctx.get('x-csrf-token');
    lastBody.set(key, { body, contentType: ctx.get('content-type'), ...(csrf ? { csrf } : {}) });
    const scenario = q.get('scenario') ?? 'ok';
    const answer = (status, json) => {
      ctx.status = status;
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(json);
    };
    if (scenario === 'slow') await sleep(Number(q.get('delay') ?? 3000));
    if (scenario === 'http500') return answer(500, { error: { message: 'internal error' } });
    // A developer's message and no userMessage: what the endpoint says to a wrong publicUrl.
    if (scenario === 'forbidden')
      return answer(403, {
        error: {
          code: 'FORBIDDEN',
          message: 'cross-site request refused: Origin http://localhost:1 is not http://shop.example; set publicUrl (or allowedOrigins)',
        },
      });
    if (scenario === 'html') {
      ctx.status = 200;
      ctx.type = 'text/html';
      ctx.body = '<html>login required</html>';
      return;
    }
    if (scenario === 'gmo') {
      return answer(502, {
        error: {
          message: 'GMO-PG answered E01040010',
          userMessage: 'Amazon Pay could not start the payment (E01040010)',
          gmoErrors: [{ errCode: 'E01', errInfo: 'E01040010', message: 'OrderID previously used' }],
        },
      });
    }
    const startUrl =
      scenario === 'foreign'
        ? 'https://evil.example/payment/AmazonpayStart.idPass'
        : scenario === 'script'
          ? 'javascript:window.__hijacked=1//'
          : scenario === 'data'
            ? 'data:text/html,<script>window.__hijacked=1</script>'
            : '/echo/AmazonpayStart.idPass';
    if (scenario === 'incomplete') return answer(200, { startUrl });
    return answer(200, {
      startUrl,
      accessId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      token: 'tok+en/with+plus=and%percent',
      received: body,
    });
  }

  // GET /merchant/count?key=K -> how many endpoint requests carried key K
  if (url.pathname === '/merchant/count') {
    ctx.type = 'application/json';
    ctx.body = JSON.stringify({
      count: seen.get('endpoint:' + key) ?? 0,
      script: seen.get('script:' + key) ?? 0,
      last: lastBody.get(key) ?? null,
    });
    return;
  }

  // POST /echo/<anything> -> the raw request body and content type, for byte-level checks
  if (url.pathname.startsWith('/echo/') && ctx.method === 'POST') {
    const raw = await readBody(ctx.req);
    ctx.type = 'text/html';
    ctx.body = `<!doctype html><pre id="type">${escape(ctx.get('content-type'))}</pre><pre id="body">${escape(raw)}</pre>`;
    return;
  }
  return next();
}

const escape = (s) => s.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
