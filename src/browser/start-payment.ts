import { AmazonPayError } from './errors.js';
import { emit, type AmazonPayClickDetail } from './events.js';

/** How to ask the merchant endpoint for a payment and send the shopper on. */
export interface StartPaymentOptions {
  /** The merchant endpoint, e.g. `/api/amazon-pay/checkout`. */
  endpoint: string;
  /** JSON body: `{}` for APB, `{ amazonCheckoutSessionId }` from the confirm page. Never an amount. */
  body?: Record<string, unknown>;
  /** Where `amazon-pay-redirect` is dispatched; default `document`. */
  target?: EventTarget;
  /** Milliseconds to wait for the endpoint; default 20000. */
  timeout?: number;
  /** Aborts the endpoint call. */
  signal?: AbortSignal;
  /** Origins besides `https://*.mul-pay.jp` and the page's own that may receive the shopper (e.g. a sandbox). */
  allowedOrigins?: string[];
  /** Extra request headers, e.g. a CSRF token. */
  headers?: Record<string, string>;
}

/**
 * POSTs to the merchant endpoint, which runs EntryTranAmazonpay and ExecTranAmazonpay and answers
 * `{ startUrl, accessId, token }`; then fires the cancelable `amazon-pay-redirect` and submits a
 * POST form with `AccessID` and `Token` to GMO-PG's AmazonpayStart.
 * Resolves true when the page is navigating, false when `amazon-pay-redirect` was cancelled.
 * Rejects with an {@link AmazonPayError}, or with the abort reason when `signal` aborted.
 */
export async function startPayment(options: StartPaymentOptions): Promise<boolean> {
  const { endpoint, signal, timeout = 20000 } = options;
  const timer = AbortSignal.timeout(timeout);
  let response: Response;
  let answer: any;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      credentials: 'include', // an endpoint on another origin (allowedOrigins) finds the cart by its cookies too
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body: JSON.stringify(options.body ?? {}),
      signal: signal ? AbortSignal.any([signal, timer]) : timer,
    });
    answer = await response.json().catch(() => undefined);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw timer.aborted
      ? new AmazonPayError('ENDPOINT_TIMEOUT', `${endpoint} timed out after ${timeout} ms`)
      : new AmazonPayError('ENDPOINT_FAILED', `${endpoint} unreachable: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const error = answer?.error;
    throw new AmazonPayError('ENDPOINT_FAILED', `${endpoint} HTTP ${response.status}${error?.message ? `: ${error.message}` : ''}`, {
      status: response.status,
      gmoErrors: error?.gmoErrors,
      userMessage: error?.userMessage, // only what the endpoint wrote for shoppers: `message` is for developers
    });
  }
  const { startUrl, accessId, token } = answer ?? {};
  if (![startUrl, accessId, token].every((v) => typeof v == 'string' && v)) {
    throw new AmazonPayError('ENDPOINT_INVALID', `${endpoint} must answer {startUrl, accessId, token}`);
  }
  const url = new URL(startUrl, location.href);
  // Only http(s): a javascript: or data: URL has the origin "null", which a non-http entry in
  // start-origins would also have, and submitting a form to it runs the endpoint's text here.
  const web = (u: URL) => u.protocol == 'https:' || u.protocol == 'http:';
  if (!web(url)) throw new AmazonPayError('REDIRECT_BLOCKED', `startUrl ${url.protocol} is not an http(s) URL`);
  const allowed = (options.allowedOrigins ?? []).flatMap((o) =>
    URL.canParse(o, location.href) && web(new URL(o, location.href)) ? [new URL(o, location.href).origin] : [],
  );
  const gmo = url.protocol == 'https:' && /(^|\.)mul-pay\.jp$/.test(url.hostname);
  if (!gmo && url.origin != location.origin && !allowed.includes(url.origin)) {
    throw new AmazonPayError('REDIRECT_BLOCKED', `startUrl ${url.origin} is not GMO-PG nor this site; add it to start-origins`);
  }
  if (!emit(options.target ?? document, 'amazon-pay-redirect', { startUrl: url.href, accessId }, true)) return false;

  const form = Object.assign(document.createElement('form'), { method: 'POST', action: url.href, hidden: true });
  for (const [name, value] of [
    ['AccessID', accessId],
    ['Token', token],
  ]) {
    // The token as received: the browser form-encodes it, so a "+" arrives as "+".
    form.append(Object.assign(document.createElement('input'), { type: 'hidden', name, value }));
  }
  document.body.append(form);
  form.requestSubmit();
  return true;
}

/** What the APB click needs of `<amazon-pay-v2>`: its settings, and (in `control`) its private state. */
export interface ApbButton extends HTMLElement {
  readonly status: string;
  endpoint?: string;
  requestBody?: Record<string, unknown>;
  requestHeaders?: Record<string, string>;
  timeout: number;
  startOrigins?: string;
  checkoutLanguage: string;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

/**
 * The APB click of `<amazon-pay-v2 mode="apb">`, once the element has fired `amazon-pay-click` (with
 * `detail`, as the page left it) and shown the busy overlay: the overlay's words, the endpoint,
 * AmazonpayStart; on failure the shopper's message (shown with `show-errors`) and `amazon-pay-error`.
 * In this chunk so that standard buttons never download it.
 */
export async function payOnClick(
  el: ApbButton,
  detail: AmazonPayClickDetail,
  control: { set(status: 'ready'): void; report(error: AmazonPayError): void; abortable(abort: AbortController): void },
): Promise<void> {
  const abort = new AbortController();
  control.abortable(abort); // the element aborts it when it leaves the page
  const say = (text: string, role = 'alert') => void (el.renderRoot.querySelector(`[role=${role}]`)!.textContent = text);
  const done = () => (say('', 'status'), control.set('ready'));
  say('');
  say(el.checkoutLanguage == 'ja_JP' ? '処理中…' : 'Processing…', 'status'); // the busy overlay's words
  try {
    const navigating = await startPayment({
      endpoint: el.endpoint!,
      body: detail.body,
      headers: detail.headers,
      target: el,
      timeout: el.timeout,
      signal: abort.signal,
      allowedOrigins: el.startOrigins?.split(/\s+/).filter(Boolean),
    });
    // Back from Amazon through the back/forward cache: the button works again.
    if (navigating) return void addEventListener('pageshow', done, { once: true });
  } catch (error) {
    if (!abort.signal.aborted) {
      say(shopperMessage(error, el.checkoutLanguage));
      control.report(error as AmazonPayError);
    }
  }
  done();
}

/** What a shopper is shown for a failed APB start: the endpoint's own words, else a general line. */
export function shopperMessage(error: unknown, language: string): string {
  return (
    (error as AmazonPayError).userMessage ||
    (language == 'ja_JP' ? 'お支払いを開始できませんでした。もう一度お試しください。' : 'The payment could not be started. Please try again.')
  );
}
