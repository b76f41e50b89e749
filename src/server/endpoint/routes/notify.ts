/**
 * POST /notify: GMO-PG's result notification. Anyone can post here, so the post is only a hint:
 * the endpoint answers `0` at once (GMO-PG waits 15 s at most) and asks GMO-PG itself where the
 * order stands (payments/confirm.ts). Hints for one order share one confirmation
 * (ctx.confirmations), so a flood of posts costs GMO-PG a couple of calls, not one each.
 */
import { parseForm } from '../../client/wire.js';
import { ORDER_ID, type HandlerContext, type Routes } from './context.js';

export function notifyRoute(routes: Routes, ctx: HandlerContext): void {
  const { logger } = ctx;
  routes.post('/notify', async (c) => {
    const n = parseForm(Buffer.from(await c.req.arrayBuffer()));
    // E00000000 is GMO-PG's connectivity test: nothing to look up, but the log shows the URL is registered right.
    if (n.ErrInfo === 'E00000000') logger.info('notification: GMO-PG connectivity test received');
    else if (n.OrderID && ORDER_ID.test(n.OrderID)) {
      const asked = ctx.confirmations.notification.ask(n.OrderID);
      if (!asked) logger.warn('notification dropped: too many orders being confirmed at once', { orderId: n.OrderID });
    }
    return c.text('0');
  });
}
