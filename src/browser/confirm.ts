import { CHECKOUT_JS_URLS, loadCheckoutJs, type AmazonPayRegion } from './checkout-loader.js';
import { AmazonPayError } from './errors.js';
import { callWithLookup, thrownText, uniqueId } from './light-dom.js';
import { startPayment, type StartPaymentOptions } from './start-payment.js';

/** Where checkout.js comes from, for {@link bindChangeAction}. */
export interface ConfirmPageOptions {
  /** `fe` (Japan, default), `na` or `eu`. */
  region?: AmazonPayRegion;
  /** A checkout.js URL that overrides the region's (self-hosting, the sandbox). */
  scriptSrc?: string;
  /** CSP nonce for checkout.js. */
  nonce?: string;
}

/** The `amazonCheckoutSessionId` Amazon appended to the confirm page's URL, or null. */
export const getCheckoutSessionId = (url: string = location.href) => new URL(url, location.href).searchParams.get('amazonCheckoutSessionId');

const need = (value: string, field: string, fix: string) => {
  if (!value) throw new AmazonPayError('CONFIG_INVALID', `${field}: missing; ${fix}`, { field });
};
const SESSION_FIX = 'pass the amazonCheckoutSessionId from the confirm page URL (getCheckoutSessionId())';

/**
 * Makes one of the merchant's own links or buttons reopen Amazon to change the shipping
 * address (`changeAddress`) or payment method (`changePayment`); Amazon then returns to the
 * confirm page with the same session (steps 7 of the seed flow). Loads checkout.js if needed.
 */
export async function bindChangeAction(
  target: Element | string,
  amazonCheckoutSessionId: string,
  changeAction: 'changeAddress' | 'changePayment',
  options: ConfirmPageOptions = {},
): Promise<void> {
  need(amazonCheckoutSessionId, 'amazonCheckoutSessionId', SESSION_FIX);
  if (changeAction != 'changeAddress' && changeAction != 'changePayment') {
    throw new AmazonPayError('CONFIG_INVALID', `changeAction: "${String(changeAction)}" is not allowed; use changeAddress or changePayment`, {
      field: 'changeAction',
    });
  }
  const el = typeof target == 'string' ? document.querySelector(target) : target;
  if (!el) throw new AmazonPayError('CONFIG_INVALID', `target: nothing matches ${target as string}`, { field: 'target' });
  const ns = await loadCheckoutJs(options.scriptSrc || CHECKOUT_JS_URLS[options.region ?? 'fe'], { nonce: options.nonce });
  el.id ||= uniqueId();
  const selector = '#' + CSS.escape(el.id);
  try {
    callWithLookup(el, selector, () => ns.bindChangeAction(selector, { amazonCheckoutSessionId, changeAction }));
  } catch (thrown) {
    throw new AmazonPayError('RENDER_FAILED', `checkout.js refused bindChangeAction: ${thrownText(thrown)}`);
  }
  // checkout.js navigates on click but leaves the link's own default (e.g. href="#") in place.
  el.addEventListener('click', (event) => event.preventDefault());
}

/**
 * The confirm page's order button (step 8): POSTs `{ amazonCheckoutSessionId }` to the merchant
 * endpoint, then sends the shopper to GMO-PG's AmazonpayStart, by the same path as an APB click.
 * The amount is decided by the server, never here.
 */
export async function placeOrder(
  endpoint: string,
  amazonCheckoutSessionId: string,
  options: Omit<StartPaymentOptions, 'endpoint' | 'body'> & {
    /** Extra JSON for the server's resolveOrder, e.g. `{ plan: 'subscription' }`. The server decides the amount. */
    data?: Record<string, unknown>;
  } = {},
): Promise<boolean> {
  need(endpoint, 'endpoint', 'pass your server\'s checkout URL, e.g. "/api/amazon-pay/checkout"');
  need(amazonCheckoutSessionId, 'amazonCheckoutSessionId', SESSION_FIX);
  const { data, ...rest } = options;
  return startPayment({ ...rest, endpoint, body: { ...data, amazonCheckoutSessionId } });
}
