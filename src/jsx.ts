/**
 * amazon-pay-v2/jsx: type-checked `<amazon-pay-v2>` attributes in JSX (Preact, Solid, and any
 * framework using the global JSX namespace) and in Svelte templates. Types only:
 * `import type {} from 'amazon-pay-v2/jsx'`. React 19 users get the same from `amazon-pay-v2/react`.
 */
import type { AmazonPayEventMap } from './browser/events.js';

type Handler<K extends keyof AmazonPayEventMap> = (event: AmazonPayEventMap[K]) => void;

/** The attributes `<amazon-pay-v2>` accepts in markup, each checked against its allowed values. */
export interface AmazonPayV2Attributes {
  'merchant-id'?: string;
  'public-key-id'?: string;
  'ledger-currency'?: 'JPY' | 'USD' | 'EUR' | 'GBP';
  'checkout-language'?: 'ja_JP' | 'en_US' | 'en_GB' | 'de_DE' | 'fr_FR' | 'it_IT' | 'es_ES';
  'product-type'?: 'PayAndShip' | 'PayOnly' | 'SignIn' | 'Donation' | 'PayAndShipMultiAddress';
  placement?: 'Home' | 'Product' | 'Cart' | 'Checkout' | 'Other';
  'button-color'?: 'Gold' | 'LightGray' | 'DarkGray';
  sandbox?: boolean;
  'payload-json'?: string;
  signature?: string;
  algorithm?: 'AMZN-PAY-RSASSA-PSS' | 'AMZN-PAY-RSASSA-PSS-V2';
  'estimated-amount'?: string | number;
  mode?: 'standard' | 'apb' | 'buy-now';
  endpoint?: string;
  'store-id'?: string;
  /** Buy Now: the buyer details Amazon shares, space-separated. */
  scopes?: string;
  region?: 'fe' | 'na' | 'eu';
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

/** Event listeners as JSX props (Preact, Solid `on:`-less form). */
export interface AmazonPayV2Events {
  'onamazon-pay-load'?: Handler<'amazon-pay-load'>;
  'onamazon-pay-ready'?: Handler<'amazon-pay-ready'>;
  'onamazon-pay-click'?: Handler<'amazon-pay-click'>;
  'onamazon-pay-complete'?: Handler<'amazon-pay-complete'>;
  'onamazon-pay-cancel'?: Handler<'amazon-pay-cancel'>;
  'onamazon-pay-redirect'?: Handler<'amazon-pay-redirect'>;
  'onamazon-pay-error'?: Handler<'amazon-pay-error'>;
}

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
