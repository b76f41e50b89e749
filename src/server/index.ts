/**
 * amazon-pay-v2/server: GMO-PG's Amazon Pay V2 protocol for the merchant's server.
 */
export * from './client.js';
export { GmoPgError, GmoPgTransportError, type GmoPgErrorDetail } from './errors.js';
export { ERROR_CODES, SANDBOX_CODES, RATE_LIMIT_CODES, type ErrorCodeInfo } from './error-codes.js';
export { computeCheckString, verifyCheckString, type CheckStringInput } from './check-string.js';
export { Windows31JError, toWindows31J, encodeForm, parseForm, encodeResponse, parseErrors, joinErrors, encodeValue, decodeValue, REQUEST_CONTENT_TYPE, RESPONSE_CONTENT_TYPE, type ErrorPair } from './wire.js';
