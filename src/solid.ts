/**
 * amazon-pay-v2/solid: type-checked `<amazon-pay-v2>` in Solid's JSX. Types only:
 * `import type {} from 'amazon-pay-v2/solid'` once. Events are `on:amazon-pay-error={…}`, the
 * payload `prop:payloadJson={…}`. Solid's JSX types live in `solid-js/jsx-runtime`, so that is the
 * module extended (extending `solid-js` does not reach them).
 */
import type {} from 'solid-js/jsx-runtime';
import type { AmazonPayV2 } from './browser/amazon-pay-v2.js';
import type { AmazonPayEventMap } from './browser/events.js';
import type { AmazonPayV2Attributes } from './jsx.js';

declare module 'solid-js/jsx-runtime' {
  namespace JSX {
    interface IntrinsicElements {
      'amazon-pay-v2': Omit<HTMLAttributes<AmazonPayV2>, keyof AmazonPayV2Attributes> & AmazonPayV2Attributes;
    }
    interface CustomEvents extends AmazonPayEventMap {}
    interface ExplicitProperties {
      payloadJson: string;
    }
  }
}

export {};
