import { expect, oneEvent } from '@open-wc/testing';
import type { AmazonPayV2 } from '../../src/index.js';
import '../../src/index.js';
import { fake, freshKey, mount, resetAmazon, serverSeen, sleep, standInUrl, unmountAll } from './helpers.js';

/** A Buy Now button whose endpoint follows `scenario` (test/support/wtr-routes.mjs). */
async function buyNow(scenario = 'ok', extra = '') {
  const key = freshKey();
  const m = mount<AmazonPayV2>(
    `<amazon-pay-v2 mode="buy-now" merchant-id="A2MERCHANT" store-id="amzn1.application-oa2-client.test" product-type="PayOnly" sandbox
       script-src="${standInUrl()}" endpoint="/merchant/buy-now?scenario=${scenario}&key=${key}" ${extra}></amazon-pay-v2>`,
  );
  await m.ready;
  return { ...m, key, click: () => m.el.querySelector<HTMLElement>('[slot=button]')!.click() };
}

/** The stand-in Amazon Buy Now screen, once it is open; clicks one of its buttons. */
async function onAmazonScreen(action: 'pay' | 'cancel') {
  for (let i = 0; i < 100 && !document.querySelector('dialog[data-amazonpay-buy-now]'); i++) await sleep(10);
  const dialog = document.querySelector<HTMLDialogElement>('dialog[data-amazonpay-buy-now]')!;
  expect(dialog, "Amazon's screen").to.exist;
  const text = dialog.textContent;
  dialog.querySelector<HTMLButtonElement>(`[data-action=${action}]`)!.click();
  return text;
}

describe('<amazon-pay-v2 mode="buy-now">', () => {
  beforeEach(resetAmazon);
  afterEach(() => {
    document.querySelectorAll('dialog[data-amazonpay-buy-now]').forEach((d) => d.remove());
    unmountAll();
  });

  it("renders renderJSButton with Amazon's options and handlers the page never writes", async () => {
    await buyNow();
    const [render] = fake().renders as unknown as { kind: string; options: Record<string, unknown> }[];
    expect(render.kind).to.equal('buy-now');
    const o = render.options;
    expect([o.merchantId, o.productType, o.checkoutMode, o.sandbox, o.ledgerCurrency, o.checkoutLanguage]).to.deep.equal([
      'A2MERCHANT',
      'PayOnly',
      'ProcessOrder',
      true,
      'JPY',
      'ja_JP',
    ]);
    expect(o.checkoutSessionConfig).to.deep.include({ storeId: 'amzn1.application-oa2-client.test', processorSpecifications: { name: 'gmopg' } });
    for (const handler of ['onInitCheckout', 'onCompleteCheckout', 'onCancel', 'onError']) expect(typeof o[handler], handler).to.equal('function');
  });

  it('passes scopes and deliverySpecifications to checkoutSessionConfig; PayAndShip asks for the shipping address and handles its changes', async () => {
    const key = freshKey();
    const spec = { specialRestrictions: ['RestrictPOBoxes'], addressRestrictions: { type: 'Allowed', restrictions: { JP: {} } } };
    const m = mount<AmazonPayV2>(
      `<amazon-pay-v2 mode="buy-now" merchant-id="A2MERCHANT" store-id="amzn1.application-oa2-client.test" product-type="PayAndShip" sandbox
         script-src="${standInUrl()}" endpoint="/merchant/buy-now?scenario=ok&key=${key}"></amazon-pay-v2>`,
    );
    m.el.deliverySpecifications = spec;
    await m.ready;
    const o = (fake().renders as unknown as { options: Record<string, any> }[]).at(-1)!.options;
    expect(o.checkoutSessionConfig.scopes).to.deep.equal(['name', 'email', 'phoneNumber', 'billingAddress', 'shippingAddress']);
    expect(o.checkoutSessionConfig.deliverySpecifications).to.deep.equal(spec);
    expect(typeof o.onShippingAddressSelection).to.equal('function');
    expect(typeof o.onDeliveryOptionSelection).to.equal('function');
    unmountAll();
    resetAmazon();
    const n = mount<AmazonPayV2>(
      `<amazon-pay-v2 mode="buy-now" merchant-id="A2MERCHANT" store-id="amzn1.application-oa2-client.test" product-type="PayOnly" sandbox scopes="name email"
         script-src="${standInUrl()}" endpoint="/merchant/buy-now?scenario=ok&key=${key}"></amazon-pay-v2>`,
    );
    await n.ready;
    const p = (fake().renders as unknown as { options: Record<string, any> }[]).at(-1)!.options;
    expect(p.checkoutSessionConfig.scopes).to.deep.equal(['name', 'email']);
    expect(p.onShippingAddressSelection, 'PayOnly has no address').to.equal(undefined);
  });

  it("pays: the cart comes from the endpoint, Amazon's charge permission goes to it, Amazon is told success", async () => {
    const { el, key, click } = await buyNow('ok', 'estimated-amount="8800"');
    const complete = oneEvent(el, 'amazon-pay-complete');
    click();
    const screen = await onAmazonScreen('pay');
    expect(screen).to.contain('￥8,800');
    const { detail } = await complete;
    expect(detail).to.deep.equal({ status: 'success', orderId: 'AP-BUYNOW-1', message: undefined, pending: undefined });
    await sleep(20); // Amazon gets the answer once the handler returns
    const [run] = fake().buyNow;
    expect(run.cart!.totalOrderAmount.amount).to.equal('8800');
    expect(run.cart, "Amazon gets the cart, not the server's quote id").to.not.have.property('orderId');
    expect(run.status).to.equal('success');
    const sent = JSON.parse((await serverSeen(key)).last!.body);
    expect(sent).to.deep.equal({
      step: 'complete',
      orderId: 'AP-BUYNOW-1',
      amazonChargePermissionId: run.completed!.amazonChargePermissionId,
      amazonPayMFAReturnUrl: run.completed!.amazonPayMFAReturnUrl,
      billingAddress: { name: 'テスト 太郎' },
      paymentDescriptor: 'Visa ****1111',
    });
    expect(Object.keys(sent)).to.not.include('amount');
    expect((await serverSeen(key)).count).to.equal(2); // init, then complete
    await sleep(20);
    expect(document.querySelector('dialog[data-amazonpay-buy-now]'), 'the screen closes on success').to.equal(null);
  });

  it('tells the page when the payment is not authorized yet (pending), while Amazon is told success', async () => {
    const { el, click } = await buyNow('pending');
    const complete = oneEvent(el, 'amazon-pay-complete');
    click();
    await onAmazonScreen('pay');
    expect((await complete).detail).to.deep.include({ status: 'success', orderId: 'AP-BUYNOW-1', pending: true });
    await sleep(20);
    expect(fake().buyNow[0].status).to.equal('success');
  });

  it('passes a decline to Amazon, which keeps the buyer on its screen', async () => {
    const { el, click } = await buyNow('decline');
    const complete = oneEvent(el, 'amazon-pay-complete');
    click();
    await onAmazonScreen('pay');
    expect((await complete).detail.status).to.equal('decline');
    await sleep(20);
    expect(fake().buyNow[0].status).to.equal('decline');
    expect(document.querySelector('dialog[data-amazonpay-buy-now]')!.textContent).to.contain('承認されませんでした');
  });

  it('tells the page when the buyer cancels, and sends nothing to pay', async () => {
    const { el, key, click } = await buyNow();
    const cancelled = oneEvent(el, 'amazon-pay-cancel');
    click();
    await onAmazonScreen('cancel');
    await cancelled;
    expect(fake().buyNow[0].cancelled).to.equal(true);
    expect(JSON.parse((await serverSeen(key)).last!.body).step).to.equal('init');
  });

  it('answers Amazon "error" when the endpoint fails, and reports it', async () => {
    const { el, errors, click } = await buyNow('http500');
    click();
    await oneEvent(el, 'amazon-pay-error');
    expect(errors[0].code).to.equal('ENDPOINT_FAILED');
    expect((errors[0] as { userMessage?: string }).userMessage).to.equal('ただいまご注文を受け付けられません。');
    await sleep(30);
    expect(errors, 'reported once, not again through onError').to.have.length(1);
  });

  it('names what a Buy Now button lacks', async () => {
    const { el, errors } = mount<AmazonPayV2>(`<amazon-pay-v2 mode="buy-now" merchant-id="A2" script-src="${standInUrl()}"></amazon-pay-v2>`);
    await oneEvent(el, 'amazon-pay-error');
    await sleep(30);
    expect(errors.map((e) => e.field)).to.deep.equal(['endpoint', 'store-id']);
  });
});
