/** GET /address?amazonCheckoutSessionId=…: SearchAddressAmazonpay for the confirm page. */
import { failureOf } from '../failure.js';
import { jsonError, SESSION_ID, type HandlerContext, type Routes } from './context.js';

export function addressRoute(routes: Routes, { gmo }: HandlerContext): void {
  routes.get('/address', async (c) => {
    const sessionId = c.req.query('amazonCheckoutSessionId') ?? '';
    if (!SESSION_ID.test(sessionId)) {
      return jsonError(c, 400, { code: 'BAD_REQUEST', field: 'amazonCheckoutSessionId', message: 'pass ?amazonCheckoutSessionId= from the confirm page URL' });
    }
    c.header('cache-control', 'no-store');
    try {
      const a = await gmo.searchAddressAmazonpay({ amazonCheckoutSessionId: sessionId });
      return c.json({ shipping: a.shipping, billing: a.billing, buyer: { name: a.buyer.name, email: a.buyer.email }, paymentDescriptor: a.paymentDescriptor });
    } catch (error) {
      const failure = failureOf(error);
      return jsonError(c, failure.status, { code: failure.code, message: failure.message, userMessage: failure.message, gmoErrors: failure.gmoErrors });
    }
  });
}
