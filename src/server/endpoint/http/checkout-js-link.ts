/**
 * The fastest button without a `<link rel=preload>` in the page: the page's own response tells the
 * browser to fetch checkout.js at once, before the HTML is even parsed. A page that loads
 * `<amazon-pay-v2>` starts checkout.js only once the element's script has run (bench/browser.mjs:
 * about a tenth later than a hand-written `<script src=checkout.js>`, which the browser finds while
 * parsing); with this header it starts with the page.
 *
 *   Express:  res.setHeader('Link', checkoutJsLink());   Hono:  c.header('Link', checkoutJsLink())
 *   103 Early Hints (HTTP/2 hosts; Node's res.writeEarlyHints): res.writeEarlyHints({ link: checkoutJsLink() })
 */
import { CHECKOUT_JS_URLS, type AmazonPayRegion } from '../../../shared/checkout-js-urls.js';

/**
 * A `Link` header value that preloads the checkout.js of `region` (default `fe`, Japan), or of
 * `src` (the element's `script-src`: a sandbox, self-hosting).
 */
export function checkoutJsLink(options: { region?: AmazonPayRegion; src?: string } = {}): string {
  const url = options.src ?? CHECKOUT_JS_URLS[options.region ?? 'fe'];
  if (!url) throw new Error(`checkoutJsLink: region "${options.region}" is not one of ${Object.keys(CHECKOUT_JS_URLS).join(', ')}`);
  if (/[<>\s]/.test(url)) throw new Error(`checkoutJsLink: src "${url}" cannot go into a Link header: give a URL without spaces or angle brackets`);
  return `<${url}>; rel=preload; as=script`;
}
