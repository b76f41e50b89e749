/**
 * POST /checkout: JSON `{}` (APB) or `{ amazonCheckoutSessionId }` (the confirm page)
 * → EntryTranAmazonpay, ExecTranAmazonpay → `{ startUrl, accessId, token, orderId }`.
 * The amount comes from the shop's `resolveOrder`, never from the browser; the order (with its
 * AccessPass) is durable before the browser gets the token to pay with.
 */
import { newOrderId } from '../../orders/order-id.js';
import { totalsOf } from '../../payments/order-spec.js';
import { failureOf } from '../failure.js';
import { startCheckout } from '../../payments/flow.js';
import { jsonError, resolveOrderOf, sameSiteJson, SESSION_ID, type HandlerContext, type Routes } from './context.js';

export function checkoutRoute(routes: Routes, ctx: HandlerContext): void {
  const { options, gmo, store, logger } = ctx;

  routes.post('/checkout', async (c) => {
    const input = await sameSiteJson(c, ctx);
    if (input instanceof Response) return input;
    const here = c.get('origin');
    const sessionId = input.amazonCheckoutSessionId;
    if (sessionId !== undefined && (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId))) {
      return jsonError(c, 400, {
        code: 'BAD_REQUEST',
        field: 'amazonCheckoutSessionId',
        message: 'amazonCheckoutSessionId must be the id from the confirm page URL',
      });
    }
    const kind = sessionId ? 'session' : 'apb';

    const spec = await resolveOrderOf(c, ctx, { request: c.req.raw, body: input, kind, amazonCheckoutSessionId: sessionId });
    if (spec instanceof Response) return spec;

    const orderId = newOrderId(options.orderIdPrefix);
    const jobCd = spec.jobCd ?? 'AUTH';
    // GMO-PG's Amount and Tax (税送料): amount − discount, tax + shipping.
    const { gmoAmount: amount, gmoTax: tax } = totalsOf(spec);
    const retUrl = new URL(c.req.path.replace(/\/checkout$/, '/result'), here).href;
    const result = await startCheckout(
      { store, gmo, logger, later: ctx.later },
      {
        orderId,
        jobCd,
        amount,
        tax,
        source: 'checkout',
        label: kind,
        record: {
          kind,
          checkoutSessionId: sessionId ?? null,
          frequencyUnit: spec.frequency?.unit ?? null,
          frequencyValue: spec.frequency?.value ?? null,
          description: spec.description ?? null,
        },
      },
      (entry) => {
        const common = {
          ...entry,
          orderId,
          retUrl,
          description: spec.description,
          paymentTermSec: options.paymentTermSec,
          frequency: spec.frequency,
          clientField1: spec.clientField1,
          clientField2: spec.clientField2,
          clientField3: spec.clientField3,
        };
        return gmo.execTranAmazonpay(sessionId ? { ...common, amazonCheckoutSessionId: sessionId } : { ...common, apbType: options.apbType ?? 'PayAndShip' });
      },
    );
    if (result.outcome === 'started') {
      logger.info('checkout started', { orderId, kind, amount });
      const { start } = result;
      return c.json({ startUrl: start.startUrl, accessId: start.accessId, token: start.token, orderId });
    }
    if (result.outcome === 'refused' || result.outcome === 'unknown') {
      const failure = failureOf(result.error);
      return jsonError(c, failure.status, {
        code: failure.code,
        message: failure.message,
        userMessage: failure.message,
        gmoErrors: failure.gmoErrors,
        orderId,
      });
    }
    // The order store failed: the shopper must not pay for an order the shop cannot find again.
    const error = (result as { error: Error }).error;
    logger.error('order not recorded: checkout stopped before the shopper could pay', { orderId, error: error.message });
    const words = 'ただいまご注文を受け付けられません。しばらくしてからもう一度お試しください。';
    return jsonError(c, 503, {
      code: 'ORDER_NOT_RECORDED',
      message: `the order could not be recorded (see the server log): ${words}`,
      userMessage: words,
      orderId,
    });
  });
}
