/**
 * `mode="buy-now"`: Amazon's Buy Now button (`amazon.Pay.renderJSButton`), a chunk of its own so that
 * other buttons never load it. The element writes Amazon's handlers itself: the cart for
 * onInitCheckout comes from the merchant endpoint (never an amount from the browser), and
 * onCompleteCheckout hands Amazon's charge permission to the endpoint, which pays with GMO-PG and
 * answers the status Amazon shows. The option shape follows Amazon's Buy Now docs and its GMO-PG
 * sample (-apb): inferred where the docs are silent (`paymentDetails.paymentIntent`).
 */
import { AmazonPayError } from './errors.js';
import { emit } from './events.js';
import type { AmazonPayNamespace, BuyNowCompleteEvent, RenderButtonOptions } from './types.js';

/** What the element gives this chunk. */
export interface BuyNowHost extends EventTarget {
  endpoint?: string;
  storeId?: string;
  timeout: number;
  requestBody?: Record<string, unknown>;
  requestHeaders?: Record<string, string>;
}

/** Renders the Buy Now button with the element's handlers; throws what checkout.js throws. */
export function renderBuyNow(pay: AmazonPayNamespace, selector: string, host: BuyNowHost, options: RenderButtonOptions): void {
  if (!pay.renderJSButton) throw 'this checkout.js has no renderJSButton (Buy Now)';
  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(host.endpoint!, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...host.requestHeaders },
      body: JSON.stringify({ ...host.requestBody, ...body }),
      signal: AbortSignal.timeout(host.timeout),
    });
    const answer = await response.json().catch(() => undefined);
    if (!response.ok || !answer) {
      throw new AmazonPayError('ENDPOINT_FAILED', `${host.endpoint} HTTP ${response.status}${answer?.error?.message ? `: ${answer.error.message}` : ''}`, undefined, response.status, answer?.error?.gmoErrors, answer?.error?.message);
    }
    return answer;
  };
  const failed = (error: unknown) =>
    emit(host, 'amazon-pay-error', error instanceof AmazonPayError ? error : new AmazonPayError('ENDPOINT_FAILED', `${host.endpoint}: ${(error as Error).message}`), true) &&
    console.error('<amazon-pay-v2>', error);

  // A failed onInitCheckout is reported here, and checkout.js then calls onError for it: once is enough.
  let reported = false;
  // The server's quote for the cart Amazon shows: completion pays that quote, and only it.
  let quote: string | undefined;
  pay.renderJSButton(selector, {
    ...options,
    checkoutMode: 'ProcessOrder',
    checkoutSessionConfig: {
      storeId: host.storeId!,
      scopes: ['name', 'email', 'phoneNumber', 'billingAddress'],
      paymentDetails: { paymentIntent: 'Confirm' }, // as Amazon's GMO-PG sample: GMO-PG authorizes
      processorSpecifications: { name: 'gmopg' },
    },
    async onInitCheckout() {
      emit(host, 'amazon-pay-click', { body: {}, headers: {} });
      try {
        const { orderId, ...cart } = await post({ step: 'init' });
        quote = orderId;
        return cart;
      } catch (error) {
        failed(error);
        reported = true;
        throw error;
      }
    },
    async onCompleteCheckout(event: BuyNowCompleteEvent) {
      try {
        const { status, orderId, message, pending } = await post({
          step: 'complete',
          orderId: quote,
          amazonChargePermissionId: event.amazonChargePermissionId,
          amazonPayMFAReturnUrl: event.amazonPayMFAReturnUrl,
          billingAddress: event.billingAddress,
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
