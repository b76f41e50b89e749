/**
 * POST /buy-now: the Buy Now button (`amazon.Pay.renderJSButton`, `<amazon-pay-v2 mode="buy-now">`).
 *   { step: 'init' }     → the cart Amazon's onInitCheckout returns, from resolveOrder (never the browser),
 *                          with `orderId`: the quote, recorded on the server (an order at `created`)
 *   { step: 'complete', orderId, amazonChargePermissionId, amazonPayMFAReturnUrl }
 *                        → the quote's amount, and only it, is charged: EntryTranAmazonpay, ExecTranAmazonpay
 *                          with that charge permission (ApbType, RetURL = the MFA return URL), CheckString verified
 *                        → { status: 'success' | 'decline' | 'error', orderId, pending? }, what onCompleteCheckout returns
 *                          (pending: GMO-PG has not authorized yet, or its answer was lost; the order is open)
 * The amount authorized is the amount the buyer approved: the cart is resolved again at completion and
 * a cart that changed since Amazon showed it is declined (with a log line), never charged at the new
 * amount. A quote pays once: a second completion answers how the first ended.
 * The call shape follows Amazon's GMO-PG sample (amazonpaycpsp-gmosampleapp-apb, 2025), not a GMO-PG
 * document: inferred. So is the mapping of a refused ExecTran to 'decline' (Amazon then lets the buyer
 * choose another way to pay; the sample answers 'decline' to every failure).
 */
import { newOrderId } from '../order-id.js';
import type { Order } from '../orders/types.js';
import { failureOf } from '../outcome.js';
import { chargeNow, type FlowResult } from '../payments/flow.js';
import { jsonError, ORDER_ID, resolveOrderOf, sameSiteJson, type HandlerContext, type Routes } from './context.js';

/** Amazon's charge permission IDs: `S03-1234567-1234567` (sandbox) or `B01-…`, `P01-…`. */
const CHARGE_PERMISSION_ID = /^[A-Z0-9]{3}-\d{7}-\d{7}$/;

const money = (amount: number) => ({ amount: String(amount), currencyCode: 'JPY' });

export function buyNowRoute(routes: Routes, ctx: HandlerContext): void {
  const { options, gmo, store, logger } = ctx;

  routes.post('/buy-now', async (c) => {
    const input = await sameSiteJson(c, ctx);
    if (input instanceof Response) return input;
    if (input.step !== 'init' && input.step !== 'complete') {
      return jsonError(c, 400, { code: 'BAD_REQUEST', field: 'step', message: 'step must be "init" (the cart for onInitCheckout) or "complete" (onCompleteCheckout)' });
    }
    const chargePermissionId = input.amazonChargePermissionId;
    const mfaReturnUrl = input.amazonPayMFAReturnUrl;
    if (input.step === 'complete') {
      if (typeof input.orderId !== 'string' || !ORDER_ID.test(input.orderId)) {
        return jsonError(c, 400, { code: 'BAD_REQUEST', field: 'orderId', message: 'orderId must be the orderId the init step answered (the quote Amazon showed the buyer)' });
      }
      if (typeof chargePermissionId !== 'string' || !CHARGE_PERMISSION_ID.test(chargePermissionId)) {
        return jsonError(c, 400, { code: 'BAD_REQUEST', field: 'amazonChargePermissionId', message: 'amazonChargePermissionId must be the id Amazon passed to onCompleteCheckout' });
      }
      if (typeof mfaReturnUrl !== 'string' || mfaReturnUrl.length > 2048 || !/^https?:\/\//.test(mfaReturnUrl) || !URL.canParse(mfaReturnUrl)) {
        return jsonError(c, 400, { code: 'BAD_REQUEST', field: 'amazonPayMFAReturnUrl', message: 'amazonPayMFAReturnUrl must be the http(s) URL Amazon passed to onCompleteCheckout' });
      }
    }

    const spec = await resolveOrderOf(c, ctx, { request: c.req.raw, body: input, kind: 'buy-now' });
    if (spec instanceof Response) return spec;
    const tax = spec.tax ?? 0;
    const jobCd = spec.jobCd ?? 'AUTH';
    if (input.step === 'init') {
      // The quote: what Amazon shows the buyer is what completion may charge, kept on the server.
      const orderId = newOrderId(options.orderIdPrefix);
      await store.create(
        { orderId, kind: 'buy-now', jobCd, amount: spec.amount, tax, description: spec.description ?? null },
        { source: 'checkout', event: 'Buy Now: cart quoted for onInitCheckout', detail: { amount: spec.amount, tax, jobCd } },
      );
      return c.json({ orderId, totalBaseAmount: money(spec.amount), totalTaxAmount: money(tax), totalOrderAmount: money(spec.amount + tax) });
    }

    const orderId = input.orderId as string;
    const answer = (status: 'success' | 'decline' | 'error', extra: { message?: string; pending?: boolean } = {}) => c.json({ status, orderId, ...extra });
    const quote = await store.get(orderId);
    if (!quote || quote.kind !== 'buy-now') {
      return jsonError(c, 400, { code: 'BAD_REQUEST', field: 'orderId', message: 'orderId must be the orderId the init step answered' });
    }
    // A quote pays once: a second completion (a double click, a retry after an error) answers how the first ended.
    if (quote.stage !== 'created') return answer(...answerOf(quote));
    if (spec.amount !== quote.amount || tax !== quote.tax || jobCd !== quote.jobCd) {
      await store.record(orderId, { stage: 'failed' }, { source: 'checkout', event: 'Buy Now: the cart changed after Amazon showed it: not charged', detail: { quoted: quote.amount + quote.tax, now: spec.amount + tax } }, { ifStage: 'created' });
      logger.warn('Buy Now declined: the cart changed after Amazon showed it to the buyer', { orderId, quoted: quote.amount + quote.tax, now: spec.amount + tax });
      return answer('decline', { message: 'カートの内容が変わりました。もう一度お手続きください。' });
    }
    const result = await chargeNow(
      { store, gmo, logger, later: ctx.later },
      { orderId, jobCd, amount: quote.amount, tax: quote.tax, source: 'checkout', label: 'buy-now', entered: { chargePermissionId: chargePermissionId as string } },
      (entry) =>
        gmo.execTranAmazonpay({
          ...entry, orderId, amazonChargePermissionId: chargePermissionId as string, apbType: 'PayOnly', retUrl: mfaReturnUrl as string,
          description: spec.description, clientField1: spec.clientField1, clientField2: spec.clientField2, clientField3: spec.clientField3,
        }),
    );
    const [status, extra] = answerOfFlow(result);
    if (result.outcome === 'paid') logger.info('Buy Now: payment completed', { orderId, status: result.status, amount: quote.amount });
    if (result.outcome === 'pending') logger.warn('Buy Now: payment not authorized yet; the notification or reconcile() settles it', { orderId, status: result.status });
    return answer(status, extra);
  });
}

type Answer = ['success' | 'decline' | 'error', { message?: string; pending?: boolean }];
const DECLINED = 'お支払いが承認されませんでした。別のお支払い方法をお選びください。';

/**
 * What Amazon is told of a payment. An answer that may hide a payment that went through (no answer
 * from GMO-PG after ExecTran was sent, or Amazon asking the buyer to authenticate) is `success` with
 * `pending`, never `decline` or `error`: those invite the buyer to pay again while the first payment
 * may complete. The order stays open and the notification or the sweep settles it; the page shows
 * "確認中" (inferred: Amazon publishes no answer for this case).
 */
function answerOfFlow(result: FlowResult): Answer {
  switch (result.outcome) {
    case 'paid':
      return ['success', {}];
    case 'pending':
      return ['success', { pending: true }];
    case 'declined':
      return ['decline', { message: DECLINED }];
    case 'unknown':
      return result.step === 'exec' ? ['success', { pending: true }] : ['error', { message: failureOf(result.error).message }];
    case 'refused': {
      // A refused ExecTran: Amazon shows the decline and lets the buyer choose again (inferred).
      const failure = failureOf(result.error);
      return result.step === 'exec' && failure.code === 'GMO_PG_ERROR' ? ['decline', { message: DECLINED }] : ['error', { message: failure.message }];
    }
    default:
      return ['error', { message: 'ただいまお支払いを受け付けられません。しばらくしてからもう一度お試しください。' }];
  }
}

/** What Amazon is told on a second completion of a quote: how the first ended. */
function answerOf(order: Order): Answer {
  if (order.stage === 'completed') return ['success', {}];
  if (order.stage === 'started' || order.stage === 'exec_unknown' || order.stage === 'entered') return ['success', { pending: true }];
  return ['decline', { message: DECLINED }];
}
