import { expect, oneEvent } from '@open-wc/testing';
import type { AmazonPayV2 } from '../../src/index.js';
import '../../src/index.js';
import { fake, mount, resetAmazon, sleep, standInUrl, unmountAll } from './helpers.js';

const PAYLOAD = '{"storeId":"amzn1.application-oa2-client.test"}';

/** Mounts a button with `attrs` and collects the errors it reports before it would render. */
async function problemsOf(attrs: string, props: Partial<AmazonPayV2> = { payloadJson: PAYLOAD }) {
  const src = standInUrl();
  const { el, errors } = mount<AmazonPayV2>(`<amazon-pay-v2 script-src="${src}" ${attrs}></amazon-pay-v2>`);
  Object.assign(el, props);
  await oneEvent(el, 'amazon-pay-error');
  await sleep(30); // every problem is its own event, dispatched together
  return { el, errors };
}

const VALID = 'merchant-id="A2MERCHANT" public-key-id="SANDBOX-AKEY" signature="sig" sandbox';

describe('<amazon-pay-v2> validation', () => {
  beforeEach(resetAmazon);
  afterEach(unmountAll);

  const cases: [string, string, string, RegExp][] = [
    ['an unknown mode', 'mode="express"', 'mode', /"express" is not one of standard apb/],
    ['an unknown region', 'region="jp"', 'region', /"jp" is not one of fe na eu/],
    ['an unknown product type', 'product-type="PayAndGo"', 'product-type', /PayAndShip PayOnly SignIn/],
    ['an unknown placement', 'placement="Basket"', 'placement', /Home Product Cart Checkout Other/],
    ['an unknown button colour', 'button-color="Red"', 'button-color', /Gold LightGray DarkGray/],
    ['an unknown algorithm', 'algorithm="RSA"', 'algorithm', /AMZN-PAY-RSASSA-PSS-V2/],
    ['a currency of another region', 'ledger-currency="USD"', 'ledger-currency', /"USD" is not one of JPY in region fe/],
    ['a language of another region', 'checkout-language="en_US"', 'checkout-language', /"en_US" is not one of ja_JP in region fe/],
    ['a Japanese currency in the US region', 'region="na" checkout-language="en_US"', 'ledger-currency', /"JPY" is not one of USD in region na/],
    ['a yen amount with decimals', 'estimated-amount="1000.5"', 'estimated-amount', /too many decimals for JPY; use 1001/],
    ['a negative amount', 'estimated-amount="-5"', 'estimated-amount', /not a positive number/],
    ['an amount that is not a number', 'estimated-amount="1,000"', 'estimated-amount', /not a positive number/],
  ];
  for (const [what, attr, field, message] of cases) {
    it(`reports ${what} on ${field}, and never calls Amazon`, async () => {
      const { el, errors } = await problemsOf(`${VALID} ${attr}`);
      expect(errors.map((e) => e.field)).to.deep.equal([field]);
      expect(errors[0].code).to.equal('CONFIG_INVALID');
      expect(errors[0].message).to.match(message);
      expect(errors[0].message.startsWith(field + ':')).to.be.true;
      expect(el.status).to.equal('error');
      expect(fake()?.renders ?? []).to.have.length(0);
    });
  }

  it('reports every missing value of a standard button, each with its fix', async () => {
    const { errors } = await problemsOf('', {});
    expect(errors.map((e) => e.field)).to.deep.equal(['merchant-id', 'payload-json', 'signature', 'public-key-id']);
    expect(errors[0].message).to.contain('出品者ID');
    expect(errors[1].message).to.contain("GMO-PG's shop admin");
    expect(errors[3].message).to.contain('Seller Central');
  });

  it('reports a payload that is not a JSON object', async () => {
    const { errors } = await problemsOf(VALID, { payloadJson: '{"storeId": oops' });
    expect(errors.map((e) => e.field)).to.deep.equal(['payload-json']);
    expect(errors[0].message).to.contain('not a JSON object');
  });

  it('reports an APB button without an endpoint, and a SignIn APB button', async () => {
    const { errors } = await problemsOf('merchant-id="A2MERCHANT" mode="apb" product-type="SignIn"', {});
    expect(errors.map((e) => e.field)).to.deep.equal(['endpoint', 'product-type']);
    expect(errors[0].message).to.contain('checkout URL');
  });

  it('accepts whole yen as a number property and as an attribute', async () => {
    const { el, ready } = mount<AmazonPayV2>(`<amazon-pay-v2 script-src="${standInUrl()}" ${VALID} estimated-amount="3000"></amazon-pay-v2>`);
    el.payloadJson = PAYLOAD;
    await ready;
    el.estimatedAmount = 4500;
    await el.updateComplete;
    await sleep(20);
    expect(fake().renders[0].amount).to.deep.equal({ amount: '4500', currencyCode: 'JPY' });
  });

  it('surfaces the strings checkout.js throws, with their text', async () => {
    // A US build of checkout.js refuses yen: our settings say region fe, the script is na.
    const src = standInUrl({ region: 'na' });
    const { el, errors } = mount<AmazonPayV2>(`<amazon-pay-v2 script-src="${src}" ${VALID}></amazon-pay-v2>`);
    el.payloadJson = PAYLOAD;
    await oneEvent(el, 'amazon-pay-error');
    expect(errors).to.have.length(1);
    expect(errors[0].code).to.equal('RENDER_FAILED');
    expect(errors[0].message).to.contain("Invalid value 'JPY' for 'ledgerCurrency', please use one of the available values: USD.");
    expect(el.status).to.equal('error');
    expect(el.querySelector('[slot=button]')).to.equal(null);
  });

  it('refuses a LIVE key with sandbox itself (checkout.js would render it in the sandbox without a word)', async () => {
    const { errors } = await problemsOf('merchant-id="A2MERCHANT" public-key-id="LIVE-AKEY" signature="sig" sandbox');
    expect(errors.map((e) => [e.code, e.field])).to.deep.equal([['CONFIG_INVALID', 'sandbox']]);
    expect(errors[0].message).to.contain('public-key-id="LIVE-AKEY"');
    expect(fake()?.renders ?? []).to.have.length(0);
  });

  it('sends sandbox only when it is set, so that checkout.js tells the environment from the key', async () => {
    for (const [attrs, expected] of [
      ['public-key-id="SANDBOX-AKEY"', undefined],
      ['public-key-id="SANDBOX-AKEY" sandbox', true],
      ['public-key-id="LIVE-AKEY"', undefined],
    ] as const) {
      resetAmazon();
      const { el, ready } = mount<AmazonPayV2>(
        `<amazon-pay-v2 script-src="${standInUrl()}" merchant-id="A2MERCHANT" signature="sig" ${attrs}></amazon-pay-v2>`,
      );
      el.payloadJson = PAYLOAD;
      await ready;
      const options = fake().renders[0].options;
      expect(options.sandbox, attrs).to.equal(expected);
      expect('sandbox' in options, attrs).to.equal(expected !== undefined);
      unmountAll();
    }
  });

  it('renders USD and EUR amounts the way checkout.js takes them: 10, 12.5 and 12.50', async () => {
    for (const [region, currency, language] of [
      ['na', 'USD', 'en_US'],
      ['eu', 'EUR', 'de_DE'],
    ] as const) {
      for (const value of ['10', '12.5', '12.50']) {
        resetAmazon();
        const { el, ready, errors } = mount<AmazonPayV2>(
          `<amazon-pay-v2 script-src="${standInUrl({ region })}" region="${region}" ledger-currency="${currency}" checkout-language="${language}" ${VALID} estimated-amount="${value}"></amazon-pay-v2>`,
        );
        el.payloadJson = PAYLOAD;
        await ready;
        expect(errors, `${currency} ${value}`).to.deep.equal([]);
        expect(fake().renders[0].amount).to.deep.equal({ amount: String(Number(value)), currencyCode: currency });
        unmountAll();
      }
    }
    const { errors } = await problemsOf(`${VALID} region="na" ledger-currency="USD" checkout-language="en_US" estimated-amount="12.345"`);
    expect(errors[0].message).to.contain('too many decimals for USD; use 12.35');
  });

  it('takes the product types of each region: Donation everywhere, PayAndShipMultiAddress in the EU only', async () => {
    for (const [region, currency, language, productType] of [
      ['na', 'USD', 'en_US', 'Donation'],
      ['eu', 'EUR', 'en_GB', 'Donation'],
      ['eu', 'EUR', 'en_GB', 'PayAndShipMultiAddress'],
      ['fe', 'JPY', 'ja_JP', 'Donation'],
    ] as const) {
      resetAmazon();
      const { el, ready } = mount<AmazonPayV2>(
        `<amazon-pay-v2 script-src="${standInUrl({ region })}" region="${region}" ledger-currency="${currency}" checkout-language="${language}" product-type="${productType}" ${VALID}></amazon-pay-v2>`,
      );
      el.payloadJson = PAYLOAD;
      await ready;
      expect(fake().renders[0].options.productType).to.equal(productType);
      unmountAll();
    }
    const { errors } = await problemsOf(`${VALID} product-type="PayAndShipMultiAddress"`);
    expect(errors.map((e) => e.field)).to.deep.equal(['product-type']);
  });

  it("with show-errors, shows a shopper the general line (never the developer's text) for bad settings, and clears it once fixed", async () => {
    const shown = (el: AmazonPayV2) => el.shadowRoot!.querySelector<HTMLElement>('[part=message]')!;
    const general = 'ただいま Amazon Pay をご利用いただけません。別のお支払い方法をご利用ください。';
    const { el, errors } = await problemsOf(`${VALID} placement="Basket" show-errors`);
    expect(errors[0].code).to.equal('CONFIG_INVALID');
    expect(shown(el).textContent).to.equal(general);
    expect(getComputedStyle(shown(el)).display).not.to.equal('none');
    const ready = oneEvent(el, 'amazon-pay-ready');
    el.placement = 'Checkout';
    await ready;
    expect(shown(el).textContent).to.equal('', 'the line goes once the button shows');
  });

  it('with show-errors, shows the general line when checkout.js cannot be loaded', async () => {
    const shown = (el: AmazonPayV2) => el.shadowRoot!.querySelector<HTMLElement>('[part=message]')!;
    const unreachable = mount<AmazonPayV2>(
      `<amazon-pay-v2 ${VALID} show-errors checkout-language="en_US" region="na" ledger-currency="USD" script-src="${standInUrl({ status: 404 })}"></amazon-pay-v2>`,
    );
    unreachable.el.payloadJson = PAYLOAD;
    await oneEvent(unreachable.el, 'amazon-pay-error');
    expect(unreachable.errors[0].code).to.equal('SCRIPT_LOAD_FAILED');
    expect(shown(unreachable.el).textContent).to.equal('Amazon Pay is not available right now. Please choose another payment method.');
  });

  it('recovers when a wrong value is corrected', async () => {
    const { el } = await problemsOf(`${VALID} placement="Basket"`);
    const ready = oneEvent(el, 'amazon-pay-ready');
    el.placement = 'Checkout';
    await ready;
    expect(el.status).to.equal('ready');
    expect(fake().renders[0].options.placement).to.equal('Checkout');
  });

  it('throws nothing out of its lifecycle, whatever the values', async () => {
    const uncaught: unknown[] = [];
    const onError = (e: ErrorEvent) => uncaught.push(e.error);
    const onRejection = (e: PromiseRejectionEvent) => uncaught.push(e.reason);
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    try {
      const { el } = await problemsOf('mode="??" region="??" estimated-amount="x"', {});
      Object.assign(el, { productType: null, placement: undefined, estimatedAmount: {}, region: 42 });
      await el.updateComplete;
      el.remove();
      document.body.append(el);
      await sleep(50);
      expect(uncaught).to.deep.equal([]);
    } finally {
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
    }
  });
});
