/**
 * The offline sandbox: a protocol-faithful GMO-PG (every Amazon Pay `.idPass` API, AmazonpayStart,
 * RetURL, result notifications) and a stand-in for Amazon (checkout.js, checkout/initiate, the
 * change pages), as one Hono app that any Node server can mount, or `npm run sandbox` runs alone.
 */
import { createHash, createPublicKey, constants, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import type { FetchApp } from '../server/endpoint/fetch-app.js';
import { SANDBOX_CODES } from '../server/client/error-codes.js';
import { limitBody } from '../server/endpoint/http/body-limit.js';
import { RESPONSE_CONTENT_TYPE, detectFormCharset, encodeResponse, joinErrors, parseForm } from '../server/client/wire.js';
import { FaultBox, parseFaults, type Faults } from './faults.js';
import { ADDRESSES, CARDS } from './fixtures.js';
import { API_NAMES, ApiError, checkStringOf, completePayment, newChargePermissionId, runApi, type GmoContext } from './gmo/api.js';
import { Notifier } from './gmo/notifier.js';
import { autoPostPage, choicePage, errorPage, escapeHtml, yen } from './pages.js';
import { SandboxState, type Session, type Trade } from './state.js';

export const DEFAULT_SHOP_ID = 'tshop00000001';
export const DEFAULT_SHOP_PASS = 'sandboxpass1';

export interface SandboxOptions {
  /**
   * The test shop's ID; default `SANDBOX_SHOP_ID`, else `tshop00000001`. Never GMO_PG_SHOP_ID: the
   * shop's real credentials, set beside it, must not become the sandbox's.
   */
  shopId?: string;
  /** The test shop's password; default `SANDBOX_SHOP_PASS`, else `sandboxpass1`. */
  shopPass?: string;
  /**
   * Accept `POST /__sandbox/faults` from other machines too. Default off: only from this machine
   * (a loopback peer), since anyone who can switch faults on can make a shop's staging sandbox fail.
   */
  faultsFromAnywhere?: boolean;
  /** Where result notifications go (the merchant's `/notify`); none when unset. */
  notifyUrl?: string;
  /** Milliseconds before each notification retry; default [250, 500, 1000, 2000, 4000] (GMO-PG: ~60 min × 5). */
  notifyRetryDelaysMs?: number[];
  /** Milliseconds the notifier waits for the merchant's `0`; default 15000, as GMO-PG. */
  notifyTimeoutMs?: number;
  /** Seconds a Token lives when ExecTran sends no PaymentTermSec; default 120. */
  defaultPaymentTermSec?: number;
  /** Whether AmazonpaySales must capture exactly the authorized amount; default true. */
  captureMustMatch?: boolean;
  /** AmazonpayType values accepted; default ['3', '4']. */
  amazonpayTypes?: string[];
  /** A PEM public key: when set, button signatures are verified at checkout/initiate. */
  amazonPublicKeyPem?: string;
  /** Keep the records in this JSON file across restarts. */
  stateFile?: string;
  /** Path the app is mounted under, e.g. `/sandbox`; default none. */
  basePath?: string;
  /** Largest request body, in bytes, counted as it arrives; default 65536. */
  maxBodyBytes?: number;
  /** The sandbox's clock (epoch ms), for tests that need time to pass (authorization expiry); default Date.now. */
  clock?: () => number;
  /** How long an uncaptured authorization lives; default 30 days (Amazon Pay's Charge docs). */
  authorizationTtlMs?: number;
  /**
   * How long each GMO-PG API call takes, in ms: a number, or `[min, max]` for a uniform spread. Real
   * GMO-PG answers in tens of milliseconds; the default 0 answers at once (a stress test of the caller).
   */
  latencyMs?: number | [number, number];
  /**
   * Transactions kept in memory (and in the state file): beyond, the oldest settled ones are
   * forgotten, so that a long soak or a shop's staging sandbox does not grow for ever; default 20000.
   */
  maxTrades?: number;
  /** Stylesheets its pages link (e.g. a web font, so that every machine draws them alike); default none. */
  stylesheets?: string[];
}

export interface Sandbox {
  /** The app (a Hono app at run time); `app.fetch` is a web-standard `(Request) => Promise<Response>`. Node: `toNodeListener(sandbox)`. */
  app: FetchApp;
  /** The path its routes and links are under (`basePath` option; '' for none). Node: `toNodeListener(sandbox)`. */
  basePath: string;
  shopId: string;
  shopPass: string;
  state: SandboxState;
  faults: Faults;
  notifier: Notifier;
  /**
   * The buyer passes Amazon's authentication (MFA) for a Buy Now payment that waits for it
   * (`faults.authenticateNext()`): the payment completes (or is declined) and the shop is notified.
   * Returns the RetURL the buyer is then sent to (Amazon's MFA return URL). Inferred.
   */
  authenticate(orderId: string, outcome?: 'paid' | 'declined'): string;
  /** Stops pending notification retries. */
  close(): void;
}

const STAND_IN = new URL('./amazon/checkout.js', import.meta.url);

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const env = process.env;
  const shopId = options.shopId ?? env.SANDBOX_SHOP_ID ?? DEFAULT_SHOP_ID;
  const shopPass = options.shopPass ?? env.SANDBOX_SHOP_PASS ?? DEFAULT_SHOP_PASS;
  const base = (options.basePath ?? '').replace(/\/$/, '');
  const state = new SandboxState(options.stateFile, options.maxTrades);
  const faults = new FaultBox();
  const notifier = new Notifier({
    url: options.notifyUrl,
    retryDelaysMs: options.notifyRetryDelaysMs ?? [250, 500, 1000, 2000, 4000],
    timeoutMs: options.notifyTimeoutMs ?? 15000,
    faults,
  });
  const publicKey = options.amazonPublicKeyPem ? createPublicKey(options.amazonPublicKeyPem) : undefined;
  let checkoutJs: string | undefined;
  const [low, high] = typeof options.latencyMs === 'number' ? [options.latencyMs, options.latencyMs] : (options.latencyMs ?? [0, 0]);
  const latency = () => (high > 0 ? low + Math.random() * (high - low) : 0);

  const context = (c: Pick<Context, 'req'> | { req: { url: string } }): GmoContext => ({
    shopId,
    shopPass,
    state,
    defaultPaymentTermSec: options.defaultPaymentTermSec ?? 120,
    captureMustMatch: options.captureMustMatch ?? true,
    amazonpayTypes: options.amazonpayTypes ?? ['3', '4'],
    startUrl: new URL(`${base}/payment/AmazonpayStart.idPass`, c.req.url).href,
    takeDecline: () => faults.takeDecline(),
    takeAuthentication: () => faults.takeAuthentication(),
    notify: (trade) => notifier.send(trade),
    now: options.clock ?? Date.now,
    authorizationTtlMs: options.authorizationTtlMs ?? 30 * 24 * 3600_000,
  });

  const app = new Hono();
  const r = base ? app.basePath(base) : app;
  r.use('*', limitBody(options.maxBodyBytes ?? 65536));
  if (options.stylesheets?.length) {
    const links = options.stylesheets.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('');
    r.use('*', async (c, next) => {
      await next();
      if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
      const html = await c.res.text();
      c.res = new Response(html.replace('</head>', `${links}</head>`), c.res);
    });
  }
  // The real services answer malformed input with an error page or code, never a crash; so must this.
  app.onError((error, c) => {
    console.error(`[amazon-pay-v2 sandbox] ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return c.html(errorPage('InvalidRequest', 'The request could not be processed.'), 400);
  });

  // ---- Amazon stand-in ------------------------------------------------------------------
  r.get('/amazon/checkout.js', (c) => {
    checkoutJs ??= readFileSync(STAND_IN, 'utf8');
    return c.body(checkoutJs, 200, { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'no-cache' });
  });

  // checkout.js posts the signed button payload here (Amazon's /checkout/initiate).
  r.post('/amazon/checkout/initiate', async (c) => {
    const form = await c.req.parseBody();
    const payloadJSON = String(form.payloadJSON ?? '');
    let payload: any;
    try {
      payload = JSON.parse(payloadJSON);
    } catch {
      return c.html(errorPage('InvalidParameterValue', 'payloadJSON is not JSON.'), 400);
    }
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      return c.html(errorPage('InvalidParameterValue', 'payloadJSON must be a JSON object.'), 400);
    }
    let signature: Session['signature'] = 'not-checked';
    if (publicKey) {
      const algorithm = String(form.algorithm || 'AMZN-PAY-RSASSA-PSS');
      const signed = `${algorithm}\n${createHash('sha256').update(payloadJSON).digest('hex')}`;
      const ok = verify('sha256', Buffer.from(signed), {
        key: publicKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: algorithm === 'AMZN-PAY-RSASSA-PSS-V2' ? 32 : 20,
      }, Buffer.from(String(form.signature ?? ''), 'base64'));
      if (!ok) return c.html(errorPage('InvalidSignatureError', `The signature does not match the payload (${algorithm}).`), 400);
      signature = 'verified';
    }
    const details = payload.webCheckoutDetails ?? {};
    const reviewUrl = webUrl(details.checkoutReviewReturnUrl ?? details.checkoutResultReturnUrl);
    if (!reviewUrl) return c.html(errorPage('InvalidParameterValue', 'webCheckoutDetails.checkoutReviewReturnUrl must be an http(s) URL.'), 400);
    // Amazon sends a cancelled shopper only to the merchant's own pages (its registered domains);
    // here, to the origin of the review URL, so that the sandbox is no open redirect.
    const cancel = details.checkoutCancelUrl ?? form.origin_url;
    const cancelUrl = cancel === undefined ? undefined : webUrl(cancel);
    if (cancel !== undefined && details.checkoutCancelUrl !== undefined && (!cancelUrl || new URL(cancelUrl).origin !== new URL(reviewUrl).origin)) {
      return c.html(errorPage('InvalidParameterValue', 'webCheckoutDetails.checkoutCancelUrl must be on the same site as checkoutReviewReturnUrl.'), 400);
    }
    const frequency = payload.recurringMetadata?.frequency;
    const session: Session = {
      id: crypto.randomUUID(),
      payloadJSON,
      recurring: payload.chargePermissionType === 'Recurring',
      frequency: frequency ? { unit: String(frequency.unit), value: String(frequency.value ?? '1') } : undefined,
      reviewUrl,
      // origin_url is the page the button was on, as checkout.js reports it: only believed on the shop's site.
      cancelUrl: cancelUrl && new URL(cancelUrl).origin === new URL(reviewUrl).origin ? cancelUrl : undefined,
      productType: String(form.productType || 'PayAndShip'),
      addressIndex: 0,
      cardIndex: 0,
      signature,
      used: false,
      createdAt: Date.now(),
    };
    state.sessions.set(session.id, session);
    state.save();
    return c.html(
      choicePage({
        title: session.recurring ? 'Amazon Pay で定期購入を申し込む' : 'Amazon Pay でお支払い',
        action: `${base}/amazon/checkout/continue`,
        fields: { session: session.id },
        withAddress: session.productType !== 'PayOnly',
        withCard: true,
        addressIndex: 0,
        cardIndex: 0,
        intro: session.recurring ? 'この注文は定期的に請求されます (利用承諾)。' : undefined,
        submitLabel: '続行',
        cancelLabel: 'キャンセルしてショップに戻る',
      }),
    );
  });

  r.post('/amazon/checkout/continue', async (c) => {
    const form = await c.req.parseBody();
    const session = state.sessions.get(String(form.session));
    if (!session) return c.html(errorPage('セッションが見つかりません', 'もう一度 Amazon Pay ボタンからお試しください。'), 404);
    if (form.action === 'cancel') return c.redirect(session.cancelUrl ?? new URL('/', session.reviewUrl).href, 303);
    choose(session, form);
    state.save();
    return c.redirect(withSession(session.reviewUrl, session.id), 303);
  });

  // bindChangeAction's links land here: change the address or the card, then back to the confirm page.
  r.get('/amazon/checkout/initiate_auth', (c) => {
    const session = state.sessions.get(c.req.query('amazonCheckoutSessionId') ?? '');
    const action = c.req.query('changeAction');
    if (!session) return c.html(errorPage('セッションが見つかりません', 'amazonCheckoutSessionId が正しくありません。'), 404);
    if (action !== 'changeAddress' && action !== 'changePayment') {
      return c.html(errorPage('InvalidParameterValue', 'changeAction must be changeAddress or changePayment.'), 400);
    }
    return c.html(
      choicePage({
        title: action === 'changeAddress' ? 'お届け先の変更' : 'お支払い方法の変更',
        action: `${base}/amazon/checkout/continue`,
        fields: { session: session.id },
        withAddress: action === 'changeAddress',
        withCard: action === 'changePayment',
        addressIndex: session.addressIndex,
        cardIndex: session.cardIndex,
        submitLabel: '変更してショップに戻る',
        cancelLabel: '変更せずに戻る',
      }),
    );
  });

  // Buy Now with an address: the buyer's Amazon address book, in the shape Amazon hands the
  // shop's handlers (onInitCheckout, onShippingAddressSelection, onCompleteCheckout).
  r.get('/amazon/buy-now/addresses', (c) => c.json(ADDRESSES.map(amazonAddress)));

  // Buy Now (renderJSButton): the stand-in's pay page asks for the charge permission Amazon would
  // hand onCompleteCheckout. One-time, for this amount (what the buyer approved), charged once by ExecTranAmazonpay.
  r.post('/amazon/buy-now/charge-permission', async (c) => {
    const input = await c.req.json().catch(() => null);
    const amount = Number(input?.amount);
    if (!input || typeof input.merchantId !== 'string' || !input.merchantId || !(Number.isInteger(amount) && amount > 0)) {
      return c.json({ error: { code: 'InvalidParameterValue', message: 'send { merchantId, amount } (a whole number above 0)' } }, 400);
    }
    const address = index(input.address, ADDRESSES.length);
    const card = index(input.card, CARDS.length);
    const permission = {
      id: newChargePermissionId(), shopId, type: 'OneTime' as const, status: 'Chargeable' as const, reasonCode: '',
      amountLimit: amount, charged: 0, addressIndex: address, cardIndex: card, buyNow: true, createdAt: Date.now(),
    };
    state.chargePermissions.set(permission.id, permission);
    state.save();
    const a = amazonAddress(ADDRESSES[address]);
    return c.json({
      amazonChargePermissionId: permission.id,
      amazonPayMFAReturnUrl: new URL(`${base}/amazon/buy-now/mfa-return`, c.req.url).href,
      billingAddress: a,
      ...(input.productType === 'PayAndShip' ? { shippingAddress: a } : {}),
      paymentDescriptor: CARDS[card],
      amazonPayCheckoutType: 'BuyNow',
      amazonCheckoutSessionId: crypto.randomUUID(),
    });
  });

  // ---- GMO-PG: AmazonpayStart (the browser leg) -------------------------------------------
  r.post('/payment/AmazonpayStart.idPass', async (c) => {
    const form = await c.req.parseBody();
    const trade = state.trades.get(String(form.AccessID ?? ''));
    if (!trade || !trade.token || trade.token !== form.Token || trade.status !== 'REQSUCCESS') {
      if (trade?.retUrl && trade.status === 'REQSUCCESS') return resultPage(c, trade, SANDBOX_CODES.tokenInvalid);
      return c.html(errorPage('お支払い手続きを開始できません', 'AccessID または Token が正しくないか、既に使用されています。ショップに戻ってやり直してください。'), 400);
    }
    if (Date.now() > (trade.startLimit ?? 0)) {
      trade.token = undefined;
      state.save();
      return resultPage(c, trade, SANDBOX_CODES.tokenInvalid);
    }
    const session = trade.checkoutSessionId ? state.sessions.get(trade.checkoutSessionId) : undefined;
    const apb = trade.flow === 'apb';
    return c.html(
      choicePage({
        title: apb ? 'Amazon Pay で今すぐ支払う' : 'Amazon Pay でお支払いを確定',
        action: `${base}/amazon/pay`,
        fields: { AccessID: trade.accessId, Token: trade.token },
        withAddress: apb && trade.apbType === 'PayAndShip',
        withCard: apb,
        addressIndex: session?.addressIndex ?? 0,
        cardIndex: session?.cardIndex ?? 0,
        amount: yen(trade.amount + trade.tax),
        intro: trade.description,
        submitLabel: apb ? '今すぐ支払う' : '支払う',
        cancelLabel: 'キャンセルしてショップに戻る',
      }),
    );
  });

  // The shopper pays or cancels on the stand-in Amazon page; GMO-PG then returns to RetURL.
  r.post('/amazon/pay', async (c) => {
    const form = await c.req.parseBody();
    const trade = state.trades.get(String(form.AccessID ?? ''));
    if (!trade || !trade.token || trade.token !== form.Token || trade.status !== 'REQSUCCESS') {
      return c.html(errorPage('お支払いを完了できません', 'この支払い手続きは既に完了しているか、無効です。'), 400);
    }
    const choice = { addressIndex: index(form.address, ADDRESSES.length), cardIndex: index(form.card, CARDS.length) };
    const outcome = form.action === 'cancel' ? 'cancelled' : faults.takeDecline() ? 'declined' : 'paid';
    completePayment(context(c), trade, outcome, choice);
    return resultPage(c, trade);
  });

  /** GMO-PG's return to the shop: the browser POSTs the result to RetURL. */
  function resultPage(c: Context, trade: Trade, errInfo?: string) {
    const failed = errInfo ?? (trade.errInfo || undefined);
    const fields: Record<string, string> = {
      ShopID: trade.shopId,
      OrderID: trade.orderId,
      Status: trade.status,
      TranDate: trade.tranDate,
      AmazonChargePermissionID: trade.chargePermissionId,
      CheckString: checkStringOf(context(c), trade),
    };
    if (failed) Object.assign(fields, { ErrCode: failed.slice(0, 3), ErrInfo: failed });
    return c.html(autoPostPage('ショップに戻ります', trade.retUrl!, fields, 'ショップのページに戻ります…'));
  }

  // ---- GMO-PG: the server-to-server APIs ----------------------------------------------------
  r.all('/payment/:file', async (c) => {
    const api = c.req.param('file').replace(/\.idPass$/, '');
    if (!c.req.param('file').endsWith('.idPass') || !API_NAMES.includes(api)) return c.text('Not Found', 404);
    const answer = (fields: Record<string, string | number | undefined>) =>
      c.body(new Uint8Array(encodeResponse(fields)), 200, { 'content-type': RESPONSE_CONTENT_TYPE });
    const fail = (codes: string[]) => answer(joinErrors(codes.map((i) => ({ errCode: i.slice(0, 3), errInfo: i }))));

    if (c.req.method !== 'POST') return fail(['E00000001']);
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/x-www-form-urlencoded/i.test(type)) return fail(['E00000003']);
    const body = Buffer.from(await c.req.arrayBuffer());
    if (!body.length) return fail(['E00000010']);
    // GMO-PG's spec says Windows-31J. A request that says charset=utf-8 is read as UTF-8, and so is
    // one with no charset whose bytes are valid UTF-8: Amazon's own GMO-PG samples send
    // querystring's UTF-8 with no charset, and GMO-PG evidently reads them right (inferred).
    const declared = /charset=([\w-]+)/i.exec(type)?.[1];
    const charset = declared ? (/^utf-?8$/i.test(declared) ? 'utf-8' : 'windows-31j') : detectFormCharset(body);
    const fields = parseForm(body, charset, new Set());

    const delay = faults.takeDelay(api) + latency();
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const cut = faults.takeCut(api);
    if (cut && !cut.processed) return cutConnection(c);
    const forced = faults.takeFailure(api);
    if (forced) return fail(forced);
    let response: Response;
    try {
      response = answer(runApi(context(c), api, fields));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      response = fail(error.errInfo);
    }
    if (cut) return cutConnection(c); // GMO-PG acted; its answer is lost on the way
    const hold = faults.takeHold(api);
    if (hold) await new Promise((resolve) => setTimeout(resolve, hold));
    return response;
  });

  // ---- control, for tests and the demo --------------------------------------------------------
  // A page on another site must not switch faults on (a cross-site form can post text/plain, a
  // script is refused by its Origin), nor another machine (a program sets any Origin it likes), and
  // every value is checked before anything is armed.
  r.post('/__sandbox/faults', async (c) => {
    const peer = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
    if (!options.faultsFromAnywhere && !(peer && /^(127\.|::1$|::ffff:127\.)/.test(peer))) {
      return c.json({ error: { code: 'FORBIDDEN', message: `fault settings are taken from this machine only (the request came from ${peer ?? 'an unknown peer'}); createSandbox({ faultsFromAnywhere: true }) opens them` } }, 403);
    }
    const from = c.req.header('origin');
    if ((from && from !== new URL(c.req.url).origin) || c.req.header('sec-fetch-site') === 'cross-site') {
      return c.json({ error: { code: 'FORBIDDEN', message: 'fault settings are taken from the same site only' } }, 403);
    }
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      return c.json({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send JSON (content-type: application/json)' } }, 415);
    }
    const parsed = parseFaults(await c.req.text(), API_NAMES);
    if ('error' in parsed) return c.json({ error: { code: 'BAD_REQUEST', ...parsed.error } }, 400);
    const f = parsed.faults;
    if (f.clear) faults.clear();
    if (f.failNext) faults.failNext(f.failNext.api, f.failNext.errInfo, f.failNext.times);
    if (f.delayNext) faults.delayNext(f.delayNext.api, f.delayNext.ms, f.delayNext.times);
    if (f.holdAnswerNext) faults.holdAnswerNext(f.holdAnswerNext.api, f.holdAnswerNext.ms, f.holdAnswerNext.times);
    if (f.cutNext) faults.cutNext(f.cutNext.api, { processed: f.cutNext.processed, times: f.cutNext.times });
    if (f.declineNext) faults.declineNext(f.declineNext);
    if (f.dropNotifications) faults.dropNotifications(f.dropNotifications);
    if (f.authenticateNext) faults.authenticateNext(f.authenticateNext);
    return c.json({ ok: true });
  });
  // The records, without secrets: what a test compares the merchant's own records with.
  r.get('/__sandbox/trades', (c) =>
    c.json([...state.trades.values()].map(({ accessPass: _pass, token: _token, ...t }) => t)),
  );

  const authenticate = (orderId: string, outcome: 'paid' | 'declined' = 'paid') => {
    const trade = state.tradeByOrder(shopId, orderId);
    if (!trade || trade.flow !== 'buy-now' || trade.status !== 'REQSUCCESS') throw new Error(`no Buy Now payment of order ${orderId} waits for the buyer to authenticate`);
    completePayment(context({ req: { url: 'http://127.0.0.1/' } }), trade, outcome);
    return trade.retUrl ?? '';
  };
  return { app, basePath: base, shopId, shopPass, state, faults, notifier, authenticate, close: () => notifier.close() };
}

/**
 * An answer that never comes, as a network cut would: the socket is closed under Node (a server of
 * @hono/node-server), or, where there is no socket to close, the body fails after the headers.
 */
function cutConnection(c: Context): Response {
  const socket = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming?.socket;
  if (socket) {
    socket.destroy();
    return new Response(null, { status: 200 });
  }
  return new Response(new ReadableStream({ pull: (controller) => controller.error(new Error('connection cut (sandbox fault)')) }), {
    headers: { 'content-type': RESPONSE_CONTENT_TYPE },
  });
}

/** A sandbox address as Amazon's handlers carry one. */
function amazonAddress(a: (typeof ADDRESSES)[number]) {
  return { name: a.name, postalCode: a.postalCode, stateOrRegion: a.stateOrRegion, city: a.city, addressLine1: a.addressLine1, addressLine2: a.addressLine2, countryCode: 'JP', phoneNumber: a.phoneNumber };
}

function choose(session: Session, form: Record<string, unknown>) {
  if (form.address !== undefined) session.addressIndex = index(form.address, ADDRESSES.length);
  if (form.card !== undefined) session.cardIndex = index(form.card, CARDS.length);
}

const index = (value: unknown, length: number) => {
  const n = Number(value ?? 0);
  return Number.isInteger(n) && n >= 0 && n < length ? n : 0;
};

/** `value` as an absolute http(s) URL, or undefined. */
const webUrl = (value: unknown): string | undefined => {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
};

const withSession = (url: string, id: string) => {
  const u = new URL(url);
  u.searchParams.set('amazonCheckoutSessionId', id);
  return u.href;
};
