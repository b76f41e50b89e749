/** What the endpoint's routes share: the parts the handler was made of, and small helpers. */
import type { Context, Hono } from 'hono';
import type { GmoPgClient } from '../../client/gmo-pg-client.js';
import type { AmazonPayHandlerOptions, Outcome, ResolveOrderInput } from '../handler.js';
import { checkOrderSpec, OrderSpecError, type OrderSpec } from '../../payments/order-spec.js';
import type { Metrics } from '../../telemetry/metrics.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Order, OrderStore } from '../../orders/types.js';
import type { Confirmation, ConfirmQueue } from '../../payments/confirm.js';

/** The Hono environment of the routes: `origin` is the shop's public origin for this request. */
export type RouteEnv = { Variables: { origin: string } };
export type Routes = Hono<RouteEnv>;

export interface HandlerContext {
  options: AmazonPayHandlerOptions;
  gmo: GmoPgClient;
  store: OrderStore;
  logger: Logger;
  /** Counters for Prometheus (a no-op without `metrics`). */
  metrics: Metrics;
  /** Work done after answering (confirming notifications, marking orders started): `idle()` waits for it. */
  later(task: Promise<unknown>): void;
  /** GMO-PG's answer for an order, one question at a time per order: for notifications (never rejects) and for RetURL. */
  confirmations: { notification: ConfirmQueue<Confirmation | undefined>; RetURL: ConfirmQueue<Confirmation | undefined> };
}

export interface ErrorBody {
  code: string;
  /** For developers (the console, the log): what went wrong and how to fix it. */
  message: string;
  /** For shoppers, when the failure is theirs to see (the element shows it with `show-errors`); otherwise a general line is shown. */
  userMessage?: string;
  field?: string;
  orderId?: string;
  gmoErrors?: unknown[];
}

export const jsonError = (c: Context, status: number, error: ErrorBody) => c.json({ error }, status as 400);

/** Where RetURL sends the shopper: the shop's completionUrl with `?orderId=…&result=…&reason=…`. */
export function completion(
  options: AmazonPayHandlerOptions,
  order: Pick<Order, 'orderId' | 'status' | 'stage'> | undefined,
  outcome: Outcome,
  reason?: string,
): string {
  if (typeof options.completionUrl === 'function') return options.completionUrl(order, outcome, reason);
  const url = new URL(options.completionUrl, 'http://placeholder');
  if (order) url.searchParams.set('orderId', order.orderId);
  url.searchParams.set('result', outcome);
  if (reason) url.searchParams.set('reason', reason);
  return /^https?:/.test(options.completionUrl) ? url.href : url.pathname + url.search;
}

/** GMO-PG's error codes as they look (`E01040010`, `42G020000`), `|`-joined: anything else is not from GMO-PG. */
export const GMO_CODES = /^[A-Z0-9]{9}(\|[A-Z0-9]{9})*$/;
/** GMO-PG's OrderID: 1–27 of A-Z a-z 0-9 and `-`. */
export const ORDER_ID = /^[A-Za-z0-9-]{1,27}$/;
/** Amazon's checkout session ID, as the confirm page's URL carries it. */
export const SESSION_ID = /^[A-Za-z0-9-]{8,128}$/;

/**
 * A JSON POST from the shop's own pages only: a cross-site form cannot send JSON, and a cross-site
 * script is refused by its Origin. Returns the body as an object, or the answer refusing it.
 */
export async function sameSiteJson(c: Context<RouteEnv>, ctx: HandlerContext): Promise<Record<string, unknown> | Response> {
  const allowed = [c.get('origin'), ...(ctx.options.allowedOrigins ?? [])];
  const from = c.req.header('origin');
  if ((from && !allowed.includes(from)) || (!from && c.req.header('sec-fetch-site') === 'cross-site')) {
    ctx.logger.warn('cross-site request refused', { path: c.req.path, origin: from, expected: allowed });
    return jsonError(c, 403, {
      code: 'FORBIDDEN',
      message: `cross-site request refused: Origin ${from ?? '(none)'} is not ${allowed.join(' or ')}; behind a proxy or another host name, set publicUrl (or allowedOrigins)`,
    });
  }
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
    return jsonError(c, 415, { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send JSON (content-type: application/json)' });
  }
  try {
    const text = await c.req.text();
    const input = text ? JSON.parse(text) : {};
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error();
    return input as Record<string, unknown>;
  } catch {
    return jsonError(c, 400, { code: 'BAD_REQUEST', message: 'the body is not a JSON object' });
  }
}

/**
 * The shop's order for this request, from its resolveOrder and checked, or the answer refusing it.
 * Text GMO-PG cannot carry (an emoji, a NUL) is refused with the field named, before anything
 * reaches GMO-PG; any other fault is the shop's code, and the shopper gets no detail.
 */
export async function resolveOrderOf(c: Context, ctx: HandlerContext, input: ResolveOrderInput): Promise<OrderSpec | Response> {
  try {
    const spec = await ctx.options.resolveOrder(input);
    checkOrderSpec(spec);
    return spec;
  } catch (error) {
    const field = error instanceof OrderSpecError ? error.field : undefined;
    ctx.logger.error('resolveOrder failed', { field, error: (error as Error).message });
    if (error instanceof OrderSpecError && error.inText) {
      return jsonError(c, 400, { code: 'ORDER_INVALID', field, message: `the order cannot be sent to GMO-PG: ${error.message}` });
    }
    const words = 'ご注文の内容を確認できませんでした。カートの内容をご確認のうえ、もう一度お試しください。';
    return jsonError(c, 500, { code: 'ORDER_UNRESOLVED', message: `resolveOrder failed (see the server log): ${words}`, userMessage: words });
  }
}
