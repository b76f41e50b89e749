// The npm build, imported as a bundler-less page would: its lazy chunks must load too.
import { expect, oneEvent } from '@open-wc/testing';
import { fake, resetAmazon, standInUrl } from './helpers.js';

describe('dist/amazon-pay-v2.js (ES module, lit external)', () => {
  beforeEach(resetAmazon);

  it('imports, defines the element and renders with its settings chunk', async () => {
    const mod = await import('/dist/amazon-pay-v2.js' as string); // oxlint-disable-line typescript/no-unnecessary-type-assertion -- served by the test server, unknown to tsc
    expect(customElements.get('amazon-pay-v2')).to.equal(mod.AmazonPayV2);
    const el = document.createElement('amazon-pay-v2') as HTMLElement & { payloadJson: string };
    Object.assign(el, { merchantId: 'A2MERCHANT', publicKeyId: 'SANDBOX-AKEY', sandbox: true, signature: 'sig', scriptSrc: standInUrl() });
    el.payloadJson = '{"storeId":"s"}';
    const ready = oneEvent(el, 'amazon-pay-ready');
    document.body.append(el);
    try {
      await ready;
      expect(fake().renders).to.have.length(1);
    } finally {
      el.remove();
    }
  });

  it('imports the confirm helpers from their own entry', async () => {
    const mod = await import('/dist/confirm.js' as string); // oxlint-disable-line typescript/no-unnecessary-type-assertion -- served by the test server, unknown to tsc
    expect(mod.placeOrder).to.be.a('function');
    expect(mod.getCheckoutSessionId(`${location.origin}/c?amazonCheckoutSessionId=s1`)).to.equal('s1');
  });
});
