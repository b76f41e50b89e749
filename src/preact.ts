/**
 * amazon-pay-v2/preact: type-checked `<amazon-pay-v2>` in Preact's JSX. Types only:
 * `import type {} from 'amazon-pay-v2/preact'` once (Preact's JSX is its own namespace, not the
 * global one that amazon-pay-v2/jsx fills). Events are `onamazon-pay-error={…}` props.
 */
import type {} from 'preact';
import type { AmazonPayV2JSX } from './jsx.js';

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'amazon-pay-v2': AmazonPayV2JSX;
    }
  }
}

export {};
