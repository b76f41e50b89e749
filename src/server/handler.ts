/**
 * The merchant endpoint: a web-standard handler (a Hono app) that a shop mounts in its backend.
 *   POST /checkout  JSON `{}` (APB) or `{ amazonCheckoutSessionId }` (confirm page)
 *                   → EntryTranAmazonpay, ExecTranAmazonpay → `{ startUrl, accessId, token }`
 *   POST /result    the RetURL: GMO-PG's result, verified by CheckString → 303 to the shop's page
 *   POST /notify    GMO-PG's result notification: `0` at once, then confirmed by SearchTradeMulti
 *   GET  /address   SearchAddressAmazonpay for the confirm page
 * It keeps no state between requests but the order store, so it scales out behind any balancer.
 */
import { Hono, type Context } from 'hono';
import { createBackOffice, type BackOffice } from './back-office.js';
import { createGmoPgClient, type Frequency, type GmoPgClient, type GmoPgConfig, type JobCd } from './client.js';
import { GmoPgError } from './errors.js';
import { consoleLogger, safeLogger, type Logger } from './logger.js';
import { newOrderId } from './order-id.js';
import { openOrderStore } from './orders/sql-store.js';
import type { Order, OrderStore } from './orders/types.js';
import { failureOf } from './outcome.js';
import { reconcile } from './reconcile.js';
import { parseForm } from './wire.js';

/** What the shop charges for this checkout, decided on the server. */
export interface OrderSpec {
  /** Yen, a whole number above 0. */
  amount: number;
  /** 税送料: added to the amount by GMO-PG. */
  tax?: number;
  /** AUTH (default: capture later) or CAPTURE (at once). */
  jobCd?: JobCd;
  /** For 利用承諾 (a recurring consent): how often the shop will charge. */
  frequency?: Frequency;
  /** Shown to the shopper by Amazon. */
  description?: string;
  clientField1?: string;
  clientField2?: string;
  clientField3?: string;
}

export interface ResolveOrderInput {
  /** The shopper's request: read its cookies or session to find the cart. */
  request: Request;
  /** The JSON the browser sent. Never take an amount from it. */
  body: Record<string, unknown>;
  kind: 'apb' | 'session';
  amazonCheckoutSessionId?: string;
}

/** `pending` when GMO-PG could not confirm the result yet: the notification will settle it. */
export type Outcome = 'success' | 'failure' | 'pending';

export interface AmazonPayHandlerOptions {
  /** The GMO-PG client, or its configuration (default: the GMO_PG_* environment variables). */
  gmo?: GmoPgClient | GmoPgConfig;
  /** The order store (default: `openOrderStore()`: DATABASE_URL, else PGlite in .data/orders). */
  store?: OrderStore;
  /** Decides amount, tax, job code and, for 利用承諾, the frequency. The amount never comes from the browser. */
  resolveOrder(input: ResolveOrderInput): OrderSpec | Promise<OrderSpec>;
  /** Where RetURL sends the shopper: a URL (`?orderId=…&result=success|failure|pending` is added) or a function. */
  completionUrl: string | ((order: Pick<Order, 'orderId' | 'status' | 'stage'> | undefined, outcome: Outcome, reason?: string) => string);
  /** The shop's public origin, when a proxy hides it (e.g. `https://shop.example`); default the request's. */
  publicUrl?: string;
  /** Origins allowed to POST /checkout; default the shop's own. */
  allowedOrigins?: string[];
  /** ApbType for APB checkouts: PayAndShip (default, Amazon asks for an address) or PayOnly. */
  apbType?: 'PayOnly' | 'PayAndShip';
  /** Seconds the AmazonpayStart token lives (GMO-PG's PaymentTermSec). */
  paymentTermSec?: number;
  /** Largest request body accepted, in bytes; default 16384. */
  maxBodyBytes?: number;
  orderIdPrefix?: string;
  logger?: Logger;
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
  /** Resolves when the work done after answering (confirming notifications, marking orders started) is done (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const SESSION_ID = /^[A-Za-z0-9-]{8,128}$/;

export async function createAmazonPayHandler(options: AmazonPayHandlerOptions): Promise<AmazonPayHandler> {
  if (typeof options.resolveOrder !== 'function') throw new Error('createAmazonPayHandler: resolveOrder is required: it decides the amount on the server');
  if (!options.completionUrl) throw new Error('createAmazonPayHandler: completionUrl is required: where the shopper lands after paying');
  let publicOrigin: string | undefined;
  if (options.publicUrl !== undefined) {
    publicOrigin = URL.canParse(options.publicUrl) ? new URL(options.publicUrl).origin : 'null';
    // Checked here, not on the first checkout: a bad value would otherwise fail every request.
    if (!/^https?:\/\//.test(publicOrigin)) {
      throw new Error(`createAmazonPayHandler: publicUrl ${JSON.stringify(options.publicUrl)} is not an http(s) URL: give the shop's public origin, e.g. https://shop.example`);
    }
  }
  const gmo = options.gmo && 'execTranAmazonpay' in options.gmo ? options.gmo : createGmoPgClient(options.gmo as GmoPgConfig | undefined);
  const store = options.store ?? (await openOrderStore());
  const logger = safeLogger(options.logger ?? consoleLogger);
  const backOffice = createBackOffice(store, gmo, logger, options.orderIdPrefix);
  const maxBody = options.maxBodyBytes ?? 16384;
  const background = new Set<Promise<unknown>>();

  const origin = (c: Context) => publicOrigin ?? new URL(c.req.url).origin;
  const json = (c: Context, status: number, error: { code: string; message: string; gmoErrors?: unknown[]; orderId?: string; field?: string }) =>
    c.json({ error }, status as 400);

  async function body(c: Context): Promise<string | Response> {
    const length = Number(c.req.header('content-length') ?? 0);
    if (length > maxBody) return json(c, 413, { code: 'TOO_LARGE', message: `the request body is over ${maxBody} bytes` });
    const text = await c.req.text();
    if (Buffer.byteLength(text) > maxBody) return json(c, 413, { code: 'TOO_LARGE', message: `the request body is over ${maxBody} bytes` });
    return text;
  }

  const completion = (order: Pick<Order, 'orderId' | 'status' | 'stage'> | undefined, outcome: Outcome, reason?: string) => {
    if (typeof options.completionUrl === 'function') return options.completionUrl(order, outcome, reason);
    const url = new URL(options.completionUrl, 'http://placeholder');
    if (order) url.searchParams.set('orderId', order.orderId);
    url.searchParams.set('result', outcome);
    if (reason) url.searchParams.set('reason', reason);
    return /^https?:/.test(options.completionUrl) ? url.href : url.pathname + url.search;
  };

  const app = new Hono();
  const routes = options.basePath ? app.basePath(options.basePath.replace(/\/$/, '')) : app;

  routes.post('/checkout', async (c) => {
    // A JSON POST from the shop's own pages only: a cross-site form cannot send JSON, and a
    // cross-site script is refused by its Origin.
    const here = origin(c);
    const allowed = options.allowedOrigins ?? [here];
    const from = c.req.header('origin');
    if ((from && !allowed.includes(from)) || (!from && c.req.header('sec-fetch-site') === 'cross-site')) {
      logger.warn('cross-site checkout refused', { origin: from });
      return json(c, 403, { code: 'FORBIDDEN', message: 'cross-site request refused' });
    }
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      return json(c, 415, { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send JSON (content-type: application/json)' });
    }
    const text = await body(c);
    if (text instanceof Response) return text;
    let input: Record<string, unknown>;
    try {
      input = text ? JSON.parse(text) : {};
      if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error();
    } catch {
      return json(c, 400, { code: 'BAD_REQUEST', message: 'the body is not a JSON object' });
    }
    const sessionId = input.amazonCheckoutSessionId;
    if (sessionId !== undefined && (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId))) {
      return json(c, 400, { code: 'BAD_REQUEST', field: 'amazonCheckoutSessionId', message: 'amazonCheckoutSessionId must be the id from the confirm page URL' });
    }
    const kind = sessionId ? 'session' : 'apb';

    let spec: OrderSpec;
    try {
      spec = await options.resolveOrder({ request: c.req.raw, body: input, kind, amazonCheckoutSessionId: sessionId as string | undefined });
      checkSpec(spec);
    } catch (error) {
      logger.error('resolveOrder failed', { error: (error as Error).message });
      return json(c, 500, { code: 'ORDER_UNRESOLVED', message: 'ご注文の内容を確認できませんでした。カートの内容をご確認のうえ、もう一度お試しください。' });
    }

    const orderId = newOrderId(options.orderIdPrefix);
    const jobCd = spec.jobCd ?? 'AUTH';
    const order = {
      orderId, kind, jobCd, amount: spec.amount, tax: spec.tax ?? 0, checkoutSessionId: (sessionId as string) ?? null,
      frequencyUnit: spec.frequency?.unit ?? null, frequencyValue: spec.frequency?.value ?? null, description: spec.description ?? null,
    } as const;
    const detail = { amount: spec.amount, tax: spec.tax ?? 0, jobCd };
    const refuse = (stage: Order['stage'], error: unknown) => {
      const failure = failureOf(error);
      logger.warn('checkout stopped', { orderId, stage, error: (error as Error).message });
      return json(c, failure.status, { code: failure.code, message: failure.message, gmoErrors: failure.gmoErrors, orderId });
    };
    const codes = (error: unknown) => (error instanceof GmoPgError ? error.codes.join('|') : null);
    // The order store failed: the shopper must not pay for an order the shop cannot find again.
    const unrecorded = (error: Error) => {
      logger.error('order not recorded: checkout stopped before the shopper could pay', { orderId, error: error.message });
      return json(c, 503, { code: 'ORDER_NOT_RECORDED', message: 'ただいまご注文を受け付けられません。しばらくしてからもう一度お試しください。', orderId });
    };

    let entry;
    try {
      entry = await gmo.entryTranAmazonpay({ orderId, jobCd, amount: spec.amount, tax: spec.tax });
    } catch (error) {
      const stage = error instanceof GmoPgError ? 'entry_failed' : 'entry_unknown';
      await store.create({ ...order, stage, errorCodes: codes(error) }, { source: 'checkout', event: 'EntryTranAmazonpay failed', detail: { ...detail, error: (error as Error).message } });
      return refuse(stage, error);
    }
    // GMO-PG now holds a transaction. The order (with its AccessPass) must be durable before the
    // browser gets the token to pay with; it is written while ExecTran is on the wire, and the
    // answer waits for both. A crash from here on leaves an order that says where it stopped.
    // The write is handed to the database first: started after ExecTran, it competed with the
    // sandbox's work on a 2-core machine and ExecTran came back later (bench/server.mjs).
    const retUrl = new URL(c.req.path.replace(/\/checkout$/, '/result'), here).href;
    const common = {
      ...entry, orderId, retUrl, description: spec.description, paymentTermSec: options.paymentTermSec, frequency: spec.frequency,
      clientField1: spec.clientField1, clientField2: spec.clientField2, clientField3: spec.clientField3,
    };
    const created = store
      .create({ ...order, stage: 'entered', status: 'UNPROCESSED', accessId: entry.accessId, accessPass: entry.accessPass }, { source: 'checkout', event: `EntryTranAmazonpay (${kind})`, detail }, { journal: true })
      .then(() => undefined, (error: Error) => error);
    const exec = gmo.execTranAmazonpay(
      sessionId ? { ...common, amazonCheckoutSessionId: sessionId as string } : { ...common, apbType: options.apbType ?? 'PayAndShip' },
    );
    let start;
    try {
      start = await exec;
    } catch (error) {
      const notRecorded = await created;
      if (notRecorded) return unrecorded(notRecorded);
      const stage = error instanceof GmoPgError ? 'exec_failed' : 'exec_unknown';
      await store.record(orderId, { stage, errorCodes: codes(error) }, { source: 'checkout', event: 'ExecTranAmazonpay failed', detail: { error: (error as Error).message } });
      return refuse(stage, error);
    }
    const notRecorded = await created;
    if (notRecorded) return unrecorded(notRecorded);
    // 'started' is bookkeeping, so the shopper does not wait for it: the order is already durable,
    // and a result or notification that comes first moves it on from 'entered' by itself
    // (reconcile), which is why this write only applies to an order still at 'entered'.
    const started = store
      .record(orderId, { stage: 'started', status: 'REQSUCCESS' }, { source: 'checkout', event: 'ExecTranAmazonpay: shopper sent to AmazonpayStart' }, { ifStage: 'entered', deferred: true })
      .catch((error) => logger.warn('order not marked started (it stays entered until its result)', { orderId, error: (error as Error).message }))
      .finally(() => background.delete(started));
    background.add(started);
    logger.info('checkout started', { orderId, kind, amount: spec.amount });
    return c.json({ startUrl: start.startUrl, accessId: start.accessId, token: start.token, orderId });
  });

  routes.post('/result', async (c) => {
    const text = await body(c);
    if (text instanceof Response) return text;
    const r = parseForm(text, 'utf-8', new Set());
    const order = r.OrderID ? await store.get(r.OrderID) : undefined;
    const verified =
      order?.accessId &&
      r.ShopID === gmo.shopId &&
      gmo.verifyCheckString({ orderId: r.OrderID, accessId: order.accessId, amazonChargePermissionId: r.AmazonChargePermissionID ?? '', checkString: r.CheckString ?? '' });
    if (!order || !verified) {
      // Forged, tampered or not ours: nothing is recorded, the shopper sees a failure page.
      logger.warn('RetURL result rejected: CheckString does not verify', { orderId: r.OrderID, known: !!order });
      return c.redirect(completion(order, 'failure', 'unverified'), 303);
    }
    // CheckString covers OrderID, AccessID, ShopID and the charge permission, not Status or
    // ErrCode: the status is taken from GMO-PG itself (SearchTradeMulti), never from the post.
    let trade;
    try {
      trade = await gmo.searchTradeMulti({ orderId: order.orderId });
    } catch (error) {
      logger.warn('RetURL result not confirmed: SearchTradeMulti failed', { orderId: order.orderId, error: (error as Error).message });
      return c.redirect(completion(order, 'pending', 'unconfirmed'), 303);
    }
    if (trade.accessId !== order.accessId) {
      logger.warn('RetURL result rejected: GMO-PG has another transaction for this order', { orderId: order.orderId });
      return c.redirect(completion(order, 'failure', 'unverified'), 303);
    }
    if (r.Status && r.Status !== trade.status) {
      logger.warn('RetURL status differs from GMO-PG; GMO-PG is believed', { orderId: order.orderId, posted: r.Status, confirmed: trade.status });
    }
    const paid = ['AUTH', 'CAPTURE', 'SALES', 'CANCEL', 'RETURN'].includes(trade.status);
    const { order: updated } = await store.update(order.orderId, (current) => {
      const changes = {
        status: trade.status,
        stage: paid ? ('completed' as const) : r.ErrCode || trade.status === 'PAYFAIL' ? ('failed' as const) : current.stage,
        chargePermissionId: trade.amazonChargePermissionId || r.AmazonChargePermissionID || current.chargePermissionId,
        errorCodes: paid ? null : (r.ErrInfo ?? current.errorCodes),
      };
      // A reload of the same result, or a notification that came first: nothing to add.
      if ((Object.keys(changes) as (keyof typeof changes)[]).every((k) => changes[k] === current[k])) return null;
      return {
        changes,
        event: {
          source: 'RetURL',
          event: paid ? `payment completed (CheckString verified, ${trade.status} confirmed)` : `payment failed (${r.ErrInfo ?? trade.status})`,
          detail: { status: trade.status, errInfo: r.ErrInfo },
        },
      };
    });
    const outcome: Outcome = updated.stage === 'completed' ? 'success' : updated.stage === 'failed' ? 'failure' : 'pending';
    return c.redirect(completion(updated, outcome, outcome === 'success' ? undefined : (updated.errorCodes ?? updated.status ?? undefined)), 303);
  });

  routes.post('/notify', async (c) => {
    const raw = Buffer.from(await c.req.arrayBuffer());
    if (raw.length > maxBody) return c.text('1', 413);
    const n = parseForm(raw);
    // Answer 0 at once (GMO-PG waits 15 s at most); the status is confirmed with SearchTradeMulti
    // afterwards, because anyone can POST here.
    if (n.OrderID && n.ErrInfo !== 'E00000000') {
      const task = reconcile(store, gmo, n.OrderID, 'notification')
        .then((result) => {
          if (!result) logger.warn('notification for an unknown order', { orderId: n.OrderID });
        })
        .catch((error) => logger.warn('notification not confirmed', { orderId: n.OrderID, error: (error as Error).message }))
        .finally(() => background.delete(task));
      background.add(task);
    }
    return c.text('0');
  });

  routes.get('/address', async (c) => {
    const sessionId = c.req.query('amazonCheckoutSessionId') ?? '';
    if (!SESSION_ID.test(sessionId)) {
      return json(c, 400, { code: 'BAD_REQUEST', field: 'amazonCheckoutSessionId', message: 'pass ?amazonCheckoutSessionId= from the confirm page URL' });
    }
    c.header('cache-control', 'no-store');
    try {
      const a = await gmo.searchAddressAmazonpay({ amazonCheckoutSessionId: sessionId });
      return c.json({ shipping: a.shipping, billing: a.billing, buyer: { name: a.buyer.name, email: a.buyer.email }, paymentDescriptor: a.paymentDescriptor });
    } catch (error) {
      const failure = failureOf(error);
      return json(c, failure.status, { code: failure.code, message: failure.message, gmoErrors: failure.gmoErrors });
    }
  });

  const idle = async () => {
    while (background.size) await Promise.allSettled([...background]);
  };
  return {
    app,
    fetch: (request) => Promise.resolve(app.fetch(request)),
    store,
    gmo,
    backOffice,
    idle,
    async close() {
      await idle();
      await store.close();
    },
  };
}

function checkSpec(spec: OrderSpec) {
  const whole = (n: unknown, min: number) => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= 9_999_999;
  if (!spec || !whole(spec.amount, 1)) throw new Error(`amount ${spec?.amount}: a whole number of yen from 1 to 9999999`);
  if (spec.tax !== undefined && !whole(spec.tax, 0)) throw new Error(`tax ${spec.tax}: a whole number of yen`);
  if (spec.jobCd !== undefined && spec.jobCd !== 'AUTH' && spec.jobCd !== 'CAPTURE') throw new Error(`jobCd ${spec.jobCd}: AUTH or CAPTURE`);
  if (spec.frequency && (!['Year', 'Month', 'Week', 'Day', 'Variable'].includes(spec.frequency.unit) || !whole(spec.frequency.value, 1))) {
    throw new Error(`frequency ${JSON.stringify(spec.frequency)}: unit Year/Month/Week/Day/Variable and a whole value`);
  }
}
