// Type tests (checked by `npm run typecheck`, which `npm test` runs first): the attribute types that
// amazon-pay-v2/jsx, /vue and /react give each framework accept good values and refuse bad ones.
import type { AmazonPayV2JSX } from '../../src/jsx.js';
import type { AmazonPayV2VueProps } from '../../src/vue.js';
import type { GlobalComponents } from 'vue';
import type { ComponentProps } from 'react';
import type { AmazonPayV2 } from '../../src/react.js';

export const jsxGood: AmazonPayV2JSX = { mode: 'apb', endpoint: '/api/amazon-pay/checkout', 'merchant-id': 'A2', sandbox: true, placement: 'Cart' };
// @ts-expect-error: not a placement Amazon knows
export const jsxBad: AmazonPayV2JSX = { placement: 'Basket' };
export const jsxEvent: AmazonPayV2JSX = { 'onamazon-pay-error': (e) => e.detail.code satisfies string };

// Vue: the global component registered for templates.
type VueProps = InstanceType<GlobalComponents['amazon-pay-v2']>['$props'];
export const vueGood: VueProps = { mode: 'standard', payloadJson: '{}', 'product-type': 'SignIn' };
// @ts-expect-error: mode is standard or apb
export const vueBad: AmazonPayV2VueProps = { mode: 'express' };

// React: the @lit/react component's props, and its typed event props.
type ReactProps = ComponentProps<typeof AmazonPayV2>;
export const reactGood: ReactProps = { mode: 'apb', merchantId: 'A2', onAmazonPayRedirect: (e) => e.detail.startUrl satisfies string };
// @ts-expect-error: the detail of amazon-pay-ready has no startUrl
export const reactBad: ReactProps = { onAmazonPayReady: (e) => e.detail.startUrl };
