/**
 * amazon-pay-v2/jsx: type-checked `<amazon-pay-v2>` attributes in JSX (Preact, Solid, and any
 * framework using the global JSX namespace) and in Svelte templates. Types only:
 * `import type {} from 'amazon-pay-v2/jsx'`. React 19 users get the same from `amazon-pay-v2/react`.
 */
import type {
  AmazonPayButtonColor,
  AmazonPayCheckoutLanguage,
  AmazonPayLedgerCurrency,
  AmazonPayMode,
  AmazonPayPlacement,
  AmazonPayProductType,
} from './browser/amazon-pay-v2.js';
import type { AmazonPayRegion } from './browser/checkout-loader.js';
import type { AmazonPayEventMap } from './browser/events.js';

// Every union comes from the element's own declarations, and every event from its event map: a
// value or an event added there is typed here too.

/** The attributes `<amazon-pay-v2>` accepts in markup, each checked against its allowed values. */
export interface AmazonPayV2Attributes {
  'merchant-id'?: string;
  'public-key-id'?: string;
  'ledger-currency'?: AmazonPayLedgerCurrency;
  'checkout-language'?: AmazonPayCheckoutLanguage;
  'product-type'?: AmazonPayProductType;
  placement?: AmazonPayPlacement;
  'button-color'?: AmazonPayButtonColor;
  sandbox?: boolean;
  'payload-json'?: string;
  signature?: string;
  algorithm?: 'AMZN-PAY-RSASSA-PSS' | 'AMZN-PAY-RSASSA-PSS-V2';
  'estimated-amount'?: string | number;
  mode?: AmazonPayMode;
  endpoint?: string;
  'store-id'?: string;
  /** Buy Now: the buyer details Amazon shares, space-separated. */
  scopes?: string;
  region?: AmazonPayRegion;
  'script-src'?: string;
  nonce?: string;
  loading?: 'eager' | 'lazy';
  'start-origins'?: string;
  timeout?: number;
  'load-timeout'?: number;
  'show-errors'?: boolean;
  id?: string;
  class?: string;
  className?: string;
  style?: unknown;
  slot?: string;
  children?: unknown;
  key?: string | number;
  ref?: unknown;
}

/** Event listeners as JSX props (Preact, Svelte; Solid uses `on:`): `on` + the event's name, for every event of the element. */
export type AmazonPayV2Events = {
  [K in keyof AmazonPayEventMap as `on${K & string}`]?: (event: AmazonPayEventMap[K]) => void;
};

export type AmazonPayV2JSX = AmazonPayV2Attributes & AmazonPayV2Events;

declare global {
  // Preact, Solid and other global-JSX frameworks
  namespace JSX {
    interface IntrinsicElements {
      'amazon-pay-v2': AmazonPayV2JSX;
    }
  }
  // Svelte 5
  namespace svelteHTML {
    interface IntrinsicElements {
      'amazon-pay-v2': AmazonPayV2JSX;
    }
  }
}

export {};
