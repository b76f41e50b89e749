/**
 * The demo shop's own server side: a two-product catalogue, carts kept on the server (so the
 * amount is always the server's), the signed button payloads, and the back-office routes of the
 * orders page. What a real shop writes around `createAmazonPayHandler`.
 */
import { constants, createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AmazonPayHandler, OrderSpec, ResolveOrderInput } from '../src/server/index.js';
import { GmoPgError, permission, type Operation } from '../src/server/index.js';

export const CATALOG = {
  coffee: { name: 'スペシャルティコーヒー豆 200g', price: 1980 },
  subscription: { name: 'コーヒー定期便 (毎月 200g)', price: 1780 },
} as const;
export const SHIPPING = 500; // sent to GMO-PG as Tax (税送料)

/** Where the button payloads come from: signed here (sandbox), or pasted from GMO-PG's admin screen. */
export interface ButtonConfig {
  merchantId: string;
  publicKeyId: string;
  /** The Store ID (Buy Now's checkoutSessionConfig.storeId). */
  storeId: string;
  sandbox: boolean;
  scriptSrc?: string;
  startOrigins?: string;
  onetime(origin: string): { payloadJSON: string; signature: string };
  recurring(origin: string): { payloadJSON: string; signature: string };
}

/** Payloads signed like Amazon's SDK does (RSASSA-PSS over "algorithm\nsha256(payload)"), with a key of the sandbox's. */
export function sandboxButtons(privateKey: KeyObject): ButtonConfig {
  const signed = (payload: object) => {
    const payloadJSON = JSON.stringify(payload);
    const text = `AMZN-PAY-RSASSA-PSS\n${createHash('sha256').update(payloadJSON).digest('hex')}`;
    const signature = sign('sha256', Buffer.from(text), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }).toString('base64');
    return { payloadJSON, signature };
  };
  const base = (origin: string, review: string) => ({
    webCheckoutDetails: { checkoutReviewReturnUrl: `${origin}${review}`, checkoutCancelUrl: `${origin}/` },
    storeId: 'amzn1.application-oa2-client.demo',
    scopes: ['name', 'email', 'phoneNumber', 'billingAddress'],
  });
  return {
    merchantId: 'A2DEMOSANDBOX',
    publicKeyId: 'SANDBOX-DEMOKEY',
    storeId: 'amzn1.application-oa2-client.demo',
    sandbox: true,
    scriptSrc: '/amazon/checkout.js',
    onetime: (origin) => signed(base(origin, '/confirm.html')),
    recurring: (origin) =>
      signed({
        ...base(origin, '/confirm.html?plan=subscription'),
        chargePermissionType: 'Recurring',
        recurringMetadata: { frequency: { unit: 'Month', value: '1' }, amount: { amount: String(CATALOG.subscription.price), currencyCode: 'JPY' } },
      }),
  };
}

export function newSandboxKeys() {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** Buttons from the environment: the payloads and signatures GMO-PG's shop admin shows. */
export function environmentButtons(env: NodeJS.ProcessEnv): ButtonConfig {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set: see "Using GMO-PG's test environment" in the README`);
    return value;
  };
  const fixed = (payload: string, signature: string) => () => ({ payloadJSON: need(payload), signature: need(signature) });
  return {
    merchantId: need('AMAZON_PAY_MERCHANT_ID'),
    publicKeyId: need('AMAZON_PAY_PUBLIC_KEY_ID'),
    storeId: env.AMAZON_PAY_STORE_ID ?? '',
    sandbox: env.AMAZON_PAY_SANDBOX !== 'false',
    onetime: fixed('AMAZON_PAY_PAYLOAD', 'AMAZON_PAY_SIGNATURE'),
    recurring: fixed('AMAZON_PAY_RECURRING_PAYLOAD', 'AMAZON_PAY_RECURRING_SIGNATURE'),
  };
}

/** The host names the demo answers to (it listens on 127.0.0.1): any other Host header is refused. */
export const DEMO_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** Whether a Host header names the demo itself, whatever the port. */
export function knownHost(host: string | undefined): boolean {
  if (!host || !URL.canParse(`http://${host}`)) return false;
  return DEMO_HOSTS.includes(new URL(`http://${host}`).hostname);
}

/**
 * The demo pages' Content-Security-Policy: scripts from this origin only (so injected markup
 * cannot run), and, with GMO-PG's test environment, the Amazon and GMO-PG hosts the README's CSP
 * table lists.
 */
export function contentSecurityPolicy(mode: 'sandbox' | 'gmo-pg-test') {
  const amazon = mode === 'gmo-pg-test';
  return (host: string) =>
    [
      "default-src 'self'",
      `script-src 'self'${amazon ? ' https://static-fe.payments-amazon.com' : ''}`,
      "style-src 'self' 'unsafe-inline'",
      "worker-src 'self' blob:", // Vite's live-reload client checks the server from a blob worker
      `img-src 'self' data:${amazon ? ' https://m.media-amazon.com https://*.payments-amazon.com' : ''}`,
      `connect-src 'self' ws://${host}${amazon ? ' https://*.amazon.co.jp https://*.payments-amazon.com' : ''}`,
      `form-action 'self'${amazon ? ' https://payments.amazon.co.jp https://*.mul-pay.jp' : ''}`,
      `frame-src 'self'${amazon ? ' https://m.media-amazon.com https://*.payments-amazon.com' : ''}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
    ].join('; ');
}

type Cart = { coffee: number };

/** Carts on the server, keyed by a cookie: the browser says what it wants, never what it costs. */
export class Carts {
  private carts = new Map<string, Cart>();
  of(id: string | undefined): Cart {
    return (id && this.carts.get(id)) || { coffee: 1 };
  }
  set(id: string, cart: Cart) {
    this.carts.set(id, cart);
  }
  static total(cart: Cart) {
    return cart.coffee * CATALOG.coffee.price;
  }
}

/** resolveOrder: the amount from the server's catalogue and cart. */
export function resolveDemoOrder(carts: Carts) {
  return (input: ResolveOrderInput): OrderSpec => {
    const { request, body } = input;
    if (body.plan === 'subscription') {
      return {
        amount: CATALOG.subscription.price,
        jobCd: 'AUTH',
        frequency: { unit: 'Month', value: 1 },
        description: `${CATALOG.subscription.name}のお申し込み`,
      };
    }
    const cookie = /(?:^|;\s*)demo_cart=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
    const cart = carts.of(cookie);
    if (!cart.coffee) throw new Error('the cart is empty');
    const description = `${CATALOG.coffee.name} × ${cart.coffee}`;
    if (input.kind === 'buy-now') {
      // Buy Now with an address: the shipping follows the address Amazon's screen shows (farther
      // costs more), with a faster option; the cart is listed line by line.
      const far = ['北海道', '沖縄県'].includes(input.shippingAddress?.stateOrRegion ?? '');
      const standard = far ? SHIPPING + 700 : SHIPPING;
      return {
        amount: Carts.total(cart),
        jobCd: 'AUTH',
        description,
        lineItems: [{ id: 'coffee', title: CATALOG.coffee.name, quantity: cart.coffee, listPrice: CATALOG.coffee.price }],
        deliveryOptions: [
          { id: 'standard', name: '通常配送 (2〜4日)', price: standard, isDefault: true },
          { id: 'express', name: 'お急ぎ便 (翌日)', price: standard + 600 },
        ],
      };
    }
    return { amount: Carts.total(cart), tax: SHIPPING, jobCd: 'AUTH', description };
  };
}

/** The demo's own routes: the cart, the button config, and the orders page's back office. */
export function demoRoutes(handler: AmazonPayHandler, carts: Carts, buttons: ButtonConfig, mode: 'sandbox' | 'gmo-pg-test') {
  const app = new Hono();
  const cartId = (c: Context) => {
    let id = getCookie(c, 'demo_cart');
    if (!id) {
      id = randomUUID();
      setCookie(c, 'demo_cart', id, { path: '/', httpOnly: true, sameSite: 'Lax' });
    }
    return id;
  };
  // Every change (the cart, the back office) is a JSON POST from the demo's own pages: a form of
  // another site cannot send JSON, and a script of another site is refused by its Origin.
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const from = c.req.header('origin');
    if ((from && from !== new URL(c.req.url).origin) || c.req.header('sec-fetch-site') === 'cross-site') {
      return c.json({ error: { message: 'cross-site request refused' } }, 403);
    }
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      return c.json({ error: { message: 'send JSON (content-type: application/json)' } }, 415);
    }
    return next();
  });
  const cartView = (cart: Cart) => ({
    ...cart,
    price: CATALOG.coffee.price,
    subtotal: Carts.total(cart),
    shipping: SHIPPING,
    total: Carts.total(cart) + SHIPPING,
  });

  app.get('/cart', (c) => c.json(cartView(carts.of(cartId(c)))));
  app.post('/cart', async (c) => {
    const { coffee } = await c.req.json().catch(() => ({}));
    if (!Number.isInteger(coffee) || coffee < 0 || coffee > 20) return c.json({ error: { message: 'coffee: a quantity from 0 to 20' } }, 400);
    const id = cartId(c);
    carts.set(id, { coffee });
    return c.json(cartView(carts.of(id)));
  });
  app.get('/config', (c) => {
    const origin = new URL(c.req.url).origin;
    return c.json({
      mode,
      merchantId: buttons.merchantId,
      publicKeyId: buttons.publicKeyId,
      storeId: buttons.storeId,
      sandbox: buttons.sandbox,
      scriptSrc: buttons.scriptSrc ?? null,
      onetime: buttons.onetime(origin),
      recurring: buttons.recurring(origin),
      catalog: CATALOG,
    });
  });

  // The orders page. The demo has no login (it answers on 127.0.0.1 only); a real shop puts these
  // behind its admin login.
  const office = handler.backOffice;
  // Which operations each order allows, by the package's own rule (payments/lifecycle.ts): the page shows only those.
  const OPERATIONS: Operation[] = ['capture', 'change', 'cancel', 'refund'];
  app.get('/orders', async (c) =>
    c.json((await office.list({ limit: 200 })).map((o) => ({ ...o, operations: OPERATIONS.filter((op) => permission(op, o).allowed) }))),
  );
  app.get('/orders-expiring', async (c) => c.json(await office.expiring({ within: 7 * 24 * 3600_000 })));
  app.get('/orders/:id', async (c) => {
    const order = await office.get(c.req.param('id'));
    if (!order) return c.json({ error: { message: 'no such order' } }, 404);
    return c.json({ order, history: await office.history(order.orderId) });
  });
  app.post('/orders/:id/:action', async (c) => {
    const id = c.req.param('id');
    const input = await c.req.json().catch(() => ({}));
    const amount = input.amount === undefined || input.amount === '' ? undefined : Number(input.amount);
    if (amount !== undefined && !(Number.isInteger(amount) && amount > 0)) return c.json({ error: { message: '金額は1円以上の整数で入力してください' } }, 400);
    try {
      switch (c.req.param('action')) {
        case 'capture':
          return c.json(await office.capture(id));
        case 'cancel': // an authorization only: captured money is given back with refund
          return c.json(await office.cancel(id, { only: 'authorization' }));
        case 'refund':
          return c.json(await office.refund(id, amount === undefined ? {} : { amount }));
        case 'change':
          if (amount === undefined) return c.json({ error: { message: '新しい金額を入力してください' } }, 400);
          return c.json(await office.changeAmount(id, amount));
        case 'charge': {
          const order = await office.get(id);
          return c.json(await office.charge(id, { amount: amount ?? order?.amount ?? 0, jobCd: 'CAPTURE', description: '定期便の今月分' }));
        }
        case 'close':
          return c.json(await office.closeChargePermission(id));
        case 'refresh':
          return c.json(await office.refresh(id));
        default:
          return c.json({ error: { message: 'unknown action' } }, 404);
      }
    } catch (error) {
      const message = error instanceof GmoPgError ? error.errors.map((e) => `${e.errInfo}: ${e.messageJa}`).join(' / ') : (error as Error).message;
      return c.json({ error: { message } }, 409);
    }
  });
  return app;
}
