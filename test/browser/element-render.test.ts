import { expect, oneEvent } from '@open-wc/testing';
import { AmazonPayV2 } from '../../src/index.js';
import { fake, freshKey, mount, nextFrame, resetAmazon, serverSeen, sleep, standInUrl, unmountAll } from './helpers.js';

const PAYLOAD = '{"webCheckoutDetails":{"checkoutReviewReturnUrl":"https://shop.example/confirm"},"storeId":"amzn1.application-oa2-client.test"}';
const standard = (src: string, extra = '') =>
  `<amazon-pay-v2 merchant-id="A2MERCHANT" public-key-id="SANDBOX-AKEY" sandbox script-src="${src}"
     signature="c2lnbmF0dXJl+/=" ${extra}></amazon-pay-v2>`;

function withPayload(el: AmazonPayV2) {
  el.payloadJson = PAYLOAD; // a property, as recommended: no HTML escaping can alter it
  return el;
}

describe('<amazon-pay-v2> rendering', () => {
  beforeEach(resetAmazon);
  afterEach(unmountAll);

  it('is defined once, by the exported class', () => {
    expect(customElements.get('amazon-pay-v2')).to.equal(AmazonPayV2);
  });

  it("passes renderButton exactly the seed's first sample (standard button)", async () => {
    const { el, ready } = mount<AmazonPayV2>(standard(standInUrl()).replace('<amazon-pay-v2 ', `<amazon-pay-v2 payload-json='${PAYLOAD}' `));
    await ready;
    const [render] = fake().renders;
    expect(render.options).to.deep.equal({
      merchantId: 'A2MERCHANT',
      ledgerCurrency: 'JPY',
      sandbox: true,
      checkoutLanguage: 'ja_JP',
      productType: 'PayAndShip',
      placement: 'Cart',
      buttonColor: 'Gold',
      createCheckoutSessionConfig: { payloadJSON: PAYLOAD, signature: 'c2lnbmF0dXJl+/=', publicKeyId: 'SANDBOX-AKEY' },
    });
    expect(render.options.sandbox).to.be.a('boolean');
    expect(el.status).to.equal('ready');
    expect(el.getAttribute('aria-busy')).to.equal('false');
  });

  it("passes renderButton exactly the seed's second sample (APB: no createCheckoutSessionConfig)", async () => {
    const { ready } = mount(
      `<amazon-pay-v2 mode="apb" endpoint="/merchant/checkout" merchant-id="A2MERCHANT" sandbox script-src="${standInUrl()}"></amazon-pay-v2>`,
    );
    await ready;
    expect(fake().renders[0].options).to.deep.equal({
      merchantId: 'A2MERCHANT',
      ledgerCurrency: 'JPY',
      sandbox: true,
      checkoutLanguage: 'ja_JP',
      productType: 'PayAndShip',
      placement: 'Cart',
      buttonColor: 'Gold',
    });
  });

  it('passes every attribute through, with the estimated amount in the ledger currency', async () => {
    const { ready } = mount(
      standard(
        standInUrl(),
        'product-type="PayOnly" placement="Product" button-color="DarkGray" estimated-amount="1980" algorithm="AMZN-PAY-RSASSA-PSS-V2"',
      ).replace('<amazon-pay-v2 ', `<amazon-pay-v2 payload-json='${PAYLOAD}' `),
    );
    await ready;
    const { options } = fake().renders[0];
    expect(options.productType).to.equal('PayOnly');
    expect(options.placement).to.equal('Product');
    expect(options.buttonColor).to.equal('DarkGray');
    expect(options.estimatedOrderAmount).to.deep.equal({ amount: '1980', currencyCode: 'JPY' });
    expect((options.createCheckoutSessionConfig as { algorithm: string }).algorithm).to.equal('AMZN-PAY-RSASSA-PSS-V2');
  });

  it('renders a sign-in button with signInConfig instead', async () => {
    const { ready } = mount(standard(standInUrl(), 'product-type="SignIn"').replace('<amazon-pay-v2 ', `<amazon-pay-v2 payload-json='${PAYLOAD}' `));
    await ready;
    const { options } = fake().renders[0];
    expect(options.signInConfig).to.deep.equal({ payloadJSON: PAYLOAD, signature: 'c2lnbmF0dXJl+/=', publicKeyId: 'SANDBOX-AKEY' });
    expect(options).not.to.have.property('createCheckoutSessionConfig');
  });

  it('renders into a fresh light-DOM container with a unique id that document.querySelector finds', async () => {
    const a = mount<AmazonPayV2>(standard(standInUrl()));
    const b = mount<AmazonPayV2>(standard(standInUrl()));
    withPayload(a.el);
    withPayload(b.el);
    await Promise.all([a.ready, b.ready]);
    const containers = [a.el, b.el].map((el) => el.querySelector<HTMLElement>('[slot=button]')!);
    expect(containers[0].id).not.to.equal(containers[1].id);
    for (const [i, c] of containers.entries()) {
      expect(c.parentElement).to.equal([a.el, b.el][i]); // light DOM, slotted
      expect(document.querySelector('#' + c.id)).to.equal(c);
      expect(c.shadowRoot!.querySelector('.amazonpay-button-view1')).to.exist;
    }
  });

  it('loads checkout.js once for several elements', async () => {
    const key = freshKey();
    const src = standInUrl({ key, delay: 50 });
    const all = [1, 2, 3, 4].map(() => mount<AmazonPayV2>(standard(src)));
    all.forEach(({ el }) => withPayload(el));
    await Promise.all(all.map((m) => m.ready));
    expect(fake().loadCount).to.equal(1);
    expect(fake().renders.length).to.equal(4);
    expect((await serverSeen(key)).script).to.equal(1);
  });

  it('re-renders into a new container only when a render-affecting value changes', async () => {
    const { el, ready } = mount<AmazonPayV2>(standard(standInUrl(), 'estimated-amount="1000"'));
    withPayload(el);
    await ready;
    const first = el.querySelector('[slot=button]')!;

    el.estimatedAmount = 2500; // not render-affecting: passed to the rendered button
    el.endpoint = '/elsewhere';
    await el.updateComplete;
    await sleep(20);
    expect(fake().renders.length).to.equal(1);
    expect(el.querySelector('[slot=button]')).to.equal(first);
    expect(fake().renders[0].amount).to.deep.equal({ amount: '2500', currencyCode: 'JPY' });

    const again = oneEvent(el, 'amazon-pay-ready');
    el.buttonColor = 'LightGray';
    await again;
    const second = el.querySelector('[slot=button]')!;
    expect(fake().renders.length).to.equal(2);
    expect(second).not.to.equal(first);
    expect(first.isConnected).to.be.false;
    expect(el.querySelectorAll('[slot=button]').length).to.equal(1);
    expect(fake().renders[1].options.estimatedOrderAmount).to.deep.equal({ amount: '2500', currencyCode: 'JPY' });
  });

  it('renders when the element sits inside another shadow root', async () => {
    const host = document.createElement('div');
    const root = host.attachShadow({ mode: 'open' });
    document.body.append(host);
    try {
      const { el, ready } = mount<AmazonPayV2>(standard(standInUrl()), root);
      withPayload(el);
      await ready;
      const container = el.querySelector<HTMLElement>('[slot=button]')!;
      expect(container.shadowRoot).to.exist;
      expect(document.querySelector('#' + container.id)).to.equal(null); // really out of document's reach
      expect(Object.hasOwn(document, 'querySelector')).to.be.false; // the lookup is restored
    } finally {
      host.remove();
    }
  });

  it('starts Amazon checkout with the signed payload when the standard button is clicked', async () => {
    const { el, ready } = mount<AmazonPayV2>(standard(standInUrl()));
    withPayload(el);
    await ready;
    el.querySelector<HTMLElement>('[slot=button]')!.click();
    const [initiation] = fake().initiations;
    expect(initiation.kind).to.equal('createCheckoutSessionConfig');
    expect(initiation.fields.payloadJSON).to.equal(PAYLOAD);
    expect(initiation.fields.signature).to.equal('c2lnbmF0dXJl+/=');
    expect(initiation.fields.environment).to.equal('SANDBOX');
  });

  it('re-renders only for a change that Amazon must see: each render leaks a resize listener in checkout.js', async () => {
    const { el, ready } = mount<AmazonPayV2>(standard(standInUrl(), 'estimated-amount="1000"'));
    withPayload(el);
    await ready;
    expect(fake().resizeListeners).to.equal(1);
    // Not render-affecting: no new render, no new listener.
    el.estimatedAmount = 2000;
    el.timeout = 5000;
    el.showErrors = true;
    el.loadTimeout = 9000;
    await el.updateComplete;
    await sleep(30);
    expect([fake().renders.length, fake().resizeListeners]).to.deep.equal([1, 1]);
    expect(fake().renders[0].amount).to.deep.equal({ amount: '2000', currencyCode: 'JPY' });
    // Render-affecting: a fresh container each time, and checkout.js's listener stays behind.
    for (const placement of ['Product', 'Checkout'] as const) {
      const rendered = oneEvent(el, 'amazon-pay-ready');
      el.placement = placement;
      await rendered;
    }
    expect([fake().renders.length, fake().resizeListeners]).to.deep.equal([3, 3]);
    expect(el.querySelectorAll('[slot=button]')).to.have.length(1);
  });

  it('meets the stand-in as the real script behaves: inline size on the container, the initiate form it posts', async () => {
    const { el, ready } = mount<AmazonPayV2>(standard(standInUrl()));
    withPayload(el);
    await ready;
    const container = el.querySelector<HTMLElement>('[slot=button]')!;
    expect(container.style.width).to.match(/^\d+(\.\d+)?px$/);
    expect(container.style.height).to.match(/^\d+(\.\d+)?px$/);
    // The element's own size still wins over checkout.js's inline one.
    el.style.setProperty('--amazon-pay-v2-width', '250px');
    expect(container.getBoundingClientRect().width).to.equal(250);
    window.dispatchEvent(new Event('resize'));
    expect(container.style.width).to.equal('inherit');
    expect(container.getBoundingClientRect().width).to.equal(250);
    container.click();
    const { fields } = fake().initiations[0];
    expect(fields.merchantDomain).to.equal(location.hostname);
    for (const field of ['scopes', 'weblabData', 'apaySessionSet']) expect(field in fields, field).to.be.true;
  });

  it('draws a SignIn button with the sign-in look: no microtext', async () => {
    const { el, ready } = mount<AmazonPayV2>(standard(standInUrl(), 'product-type="SignIn"'));
    withPayload(el);
    await ready;
    const root = el.querySelector<HTMLElement>('[slot=button]')!.shadowRoot!;
    expect(root.querySelector('.amazonpay-custom-button-container-rows')).to.exist;
    expect(root.querySelector('.amazonpay-button-view3')).to.equal(null);
  });

  it('starts checkout from the keyboard as a button does: Enter and Space', async () => {
    const { el, ready } = mount<AmazonPayV2>(standard(standInUrl()));
    withPayload(el);
    await ready;
    const button = el.querySelector<HTMLElement>('[slot=button]')!;
    for (const keyCode of [13, 32]) button.dispatchEvent(new KeyboardEvent('keyup', { keyCode, bubbles: true }));
    button.dispatchEvent(new KeyboardEvent('keyup', { keyCode: 65, bubbles: true })); // "a": nothing
    expect(fake().initiations.map((i) => i.kind)).to.deep.equal(['createCheckoutSessionConfig', 'createCheckoutSessionConfig']);
  });

  it('with loading="lazy", fetches nothing until the element is near the viewport', async () => {
    const key = freshKey();
    const spacer = document.createElement('div');
    spacer.style.height = '5000px';
    document.body.prepend(spacer);
    try {
      const { el, ready } = mount<AmazonPayV2>(standard(standInUrl({ key }), 'loading="lazy"'));
      withPayload(el);
      await el.updateComplete;
      await sleep(150);
      expect((await serverSeen(key)).script).to.equal(0);
      expect(document.querySelector(`script[src*="${key}"]`)).to.equal(null);
      el.scrollIntoView();
      await ready;
      expect((await serverSeen(key)).script).to.equal(1);
    } finally {
      spacer.remove();
      scrollTo(0, 0);
    }
  });

  it('gives checkout.js the nonce of its nonce attribute', async () => {
    const key = freshKey();
    const { el, ready } = mount<AmazonPayV2>(standard(standInUrl({ key }), 'nonce="el3ment-n0nce"'));
    withPayload(el);
    await ready;
    expect(document.querySelector<HTMLScriptElement>(`script[src*="${key}"]`)!.nonce).to.equal('el3ment-n0nce');
  });

  it('is busy while checkout.js loads, and sized by its CSS custom properties', async () => {
    const { el, ready } = mount<AmazonPayV2>(standard(standInUrl({ delay: 300 }), 'style="--amazon-pay-v2-width: 320px; --amazon-pay-v2-height: 80px"'));
    withPayload(el);
    await el.updateComplete;
    await nextFrame();
    expect(el.status).to.equal('loading');
    expect(el.getAttribute('aria-busy')).to.equal('true');
    const skeleton = el.shadowRoot!.querySelector<HTMLElement>('[part=skeleton]')!;
    expect(skeleton.getBoundingClientRect().height).to.equal(80);
    await ready;
    expect(getComputedStyle(skeleton).display).to.equal('none');
    const box = el.querySelector('[slot=button]')!.getBoundingClientRect();
    // checkout.js wrote 200×45 inline; the custom properties win, so nothing jumps.
    expect([box.width, box.height]).to.deep.equal([320, 80]);
  });

  it('shows the fallback slot only when the button cannot be shown', async () => {
    const { el, ready } = mount<AmazonPayV2>(
      standard(standInUrl(), '').replace('></amazon-pay-v2>', '><p slot="fallback">別のお支払い方法をお選びください</p></amazon-pay-v2>'),
    );
    withPayload(el);
    await ready;
    const fallback = el.querySelector<HTMLElement>('[slot=fallback]')!;
    expect(fallback.getClientRects().length).to.equal(0);
    const failed = oneEvent(el, 'amazon-pay-error');
    el.merchantId = '';
    await failed;
    await el.updateComplete;
    expect(el.status).to.equal('error');
    expect(fallback.getClientRects().length).to.be.greaterThan(0);
    expect(el.querySelector('[slot=button]')).to.equal(null);
  });
});
