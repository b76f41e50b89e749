import { AmazonPayError } from './errors.js';
import type { AmazonPayNamespace } from './types.js';

import { CHECKOUT_JS_URLS, type AmazonPayRegion } from '../shared/checkout-js-urls.js';

export { CHECKOUT_JS_URLS, type AmazonPayRegion };

/** How `loadCheckoutJs` loads the script. */
export interface LoadCheckoutJsOptions {
  /** Milliseconds to wait for each attempt; default 15000. */
  timeout?: number;
  /** Further attempts after a failure or timeout; default 2. */
  retries?: number;
  /** Milliseconds before the first retry (doubling after that); default 500. */
  retryDelay?: number;
  /** CSP nonce for the `<script>`; by default the nonce of a script already on the page. */
  nonce?: string;
}

// The loading state lives on the <script> element itself (not in a module variable), so that
// every caller, even from a second copy of this module in another bundle, shares one script.
const STATE = 'data-amazon-pay-v2';
const FOR = STATE + '-src';

const loaded = () => (window.amazon?.Pay?.renderButton ? window.amazon.Pay : undefined);

/**
 * Loads checkout.js once per page and resolves with `window.amazon.Pay`.
 * Concurrent and repeated calls share one `<script>`; a failed one is removed,
 * so a retry or a later call inserts a fresh one. Rejects with an {@link AmazonPayError}
 * (`SCRIPT_LOAD_FAILED` or `SCRIPT_TIMEOUT`) once every attempt has failed.
 */
export async function loadCheckoutJs(src: string, options: LoadCheckoutJsOptions = {}): Promise<AmazonPayNamespace> {
  if (typeof document == 'undefined') throw new AmazonPayError('SCRIPT_LOAD_FAILED', 'needs a browser');
  const url = new URL(src, document.baseURI).href;
  const retries = options.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      return await loadOnce(url, attempt, options);
    } catch (error) {
      if (attempt >= retries) throw error;
      await new Promise((r) => setTimeout(r, (options.retryDelay ?? 500) * 2 ** attempt));
    }
  }
}

function loadOnce(url: string, attempt: number, { timeout = 15000, nonce }: LoadCheckoutJsOptions): Promise<AmazonPayNamespace> {
  return new Promise((resolve, reject) => {
    const ns = loaded();
    if (ns) return resolve(ns);
    // A tag is matched by the URL it was asked for (a retry's src carries a cache-buster).
    let script = [...document.scripts].find((s) => (s.getAttribute(FOR) ?? s.src) == url && s.getAttribute(STATE) != 'failed');
    if (!script) {
      script = Object.assign(document.createElement('script'), {
        // The browser would answer a retry of the same URL from its memory of the failure.
        src: attempt ? `${url}${url.includes('?') ? '&' : '?'}retry=${attempt}` : url,
        async: true,
        // An injected async script is fetched at low priority, in line with the page's images; the
        // button is above the fold and the reason the shopper is here.
        fetchPriority: 'high',
        nonce: nonce ?? document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '',
      });
      script.setAttribute(STATE, 'loading');
      script.setAttribute(FOR, url);
      document.head.append(script);
    }
    const el = script;
    const listening = new AbortController();
    const finish = (error?: AmazonPayError) => {
      clearTimeout(timer);
      listening.abort();
      const ns = loaded();
      if (ns && !error) {
        el.setAttribute(STATE, 'loaded');
        return resolve(ns);
      }
      // Marked and removed so that the next attempt inserts a fresh tag.
      el.setAttribute(STATE, 'failed');
      el.remove();
      reject(error ?? new AmazonPayError('SCRIPT_LOAD_FAILED', `${url} defined no amazon.Pay`));
    };
    const timer = setTimeout(() => finish(new AmazonPayError('SCRIPT_TIMEOUT', `${url} timed out after ${timeout} ms`)), timeout);
    if (el.getAttribute(STATE) == 'loaded') return finish();
    el.addEventListener('load', () => finish(), listening);
    el.addEventListener('error', () => finish(new AmazonPayError('SCRIPT_LOAD_FAILED', `could not load ${url} (check script-src and CSP)`)), listening);
  });
}
