/**
 * amazon-pay-v2/sandbox: the offline GMO-PG and Amazon stand-ins, as a Hono app to mount.
 */
export { createSandbox, DEFAULT_SHOP_ID, DEFAULT_SHOP_PASS, type Sandbox, type SandboxOptions } from './app.js';
export type { Faults } from './faults.js';
export type { NotificationAttempt } from './gmo/notifier.js';
export type { Trade, TradeStatus, CheckoutSession, ChargePermission } from './state.js';
/** @deprecated the sandbox's Amazon checkout session: {@link CheckoutSession}. */
export type { CheckoutSession as Session } from './state.js';
