import { expect } from '@open-wc/testing';
import { bindChangeAction, getCheckoutSessionId, placeOrder } from '../../src/confirm.js';
import { AmazonPayError } from '../../src/browser/errors.js';
import { captureNextFormPost, fake, freshKey, resetAmazon, serverSeen, standInUrl } from './helpers.js';

const SESSION = 'f2d1e7c0-5a4b-4c3d-9e8f-0a1b2c3d4e5f';

describe('confirm page helpers', () => {
  beforeEach(resetAmazon);

  it('reads the amazonCheckoutSessionId Amazon put on the URL', () => {
    expect(getCheckoutSessionId(`https://shop.example/confirm?x=1&amazonCheckoutSessionId=${SESSION}`)).to.equal(SESSION);
    expect(getCheckoutSessionId('https://shop.example/confirm')).to.equal(null);
  });

  it('binds "change address" and "change payment" links to Amazon, without following their href', async () => {
    const scriptSrc = standInUrl();
    document.body.insertAdjacentHTML('beforeend', '<a id="change-address" href="#should-not-go">変更</a><button id="change-payment">変更</button>');
    const address = document.getElementById('change-address')!;
    const payment = document.getElementById('change-payment')!;
    try {
      await bindChangeAction(address, SESSION, 'changeAddress', { scriptSrc });
      await bindChangeAction('#change-payment', SESSION, 'changePayment', { scriptSrc });
      address.click();
      payment.click();
      expect(location.hash).to.equal('');
      const [a, p] = fake().changeActions;
      expect(a).to.include({ amazonCheckoutSessionId: SESSION, changeAction: 'changeAddress' });
      expect(p).to.include({ amazonCheckoutSessionId: SESSION, changeAction: 'changePayment' });
      expect(new URL(a.url).pathname).to.equal('/amazon/checkout/initiate_auth');
      expect([...new URL(a.url).searchParams.keys()]).to.deep.equal(['amazonCheckoutSessionId', 'changeAction', 'viewType'], 'as the real script: no language');
    } finally {
      address.remove();
      payment.remove();
    }
  });

  it('binds a link that sits inside a shadow root', async () => {
    const host = document.createElement('div');
    host.attachShadow({ mode: 'open' }).innerHTML = '<a href="#no">住所を変更</a>';
    document.body.append(host);
    try {
      const link = host.shadowRoot!.querySelector('a')!;
      await bindChangeAction(link, SESSION, 'changeAddress', { scriptSrc: standInUrl() });
      link.click();
      expect(fake().changeActions).to.have.length(1);
      expect(link.id).to.match(/^amazon-pay-v2-/);
    } finally {
      host.remove();
    }
  });

  it('names the field and the fix for bad input', async () => {
    const errorOf = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e) => e as AmazonPayError,
      );
    const noSession = await errorOf(bindChangeAction(document.body, '', 'changeAddress', { scriptSrc: standInUrl() }));
    expect(noSession).to.include({ code: 'CONFIG_INVALID', field: 'amazonCheckoutSessionId' });
    expect(noSession!.message).to.contain('getCheckoutSessionId()');
    const badAction = await errorOf(bindChangeAction(document.body, SESSION, 'changeAll' as 'changeAddress'));
    expect(badAction).to.include({ code: 'CONFIG_INVALID', field: 'changeAction' });
    const noTarget = await errorOf(bindChangeAction('#nothing-here', SESSION, 'changeAddress'));
    expect(noTarget).to.include({ code: 'CONFIG_INVALID', field: 'target' });
    const noEndpoint = await errorOf(placeOrder('', SESSION));
    expect(noEndpoint).to.include({ code: 'CONFIG_INVALID', field: 'endpoint' });
    const noSessionOrder = await errorOf(placeOrder('/merchant/checkout', ''));
    expect(noSessionOrder).to.include({ code: 'CONFIG_INVALID', field: 'amazonCheckoutSessionId' });
  });

  it('places the order: POSTs the session id (no amount) and goes to AmazonpayStart like an APB click', async () => {
    const key = freshKey();
    const posted = captureNextFormPost();
    const redirects: CustomEvent[] = [];
    document.addEventListener('amazon-pay-redirect', (e) => redirects.push(e), { once: true });
    const navigating = await placeOrder(`/merchant/checkout?key=${key}`, SESSION);
    expect(navigating).to.be.true;
    const { raw } = await posted;
    expect(new URLSearchParams(raw).get('Token')).to.equal('tok+en/with+plus=and%percent');
    expect(redirects[0].detail.accessId).to.equal('a1b2c3d4e5f60718293a4b5c6d7e8f90');
    const seen = await serverSeen(key);
    expect(JSON.parse(seen.last!.body)).to.deep.equal({ amazonCheckoutSessionId: SESSION });
  });

  it('rejects with the endpoint error, and can be cancelled by amazon-pay-redirect', async () => {
    const failed = await placeOrder('/merchant/checkout?scenario=gmo', SESSION).catch((e) => e);
    expect(failed.code).to.equal('ENDPOINT_FAILED');
    expect(failed.gmoErrors[0].errInfo).to.equal('E01040010');
    const target = document.createElement('div');
    target.addEventListener('amazon-pay-redirect', (e) => e.preventDefault());
    expect(await placeOrder('/merchant/checkout', SESSION, { target })).to.be.false;
  });
});
