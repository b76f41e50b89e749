/**
 * Types for the parts of Amazon's checkout.js (Checkout v2) that this package uses.
 * Amazon publishes no typings; these follow the documented options and observed behaviour.
 */

/** A signed button payload (createCheckoutSessionConfig / signInConfig). */
export interface SignedPayloadConfig {
  payloadJSON: string;
  signature: string;
  publicKeyId?: string;
  algorithm?: string;
}

/** `{ amount, currencyCode }`; amount is a decimal string ("1000" for JPY). */
export interface AmazonPayAmount {
  amount: string;
  currencyCode: string;
}

/** The options object of `amazon.Pay.renderButton`. */
export interface RenderButtonOptions {
  merchantId: string;
  ledgerCurrency: string;
  sandbox?: boolean;
  checkoutLanguage?: string;
  productType?: string;
  placement: string;
  buttonColor?: string;
  publicKeyId?: string;
  estimatedOrderAmount?: AmazonPayAmount;
  createCheckoutSessionConfig?: SignedPayloadConfig;
  signInConfig?: SignedPayloadConfig;
}

/**
 * What renderButton returns. Decoupled buttons (no config) have all three methods,
 * configured ones only `updateButtonInfo`, and SignIn buttons return `undefined`.
 */
export interface AmazonPayButtonHandle {
  onClick?(callback: () => void): void;
  initCheckout?(config: { createCheckoutSessionConfig: SignedPayloadConfig }): void;
  updateButtonInfo?(amount: AmazonPayAmount): void;
}

/** What Amazon passes to `onCompleteCheckout` of a Buy Now button (Amazon's docs, and its GMO-PG -apb sample). */
export interface BuyNowCompleteEvent {
  amazonChargePermissionId: string;
  amazonPayMFAReturnUrl: string;
  billingAddress?: Record<string, unknown>;
  /** PayAndShip: where the buyer asked Amazon to deliver. */
  shippingAddress?: Record<string, unknown>;
  paymentDescriptor?: string;
  amazonPayCheckoutType?: string;
  amazonCheckoutSessionId?: string;
}

/** What Amazon passes to `onInitCheckout` (Amazon's Buy Now docs). */
export interface BuyNowInitEvent {
  amazonPayCheckoutType?: string;
  scopes?: unknown;
  checkoutLanguage?: string;
  /** PayAndShip: the buyer's default address. */
  shippingAddress?: Record<string, unknown>;
}

/** What a Buy Now handler answers Amazon: the cart (CartDetails), or Amazon's error shape. */
export type BuyNowCartAnswer = Record<string, unknown> | { status: 'error'; reasonCode: string };

/** The options object of `amazon.Pay.renderJSButton` (Buy Now), as Amazon's docs and its GMO-PG sample give it. */
export interface RenderJSButtonOptions extends Omit<RenderButtonOptions, 'createCheckoutSessionConfig' | 'signInConfig'> {
  checkoutMode: 'ProcessOrder';
  checkoutSessionConfig: {
    storeId: string;
    scopes?: string[];
    paymentDetails?: Record<string, unknown>;
    processorSpecifications: { name: 'gmopg' };
    deliverySpecifications?: Record<string, unknown>;
  };
  /** Returns the cart (CartDetails: totals as `AmazonPayAmount`s, lineItems, deliveryOptions), or `{ status: 'error', reasonCode }`. */
  onInitCheckout(event: BuyNowInitEvent): Promise<BuyNowCartAnswer> | BuyNowCartAnswer;
  /** PayAndShip: the buyer picked another address; answers the cart for it. */
  onShippingAddressSelection?(event: { shippingAddress?: Record<string, unknown> }): Promise<BuyNowCartAnswer>;
  /** PayAndShip: the buyer picked another delivery option; answers the cart for it. */
  onDeliveryOptionSelection?(event: { deliveryOption?: { id?: string } }): Promise<BuyNowCartAnswer>;
  onCompleteCheckout(event: BuyNowCompleteEvent): Promise<{ status: 'success' | 'decline' | 'error' }>;
  onCancel?(event: unknown): void;
  onError?(event: unknown): void;
}

/** `window.amazon.Pay`. */
export interface AmazonPayNamespace {
  renderButton(selector: string, options: RenderButtonOptions): AmazonPayButtonHandle | undefined;
  /** Buy Now; not in the older builds. */
  renderJSButton?(selector: string, options: RenderJSButtonOptions): unknown;
  bindChangeAction(selector: string, options: { amazonCheckoutSessionId: string; changeAction: 'changeAddress' | 'changePayment' }): void;
  initCheckout?(options: unknown): void;
  signout?(callback?: () => void): void;
}

declare global {
  interface Window {
    amazon?: { Pay?: AmazonPayNamespace };
  }
}
