/** Amazon's checkout.js regions: `fe` = Japan, `na` = United States, `eu` = Europe and the UK. */
export type AmazonPayRegion = 'fe' | 'na' | 'eu';

/**
 * The checkout.js URL of each region: what the element loads, and what a page (or the server's
 * `Link` header, server/endpoint/http/checkout-js-link.ts) asks the browser to fetch early. Shared by the
 * browser and the server code, so the two never name different files.
 */
export const CHECKOUT_JS_URLS: Record<AmazonPayRegion, string> = {
  fe: 'https://static-fe.payments-amazon.com/checkout.js',
  na: 'https://static-na.payments-amazon.com/checkout.js',
  eu: 'https://static-eu.payments-amazon.com/checkout.js',
};
