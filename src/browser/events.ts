import type { AmazonPayError } from './errors.js';

/** Detail of `amazon-pay-load`: checkout.js is available. */
export interface AmazonPayLoadDetail {
  src: string;
}
/** Detail of `amazon-pay-ready`: the button is rendered into the container with this id. */
export interface AmazonPayReadyDetail {
  containerId: string;
}
/** Detail of `amazon-pay-redirect`: the shopper is about to be sent to GMO-PG's AmazonpayStart. */
export interface AmazonPayRedirectDetail {
  startUrl: string;
  accessId: string;
}

/**
 * Detail of `amazon-pay-click` (APB): what the request to `endpoint` will carry. Listeners may add
 * fields and headers; `preventDefault()` stops the payment.
 */
export interface AmazonPayClickDetail {
  /** JSON fields, starting from the element's `requestBody`. Never an amount: the server decides it. */
  body: Record<string, unknown>;
  /** Request headers, starting from the element's `requestHeaders` (e.g. a CSRF token). */
  headers: Record<string, string>;
}

/** Detail of `amazon-pay-complete` (Buy Now): what the endpoint answered to Amazon's onCompleteCheckout. */
export interface AmazonPayCompleteDetail {
  status: 'success' | 'decline' | 'error';
  /** The order the endpoint recorded. */
  orderId?: string;
  /** The endpoint's words for the shopper, when the payment did not go through. */
  message?: string;
  /**
   * With `success`: GMO-PG has not authorized the payment yet (Amazon may be asking the buyer to
   * authenticate); show "processing", not "paid". The order settles by GMO-PG's notification.
   */
  pending?: boolean;
}

/** Dispatches one of our events: it bubbles and crosses shadow roots. Returns false if it was cancelled. */
export const emit = (target: EventTarget, type: keyof AmazonPayEventMap, detail?: unknown, cancelable = false) =>
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));

/** Every event `<amazon-pay-v2>` and `placeOrder` fire, with its detail type. */
export interface AmazonPayEventMap {
  'amazon-pay-load': CustomEvent<AmazonPayLoadDetail>;
  'amazon-pay-ready': CustomEvent<AmazonPayReadyDetail>;
  'amazon-pay-click': CustomEvent<AmazonPayClickDetail>;
  'amazon-pay-redirect': CustomEvent<AmazonPayRedirectDetail>;
  'amazon-pay-error': CustomEvent<AmazonPayError>;
  'amazon-pay-complete': CustomEvent<AmazonPayCompleteDetail>;
  'amazon-pay-cancel': CustomEvent<undefined>;
}

declare global {
  // The events bubble up to document, so every element and the document know their types.
  interface GlobalEventHandlersEventMap extends AmazonPayEventMap {}
}

/** `amazon-pay-ready` → `onAmazonPayReady`: the event props of the React and Vue wrappers. */
type EventProp<K> = K extends `amazon-pay-${infer Name}` ? `onAmazonPay${Capitalize<Name>}` : never;

/** Typed `onAmazonPay*` event props, one per event of the element. */
export type AmazonPayEventProps = { [K in keyof AmazonPayEventMap as EventProp<K>]?: (event: AmazonPayEventMap[K]) => void };
