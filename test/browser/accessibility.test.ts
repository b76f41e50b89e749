import { expect, oneEvent } from '@open-wc/testing';
import type { AmazonPayV2 } from '../../src/index.js';
import '../../src/index.js';
import { mount, resetAmazon, standInUrl, unmountAll } from './helpers.js';

const ATTRS = 'merchant-id="A2MERCHANT" public-key-id="SANDBOX-AKEY" sandbox signature="sig"';

describe('<amazon-pay-v2> accessibility', () => {
  beforeEach(resetAmazon);
  afterEach(unmountAll);

  it('is accessible while loading', async () => {
    const { el } = mount<AmazonPayV2>(`<amazon-pay-v2 ${ATTRS} script-src="${standInUrl({ delay: 1000 })}"></amazon-pay-v2>`);
    el.payloadJson = '{"storeId":"s"}';
    await el.updateComplete;
    expect(el.status).to.equal('loading');
    expect(el.getAttribute('aria-busy')).to.equal('true');
    await expect(el).to.be.accessible();
  });

  it('is accessible when ready: the Amazon button is a named, focusable button', async () => {
    const { el, ready } = mount<AmazonPayV2>(`<amazon-pay-v2 ${ATTRS} script-src="${standInUrl()}"></amazon-pay-v2>`);
    el.payloadJson = '{"storeId":"s"}';
    await ready;
    const container = el.querySelector('[slot=button]')!;
    expect(container.getAttribute('role')).to.equal('button');
    expect(container.getAttribute('aria-label')).to.contain('Amazon Pay');
    await expect(el).to.be.accessible();
  });

  it('is accessible in the error state, with its fallback', async () => {
    const { el } = mount<AmazonPayV2>(
      `<amazon-pay-v2 script-src="${standInUrl()}"><p slot="fallback">Amazon Pay は現在ご利用いただけません。</p></amazon-pay-v2>`,
    );
    await oneEvent(el, 'amazon-pay-error');
    await el.updateComplete;
    expect(el.status).to.equal('error');
    await expect(el).to.be.accessible();
  });
});
