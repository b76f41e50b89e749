/**
 * amazon-pay-v2/confirm: helpers for the merchant's confirm page (standard flow, seed steps 5–8 and 11):
 * Amazon's "change" links and the order button.
 */
export { bindChangeAction, placeOrder, getCheckoutSessionId, type ConfirmPageOptions } from './browser/confirm.js';
export { startPayment, type StartPaymentOptions } from './browser/start-payment.js';
