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
import { createBackOffice, type BackOffice } from './back-office.js';
import { createGmoPgClient, type GmoPgClient, type GmoPgConfig } from './client.js';
import { limitBody } from './http/body-limit.js';
import { publicOriginOf } from './http/public-origin.js';
import { adaptLogger, consoleLogger, safeLogger, type Logger } from './logger.js';
import type { OrderSpec } from './order-spec.js';
import { openOrderStore } from './orders/sql-store.js';
import type { Order, OrderStore } from './orders/types.js';
import { addressRoute } from './routes/address.js';
import { buyNowRoute } from './routes/buy-now.js';
import { checkoutRoute } from './routes/checkout.js';
import { jsonError, type HandlerContext, type RouteEnv } from './routes/context.js';
import { notifyRoute } from './routes/notify.js';
import { metricsRoute } from './routes/metrics.js';
import { resultRoute } from './routes/result.js';
import { instrumentStore } from './telemetry/instrumented-store.js';
import { createPromMetrics, noMetrics, type MetricsOptions, type MetricsRegistry } from './telemetry/metrics.js';
import { reconcileOrders, type ReconcileOptions, type ReconcileSummary } from './sweeper.js';

export type { OrderSpec } from './order-spec.js';

export interface ResolveOrderInput {
  /** The shopper's request: read its cookies or session to find the cart. */
  request: Request;
  /** The JSON the browser sent. Never take an amount from it. */
  body: Record<string, unknown>;
  /** `apb` and `session` from /checkout; `buy-now` from /buy-now (for the cart and for the payment). */
  kind: 'apb' | 'session' | 'buy-now';
  amazonCheckoutSessionId?: string;
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
  /** Origins allowed to POST /checkout; default the shop's own. */
  allowedOrigins?: string[];
  /** ApbType for APB checkouts: PayAndShip (default, Amazon asks for an address) or PayOnly. */
  apbType?: 'PayOnly' | 'PayAndShip';
  /** Seconds the AmazonpayStart token lives (GMO-PG's PaymentTermSec). */
  paymentTermSec?: number;
  /** Largest request body accepted on any route, in bytes, counted as it arrives; default 16384. */
  maxBodyBytes?: number;
  /** After a notification's confirmation, how long further notifications for that order wait to be confirmed together, in ms; default 1000. */
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
  /** Runs `reconcile()` this often, in the background (ms); default off: call it from cron instead. */
  reconcileEveryMs?: number;
  /**
   * The path the routes live under when `fetch` gets whole URLs (Next.js route handlers, Deno,
   * Bun, workers), e.g. `/api/amazon-pay`. Leave it empty with `app.route(path, handler.app)`.
   */
  basePath?: string;
}

export interface AmazonPayHandler {
  /** The Hono app: `app.route('/api/amazon-pay', handler.app)`, or use `fetch`. */
  app: Hono;
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
  const logger = safeLogger(adaptLogger(options.logger ?? consoleLogger));
  const publicOrigin = publicOriginOf(options, logger);
  const gmo = options.gmo && 'execTranAmazonpay' in options.gmo ? options.gmo : createGmoPgClient(options.gmo as GmoPgConfig | undefined);
  const prom = options.metrics ? await createPromMetrics(options.metrics === true ? {} : options.metrics) : undefined;
  const metrics = prom?.metrics ?? noMetrics;
  const ownStore = options.store ?? (await openOrderStore());
  // The routes, the back office and the sweeper write through the instrumented store; handler.store is the store itself.
  const store = prom ? instrumentStore(ownStore, metrics) : ownStore;
  const stopObserving = gmo.observe?.((api, seconds, outcome) => metrics.gmoCall(api, seconds, outcome.result, outcome.codes));
  const stopWatching = metrics.watchBacklog(() => (ownStore as { backlog?(): number }).backlog?.() ?? 0);
  const backOffice = createBackOffice(store, gmo, logger, options.orderIdPrefix);
  const background = new Set<Promise<unknown>>();
  const ctx: HandlerContext = {
    options,
    gmo,
    store,
    logger,
    metrics,
    later(task) {
      const tracked = task.finally(() => background.delete(tracked));
      background.add(tracked);
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
  checkoutRoute(routes, ctx);
  buyNowRoute(routes, ctx);
  resultRoute(routes, ctx);
  notifyRoute(routes, ctx);
  addressRoute(routes, ctx);

  const idle = async () => {
    while (background.size) await Promise.allSettled([...background]);
  };
  const sweep = async (o?: ReconcileOptions) => {
    const summary = await reconcileOrders(store, gmo, logger, o);
    const { settled, abandoned, unchanged, errors } = summary;
    metrics.reconciled({ settled, abandoned, unchanged, errors }, summary.expiring);
    return summary;
  };
  const timer = options.reconcileEveryMs
    ? setInterval(() => ctx.later(sweep().catch((error) => logger.warn('reconcile failed', { error: (error as Error).message }))), options.reconcileEveryMs).unref()
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
