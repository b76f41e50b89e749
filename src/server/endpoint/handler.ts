/**
 * The merchant endpoint: a web-standard handler (a Hono app) that a shop mounts in its backend.
 *   POST /checkout  JSON `{}` (APB) or `{ amazonCheckoutSessionId }` (confirm page)
 *                   → EntryTranAmazonpay, ExecTranAmazonpay → `{ startUrl, accessId, token }`
 *   POST /result    the RetURL: GMO-PG's result, verified by CheckString → 303 to the shop's page
 *   POST /notify    GMO-PG's result notification: `0` at once, then confirmed by SearchTradeMulti
 *   POST /buy-now   the Buy Now button: the cart for Amazon, then the payment on its charge permission
 *   GET  /address   SearchAddressAmazonpay for the confirm page
 * Each route is a module of routes/. It keeps no state between requests but the order store, so
 * it scales out behind any balancer (with PostgreSQL; a PGlite folder belongs to one process).
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { createBackOffice, type BackOffice } from '../ops/back-office.js';
import { createGmoPgClient, PRODUCTION_BASE_URL, TEST_BASE_URL, type GmoPgClient, type GmoPgConfig } from '../client/gmo-pg-client.js';
import type { FetchApp } from './fetch-app.js';
import { limitBody } from './http/body-limit.js';
import { publicOriginOf } from './http/public-origin.js';
import { adaptLogger, consoleLogger, safeLogger, type Logger } from '../telemetry/logger.js';
import type { OrderSpec } from '../payments/order-spec.js';
import { openOrderStore } from '../orders/open-store.js';
import { StoreUnavailableError } from '../orders/sql.js';
import type { Order, OrderStore, ShippingAddress } from '../orders/types.js';
import { addressRoute } from './routes/address.js';
import { buyNowRoute } from './routes/buy-now.js';
import { checkoutRoute } from './routes/checkout.js';
import { completion, jsonError, type HandlerContext, type RouteEnv } from './routes/context.js';
import { notifyRoute } from './routes/notify.js';
import { checkMetricsRoute, metricsRoute } from './routes/metrics.js';
import { resultRoute } from './routes/result.js';
import { confirmOrder, ConfirmQueue, markStale } from '../payments/confirm.js';
import { instrumentStore } from '../telemetry/instrumented-store.js';
import { createPromMetrics, noMetrics, type MetricsOptions, type MetricsRegistry } from '../telemetry/metrics.js';
import { reconcileOrders, type ReconcileOptions, type ReconcileSummary } from '../ops/sweeper.js';

export type { OrderSpec } from '../payments/order-spec.js';

export interface ResolveOrderInput {
  /** The shopper's request: read its cookies or session to find the cart. */
  request: Request;
  /** The JSON the browser sent. Never take an amount from it. */
  body: Record<string, unknown>;
  /** `apb` and `session` from /checkout; `buy-now` from /buy-now (for the cart and for the payment). */
  kind: 'apb' | 'session' | 'buy-now';
  amazonCheckoutSessionId?: string;
  /**
   * Buy Now: which of Amazon's handlers asks: `init` (onInitCheckout), `address` (the buyer picked
   * another address), `delivery` (another delivery option), `complete` (the payment: answer the same
   * cart, or it is declined as changed).
   */
  step?: 'init' | 'address' | 'delivery' | 'complete';
  /** Buy Now with an address (`product-type="PayAndShip"`): where to deliver; price the shipping for it. */
  shippingAddress?: ShippingAddress;
  /** Buy Now: the delivery option the buyer chose (one of your `deliveryOptions` ids). */
  deliveryOptionId?: string;
}

/** `pending` when GMO-PG could not confirm the result yet: the notification will settle it. */
export type Outcome = 'success' | 'failure' | 'pending';

export interface AmazonPayHandlerOptions {
  /** The GMO-PG client, or its configuration (default: the GMO_PG_* environment variables). */
  gmo?: GmoPgClient | GmoPgConfig;
  /** The order store (default: `openOrderStore()`: DATABASE_URL, else PGlite in .data/orders). */
  store?: OrderStore;
  /**
   * Decides amount, tax, job code and, for 利用承諾, the frequency. The amount never comes from the browser.
   * Text fields must be Windows-31J without control characters: anything else is refused (400 `ORDER_INVALID`) before GMO-PG is called.
   */
  resolveOrder(input: ResolveOrderInput): OrderSpec | Promise<OrderSpec>;
  /** Where RetURL sends the shopper: a URL (`?orderId=…&result=success|failure|pending` is added) or a function. */
  completionUrl: string | ((order: Pick<Order, 'orderId' | 'status' | 'stage'> | undefined, outcome: Outcome, reason?: string) => string);
  /**
   * The shop's public origin (e.g. `https://shop.example`): the RetURL sent to GMO-PG and the
   * origin the checkout accepts. Set it in production: without it (and without `allowedHosts`)
   * both follow the request's Host header, which a client can choose.
   */
  publicUrl?: string;
  /** Without `publicUrl`: the Host values to believe (e.g. `["shop.example", "127.0.0.1:5173"]`); others get 403. */
  allowedHosts?: string[];
  /**
   * Origins besides the shop's own whose pages may call /checkout, /buy-now and /address (e.g. a
   * storefront at `https://store.example` calling `https://api.example`): they get CORS answers
   * (preflight, credentials: the shopper's cookies come along). Whole origins, no path.
   */
  allowedOrigins?: string[];
  /** ApbType for APB checkouts: PayAndShip (default, Amazon asks for an address) or PayOnly. */
  apbType?: 'PayOnly' | 'PayAndShip';
  /** Seconds the AmazonpayStart token lives (GMO-PG's PaymentTermSec). */
  paymentTermSec?: number;
  /** Largest request body accepted on any route, in bytes, counted as it arrives; default 16384. */
  maxBodyBytes?: number;
  /** After a confirmation of an order with GMO-PG (a notification, a RetURL post), how long further ones for that order wait to be confirmed together, in ms; default 1000. */
  notificationQuietMs?: number;
  orderIdPrefix?: string;
  /** Where the handler logs (default the console). Loggers as they come fit: pino, winston, bunyan, console. */
  logger?: Logger;
  /**
   * Prometheus metrics through prom-client (install it: `npm install prom-client@15`): `true` for
   * prom-client's default registry, or `{ registry, prefix, route }`. See telemetry/metrics.ts for
   * the list. OpenTelemetry spans need no option: they are made when the shop has an SDK.
   */
  metrics?: boolean | MetricsOptions;
  /**
   * Run against a GMO-PG that is not https (the sandbox) although the shop looks like production
   * (NODE_ENV=production and an https `publicUrl`): a demo or a staging shop on the sandbox. Without
   * it (or AMAZON_PAY_V2_ALLOW_SANDBOX=1), createAmazonPayHandler refuses, naming the setting: real
   * payments would go to a sandbox that takes no money.
   */
  allowSandbox?: boolean;
  /**
   * Buy Now: origins the MFA return URL (`amazonPayMFAReturnUrl`, sent to GMO-PG as RetURL) may have
   * besides Amazon's own (https on amazon.co.jp, amazon.com, amazon.co.uk, .de, .fr, .it, .es and
   * payments-amazon.com: inferred, Amazon does not publish them) and GMO-PG's base URL (the sandbox).
   */
  mfaReturnOrigins?: string[];
  /** Runs `reconcile()` this often, in the background (ms); default off: call it from cron instead. */
  reconcileEveryMs?: number;
  /**
   * The path the routes live under when `fetch` gets whole URLs (Next.js route handlers, Deno,
   * Bun, workers), e.g. `/api/amazon-pay`. Leave it empty with `app.route(path, handler.app)`.
   */
  basePath?: string;
}

export interface AmazonPayHandler {
  /**
   * The routes as a web-standard app (a Hono app at run time). Node servers: `toNodeListener(handler, '/api/amazon-pay')`;
   * Hono: `app.all('/api/amazon-pay/*', (c) => handler.fetch(c.req.raw))` with `basePath: '/api/amazon-pay'`.
   */
  app: FetchApp;
  /** Web-standard: `(Request) => Promise<Response>`. */
  fetch(request: Request): Promise<Response>;
  store: OrderStore;
  gmo: GmoPgClient;
  backOffice: BackOffice;
  /** The registry the handler's metrics are in (with `metrics`), to expose on the shop's own route. */
  metricsRegistry?: MetricsRegistry;
  /** Asks GMO-PG about orders that never settled and records the answer (see sweeper.ts); returns what it did. */
  reconcile(options?: ReconcileOptions): Promise<ReconcileSummary>;
  /** Resolves when the work done after answering (confirming notifications, marking orders started) is done (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function createAmazonPayHandler(options: AmazonPayHandlerOptions): Promise<AmazonPayHandler> {
  if (typeof options.resolveOrder !== 'function') throw new Error('createAmazonPayHandler: resolveOrder is required: it decides the amount on the server');
  if (!options.completionUrl) throw new Error('createAmazonPayHandler: completionUrl is required: where the shopper lands after paying');
  if (typeof options.metrics === 'object') checkMetricsRoute(options.metrics.route); // before anything is opened
  for (const origin of options.allowedOrigins ?? []) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new Error(
        `createAmazonPayHandler: allowedOrigins entry "${origin}" is not an origin: write scheme, host and port only, e.g. "https://store.example"`,
      );
    }
  }
  const logger = safeLogger(adaptLogger(options.logger ?? consoleLogger));
  const publicOrigin = publicOriginOf(options, logger);
  const gmo = options.gmo && 'execTranAmazonpay' in options.gmo ? options.gmo : clientOrLazyHint(options.gmo);
  refuseSandboxInProduction(options, gmo.baseUrl, logger);
  const prom = options.metrics ? await createPromMetrics(options.metrics === true ? {} : options.metrics) : undefined;
  const metrics = prom?.metrics ?? noMetrics;
  const ownStore = options.store ?? (await openOrderStore({ logger }));
  // The routes, the back office and the sweeper write through the instrumented store; handler.store is the store itself.
  const store = prom ? instrumentStore(ownStore, metrics) : ownStore;
  const stopObserving = gmo.observe?.((api, seconds, outcome) => metrics.gmoCall(api, seconds, outcome.result, outcome.codes));
  const stopWatching = metrics.watchBacklog(() => (ownStore as { backlog?(): number }).backlog?.() ?? 0);
  const backOffice = createBackOffice(store, gmo, logger, options.orderIdPrefix);
  const background = new Set<Promise<unknown>>();
  const later = (task: Promise<unknown>) => {
    const tracked = task.finally(() => background.delete(tracked));
    background.add(tracked);
  };
  const quietMs = options.notificationQuietMs ?? 1000;
  const notified = (orderId: string) =>
    confirmOrder(store, gmo, orderId, 'notification', { logger }).then(
      (result) => {
        if (!result) return void logger.warn('notification for an unknown order', { orderId });
        // The lag: from the order's start to now (its confirmation follows the notification within notificationQuietMs).
        metrics.notificationLag((Date.now() - Date.parse(result.order.createdAt)) / 1000);
        logger.info('notification confirmed', { orderId, status: result.order.status, stage: result.order.stage, changed: result.changed });
        return result;
      },
      async (error: Error) => {
        logger.warn('notification not confirmed', { orderId, error: error.message });
        if (await store.get(orderId).catch(() => undefined)) await markStale(store, orderId, 'notification', 'notification not confirmed', logger);
        return undefined;
      },
    );
  const ctx: HandlerContext = {
    options,
    gmo,
    store,
    logger,
    metrics,
    later,
    confirmations: {
      notification: new ConfirmQueue(notified, { quietMs, later }),
      RetURL: new ConfirmQueue((orderId) => confirmOrder(store, gmo, orderId, 'RetURL', { logger }), { quietMs, later }),
    },
  };

  const app = new Hono();
  const routes = (options.basePath ? app.basePath(options.basePath.replace(/\/$/, '')) : app) as unknown as Hono<RouteEnv>;
  // Before the Host check below: a scraper asks by an internal name.
  const metricsOptions = typeof options.metrics === 'object' ? options.metrics : undefined;
  if (prom && metricsOptions?.route) metricsRoute(routes, prom.registry, metricsOptions.route);
  routes.use('*', limitBody(options.maxBodyBytes ?? 16384), async (c, next) => {
    const answer = publicOrigin(c.req.url);
    if ('refused' in answer) {
      logger.warn('request refused: unknown Host', { host: c.req.header('host') });
      return jsonError(c, 403, { code: 'HOST_NOT_ALLOWED', message: answer.refused });
    }
    c.set('origin', answer.origin);
    return next();
  });
  // A storefront on another origin (allowedOrigins) calls the JSON routes cross-origin: CORS for
  // those only, with the shopper's cookies (resolveOrder finds the cart by them). GMO-PG's form posts
  // (/result, /notify) are not fetched by pages and get no CORS.
  if (options.allowedOrigins?.length) {
    const allowed = options.allowedOrigins;
    const crossOrigin = cors({ origin: (origin) => (allowed.includes(origin) ? origin : null), credentials: true, allowMethods: ['GET', 'POST'], maxAge: 600 });
    for (const path of ['/checkout', '/buy-now', '/address']) routes.use(path, crossOrigin);
  }
  // What no route answers itself: the database away (503, the shop stays up and recovers by itself),
  // or a fault of our own (500). The shopper's RetURL post lands on the completion page either way.
  let lastOutage = 0;
  app.onError((error, c) => {
    const away = error instanceof StoreUnavailableError;
    if (!away) logger.error('request failed', { path: c.req.path, error: error.message });
    else if (Date.now() - lastOutage > 10_000) {
      lastOutage = Date.now();
      logger.error('order store unavailable: answering 503 until it is back', { error: error.message });
    }
    if (c.req.method === 'POST' && c.req.path.endsWith('/result'))
      return c.redirect(completion(options, undefined, 'pending', away ? 'store_unavailable' : 'error'), 303);
    if (away) c.header('retry-after', '5');
    return away
      ? jsonError(c, 503, {
          code: 'STORE_UNAVAILABLE',
          message: 'the order store is unavailable (see the server log)',
          userMessage: 'ただいまご注文を受け付けられません。しばらくしてからもう一度お試しください。',
        })
      : jsonError(c, 500, {
          code: 'INTERNAL_ERROR',
          message: 'the request failed (see the server log)',
          userMessage: 'ただいまお手続きできません。しばらくしてからもう一度お試しください。',
        });
  });
  checkoutRoute(routes, ctx);
  buyNowRoute(routes, ctx);
  resultRoute(routes, ctx);
  notifyRoute(routes, ctx);
  addressRoute(routes, ctx);

  const idle = async () => {
    while (background.size) await Promise.allSettled(background);
  };
  const sweep = async (o?: ReconcileOptions) => {
    const summary = await reconcileOrders(store, gmo, logger, o);
    const { settled, abandoned, unchanged, errors } = summary;
    metrics.reconciled({ settled, abandoned, unchanged, errors }, summary.expiring);
    return summary;
  };
  const timer = options.reconcileEveryMs
    ? setInterval(
        () => ctx.later(sweep().catch((error) => logger.warn('reconcile failed', { error: (error as Error).message }))),
        options.reconcileEveryMs,
      ).unref()
    : undefined;
  return {
    app,
    fetch: (request) => Promise.resolve(app.fetch(request)),
    store: ownStore,
    gmo,
    backOffice,
    metricsRegistry: prom?.registry,
    reconcile: sweep,
    idle,
    async close() {
      clearInterval(timer);
      await idle();
      stopObserving?.();
      stopWatching();
      await ownStore.close();
    },
  };
}

/**
 * The GMO-PG client from the settings; a missing setting names the lazy form too, since the usual
 * reason is a build (SvelteKit, Angular, Astro, Nuxt) importing the server file with no settings.
 */
function clientOrLazyHint(config: GmoPgConfig | undefined): GmoPgClient {
  try {
    return createGmoPgClient(config);
  } catch (error) {
    if (!/is missing/.test((error as Error).message)) throw error;
    throw new Error(
      `${(error as Error).message}. If this runs while the app is built or analysed, make the endpoint with amazonPayRoutes({ basePath, resolveOrder, completionUrl, … }) instead of createAmazonPayHandler: it reads the settings at the first request`,
      { cause: error },
    );
  }
}

/**
 * GMO-PG answers only over https, test and production alike: an http base URL is the sandbox. In a
 * shop that looks like production it would take real orders and no money, so the start is refused
 * unless the shop says it means it; in a production process with no public https URL, a warning.
 */
function refuseSandboxInProduction(options: AmazonPayHandlerOptions, baseUrl: string, logger: Logger) {
  if (typeof baseUrl !== 'string' || /^https:/i.test(baseUrl) || options.allowSandbox || process.env.AMAZON_PAY_V2_ALLOW_SANDBOX === '1') return;
  if (process.env.NODE_ENV !== 'production') return;
  const publicUrl = options.publicUrl && URL.canParse(options.publicUrl) ? new URL(options.publicUrl) : undefined;
  const local = !publicUrl || /^(localhost|127\.[\d.]+|\[::1\])$/.test(publicUrl.hostname);
  if (publicUrl?.protocol === 'https:' && !local) {
    throw new Error(
      `createAmazonPayHandler: GMO-PG's base URL ${baseUrl} is not https (the sandbox?) in a production shop (NODE_ENV=production, publicUrl ${publicUrl.origin}): ` +
        `set GMO_PG_BASE_URL to ${PRODUCTION_BASE_URL} (or the test environment ${TEST_BASE_URL}), or pass allowSandbox: true (AMAZON_PAY_V2_ALLOW_SANDBOX=1) for a demo on the sandbox`,
    );
  }
  logger.warn('GMO-PG base URL is not https (the sandbox?) with NODE_ENV=production: no real payment is taken', { baseUrl });
}
