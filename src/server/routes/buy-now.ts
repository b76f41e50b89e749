/**
 * POST /buy-now: the Buy Now button (`amazon.Pay.renderJSButton`, `<amazon-pay-v2 mode="buy-now">`).
 *   { step: 'init' }     → the cart Amazon's onInitCheckout returns, from resolveOrder (never the browser)
 *   { step: 'complete', amazonChargePermissionId, amazonPayMFAReturnUrl }
 *                        → EntryTranAmazonpay, ExecTranAmazonpay with that charge permission
 *                          (ApbType, RetURL = the MFA return URL), CheckString verified
 *                        → { status: 'success' | 'decline' | 'error', orderId, pending? }, what onCompleteCheckout returns
 *                          (pending: GMO-PG has not authorized yet, e.g. the buyer must authenticate first)
 * The call shape follows Amazon's GMO-PG sample (amazonpaycpsp-gmosampleapp-apb, 2025), not a GMO-PG
 * document: inferred. So is the mapping of a refused ExecTran to 'decline' (Amazon then lets the buyer
 * choose another way to pay; the sample answers 'decline' to every failure).
 */
import { GmoPgError } from '../errors.js';
import { newOrderId } from '../order-id.js';
import { failureOf } from '../outcome.js';
import { jsonError, resolveOrderOf, sameSiteJson, type HandlerContext, type Routes } from './context.js';

/** Amazon's charge permission IDs: `S03-1234567-1234567` (sandbox) or `B01-…`, `P01-…`. */
const CHARGE_PERMISSION_ID = /^[A-Z0-9]{3}-\d{7}-\d{7}$/;

/** What GMO-PG answers for a payment that went through: authorized, or captured at once. */
const PAID = new Set(['AUTH', 'CAPTURE', 'SALES']);

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
    if (input.step === 'init') {
      // What onInitCheckout returns to Amazon: the amounts as the server has them.
      return c.json({ totalBaseAmount: money(spec.amount), totalTaxAmount: money(tax), totalOrderAmount: money(spec.amount + tax) });
    }

    const orderId = newOrderId(options.orderIdPrefix);
    const jobCd = spec.jobCd ?? 'AUTH';
    const detail = { amount: spec.amount, tax, jobCd };
    await store.create(
      { orderId, kind: 'buy-now', jobCd, amount: spec.amount, tax, chargePermissionId: chargePermissionId as string, description: spec.description ?? null },
      { source: 'checkout', event: 'Buy Now: onCompleteCheckout', detail },
    );
    const answer = (status: 'success' | 'decline' | 'error', message?: string) => c.json({ status, orderId, ...(message ? { message } : {}) });
    let stage: 'entry_failed' | 'exec_failed' = 'entry_failed';
    try {
      const entry = await gmo.entryTranAmazonpay({ orderId, jobCd, amount: spec.amount, tax: spec.tax });
      await store.update(orderId, () => ({ changes: { stage: 'entered', status: 'UNPROCESSED', accessId: entry.accessId, accessPass: entry.accessPass }, event: { source: 'checkout', event: 'EntryTranAmazonpay (buy-now)', detail } }));
      stage = 'exec_failed';
      // The client verifies the answer's CheckString (with the charge permission sent) before it returns.
      const result = await gmo.execTranAmazonpay({
        ...entry, orderId, amazonChargePermissionId: chargePermissionId as string, apbType: 'PayOnly', retUrl: mfaReturnUrl as string,
        description: spec.description, clientField1: spec.clientField1, clientField2: spec.clientField2, clientField3: spec.clientField3,
      });
      if (!PAID.has(result.status)) {
        // Not authorized yet: Amazon asks the buyer to authenticate (MFA) and sends them to the
        // MFA return URL, which is GMO-PG's RetURL here, so the shop's /result never sees the
        // outcome: GMO-PG's notification (or reconcile()) settles the order. Until then it is not
        // paid. Amazon is told "success", not "decline": a decline would invite a second payment
        // while this one may still complete. All inferred (see the README).
        await store.update(orderId, () => ({
          changes: { stage: 'started', status: result.status, errorCodes: null },
          event: { source: 'checkout', event: `ExecTranAmazonpay (buy-now), CheckString verified: not authorized yet (${result.status}); the buyer may be asked to authenticate`, detail: { status: result.status } },
        }));
        logger.warn('Buy Now: payment not authorized yet; the notification or reconcile() settles it', { orderId, status: result.status });
        return c.json({ status: 'success', orderId, pending: true });
      }
      const { order } = await store.update(orderId, () => ({
        changes: { stage: 'completed', status: result.status, errorCodes: null },
        event: { source: 'checkout', event: 'ExecTranAmazonpay (buy-now), CheckString verified', detail: { status: result.status } },
      }));
      logger.info('Buy Now: payment completed', { orderId, status: order.status, amount: order.amount });
      return answer('success');
    } catch (error) {
      const codes = error instanceof GmoPgError ? error.codes.join('|') : null;
      const unknown = !(error instanceof GmoPgError);
      await store.update(orderId, () => ({
        changes: { stage: unknown ? (stage === 'entry_failed' ? 'entry_unknown' : 'exec_unknown') : stage, errorCodes: codes },
        event: { source: 'checkout', event: 'Buy Now: payment not completed', detail: { error: (error as Error).message } },
      }));
      logger.warn('Buy Now: payment not completed', { orderId, stage, error: (error as Error).message });
      const failure = failureOf(error);
      // A refused ExecTran: Amazon shows the decline and lets the buyer choose again (inferred).
      if (stage === 'exec_failed' && error instanceof GmoPgError && failure.code === 'GMO_PG_ERROR') return answer('decline', 'お支払いが承認されませんでした。別のお支払い方法をお選びください。');
      return answer('error', failure.message);
    }
  });
}
