// The script-tag build, as a storefront uses it: one plain <script src>, no module, no bundler.
import { expect, oneEvent } from '@open-wc/testing';
import { fake, resetAmazon, standInUrl } from './helpers.js';

type Global = { AmazonPayV2: Record<string, unknown> & { AmazonPayV2: CustomElementConstructor } };

describe('dist/amazon-pay-v2.iife.js from a plain <script>', () => {
  before(async () => {
    const script = document.createElement('script');
    script.src = '/dist/amazon-pay-v2.iife.js';
    document.head.append(script);
    await oneEvent(script, 'load');
  });
  beforeEach(resetAmazon);

  it('defines <amazon-pay-v2> and the AmazonPayV2 global', () => {
    const g = (window as unknown as Global).AmazonPayV2;
    expect(customElements.get('amazon-pay-v2')).to.equal(g.AmazonPayV2);
    for (const name of ['loadCheckoutJs', 'placeOrder', 'bindChangeAction', 'getCheckoutSessionId', 'startPayment', 'AmazonPayError']) {
      expect(g[name], name).to.be.a('function');
    }
    expect(document.querySelector('script[type=module][src*="amazon-pay-v2"]')).to.equal(null);
  });

  it('renders a standard button and an APB button from plain HTML', async () => {
    const src = standInUrl();
    const wrap = document.createElement('div');
    wrap.innerHTML = `
      <amazon-pay-v2 merchant-id="A2MERCHANT" public-key-id="SANDBOX-AKEY" sandbox signature="sig" script-src="${src}"
        payload-json='{"storeId":"amzn1.application-oa2-client.test"}'></amazon-pay-v2>
      <amazon-pay-v2 mode="apb" endpoint="/merchant/checkout" merchant-id="A2MERCHANT" sandbox script-src="${src}"></amazon-pay-v2>`;
    const [standard, apb] = wrap.querySelectorAll('amazon-pay-v2');
    const ready = Promise.all([oneEvent(standard, 'amazon-pay-ready'), oneEvent(apb, 'amazon-pay-ready')]);
    document.body.append(wrap);
    try {
      await ready;
      expect(fake().renders.map((r) => Object.keys(r.options).includes('createCheckoutSessionConfig'))).to.deep.equal([true, false]);
      apb.addEventListener('amazon-pay-redirect', (e) => e.preventDefault());
      const redirect = oneEvent(apb, 'amazon-pay-redirect');
      apb.querySelector<HTMLElement>('[slot=button]')!.click();
      expect((await redirect).detail.accessId).to.have.length(32);
    } finally {
      wrap.remove();
    }
  });
});
