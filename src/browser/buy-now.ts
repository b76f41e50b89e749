/**
 * `mode="buy-now"`: Amazon's Buy Now button (`amazon.Pay.renderJSButton`), a chunk of its own so that
 * other buttons never load it. The element writes Amazon's handlers itself, each one step of the
 * merchant endpoint (`…/buy-now`): the cart for onInitCheckout (never an amount from the browser:
 * the server quotes it and keeps the quote), the cart again when the buyer picks another address or
 * delivery option (PayAndShip), and onCompleteCheckout's charge permission, which the endpoint pays
 * with GMO-PG; Amazon is told the status the endpoint answers. A handler that cannot answer tells
 * Amazon `{ status: 'error', reasonCode }` (Amazon's documented shape) instead of throwing. The
 * option shape follows Amazon's Buy Now docs and its GMO-PG sample (-apb): inferred where the docs
 * are silent (`paymentDetails.paymentIntent`).
 */
import { AmazonPayError } from './errors.js';
import { emit } from './events.js';
import type { AmazonPayNamespace, BuyNowCartAnswer, BuyNowCompleteEvent, BuyNowInitEvent, RenderButtonOptions } from './types.js';

/** What the element gives this chunk. */
export interface BuyNowHost extends HTMLElement {
  endpoint?: string;
  storeId?: string;
  productType: string;
  timeout: number;
  requestBody?: Record<string, unknown>;
  requestHeaders?: Record<string, string>;
  scopes?: string[] | string;
  deliverySpecifications?: Record<string, unknown>;
}

/** Amazon's scopes for the buyer's details; PayAndShip adds the shipping address. */
function scopesOf(host: BuyNowHost): string[] {
  const given = host.scopes ?? host.getAttribute('scopes') ?? undefined;
  if (given) return typeof given == 'string' ? given.split(/\s+/).filter(Boolean) : given;
  return ['name', 'email', 'phoneNumber', 'billingAddress', ...(host.productType == 'PayAndShip' ? ['shippingAddress'] : [])];
}

/** Renders the Buy Now button with the element's handlers; throws what checkout.js throws. */
export function renderBuyNow(pay: AmazonPayNamespace, selector: string, host: BuyNowHost, options: RenderButtonOptions): void {
  if (!pay.renderJSButton) throw Error('this checkout.js has no renderJSButton (Buy Now)');
  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(host.endpoint!, {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...host.requestHeaders },
      body: JSON.stringify({ ...host.requestBody, ...body }),
      signal: AbortSignal.timeout(host.timeout),
    });
    const answer = await response.json().catch(() => undefined);
    if (!response.ok || !answer) {
      throw new AmazonPayError('ENDPOINT_FAILED', `${host.endpoint} HTTP ${response.status}${answer?.error?.message ? `: ${answer.error.message}` : ''}`, {
        field: answer?.error?.field,
        status: response.status,
        gmoErrors: answer?.error?.gmoErrors,
        userMessage: answer?.error?.userMessage,
      });
    }
    return answer;
  };
  const failed = (error: unknown) =>
    emit(
      host,
      'amazon-pay-error',
      error instanceof AmazonPayError ? error : new AmazonPayError('ENDPOINT_FAILED', `${host.endpoint}: ${(error as Error).message}`),
      true,
    ) && console.error('<amazon-pay-v2>', error);

  // A failed onInitCheckout is reported here, and checkout.js then calls onError for it: once is enough.
  let reported = false;
  // The server's quote for the cart Amazon shows: each later step works on it, and completion pays it and only it.
  let quote: string | undefined;
  /** One step that answers Amazon a cart: the endpoint's, without the quote's id, or Amazon's error shape. */
  const cart = async (body: Record<string, unknown>): Promise<BuyNowCartAnswer> => {
    try {
      const { orderId, ...answer } = await post({ ...body, orderId: body.step == 'init' ? undefined : quote });
      if (orderId) quote = orderId;
      return answer;
    } catch (error) {
      failed(error);
      reported = true;
      return { status: 'error', reasonCode: 'unknownError' };
    }
  };
  const config = {
    storeId: host.storeId!,
    scopes: scopesOf(host),
    paymentDetails: { paymentIntent: 'Confirm' }, // as Amazon's GMO-PG sample: GMO-PG authorizes
    processorSpecifications: { name: 'gmopg' as const },
    ...(host.deliverySpecifications ? { deliverySpecifications: host.deliverySpecifications } : {}),
  };
  pay.renderJSButton(selector, {
    ...options,
    checkoutMode: 'ProcessOrder',
    checkoutSessionConfig: config,
    onInitCheckout(event: BuyNowInitEvent) {
      emit(host, 'amazon-pay-click', { body: {}, headers: {} });
      return cart({ step: 'init', productType: host.productType, shippingAddress: event?.shippingAddress, checkoutLanguage: event?.checkoutLanguage });
    },
    ...(host.productType == 'PayAndShip'
      ? {
          onShippingAddressSelection: (event: { shippingAddress?: Record<string, unknown> }) =>
            cart({ step: 'address', shippingAddress: event?.shippingAddress }),
          onDeliveryOptionSelection: (event: { deliveryOption?: { id?: string } }) => cart({ step: 'delivery', deliveryOptionId: event?.deliveryOption?.id }),
        }
      : {}),
    async onCompleteCheckout(event: BuyNowCompleteEvent) {
      try {
        const { status, orderId, message, pending } = await post({
          step: 'complete',
          orderId: quote,
          amazonChargePermissionId: event.amazonChargePermissionId,
          amazonPayMFAReturnUrl: event.amazonPayMFAReturnUrl,
          amazonCheckoutSessionId: event.amazonCheckoutSessionId,
          billingAddress: event.billingAddress,
          shippingAddress: event.shippingAddress,
          paymentDescriptor: event.paymentDescriptor,
        });
        emit(host, 'amazon-pay-complete', { status, orderId, message, pending });
        return { status: status == 'success' || status == 'decline' ? status : 'error' };
      } catch (error) {
        failed(error);
        return { status: 'error' };
      }
    },
    onCancel: () => void emit(host, 'amazon-pay-cancel', undefined),
    onError: (event: unknown) => {
      if (reported) return void (reported = false);
      failed(new AmazonPayError('RENDER_FAILED', `checkout.js: ${JSON.stringify(event)}`));
    },
  });
}
