import type { AmazonPayRegion } from './checkout-loader.js';
import type { AmazonPayAmount, RenderButtonOptions } from './types.js';

// What the element needs only once it renders, which is after this chunk has loaded: here, not in
// the element's first download (bench/size.mjs).
export { callWithLookup, thrownText, uniqueId } from './light-dom.js';

/** The element's settings, as its properties hold them. */
export interface ButtonSettings {
  merchantId?: string;
  publicKeyId?: string;
  ledgerCurrency: string;
  checkoutLanguage: string;
  productType: string;
  placement: string;
  buttonColor: string;
  sandbox: boolean;
  payloadJson?: string;
  signature?: string;
  algorithm?: string;
  estimatedAmount?: string | number;
  mode: string;
  endpoint?: string;
  storeId?: string;
  region: string;
}

/**
 * What `show-errors` shows a shopper when the button cannot be shown (bad settings, checkout.js
 * unreachable): never the developer's text, which goes to the console and `amazon-pay-error`.
 */
export const unavailableText = (language: string) =>
  language == 'ja_JP'
    ? 'ただいま Amazon Pay をご利用いただけません。別のお支払い方法をご利用ください。'
    : 'Amazon Pay is not available right now. Please choose another payment method.';

/** One thing wrong with the settings: the attribute at fault and how to fix it. */
export interface SettingsProblem {
  field: string;
  message: string;
}

// Ledger currencies and checkout languages that each region's checkout.js accepts.
const REGIONS: Record<AmazonPayRegion, [currencies: string, languages: string]> = {
  fe: ['JPY', 'ja_JP'],
  na: ['USD', 'en_US'],
  eu: ['EUR GBP', 'en_GB de_DE fr_FR it_IT es_ES'],
};
const FROM_ADMIN = "copy it from GMO-PG's shop admin (Amazon Pay > 設定)";

/**
 * Checks the settings before Amazon sees them, so that each mistake is reported
 * with the attribute that causes it and the fix, instead of checkout.js's generic text.
 */
export function checkSettings(s: ButtonSettings): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message: `${field}: ${message}` });
  // `allowed` is a space-separated list: it keeps the bundle small.
  const oneOf = (field: string, value: unknown, allowed: string, hint = '') =>
    allowed.split(' ').includes(value as string) || add(field, `"${String(value)}" is not one of ${allowed}${hint}`);

  oneOf('mode', s.mode, 'standard apb buy-now');
  oneOf('region', s.region, 'fe na eu');
  // Both real builds (NA, EU) take Donation, the EU one also PayAndShipMultiAddress. The FE build
  // is inferred to take Donation as NA does (no copy of it was read).
  oneOf('product-type', s.productType, 'PayAndShip PayOnly SignIn Donation' + (s.region == 'eu' ? ' PayAndShipMultiAddress' : ''));
  oneOf('placement', s.placement, 'Home Product Cart Checkout Other');
  oneOf('button-color', s.buttonColor, 'Gold LightGray DarkGray');
  const [currencies, languages] = REGIONS[s.region as AmazonPayRegion] ?? [];
  if (currencies) {
    const hint = ` in region ${s.region} (or change region)`;
    oneOf('ledger-currency', s.ledgerCurrency, currencies, hint);
    oneOf('checkout-language', s.checkoutLanguage, languages, hint);
  }
  if (!s.merchantId) add('merchant-id', 'missing; set your Amazon 出品者ID');

  const signIn = s.productType == 'SignIn';
  if (s.mode == 'apb' || s.mode == 'buy-now') {
    if (!s.endpoint) add('endpoint', s.mode == 'apb' ? "missing; set your server's checkout URL" : "missing; set your server's Buy Now URL (…/buy-now)");
    if (signIn) add('product-type', 'SignIn needs mode="standard"');
    if (s.mode == 'buy-now') {
      if (!s.storeId) add('store-id', 'missing; set the Store ID (amzn1.application-oa2-client.…) from Seller Central');
      else if (s.productType != 'PayOnly' && s.productType != 'PayAndShip' && !signIn) add('product-type', 'Buy Now takes PayOnly or PayAndShip');
    }
  } else {
    if (!s.payloadJson) add('payload-json', 'missing; ' + FROM_ADMIN);
    else if (!isJsonObject(s.payloadJson)) add('payload-json', 'not a JSON object; ' + FROM_ADMIN);
    if (!s.signature) add('signature', 'missing; ' + FROM_ADMIN);
    if (!s.publicKeyId) add('public-key-id', 'missing; copy it from Seller Central');
  }
  if (s.algorithm) oneOf('algorithm', s.algorithm, 'AMZN-PAY-RSASSA-PSS AMZN-PAY-RSASSA-PSS-V2');
  // checkout.js compares only a top-level publicKeyId with `sandbox`: ours is inside the session
  // config, so it would render a LIVE key in the sandbox without a word.
  if (s.sandbox && (s.publicKeyId ?? '').startsWith('LIVE-')) {
    add('sandbox', `set with the LIVE key public-key-id="${s.publicKeyId}": remove sandbox, or use your SANDBOX- key`);
  }
  const amount = toAmount(s);
  if (amount) {
    const value = Number(s.estimatedAmount);
    const digits = s.ledgerCurrency == 'JPY' ? 0 : 2;
    if (!(value > 0)) add('estimated-amount', `"${s.estimatedAmount}" is not a positive number`);
    // 10, 12.5 and 12.50 are all fine for USD (as for checkout.js); 12.345 and ¥1000.5 are not.
    else if (Number(value.toFixed(digits)) != value) {
      add('estimated-amount', `${s.estimatedAmount} has too many decimals for ${s.ledgerCurrency}; use ${value.toFixed(digits)}`);
    }
  }
  return problems;
}

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return typeof value == 'object' && value != null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The estimated amount in checkout.js's shape, or undefined when there is none. */
export function toAmount(s: ButtonSettings): AmazonPayAmount | undefined {
  return s.estimatedAmount == null || s.estimatedAmount === '' || s.productType == 'SignIn'
    ? undefined
    : { amount: String(Number(s.estimatedAmount)), currencyCode: s.ledgerCurrency };
}

/**
 * The renderButton options for valid settings: the seed's first sample for
 * standard buttons, its second (no config) for APB, and `signInConfig` for SignIn.
 */
export function toRenderOptions(s: ButtonSettings): RenderButtonOptions {
  const options: RenderButtonOptions = {
    merchantId: s.merchantId!,
    ledgerCurrency: s.ledgerCurrency,
    checkoutLanguage: s.checkoutLanguage,
    productType: s.productType,
    placement: s.placement,
    buttonColor: s.buttonColor,
  };
  // Only when asked: without it, checkout.js tells the environment from a SANDBOX- key itself, and
  // an explicit false would make it post environment=LIVE with a sandbox key.
  if (s.sandbox) options.sandbox = true;
  const amount = toAmount(s);
  if (amount) options.estimatedOrderAmount = amount;
  if (s.mode == 'standard') {
    const config = { payloadJSON: s.payloadJson!, signature: s.signature!, publicKeyId: s.publicKeyId! };
    if (s.algorithm) Object.assign(config, { algorithm: s.algorithm });
    options[s.productType == 'SignIn' ? 'signInConfig' : 'createCheckoutSessionConfig'] = config;
  }
  return options;
}
