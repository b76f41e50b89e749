import { expect } from '@open-wc/testing';
import { loadCheckoutJs } from '../../src/browser/checkout-loader.js';
import { AmazonPayError } from '../../src/browser/errors.js';
import { fake, freshKey, resetAmazon, serverSeen, sleep, standInUrl } from './helpers.js';

const scriptsFor = (key: string) => document.querySelectorAll(`script[src*="key=${key}"]`);

describe('loadCheckoutJs', () => {
  beforeEach(resetAmazon);

  it('loads checkout.js once for concurrent and repeated calls', async () => {
    const key = freshKey();
    const src = standInUrl({ key, delay: 100 });
    const results = await Promise.all([loadCheckoutJs(src), loadCheckoutJs(src), loadCheckoutJs(src)]);
    await loadCheckoutJs(src);
    expect(results[0]).to.equal(window.amazon!.Pay);
    expect(results.every((r) => r === results[0])).to.be.true;
    expect(scriptsFor(key).length).to.equal(1);
    expect(fake().loadCount).to.equal(1);
    expect((await serverSeen(key)).script).to.equal(1);
  });

  it('shares one script with a second copy of the loader (another bundle on the page)', async () => {
    // The same file under another URL is a separate module instance, as a second bundle would be.
    const copy: typeof import('../../src/browser/checkout-loader.js') = await import(
      // @ts-expect-error: a query string makes the browser load a second module instance
      '../../src/browser/checkout-loader.ts?second-bundle'
    );
    expect(copy.loadCheckoutJs).not.to.equal(loadCheckoutJs);
    const key = freshKey();
    const src = standInUrl({ key, delay: 100 });
    const [a, b] = await Promise.all([loadCheckoutJs(src), copy.loadCheckoutJs(src)]);
    expect(a).to.equal(b);
    expect(scriptsFor(key).length).to.equal(1);
    expect(fake().loadCount).to.equal(1);
    expect((await serverSeen(key)).script).to.equal(1);
    expect(scriptsFor(key)[0].getAttribute('data-amazon-pay-v2')).to.equal('loaded');
    // The button is what the shopper came for: its script is not left behind the page's images.
    expect((scriptsFor(key)[0] as HTMLScriptElement).fetchPriority).to.equal('high');
    // and a later call from either copy reuses it
    await copy.loadCheckoutJs(src);
    expect(scriptsFor(key).length).to.equal(1);
  });

  it('rejects with SCRIPT_LOAD_FAILED on a 404 and removes the failed tag', async () => {
    const key = freshKey();
    const error = await loadCheckoutJs(standInUrl({ key, status: 404 }), { retries: 0 }).catch((e) => e);
    expect(error).to.be.instanceOf(AmazonPayError);
    expect(error.code).to.equal('SCRIPT_LOAD_FAILED');
    expect(error.message).to.contain('could not load');
    expect(scriptsFor(key).length).to.equal(0);
  });

  it('rejects with SCRIPT_TIMEOUT when the script is too slow', async () => {
    const key = freshKey();
    const error = await loadCheckoutJs(standInUrl({ key, delay: 3000 }), { timeout: 200, retries: 0 }).catch((e) => e);
    expect(error.code).to.equal('SCRIPT_TIMEOUT');
    expect(error.message).to.contain('200 ms');
    expect(window.amazon).to.equal(undefined);
  });

  it('retries after a failure and succeeds with a fresh tag', async () => {
    const key = freshKey();
    const pay = await loadCheckoutJs(standInUrl({ key, failFirst: 1 }), { retries: 1, retryDelay: 10 });
    expect(pay.renderButton).to.be.a('function');
    expect((await serverSeen(key)).script).to.equal(2);
    expect(scriptsFor(key).length).to.equal(1);
  });

  it('retries after a timeout', async () => {
    // The first attempt times out; the retry's tag gets the same slow answer but a longer wait
    // is not allowed, so both time out and the error says so; then a later call starts over.
    const key = freshKey();
    const src = standInUrl({ key, delay: 400 });
    const error = await loadCheckoutJs(src, { timeout: 100, retries: 1, retryDelay: 10 }).catch((e) => e);
    expect(error.code).to.equal('SCRIPT_TIMEOUT');
    expect((await serverSeen(key)).script).to.equal(2);
    await sleep(500); // the late scripts arrive; removed tags do not count as loaded
    resetAmazon();
    const pay = await loadCheckoutJs(src, { timeout: 2000 });
    expect(pay.renderButton).to.be.a('function');
  });

  it('gives the script the nonce it is passed', async () => {
    const key = freshKey();
    await loadCheckoutJs(standInUrl({ key }), { nonce: 'n0nce-passed' });
    expect((scriptsFor(key)[0] as HTMLScriptElement).nonce).to.equal('n0nce-passed');
  });

  it('finds the nonce of a script already on the page', async () => {
    const marker = document.createElement('script');
    marker.setAttribute('nonce', 'page-n0nce'); // as a server-rendered page has it
    marker.textContent = '/* a merchant script with the CSP nonce */';
    document.head.append(marker);
    try {
      const key = freshKey();
      await loadCheckoutJs(standInUrl({ key }));
      expect((scriptsFor(key)[0] as HTMLScriptElement).nonce).to.equal('page-n0nce');
    } finally {
      marker.remove();
    }
  });

  it("reuses the merchant's own checkout.js tag instead of adding another", async () => {
    const key = freshKey();
    const src = standInUrl({ key, delay: 100 });
    const own = document.createElement('script');
    own.src = src;
    document.head.append(own);
    await loadCheckoutJs(src);
    expect(scriptsFor(key).length).to.equal(1);
    expect((await serverSeen(key)).script).to.equal(1);
  });

  it('fails clearly when the script defines no amazon.Pay', async () => {
    const error = await loadCheckoutJs('data:text/javascript,window.notAmazon=1', { retries: 0 }).catch((e) => e);
    expect(error.code).to.equal('SCRIPT_LOAD_FAILED');
    expect(error.message).to.contain('amazon.Pay');
  });
});
