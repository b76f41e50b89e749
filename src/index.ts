/**
 * amazon-pay-v2: the `<amazon-pay-v2>` element, its checkout.js loader and the payment start.
 * The confirm-page helpers are in `amazon-pay-v2/confirm`.
 * Importing this module defines `<amazon-pay-v2>` when the tag is free; it touches no DOM.
 */
import type { AmazonPayV2 } from './browser/amazon-pay-v2.js';
import { defineAmazonPayV2 } from './browser/define.js';

export {
  AmazonPayV2,
  type AmazonPayStatus,
  type AmazonPayMode,
  type AmazonPayProductType,
  type AmazonPayPlacement,
  type AmazonPayButtonColor,
  type AmazonPayLedgerCurrency,
  type AmazonPayCheckoutLanguage,
} from './browser/amazon-pay-v2.js';
export { loadCheckoutJs, CHECKOUT_JS_URLS, type AmazonPayRegion, type LoadCheckoutJsOptions } from './browser/checkout-loader.js';
export { AmazonPayError, type AmazonPayErrorCode, type AmazonPayErrorDetails, type GmoPgErrorPair, type GmoPgError } from './browser/errors.js';
export type * from './browser/events.js';
export type * from './browser/types.js';

declare global {
  interface HTMLElementTagNameMap {
    'amazon-pay-v2': AmazonPayV2;
  }
}

// Here, in the entry itself, not in a module it imports: see define.ts.
defineAmazonPayV2();
