/** What went wrong, as a code a program can switch on. */
export type AmazonPayErrorCode =
  | 'CONFIG_INVALID' // an attribute or option is missing or wrong; `field` names it
  | 'SCRIPT_LOAD_FAILED' // checkout.js answered with an error (404, blocked, offline)
  | 'SCRIPT_TIMEOUT' // checkout.js did not load in time
  | 'RENDER_FAILED' // checkout.js refused the options (it throws strings)
  | 'ENDPOINT_FAILED' // the merchant endpoint answered with an HTTP error
  | 'ENDPOINT_TIMEOUT' // the merchant endpoint did not answer in time
  | 'ENDPOINT_INVALID' // the merchant endpoint's answer is not the expected JSON
  | 'REDIRECT_BLOCKED'; // the endpoint's startUrl is not a host we may send the shopper to

/** One GMO-PG error pair, passed on by the merchant endpoint (`gmoErrors`). */
export interface GmoPgErrorPair {
  errCode: string;
  errInfo: string;
  message?: string;
}
/** @deprecated the same as {@link GmoPgErrorPair}; renamed so that it is not taken for the server's `GmoPgError` class. */
export type GmoPgError = GmoPgErrorPair;

/** What an {@link AmazonPayError} may carry besides its code and message. */
export interface AmazonPayErrorDetails {
  /** The attribute or option at fault, for CONFIG_INVALID. */
  field?: string;
  /** The endpoint's HTTP status, for ENDPOINT_FAILED. */
  status?: number;
  /** GMO-PG's ErrCode/ErrInfo pairs, when the endpoint passes them on. */
  gmoErrors?: GmoPgErrorPair[];
  /** The endpoint's own message, written for the shopper (`message` is for developers). */
  userMessage?: string;
}

/** An error from `<amazon-pay-v2>`, its loader or `placeOrder`; also the detail of `amazon-pay-error`. */
export class AmazonPayError extends Error implements AmazonPayErrorDetails {
  override name = 'AmazonPayError';
  declare field?: string;
  declare status?: number;
  declare gmoErrors?: GmoPgErrorPair[];
  declare userMessage?: string;
  /**
   * @param code machine-readable kind of failure
   * @param message what happened and how to fix it (for developers)
   * @param details the field at fault, the endpoint's status, GMO-PG's pairs, the shopper's message
   */
  constructor(
    public code: AmazonPayErrorCode,
    message: string,
    details: AmazonPayErrorDetails = {},
  ) {
    super(message);
    Object.assign(this, details);
  }
}
