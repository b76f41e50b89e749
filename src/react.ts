/**
 * amazon-pay-v2/react: `<AmazonPayV2>` for React, made with @lit/react. Props are the element's
 * properties; events are `on*` props with typed details.
 *
 *   <AmazonPayV2 mode="apb" endpoint="/api/amazon-pay/checkout" merchantId="…" sandbox
 *     onAmazonPayError={(e) => show(e.detail.message)} />
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import { AmazonPayV2 as AmazonPayV2Element } from './browser/amazon-pay-v2.js';
import type { AmazonPayEventMap, AmazonPayEventProps } from './browser/events.js';
import type { AmazonPayV2JSX } from './jsx.js';
import type { ReactiveElement } from '@lit/reactive-element';
import { defineAmazonPayV2 } from './browser/define.js';

// React 19 checks intrinsic elements in React.JSX: the raw tag gets the same checked attributes.
declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'amazon-pay-v2': AmazonPayV2JSX;
    }
  }
}

defineAmazonPayV2(); // in this entry's own top level, which `sideEffects` keeps (see define.ts)

const Component = createComponent({
  tagName: 'amazon-pay-v2',
  elementClass: AmazonPayV2Element,
  react: React,
  events: {
    onAmazonPayLoad: 'amazon-pay-load' as EventName<AmazonPayEventMap['amazon-pay-load']>,
    onAmazonPayReady: 'amazon-pay-ready' as EventName<AmazonPayEventMap['amazon-pay-ready']>,
    onAmazonPayClick: 'amazon-pay-click' as EventName<AmazonPayEventMap['amazon-pay-click']>,
    onAmazonPayRedirect: 'amazon-pay-redirect' as EventName<AmazonPayEventMap['amazon-pay-redirect']>,
    onAmazonPayError: 'amazon-pay-error' as EventName<AmazonPayEventMap['amazon-pay-error']>,
    onAmazonPayComplete: 'amazon-pay-complete' as EventName<AmazonPayEventMap['amazon-pay-complete']>,
    onAmazonPayCancel: 'amazon-pay-cancel' as EventName<AmazonPayEventMap['amazon-pay-cancel']>,
  },
  displayName: 'AmazonPayV2',
});

/** Typed `onAmazonPay*` event props. */
export type AmazonPayV2EventProps = AmazonPayEventProps;

/** The element's own settable properties: not Lit's, not methods, not the read-only `status`. */
type ElementProperties = {
  -readonly [
    K in Exclude<keyof AmazonPayV2Element, keyof ReactiveElement | 'status'> as AmazonPayV2Element[K] extends (...args: never[]) => unknown ? never : K
  ]?: AmazonPayV2Element[K];
};

/**
 * The component's props: the element's properties (unions where Amazon allows a few values), typed
 * `onAmazonPay*` events and React's HTML attributes. Written out here, not taken from @lit/react's
 * types, so that they need nothing but React's types (@lit/react is bundled into react.js).
 */
export type AmazonPayV2Props = Omit<React.HTMLAttributes<AmazonPayV2Element>, keyof ElementProperties | keyof AmazonPayV2EventProps> &
  ElementProperties &
  AmazonPayV2EventProps;

/** `<amazon-pay-v2>` as a React component. */
export const AmazonPayV2 = Component as unknown as React.ForwardRefExoticComponent<AmazonPayV2Props & React.RefAttributes<AmazonPayV2Element>>;
