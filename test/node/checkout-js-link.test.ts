// checkoutJsLink() (amazon-pay-v2/server): the Link header that lets a page's response start
// checkout.js before the page is parsed, in Chromium over real HTTP; and its refusals.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { checkoutJsLink } from '../../src/server/endpoint/http/checkout-js-link.js';
import { launchChromium } from './support/browser.js';

describe('checkoutJsLink()', () => {
  it("names the region's checkout.js, or the element's own script-src, and refuses what a header cannot carry", () => {
    assert.equal(checkoutJsLink(), '<https://static-fe.payments-amazon.com/checkout.js>; rel=preload; as=script');
    assert.equal(checkoutJsLink({ region: 'eu' }), '<https://static-eu.payments-amazon.com/checkout.js>; rel=preload; as=script');
    assert.equal(checkoutJsLink({ src: 'http://127.0.0.1:8787/amazon/checkout.js' }), '<http://127.0.0.1:8787/amazon/checkout.js>; rel=preload; as=script');
    assert.throws(() => checkoutJsLink({ region: 'xx' as never }), /region "xx" is not one of fe, na, eu/);
    assert.throws(() => checkoutJsLink({ src: 'https://a.example/x.js>; rel=stylesheet, <https://evil' }), /cannot go into a Link header/);
  });

  it("makes Chromium fetch checkout.js with the page, before the element's script has run", async () => {
    const standIn = readFileSync('src/sandbox/amazon/checkout.js', 'utf8');
    const iife = readFileSync('dist/amazon-pay-v2.iife.js', 'utf8');
    const server = createServer((req, res) => {
      const path = new URL(req.url!, 'http://x').pathname;
      if (path === '/checkout.js') return void setTimeout(() => res.writeHead(200, { 'content-type': 'text/javascript' }).end(standIn), 100);
      if (path === '/iife.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(iife);
      res.writeHead(200, { 'content-type': 'text/html', link: checkoutJsLink({ src: '/checkout.js' }) });
      res.end(
        '<!doctype html><script src="/iife.js"></script><amazon-pay-v2 mode="apb" endpoint="/e" merchant-id="A2MERCHANT" sandbox script-src="/checkout.js"></amazon-pay-v2>',
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.locator('amazon-pay-v2[status=ready]').waitFor();
      // (Runs in the page; typed loosely because this file is checked with Node's types.)
      const starts = await page.evaluate(() =>
        Object.fromEntries((globalThis as any).performance.getEntriesByType('resource').map((e: any) => [new URL(e.name).pathname, e.startTime])),
      );
      assert.ok(starts['/checkout.js'] <= starts['/iife.js'], `checkout.js started at ${starts['/checkout.js']} ms, the IIFE at ${starts['/iife.js']} ms`);
      assert.equal(
        await page.evaluate(() => (globalThis as any).performance.getEntriesByType('resource').filter((e: any) => e.name.endsWith('/checkout.js')).length),
        1,
        'one download, used by the element',
      );
    } finally {
      await browser.close();
      server.close();
    }
  });
});
