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
export const vueGood: VueProps = { mode: 'standard', payloadJson: '{}', productType: 'SignIn', merchantId: 'A2', buttonColor: 'Gold', showErrors: true };
// @ts-expect-error: props are camelCase, as Vue declares them (templates may still write button-color)
export const vueKebab: VueProps = { 'button-color': 'Gold' };
// @ts-expect-error: not one of Amazon's button colours
export const vueBadColor: AmazonPayV2VueProps = { buttonColor: 'Red' };
// @ts-expect-error: mode is standard or apb
export const vueBad: AmazonPayV2VueProps = { mode: 'express' };

// React: the @lit/react component's props, and its typed event props.
type ReactProps = ComponentProps<typeof AmazonPayV2>;
export const reactGood: ReactProps = { mode: 'apb', merchantId: 'A2', onAmazonPayRedirect: (e) => e.detail.startUrl satisfies string };
// @ts-expect-error: the detail of amazon-pay-ready has no startUrl
export const reactBad: ReactProps = { onAmazonPayReady: (e) => e.detail.startUrl };
// @ts-expect-error: mode is standard or apb
export const reactBadMode: ReactProps = { mode: 'express' };
// @ts-expect-error: not one of Amazon's button colours
export const reactBadColor: ReactProps = { buttonColor: 'Red' };
// @ts-expect-error: not a region
export const reactBadRegion: ReactProps = { region: 'jp' };
// @ts-expect-error: status is the element's own, read-only
export const reactStatus: ReactProps = { status: 'ready' };
export const reactUnions: ReactProps = {
  productType: 'Donation',
  placement: 'Product',
  buttonColor: 'DarkGray',
  region: 'eu',
  ledgerCurrency: 'EUR',
  checkoutLanguage: 'de_DE',
};
