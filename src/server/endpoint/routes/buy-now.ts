/**
 * POST /buy-now: the Buy Now button (`amazon.Pay.renderJSButton`, `<amazon-pay-v2 mode="buy-now">`),
 * one step for each of Amazon's handlers:
 *   { step: 'init', productType, shippingAddress? }     onInitCheckout
 *   { step: 'address', orderId, shippingAddress }       onShippingAddressSelection (PayAndShip)
 *   { step: 'delivery', orderId, deliveryOptionId }     onDeliveryOptionSelection (PayAndShip)
 *        → the cart Amazon shows (CartDetails: totals, lineItems, deliveryOptions) from resolveOrder,
 *          never the browser, with `orderId`: the quote, kept on the server (an order at `created`);
 *          or `{ status: 'error', reasonCode }` in Amazon's shape (the shop does not deliver there)
 *   { step: 'complete', orderId, amazonChargePermissionId, amazonPayMFAReturnUrl, shippingAddress?, … }
 *        → the quote's amount, and only it, is charged: EntryTranAmazonpay, ExecTranAmazonpay with
 *          that charge permission (ApbType PayOnly or PayAndShip, RetURL = the MFA return URL),
 *          CheckString verified → { status: 'success' | 'decline' | 'error', orderId, pending? }
 * The amount authorized is the amount the buyer approved: the cart is resolved again at completion
 * and a cart that changed since Amazon showed it is declined (with a log line), never charged at
 * the new amount. A quote pays once: a second completion answers how the first ended.
 * The call shape follows Amazon's Buy Now docs and its GMO-PG sample (amazonpaycpsp-gmosampleapp-apb,
 * 2025), not a GMO-PG document: inferred. So are the mapping of a refused ExecTran to 'decline' (Amazon
 * then lets the buyer choose another way to pay; the sample answers 'decline' to every failure), the
 * reason code `shippingAddressInvalid`, and the hosts of Amazon's MFA return URL.
 */
import type { Context } from 'hono';
import type { OrderSpec } from '../../payments/order-spec.js';
import { checkShipping, OrderSpecError, totalsOf } from '../../payments/order-spec.js';
import { newOrderId } from '../../orders/order-id.js';
import type { Order, ShippingAddress } from '../../orders/types.js';
import { failureOf } from '../failure.js';
import { chargeNow, type FlowResult } from '../../payments/flow.js';
import { jsonError, ORDER_ID, resolveOrderOf, sameSiteJson, type HandlerContext, type Routes } from './context.js';

/** Amazon's charge permission IDs: `S03-1234567-1234567` (sandbox) or `B01-…`, `P01-…`. */
const CHARGE_PERMISSION_ID = /^[A-Z0-9]{3}-\d{7}-\d{7}$/;
const STEPS = ['init', 'address', 'delivery', 'complete'] as const;
type Step = (typeof STEPS)[number];
/** The address fields Amazon hands the handlers, kept as text. */
const ADDRESS_FIELDS = [
  'name',
  'addressLine1',
  'addressLine2',
  'addressLine3',
  'city',
  'county',
  'district',
  'stateOrRegion',
  'postalCode',
  'countryCode',
  'phoneNumber',
] as const;
/**
 * Hosts Amazon's MFA return URL may be on (https): Amazon's shopping and payment domains. Amazon
 * publishes no list: inferred. The shop adds its own with `mfaReturnOrigins`; GMO-PG's base URL's
 * origin (the sandbox, whose stand-in makes the URL) is always accepted.
 */
const AMAZON_HOST = /(^|\.)(amazon\.(co\.jp|com|co\.uk|de|fr|it|es)|payments-amazon\.com)$/;

const money = (amount: number) => ({ amount: String(amount), currencyCode: 'JPY' });

export function buyNowRoute(routes: Routes, ctx: HandlerContext): void {
  const { options, gmo, store, logger } = ctx;
  // (A client object of the shop's own may carry no baseUrl: then only Amazon's hosts and mfaReturnOrigins.)
  const gmoOrigin = typeof gmo.baseUrl === 'string' && URL.canParse(gmo.baseUrl) ? new URL(gmo.baseUrl).origin : undefined;
  const mfaAllowed = (url: URL) =>
    (url.protocol === 'https:' && AMAZON_HOST.test(url.hostname)) || url.origin === gmoOrigin || (options.mfaReturnOrigins ?? []).includes(url.origin);

  routes.post('/buy-now', async (c) => {
    const input = await sameSiteJson(c, ctx);
    if (input instanceof Response) return input;
    const bad = (field: string, message: string) => jsonError(c, 400, { code: 'BAD_REQUEST', field, message });
    const step = input.step as Step;
    if (!STEPS.includes(step)) return bad('step', `step must be one of ${STEPS.join(', ')}: the handler of Amazon's that asks`);
    const address = input.shippingAddress === undefined ? undefined : addressOf(input.shippingAddress);
    if (address === null)
      return bad(
        'shippingAddress',
        `shippingAddress must be Amazon's address object (${ADDRESS_FIELDS.join(', ')}: text of at most 200 characters each, no control characters)`,
      );
    if (step !== 'init' && (typeof input.orderId !== 'string' || !ORDER_ID.test(input.orderId))) {
      return bad('orderId', 'orderId must be the orderId the init step answered (the quote Amazon showed the buyer)');
    }
    if (step === 'init' && input.productType !== undefined && input.productType !== 'PayOnly' && input.productType !== 'PayAndShip') {
      return bad('productType', 'productType must be PayOnly or PayAndShip');
    }
    if (step === 'address' && !address) return bad('shippingAddress', 'the address step needs the shippingAddress Amazon passed to onShippingAddressSelection');
    if (step === 'delivery' && (typeof input.deliveryOptionId !== 'string' || !input.deliveryOptionId || input.deliveryOptionId.length > 100)) {
      return bad('deliveryOptionId', 'the delivery step needs the id of the delivery option the buyer chose');
    }
    if (step === 'complete') {
      if (typeof input.amazonChargePermissionId !== 'string' || !CHARGE_PERMISSION_ID.test(input.amazonChargePermissionId)) {
        return bad('amazonChargePermissionId', 'amazonChargePermissionId must be the id Amazon passed to onCompleteCheckout');
      }
      const mfa = input.amazonPayMFAReturnUrl;
      if (typeof mfa !== 'string' || mfa.length > 2048 || !URL.canParse(mfa) || !mfaAllowed(new URL(mfa))) {
        logger.warn("Buy Now refused: the MFA return URL is not Amazon's", { url: typeof mfa === 'string' ? mfa.slice(0, 200) : typeof mfa });
        return bad(
          'amazonPayMFAReturnUrl',
          `amazonPayMFAReturnUrl must be the URL Amazon passed to onCompleteCheckout (https on Amazon's domains${options.mfaReturnOrigins?.length ? ` or ${options.mfaReturnOrigins.join(', ')}` : ''}); another origin can be allowed with mfaReturnOrigins`,
        );
      }
    }

    // The quote: every step after init works on the order the init step recorded.
    const quote = step === 'init' ? undefined : await store.get(input.orderId as string);
    if (step !== 'init' && (!quote || quote.kind !== 'buy-now')) return bad('orderId', 'orderId must be the orderId the init step answered');
    const cartOfQuote = (quote?.cart ?? {}) as { productType?: string; deliveryOptionId?: string };
    const productType = step === 'init' ? ((input.productType as string | undefined) ?? 'PayOnly') : (cartOfQuote.productType ?? 'PayOnly');
    const shippingAddress = address ?? quote?.shippingAddress ?? undefined;
    const deliveryOptionId = step === 'delivery' ? (input.deliveryOptionId as string) : cartOfQuote.deliveryOptionId;

    if (step === 'complete' && quote!.stage !== 'created') return answer(c, quote!.orderId, ...answerOf(quote!)); // a quote pays once
    if (step !== 'init' && step !== 'complete' && quote!.stage !== 'created')
      return bad('orderId', `the quote ${quote!.orderId} is ${quote!.stage}: start again with the button`);

    const spec = await resolveOrderOf(c, ctx, {
      request: c.req.raw,
      body: input,
      kind: 'buy-now',
      step,
      shippingAddress: shippingAddress ?? undefined,
      deliveryOptionId,
    });
    if (spec instanceof Response) return spec;
    try {
      checkShipping(spec, deliveryOptionId);
      if (productType === 'PayAndShip' && !spec.deliveryOptions?.length && spec.deliverable !== false) {
        throw new OrderSpecError('deliveryOptions', 'Buy Now with an address (PayAndShip) needs the delivery options for it: Amazon requires them');
      }
    } catch (error) {
      logger.error('resolveOrder failed', { field: (error as OrderSpecError).field, error: (error as Error).message });
      return jsonError(c, 400, {
        code: 'ORDER_INVALID',
        field: (error as OrderSpecError).field,
        message: `the order cannot be shown to Amazon: ${(error as Error).message}`,
      });
    }
    const totals = totalsOf(spec, deliveryOptionId);
    const jobCd = spec.jobCd ?? 'AUTH';

    if (step !== 'complete') {
      // Amazon's error shape: the buyer is asked for another address (inferred reason code).
      if (spec.deliverable === false) return c.json({ status: 'error', reasonCode: 'shippingAddressInvalid', ...(quote ? { orderId: quote.orderId } : {}) });
      const cart = cartDetails(spec, totals, productType);
      const fields = {
        amount: totals.gmoAmount,
        tax: totals.gmoTax,
        jobCd,
        description: spec.description ?? null,
        shippingAddress: shippingAddress ?? null,
        cart,
      };
      if (!quote) {
        // The quote: what Amazon shows the buyer is what completion may charge, kept on the server.
        const orderId = newOrderId(options.orderIdPrefix);
        await store.create(
          { orderId, kind: 'buy-now', ...fields },
          { source: 'checkout', event: 'Buy Now: cart quoted for onInitCheckout', detail: { total: totals.total, productType } },
        );
        return c.json({ orderId, ...publicCart(cart) });
      }
      // The buyer changed the address or the delivery option: the quote follows, while nothing is charged yet.
      const moved = await store.record(
        quote.orderId,
        fields,
        {
          source: 'checkout',
          event: `Buy Now: cart quoted again (${step === 'address' ? 'another address' : `delivery option ${deliveryOptionId}`})`,
          detail: { total: totals.total },
        },
        { ifStage: 'created' },
      );
      if (!moved) return bad('orderId', `the quote ${quote.orderId} is being paid: start again with the button`);
      return c.json({ orderId: quote.orderId, ...publicCart(cart) });
    }

    const orderId = quote!.orderId;
    if (totals.gmoAmount !== quote!.amount || totals.gmoTax !== quote!.tax || jobCd !== quote!.jobCd || spec.deliverable === false) {
      const now = totals.gmoAmount + totals.gmoTax;
      await store.record(
        orderId,
        { stage: 'failed' },
        { source: 'checkout', event: 'Buy Now: the cart changed after Amazon showed it: not charged', detail: { quoted: quote!.amount + quote!.tax, now } },
        { ifStage: 'created' },
      );
      logger.warn('Buy Now declined: the cart changed after Amazon showed it to the buyer', { orderId, quoted: quote!.amount + quote!.tax, now });
      return answer(c, orderId, 'decline', { message: 'カートの内容が変わりました。もう一度お手続きください。' });
    }
    const chargePermissionId = input.amazonChargePermissionId as string;
    const result = await chargeNow(
      { store, gmo, logger, later: ctx.later },
      {
        orderId,
        jobCd,
        amount: quote!.amount,
        tax: quote!.tax,
        source: 'checkout',
        label: 'buy-now',
        entered: { chargePermissionId, ...(address ? { shippingAddress: address } : {}), checkoutSessionId: sessionIdOf(input.amazonCheckoutSessionId) },
      },
      (entry) =>
        gmo.execTranAmazonpay({
          ...entry,
          orderId,
          amazonChargePermissionId: chargePermissionId,
          apbType: productType === 'PayAndShip' ? 'PayAndShip' : 'PayOnly',
          retUrl: input.amazonPayMFAReturnUrl as string,
          description: spec.description,
          clientField1: spec.clientField1,
          clientField2: spec.clientField2,
          clientField3: spec.clientField3,
        }),
    );
    if (result.outcome === 'paid') logger.info('Buy Now: payment completed', { orderId, status: result.status, amount: quote!.amount });
    if (result.outcome === 'pending')
      logger.warn('Buy Now: payment not authorized yet; the notification or reconcile() settles it', { orderId, status: result.status });
    return answer(c, orderId, ...answerOfFlow(result));
  });
}

/** Amazon's address object as this package keeps it, or null when it is not one. */
function addressOf(value: unknown): ShippingAddress | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const address: Record<string, string> = {};
  for (const key of ADDRESS_FIELDS) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || v.length > 200 || /[\u0000-\u001F\u007F-\u009F]/.test(v)) return null;
    address[key] = v;
  }
  return address;
}

const sessionIdOf = (value: unknown) => (typeof value === 'string' && /^[A-Za-z0-9-]{8,128}$/.test(value) ? value : null);

/** Amazon's CartDetails for the spec (inferred where the docs are silent: the shippingMethod fields). */
function cartDetails(spec: OrderSpec, totals: ReturnType<typeof totalsOf>, productType: string) {
  return {
    productType,
    deliveryOptionId: totals.deliveryOptionId,
    totalBaseAmount: money(spec.amount),
    totalTaxAmount: money(totals.tax),
    totalShippingAmount: money(totals.shipping),
    totalDiscountAmount: money(totals.discount),
    totalChargeAmount: money(totals.total),
    totalOrderAmount: money(totals.total),
    ...(spec.lineItems?.length
      ? {
          lineItems: spec.lineItems.map((l) => ({
            id: l.id,
            title: l.title,
            quantity: String(l.quantity),
            listPrice: money(l.listPrice),
            totalListPrice: money(l.quantity * l.listPrice),
            ...(l.variantTitle ? { variantTitle: l.variantTitle } : {}),
            ...(l.discountedPrice !== undefined ? { discountedPrice: money(l.discountedPrice) } : {}),
          })),
        }
      : {}),
    ...(spec.deliveryOptions?.length
      ? {
          deliveryOptions: spec.deliveryOptions.map((o) => ({
            id: o.id,
            price: money(o.price),
            shippingMethod: { shippingMethodName: o.name, shippingMethodCode: o.code ?? o.id },
            isDefault: o.id === totals.deliveryOptionId,
          })),
        }
      : {}),
  };
}

/** What Amazon is given of the recorded cart: CartDetails, without the fields the server keeps for itself. */
function publicCart(cart: ReturnType<typeof cartDetails>) {
  const { productType: _p, deliveryOptionId: _d, ...details } = cart;
  return details;
}

type Answer = ['success' | 'decline' | 'error', { message?: string; pending?: boolean }];
const DECLINED = 'お支払いが承認されませんでした。別のお支払い方法をお選びください。';
const answer = (c: Context, orderId: string, status: Answer[0], extra: Answer[1] = {}) => c.json({ status, orderId, ...extra });

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
