import { ReactiveElement, css, type PropertyValues } from '@lit/reactive-element';
import { CHECKOUT_JS_URLS, loadCheckoutJs, type AmazonPayRegion } from './checkout-loader.js';
import { AmazonPayError } from './errors.js';
import { emit } from './events.js';
import type { AmazonPayClickDetail } from './events.js';
import type { ButtonSettings } from './settings.js';
import type { AmazonPayAmount, AmazonPayButtonHandle } from './types.js';

/** `idle` before loading, then `loading`, `ready`, `busy` (an APB call runs) or `error`. */
export type AmazonPayStatus = 'idle' | 'loading' | 'ready' | 'busy' | 'error';
/** What the button does: `standard` (Amazon returns to your confirm page), `apb` (the click calls `endpoint`) or `buy-now` (Amazon's Buy Now, renderJSButton). */
export type AmazonPayMode = 'standard' | 'apb' | 'buy-now';
/** Amazon's product types; `PayAndShipMultiAddress` is EU only. */
export type AmazonPayProductType = 'PayAndShip' | 'PayOnly' | 'SignIn' | 'Donation' | 'PayAndShipMultiAddress';
export type AmazonPayPlacement = 'Home' | 'Product' | 'Cart' | 'Checkout' | 'Other';
export type AmazonPayButtonColor = 'Gold' | 'LightGray' | 'DarkGray';
export type AmazonPayLedgerCurrency = 'JPY' | 'USD' | 'EUR' | 'GBP';
export type AmazonPayCheckoutLanguage = 'ja_JP' | 'en_US' | 'en_GB' | 'de_DE' | 'fr_FR' | 'it_IT' | 'es_ES';

/**
 * The Amazon Pay V2 button for shops that take payments through GMO Payment Gateway.
 *
 * The button is rendered by Amazon's checkout.js into a light-DOM child (checkout.js finds
 * containers with `document.querySelector`, which cannot see into shadow roots). The element's
 * own shadow DOM is static (slots and parts shown by the `status` attribute), so it is a Lit
 * ReactiveElement without lit-html: that keeps the script-tag build small.
 * `mode="standard"` carries the signed payload from GMO-PG's shop admin; `mode="apb"` calls
 * `endpoint` on click and sends the shopper to GMO-PG's AmazonpayStart.
 *
 * @summary Amazon Pay V2 button (standard, APB and sign-in) for GMO-PG shops.
 * @tag amazon-pay-v2
 *
 * @fires {CustomEvent<AmazonPayLoadDetail>} amazon-pay-load - checkout.js is available.
 * @fires {CustomEvent<AmazonPayReadyDetail>} amazon-pay-ready - The button is rendered and can be clicked.
 * @fires {CustomEvent<AmazonPayClickDetail>} amazon-pay-click - An APB button was clicked; add to `detail.body` / `detail.headers` what the endpoint needs (a product id, a CSRF token), or `preventDefault()` to stop the payment.
 * @fires {CustomEvent<AmazonPayRedirectDetail>} amazon-pay-redirect - The shopper is about to go to AmazonpayStart; `preventDefault()` stays on the page.
 * @fires {CustomEvent<AmazonPayCompleteDetail>} amazon-pay-complete - Buy Now: the endpoint answered Amazon's onCompleteCheckout (`status` success, decline or error, and the `orderId`).
 * @fires {CustomEvent<undefined>} amazon-pay-cancel - Buy Now: the buyer left Amazon's pay screen.
 * @fires {CustomEvent<AmazonPayError>} amazon-pay-error - Something failed; the detail has `code`, `message` (for developers), `userMessage` (for shoppers, from the endpoint) and `field` for bad settings. Logged with console.error unless a listener calls `preventDefault()`.
 *
 * @attr {string} nonce - The CSP nonce for checkout.js's `<script>` (HTML's own `nonce`); by default the nonce of a script already on the page.
 * @attr {string} scopes - Buy Now: the buyer details Amazon shares, space-separated (name email phoneNumber billingAddress shippingAddress); read when the button renders.
 *
 * @slot fallback - Shown instead of the button when it cannot be shown (bad settings, checkout.js unreachable).
 *
 * @csspart base - The box around the button.
 * @csspart skeleton - The placeholder while checkout.js loads.
 * @csspart busy - The overlay while an APB payment is being prepared.
 * @csspart message - With `show-errors`: what went wrong, in words for the shopper (role=alert).
 *
 * @cssprop [--amazon-pay-v2-width=100%] - Width of the button (Amazon accepts 113–600px).
 * @cssprop [--amazon-pay-v2-height=60px] - Height of the button; a fixed size also stops checkout.js's resize flicker.
 */
export class AmazonPayV2 extends ReactiveElement implements ButtonSettings {
  static override properties = {
    merchantId: { attribute: 'merchant-id' },
    publicKeyId: { attribute: 'public-key-id' },
    ledgerCurrency: { attribute: 'ledger-currency' },
    checkoutLanguage: { attribute: 'checkout-language' },
    productType: { attribute: 'product-type' },
    placement: {},
    buttonColor: { attribute: 'button-color' },
    sandbox: { type: Boolean },
    payloadJson: { attribute: 'payload-json' },
    signature: {},
    algorithm: {},
    estimatedAmount: { attribute: 'estimated-amount' },
    mode: {},
    endpoint: {},
    storeId: { attribute: 'store-id' },
    region: {},
    scriptSrc: { attribute: 'script-src' },
    loading: {},
    startOrigins: { attribute: 'start-origins' },
    timeout: { type: Number },
    loadTimeout: { attribute: 'load-timeout', type: Number },
    showErrors: { attribute: 'show-errors', type: Boolean },
    requestBody: { attribute: false },
    requestHeaders: { attribute: false },
    status: { reflect: true },
  };

  // Compact on purpose: the text ships as it is and counts against the size budget (so Prettier,
  // which would spread it over 40 lines, leaves it alone). The shadow DOM is static; the `status`
  // attribute decides what shows. !important beats the inline width/height checkout.js writes on its container.
  // prettier-ignore
  static override styles = css`:host{display:block;max-width:600px;position:relative}
[part=message]{color:#b12704;margin:.4em 0 0}
:host(:not([show-errors])) [part=message],[part=message]:empty{display:none}
::slotted([slot=button]),[part=skeleton]{width:var(--amazon-pay-v2-width,100%)!important;height:var(--amazon-pay-v2-height,60px)!important}
[part=skeleton]{border-radius:4px;background:#eaeded}
[part=busy]{position:absolute;inset:0;display:grid;place-items:center;cursor:progress;background:#fff;border-radius:4px}
:host([status=error]) [part=base],:host(:not([status=error])) [name=fallback],:host([status]:not([status=idle],[status=loading])) [part=skeleton],:host(:not([status=busy])) [part=busy]{display:none}`;

  /** Amazon Pay merchant ID (出品者ID). Required. */
  merchantId?: string;
  /** Public Key ID from Seller Central; required for standard and sign-in buttons. */
  publicKeyId?: string;
  /** Ledger currency: `JPY` (default) in Japan. */
  ledgerCurrency: AmazonPayLedgerCurrency = 'JPY';
  /** Language of Amazon's pages: `ja_JP` (default) in Japan. */
  checkoutLanguage: AmazonPayCheckoutLanguage = 'ja_JP';
  /** `PayAndShip` (default, with a shipping address), `PayOnly`, `SignIn`, `Donation`; `PayAndShipMultiAddress` in the EU. */
  productType: AmazonPayProductType = 'PayAndShip';
  /** Page the button is on: `Home`, `Product`, `Cart` (default), `Checkout` or `Other`. */
  placement: AmazonPayPlacement = 'Cart';
  /** `Gold` (default), `LightGray` or `DarkGray`. */
  buttonColor: AmazonPayButtonColor = 'Gold';
  /** Use Amazon's sandbox (test accounts) instead of production. */
  sandbox = false;
  /** The button payload from GMO-PG's shop admin (standard and sign-in buttons). */
  payloadJson?: string;
  /** The payload's signature from GMO-PG's shop admin. */
  signature?: string;
  /** Signature algorithm, when not the default `AMZN-PAY-RSASSA-PSS`. */
  algorithm?: string;
  /** Estimated order amount in the ledger currency, shown by Amazon; whole yen for JPY. Never charged. */
  estimatedAmount?: string | number;
  /** `standard` (default: Amazon returns to your confirm page) or `apb` (click calls `endpoint`, pay on Amazon at once). */
  mode: AmazonPayMode = 'standard';
  /** Merchant endpoint: APB clicks POST to `…/checkout` (answer `{ startUrl, accessId, token }`); Buy Now to `…/buy-now`. */
  endpoint?: string;
  /** Buy Now: the Store ID (`amzn1.application-oa2-client.…`) from Seller Central. */
  storeId?: string;
  /** checkout.js region: `fe` (default, Japan), `na` or `eu`. */
  region: AmazonPayRegion = 'fe';
  /** A checkout.js URL that overrides the region's: self-hosting, the sandbox, tests. */
  scriptSrc?: string;
  /** `eager` (default) or `lazy`: wait until the button is near the viewport before loading checkout.js. */
  loading: 'eager' | 'lazy' = 'eager';
  /** Space-separated origins, besides GMO-PG's and this page's, that AmazonpayStart may be on (the sandbox). */
  startOrigins?: string;
  /** Milliseconds to wait for `endpoint`; default 20000. */
  timeout = 20000;
  /** Milliseconds to wait for each attempt to load checkout.js; default 15000. */
  loadTimeout = 15000;
  /** Show what went wrong below the button (the endpoint's `userMessage`), for shoppers. */
  showErrors = false;
  /** Extra JSON fields the APB click sends to `endpoint` (never an amount: the server decides it). */
  requestBody?: Record<string, unknown>;
  /** Extra headers of the APB request, e.g. a CSRF token. */
  requestHeaders?: Record<string, string>;
  /**
   * Buy Now: the buyer details Amazon shares (`checkoutSessionConfig.scopes`), a list or the
   * `scopes` attribute's space-separated names; default name, email, phoneNumber, billingAddress,
   * and shippingAddress for PayAndShip. Read when the button renders.
   */
  declare scopes?: string[] | string;
  /** Buy Now: Amazon's `deliverySpecifications` (which addresses the buyer may pick), read when the button renders. */
  declare deliverySpecifications?: Record<string, unknown>;
  /** Where the button is in its life, reflected as the `status` attribute for styling. */
  readonly status: AmazonPayStatus = 'idle';

  #container?: HTMLElement;
  #button?: AmazonPayButtonHandle;
  #renderKey?: string;
  #amountKey?: string;
  #near = false;
  #waited?: ReturnType<typeof setTimeout> | true;
  #observer?: { disconnect(): void };
  #abort?: AbortController;

  override connectedCallback() {
    super.connectedCallback();
    // loading="lazy": the observer is a chunk of its own, fetched only by lazy buttons.
    if (this.loading == 'lazy' && !this.#near) {
      void import('./lazy.js').then(({ whenNear }) => {
        if (this.isConnected && !this.#near) this.#observer = whenNear(this, () => ((this.#near = true), void this.#sync()));
      });
    }
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.#observer?.disconnect();
    this.#abort?.abort();
  }

  protected override willUpdate(changed: PropertyValues<this>) {
    // Before the update, so that its synchronous part (status "loading") is in this same update.
    if ([...changed.keys()].some((key) => key != 'status')) void this.#sync();
  }

  protected override updated() {
    const { status } = this;
    this.setAttribute('aria-busy', String(status == 'loading' || status == 'busy'));
    // The busy overlay's words and the shopper's message ([role=alert], shown with show-errors) of an
    // APB payment are written by its code (start-payment.ts), which only APB buttons download.
  }

  protected override createRenderRoot() {
    const root = super.createRenderRoot();
    const template = document.createElement('template');
    template.innerHTML =
      '<div part="base"><slot name="button"></slot><div part="skeleton"></div><div part="busy" role="status"></div></div><slot name="fallback"></slot><p part="message" role="alert"></p>';
    root.append(template.content);
    return root;
  }

  /**
   * Validates, loads checkout.js and renders; re-renders only when a render-affecting value
   * changed, and passes a new amount to the rendered button instead.
   */
  async #sync() {
    if (this.loading == 'lazy' && !this.#near) return;
    // No merchant-id yet: a framework's server-rendered tag before hydration gives it its properties.
    // No checks and no checkout.js until it has them; after 3 s without, the checks say what is missing.
    if (!this.merchantId && this.#waited != true)
      return void (this.#waited ??= setTimeout(() => ((this.#waited = true), this.isConnected && void this.#sync()), 3e3));
    if (this.status == 'idle') this.#set('loading');
    // checkout.js and the settings checks (a chunk of their own, so that the element's
    // first download stays small) load in parallel; Amazon is called only once both are in.
    const src = this.scriptSrc || CHECKOUT_JS_URLS[this.region];
    const script = src ? loadCheckoutJs(src, { timeout: this.loadTimeout, nonce: this.nonce || undefined }) : undefined;
    script?.catch(() => {}); // reported below, once the settings are known to be valid
    // The APB code is a chunk of its own, so standard buttons never load it: fetched beside
    // checkout.js, so that it is in before the first click (bench/browser.mjs, click to AmazonpayStart).
    if (this.mode == 'apb') import('./start-payment.js').catch(() => {});
    let settings;
    try {
      settings = await import('./settings.js');
    } catch {
      return this.#fail(new AmazonPayError('SCRIPT_LOAD_FAILED', 'could not load the settings checks'));
    }
    const problems = settings.checkSettings(this);
    // With show-errors the shopper reads a general line when the button cannot be shown; the detail is the developer's.
    const unavailable = () => this.#say(settings.unavailableText(this.checkoutLanguage));
    if (problems.length) {
      this.#renderKey = undefined;
      this.#clear();
      this.#set('error');
      unavailable();
      for (const p of problems) this.#report(new AmazonPayError('CONFIG_INVALID', p.message, { field: p.field }));
      return;
    }
    const renderKey = JSON.stringify([src, { ...settings.toRenderOptions(this), estimatedOrderAmount: 0 }]);
    if (renderKey == this.#renderKey) return this.#updateAmount(settings.toAmount(this));
    this.#renderKey = renderKey;
    if (this.status != 'ready') this.#set('loading');
    let pay;
    try {
      pay = await script!;
    } catch (error) {
      if (renderKey == this.#renderKey) {
        unavailable();
        this.#fail(error as AmazonPayError);
      }
      return;
    }
    if (renderKey != this.#renderKey || !this.isConnected) return; // superseded while loading
    emit(this, 'amazon-pay-load', { src });

    // A fresh container every time: checkout.js attaches a shadow root to it, which cannot be undone.
    this.#clear();
    const container = document.createElement('div');
    container.id = settings.uniqueId();
    container.slot = 'button';
    this.append(container);
    this.#container = container;
    const selector = '#' + container.id;
    try {
      // Options built now, with the amount as it is now; checkout.js mutates them, so they are ours alone.
      const options = settings.toRenderOptions(this);
      this.#amountKey = JSON.stringify(options.estimatedOrderAmount);
      // Buy Now's handlers live in a chunk of their own, loaded only for that mode.
      const buyNow = this.mode == 'buy-now' ? await import('./buy-now.js') : undefined;
      if (renderKey != this.#renderKey || !this.isConnected) return; // superseded while loading it
      const button = settings.callWithLookup(container, selector, () =>
        buyNow ? void buyNow.renderBuyNow(pay, selector, this, options) : pay.renderButton(selector, options),
      );
      if (this.mode == 'apb') {
        if (!button?.onClick) throw Error('no onClick');
        button.onClick(() => this.#pay());
      }
      this.#button = button;
    } catch (thrown) {
      this.#clear();
      unavailable();
      this.#fail(new AmazonPayError('RENDER_FAILED', 'checkout.js: ' + settings.thrownText(thrown)));
      return;
    }
    this.#say('');
    this.#set('ready');
    emit(this, 'amazon-pay-ready', { containerId: container.id });
  }

  /** A new estimated amount for the rendered button (a button still loading gets it at render). */
  #updateAmount(amount?: AmazonPayAmount) {
    const key = JSON.stringify(amount);
    if (!this.#button || key == this.#amountKey) return;
    this.#amountKey = key;
    if (amount) this.#button.updateButtonInfo?.(amount);
  }

  /**
   * The APB click. Within the click: `amazon-pay-click` (the page may add to the body and headers, or
   * cancel) and the busy overlay; the rest (the endpoint, the redirect, the shopper's message) is the
   * start-payment chunk, fetched at render.
   */
  #pay() {
    const detail: AmazonPayClickDetail = { body: { ...this.requestBody }, headers: { ...this.requestHeaders } };
    if (this.status != 'ready' || !emit(this, 'amazon-pay-click', detail, true)) return;
    this.#set('busy');
    import('./start-payment.js').then(
      ({ payOnClick }) => payOnClick(this, detail, { set: (s) => this.#set(s), report: (e) => this.#report(e), abortable: (a) => (this.#abort = a) }),
      () => (this.#set('ready'), this.#report(new AmazonPayError('SCRIPT_LOAD_FAILED', 'could not load the payment code (start-payment chunk)'))),
    );
  }

  /** The shopper's message ([role=alert], shown with show-errors). */
  #say(text: string) {
    this.renderRoot.querySelector('[role=alert]')!.textContent = text;
  }

  #set(status: AmazonPayStatus) {
    (this as { status: AmazonPayStatus }).status = status;
  }

  #fail(error: AmazonPayError) {
    this.#set('error');
    this.#report(error);
  }

  /** amazon-pay-error; nobody may be listening, so it goes to the console unless a listener cancels it. */
  #report(error: AmazonPayError) {
    if (emit(this, 'amazon-pay-error', error, true)) console.error('<amazon-pay-v2>', error);
  }

  #clear() {
    this.#container?.remove();
    this.#container = this.#button = undefined;
  }
}
