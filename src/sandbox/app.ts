/**
 * The offline sandbox: a protocol-faithful GMO-PG (every Amazon Pay `.idPass` API, AmazonpayStart,
 * RetURL, result notifications) and a stand-in for Amazon (checkout.js, checkout/initiate, the
 * change pages), as one Hono app that any Node server can mount, or `npm run sandbox` runs alone.
 * This file holds the options and puts the parts together; each family of routes is a module of routes/.
 */
import { createPublicKey } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { FetchApp } from '../server/endpoint/fetch-app.js';
import { limitBody } from '../server/endpoint/http/body-limit.js';
import { FaultBox, type Faults } from './faults.js';
import { completePayment, type GmoContext } from './gmo/api.js';
import { Notifier } from './gmo/notifier.js';
import { errorPage, escapeHtml } from './pages.js';
import { amazonRoutes } from './routes/amazon.js';
import { controlRoutes } from './routes/control.js';
import type { SandboxParts } from './routes/context.js';
import { gmoApiRoutes } from './routes/gmo-api.js';
import { gmoStartRoutes } from './routes/gmo-start.js';
import { SandboxState } from './state.js';

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

/** Resolved here, not in routes/: the build copies the stand-in beside the sandbox's bundle (vite.config.ts). */
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

  const parts: SandboxParts = { options, base, shopId, state, faults, publicKey, standIn: STAND_IN, gmo: context, latency };
  amazonRoutes(r, parts);
  gmoStartRoutes(r, parts);
  gmoApiRoutes(r, parts);
  controlRoutes(r, parts);

  const authenticate = (orderId: string, outcome: 'paid' | 'declined' = 'paid') => {
    const trade = state.tradeByOrder(shopId, orderId);
    if (!trade || trade.flow !== 'buy-now' || trade.status !== 'REQSUCCESS')
      throw new Error(`no Buy Now payment of order ${orderId} waits for the buyer to authenticate`);
    completePayment(context({ req: { url: 'http://127.0.0.1/' } }), trade, outcome);
    return trade.retUrl ?? '';
  };
  return { app, basePath: base, shopId, shopPass, state, faults, notifier, authenticate, close: () => notifier.close() };
}
