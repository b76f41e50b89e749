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

/** One GMO-PG error pair, passed on by the merchant endpoint. */
export interface GmoPgError {
  errCode: string;
  errInfo: string;
  message?: string;
}

/** An error from `<amazon-pay-v2>`, its loader or `placeOrder`; also the detail of `amazon-pay-error`. */
export class AmazonPayError extends Error {
  override name = 'AmazonPayError';
  /**
   * @param code machine-readable kind of failure
   * @param message what happened and how to fix it
   * @param field the attribute or option at fault, for CONFIG_INVALID
   * @param status the endpoint's HTTP status, for ENDPOINT_FAILED
   * @param gmoErrors GMO-PG's ErrCode/ErrInfo pairs, when the endpoint passes them on
   * @param userMessage the endpoint's own message, written for the shopper (`message` is for developers)
   */
  constructor(
    public code: AmazonPayErrorCode,
    message: string,
    public field?: string,
    public status?: number,
    public gmoErrors?: GmoPgError[],
    public userMessage?: string,
  ) {
    super(message);
  }
}
