import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { AmazonPayV2 } from '../../src/index.js';
import '../../src/index.js';
import { captureNextFormPost, freshKey, mount, resetAmazon, serverSeen, sleep, standInUrl, unmountAll } from './helpers.js';

const TOKEN = 'tok+en/with+plus=and%percent'; // what the test endpoint hands out, "+" and all

/** An APB button whose endpoint follows `scenario` (see test/support/wtr-routes.mjs). */
async function apb(scenario: string, extra = '') {
  const key = freshKey();
  const m = mount<AmazonPayV2>(
    `<amazon-pay-v2 mode="apb" merchant-id="A2MERCHANT" sandbox script-src="${standInUrl()}"
       endpoint="/merchant/checkout?scenario=${scenario}&key=${key}" ${extra}></amazon-pay-v2>`,
  );
  await m.ready;
  const button = m.el.querySelector<HTMLElement>('[slot=button]')!;
  return { ...m, key, click: () => button.click() };
}

describe('<amazon-pay-v2 mode="apb">', () => {
  beforeEach(resetAmazon);
  afterEach(unmountAll);

  it('asks the endpoint, then POSTs AccessID and Token to AmazonpayStart, the token byte for byte', async () => {
    const { el, key, click } = await apb('ok');
    const posted = captureNextFormPost();
    const redirect = oneEvent(el, 'amazon-pay-redirect');
    click();
    const { detail } = await redirect;
    expect(detail).to.deep.equal({
      startUrl: new URL('/echo/AmazonpayStart.idPass', location.href).href,
      accessId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    });
    const { form, raw, contentType } = await posted;
    expect(form.method).to.equal('post');
    expect(contentType).to.equal('application/x-www-form-urlencoded');
    expect(raw).to.equal('AccessID=a1b2c3d4e5f60718293a4b5c6d7e8f90&Token=tok%2Ben%2Fwith%2Bplus%3Dand%25percent');
    expect(new URLSearchParams(raw).get('Token')).to.equal(TOKEN);
    // The browser sent an empty JSON body: the amount is the server's business.
    const seen = await serverSeen(key);
    expect(seen.count).to.equal(1);
    expect(seen.last).to.deep.equal({ body: '{}', contentType: 'application/json' });
  });

  it('is busy while the endpoint works, and one click makes one request however often it is clicked', async () => {
    const { el, key, click } = await apb('slow', 'timeout="5000"');
    el.addEventListener('amazon-pay-redirect', (e) => e.preventDefault()); // stay on the test page
    const redirect = oneEvent(el, 'amazon-pay-redirect');
    click();
    await el.updateComplete;
    expect(el.status).to.equal('busy');
    expect(el.getAttribute('aria-busy')).to.equal('true');
    const busy = el.shadowRoot!.querySelector<HTMLElement>('[part=busy]')!;
    await waitUntil(() => busy.textContent == '処理中…', 'the overlay says it is working (written by the APB chunk)');
    expect(getComputedStyle(busy).display).not.to.equal('none');
    await expect(el).to.be.accessible();
    click();
    click();
    const { detail } = await redirect;
    expect(detail.accessId).to.have.length(32);
    expect((await serverSeen(key)).count).to.equal(1);
  });

  it('sends what the page adds: requestBody and requestHeaders, and fields added in amazon-pay-click', async () => {
    const { el, key, click } = await apb('ok');
    el.requestBody = { productId: 'coffee-200g' };
    el.requestHeaders = { 'x-csrf-token': 'tok-123' };
    el.addEventListener('amazon-pay-click', (e) => (e.detail.body.quantity = 2), { once: true });
    el.addEventListener('amazon-pay-redirect', (e) => e.preventDefault(), { once: true });
    click();
    await oneEvent(el, 'amazon-pay-redirect');
    const { last } = await serverSeen(key);
    expect(JSON.parse(last!.body)).to.deep.equal({ productId: 'coffee-200g', quantity: 2 });
    expect((last as { csrf?: string }).csrf).to.equal('tok-123');
    expect(el.requestBody).to.deep.equal({ productId: 'coffee-200g' }, 'the property is not changed by a listener');
  });

  it("logs an error nobody handles with console.error, and shows the endpoint's words with show-errors", async () => {
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const { el, click } = await apb('gmo', 'show-errors');
      click();
      await oneEvent(el, 'amazon-pay-error');
      await el.updateComplete;
      expect(logged).to.have.length(1);
      expect(String(logged[0][0])).to.contain('amazon-pay-v2');
      const message = el.shadowRoot!.querySelector<HTMLElement>('[part=message]')!;
      expect(message.textContent).to.equal('Amazon Pay could not start the payment (E01040010)');
      expect(message.getAttribute('role')).to.equal('alert');
      expect(getComputedStyle(message).display).not.to.equal('none');
      expect(el.status).to.equal('ready');
      // A listener that handles it keeps it out of the console.
      el.addEventListener('amazon-pay-error', (e) => e.preventDefault());
      click();
      await oneEvent(el, 'amazon-pay-error');
      expect(logged).to.have.length(1);
    } finally {
      console.error = original;
    }
    const { el: quiet } = await apb('gmo');
    expect(getComputedStyle(quiet.shadowRoot!.querySelector('[part=message]')!).display).to.equal('none', 'without show-errors nothing shows');
  });

  it("never shows a shopper the developer's message: an answer without userMessage shows the general line", async () => {
    const { el, errors, click } = await apb('forbidden', 'show-errors');
    el.addEventListener('amazon-pay-error', (e) => e.preventDefault());
    click();
    await oneEvent(el, 'amazon-pay-error');
    expect(errors[0].message).to.contain('set publicUrl', 'the developer still gets the detail');
    expect(errors[0].userMessage).to.equal(undefined);
    const shown = el.shadowRoot!.querySelector<HTMLElement>('[part=message]')!.textContent;
    expect(shown).to.equal('お支払いを開始できませんでした。もう一度お試しください。');
  });

  it('stops everything when amazon-pay-click is cancelled', async () => {
    const { el, key, click } = await apb('ok');
    el.addEventListener('amazon-pay-click', (e) => e.preventDefault(), { once: true });
    click();
    await sleep(100);
    expect((await serverSeen(key)).count).to.equal(0);
    expect(el.status).to.equal('ready');
  });

  it('stays on the page when amazon-pay-redirect is cancelled, and works again', async () => {
    const { el, key, click } = await apb('ok');
    let submitted = 0;
    const count = () => submitted++;
    window.addEventListener('submit', count, true);
    try {
      el.addEventListener('amazon-pay-redirect', (e) => e.preventDefault());
      click();
      await oneEvent(el, 'amazon-pay-redirect');
      await sleep(50);
      expect(submitted).to.equal(0);
      expect(el.status).to.equal('ready');
      click();
      await oneEvent(el, 'amazon-pay-redirect');
      expect((await serverSeen(key)).count).to.equal(2);
    } finally {
      window.removeEventListener('submit', count, true);
    }
  });

  const failures: [string, string, string, (e: { status?: number; message: string; gmoErrors?: unknown[] }) => void][] = [
    [
      'an HTTP 500',
      'http500',
      'ENDPOINT_FAILED',
      (e) => {
        expect(e.status).to.equal(500);
        expect(e.message).to.contain('HTTP 500: internal error');
      },
    ],
    ['an answer that is not JSON', 'html', 'ENDPOINT_INVALID', (e) => expect(e.message).to.contain('must answer {startUrl, accessId, token}')],
    ['an answer without accessId and token', 'incomplete', 'ENDPOINT_INVALID', () => {}],
    [
      'a GMO-PG error passed on by the endpoint',
      'gmo',
      'ENDPOINT_FAILED',
      (e) => {
        expect(e.status).to.equal(502);
        expect(e.message).to.contain('GMO-PG answered E01040010');
        expect(e.gmoErrors).to.deep.equal([{ errCode: 'E01', errInfo: 'E01040010', message: 'OrderID previously used' }]);
        expect((e as { userMessage?: string }).userMessage).to.equal('Amazon Pay could not start the payment (E01040010)');
      },
    ],
    ['a startUrl on a host it may not send shoppers to', 'foreign', 'REDIRECT_BLOCKED', (e) => expect(e.message).to.contain('https://evil.example')],
  ];
  for (const [what, scenario, code, check] of failures) {
    it(`reports ${what} as ${code}, then works again`, async () => {
      const { el, errors, key, click } = await apb(scenario);
      click();
      await oneEvent(el, 'amazon-pay-error');
      expect(errors).to.have.length(1);
      expect(errors[0].code).to.equal(code);
      check(errors[0]);
      await el.updateComplete;
      expect(el.status).to.equal('ready');
      expect(el.getAttribute('aria-busy')).to.equal('false');
      click();
      await oneEvent(el, 'amazon-pay-error');
      expect((await serverSeen(key)).count).to.equal(2);
    });
  }

  it('reports a timeout as ENDPOINT_TIMEOUT', async () => {
    const { el, errors, click } = await apb('slow', 'timeout="300"');
    click();
    await oneEvent(el, 'amazon-pay-error');
    expect(errors[0].code).to.equal('ENDPOINT_TIMEOUT');
    expect(errors[0].message).to.contain('300 ms');
    expect(el.status).to.equal('ready');
  });

  it('follows a startUrl whose origin the page allows with start-origins', async () => {
    const { el, click } = await apb('foreign', 'start-origins="http://sandbox.test https://evil.example"');
    el.addEventListener('amazon-pay-redirect', (e) => e.preventDefault());
    click();
    const { detail } = await oneEvent(el, 'amazon-pay-redirect');
    expect(detail.startUrl).to.equal('https://evil.example/payment/AmazonpayStart.idPass');
  });

  it('never navigates to a startUrl that is not http(s), whatever start-origins holds', async () => {
    for (const scenario of ['script', 'data']) {
      const { el, errors, click } = await apb(scenario, 'start-origins="data:,x javascript:x about:blank http://sandbox.test"');
      let redirected = false;
      let submitted = 0;
      const count = (e: Event) => (submitted++, e.preventDefault());
      el.addEventListener('amazon-pay-redirect', () => (redirected = true));
      window.addEventListener('submit', count, true);
      try {
        click();
        await oneEvent(el, 'amazon-pay-error');
        await sleep(50);
      } finally {
        window.removeEventListener('submit', count, true);
      }
      expect(errors[0].code).to.equal('REDIRECT_BLOCKED');
      expect(errors[0].message).to.contain('not an http(s) URL');
      expect([redirected, submitted]).to.deep.equal([false, 0]);
      expect((window as { __hijacked?: number }).__hijacked).to.equal(undefined);
      unmountAll();
    }
  });

  it('aborts the endpoint call when the element leaves the page, silently', async () => {
    const { el, errors, key, click, wrap } = await apb('slow', 'timeout="5000"');
    click();
    await sleep(50);
    wrap.remove();
    await sleep(100);
    expect(errors).to.deep.equal([]);
    expect((await serverSeen(key)).count).to.equal(1);
    expect(el.status).to.equal('ready');
  });
});
