/**
 * POST /result: the RetURL. GMO-PG's page posts the result here through the shopper's browser, so
 * every field is the shopper's to change: the post is believed only as far as CheckString covers
 * it (OrderID, AccessID, ShopID, the charge permission), the status is asked of GMO-PG itself
 * (SearchTradeMulti), and error codes are kept only in GMO-PG's own shape. The shopper is sent on
 * (303) to the shop's completion page.
 */
import type { Outcome } from '../handler.js';
import { markStale } from '../../payments/confirm.js';
import { isPaid, OPEN_STAGES } from '../../payments/lifecycle.js';
import { parseForm } from '../../client/wire.js';
import { completion, GMO_CODES, ORDER_ID, type HandlerContext, type Routes } from './context.js';

export function resultRoute(routes: Routes, ctx: HandlerContext): void {
  const { options, gmo, store, logger } = ctx;
  const finish = (order: Parameters<typeof completion>[1], outcome: Outcome, reason?: string) => completion(options, order, outcome, reason);

  routes.post('/result', async (c) => {
    const r = parseForm(await c.req.text(), 'utf-8', new Set());
    const orderId = r.OrderID && ORDER_ID.test(r.OrderID) ? r.OrderID : undefined;
    const order = orderId ? await store.get(orderId) : undefined;
    const verified =
      order?.accessId &&
      r.ShopID === gmo.shopId &&
      gmo.verifyCheckString({
        orderId: order.orderId,
        accessId: order.accessId,
        amazonChargePermissionId: r.AmazonChargePermissionID ?? '',
        checkString: r.CheckString ?? '',
      });
    if (!order || !verified) {
      // Forged, tampered or not ours: nothing is recorded, the shopper sees a failure page.
      logger.warn('RetURL result rejected: CheckString does not verify', { orderId: orderId ?? (r.OrderID ? '(malformed)' : undefined), known: !!order });
      return c.redirect(finish(order, 'failure', 'unverified'), 303);
    }
    // CheckString covers OrderID, AccessID, ShopID and the charge permission, not Status or
    // ErrCode: the status is taken from GMO-PG itself (SearchTradeMulti), never from the post. Replays
    // of one post share one confirmation (ctx.confirmations), so a flood costs GMO-PG a question or two.
    let confirmed;
    try {
      confirmed = await ctx.confirmations.RetURL.ask(order.orderId);
    } catch (error) {
      logger.warn('RetURL result not confirmed: SearchTradeMulti failed', { orderId: order.orderId, error: (error as Error).message });
      await markStale(store, order.orderId, 'RetURL', 'RetURL not confirmed', logger);
      return c.redirect(finish(order, 'pending', 'unconfirmed'), 303);
    }
    if (!confirmed || confirmed.foreign || !confirmed.trade) {
      if (!confirmed) logger.warn('RetURL result not confirmed: too many orders being confirmed at once', { orderId: order.orderId });
      else logger.warn('RetURL result rejected: GMO-PG has another transaction for this order', { orderId: order.orderId });
      return c.redirect(confirmed ? finish(order, 'failure', 'unverified') : finish(order, 'pending', 'unconfirmed'), 303);
    }
    const status = confirmed.trade.status;
    if (r.Status && r.Status !== status) {
      logger.warn('RetURL status differs from GMO-PG; GMO-PG is believed', { orderId: order.orderId, confirmed: status });
    }
    let updated = confirmed.order;
    // ErrInfo is not covered by CheckString: kept only when it looks like GMO-PG's codes, so that a
    // shopper's own post cannot put text (or markup) into the shop's records. A result that came back
    // with an error for a payment GMO-PG has not taken ends the attempt (its token is spent); GMO-PG's
    // answer still wins if it ever says paid. Written only over the order as confirmed.
    const errInfo = r.ErrInfo && GMO_CODES.test(r.ErrInfo) ? r.ErrInfo : undefined;
    if (r.ErrCode && !isPaid(status)) {
      const seen = updated.version;
      ({ order: updated } = await store.update(order.orderId, (current) => {
        if (current.version !== seen || isPaid(current.status)) return null;
        const stage = OPEN_STAGES.includes(current.stage) ? ('failed' as const) : current.stage;
        const errorCodes = errInfo ?? current.errorCodes;
        if (stage === current.stage && errorCodes === current.errorCodes) return null;
        return {
          changes: { stage, errorCodes },
          event: { source: 'RetURL', event: `payment failed (${errInfo ?? status})`, detail: { status, ...(errInfo ? { errInfo } : {}) } },
        };
      }));
    }
    const outcome: Outcome = updated.stage === 'completed' ? 'success' : updated.stage === 'failed' ? 'failure' : 'pending';
    logger.info(`RetURL: payment ${outcome === 'success' ? 'completed' : outcome === 'failure' ? 'failed' : 'not settled yet'}`, {
      orderId: updated.orderId,
      status: updated.status,
      stage: updated.stage,
    });
    return c.redirect(finish(updated, outcome, outcome === 'success' ? undefined : (updated.errorCodes ?? updated.status ?? undefined)), 303);
  });
}
