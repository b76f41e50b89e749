/**
 * The merchant's back-office operations on orders: capture, cancel or refund, change the amount,
 * 随時決済 on a recurring consent, and the consent itself. Each call is recorded in the order's
 * history with the source "back office". No return value carries an AccessPass (see PublicOrder).
 * Operations on one order run one at a time in this process, and asking for a state the order is
 * already in (a second capture, a second full cancel) returns it as it is instead of calling GMO-PG.
 */
import type { ChargePermissionResult, GmoPgClient, JobCd } from '../client/gmo-pg-client.js';
import { publicOrder, type ListOptions, type Order, type OrderStore, type PublicOrder } from '../orders/types.js';
import { confirmOrder } from '../payments/confirm.js';
import { AUTHORIZATION_LIFETIME_MS, type Operation } from '../payments/lifecycle.js';
import type { Logger } from '../telemetry/logger.js';
import { BackOfficeError, operate, PerOrderQueue, type OperationParts, type OperationSpec } from './operations.js';
import { chargeConsent, consentOf } from './recurring-charge.js';

const DAY = 24 * 3600_000;
/** How long Amazon keeps an uncaptured authorization (payments/lifecycle.ts). */
export { AUTHORIZATION_LIFETIME_MS };

export { BackOfficeError };

export interface BackOffice {
  /** AmazonpaySales: capture an authorization (its full amount unless `amount` is given). */
  capture(orderId: string, options?: { amount?: number; tax?: number }): Promise<PublicOrder>;
  /**
   * AmazonpayCancel: cancel an authorization, or refund captured money (all, or `amount`), as GMO-PG
   * has the order when asked. With `only: 'authorization'` captured money is never refunded: the call
   * is refused when GMO-PG has the order captured (a notification the store has not seen yet).
   */
  cancel(orderId: string, options?: { amount?: number; tax?: number; only?: 'authorization' }): Promise<PublicOrder>;
  /** AmazonpayCancel on captured money only: refund all that is left, or `amount` (and `tax`). */
  refund(orderId: string, options?: { amount?: number; tax?: number }): Promise<PublicOrder>;
  /** AmazonpayChange: lower an authorization's amount. */
  changeAmount(orderId: string, amount: number, tax?: number): Promise<PublicOrder>;
  /**
   * 随時決済: charge the recurring consent of `consentOrderId` again; returns the new order, verified by
   * CheckString. Refused while an earlier charge on the consent has no known outcome (a timeout): run
   * `reconcile()` first, so that a retry never takes the money twice. A charge that gets no answer
   * throws the transport error and leaves its order `exec_unknown` for the sweep.
   */
  charge(consentOrderId: string, spec: { amount: number; tax?: number; jobCd?: JobCd; description?: string }): Promise<PublicOrder>;
  /** SearchChargePermissionAmazonpay for the consent of an order. */
  chargePermission(orderId: string): Promise<ChargePermissionResult>;
  /** CloseChargePermissionAmazonpay: end the recurring consent of an order. */
  closeChargePermission(orderId: string): Promise<ChargePermissionResult>;
  /** SearchTradeMulti: record GMO-PG's current status of an order. */
  refresh(orderId: string): Promise<PublicOrder>;
  /**
   * Authorizations at risk: orders at AUTH whose authorization expires within `within` ms (default 7
   * days). Amazon cancels an Authorized charge that is not captured within 30 days (developer.amazon.com,
   * "Charge"; GMO-PG publishes no other period for Amazon Pay, so the same is assumed: inferred).
   */
  expiring(options?: { within?: number; limit?: number }): Promise<(PublicOrder & { authorizedAt: string; expiresAt: string })[]>;
  /**
   * The order as the store has it (money state, stage, amounts, consent; never the AccessPass), without
   * asking GMO-PG (`refresh` asks); `undefined` for an OrderID the store does not know.
   */
  get(orderId: string): Promise<PublicOrder | undefined>;
  /** Orders as recorded, newest first (`kind`, `stage`, `limit`); `before` (an OrderID) continues after the last order of a page. */
  list(options?: ListOptions): Promise<PublicOrder[]>;
  /** Every recorded change of an order, oldest first, each with its source (checkout, RetURL, notification, back office, reconcile) and time. */
  history(orderId: string): ReturnType<OrderStore['history']>;
}

export function createBackOffice(store: OrderStore, gmo: GmoPgClient, logger: Logger, orderIdPrefix?: string): BackOffice {
  const parts: OperationParts = { store, gmo, logger };
  const queue = new PerOrderQueue();
  const run = <T extends { status: string }>(orderId: string, spec: OperationSpec<T>) => operate(parts, queue, orderId, spec);

  const cancelOrRefund = (orderId: string, options: { amount?: number; tax?: number }, only?: Operation) =>
    run(orderId, {
      op: (o) => only ?? (o.status === 'AUTH' || o.status === 'CANCEL' ? 'cancel' : 'refund'),
      event: (o) =>
        o.status === 'AUTH' ? 'AmazonpayCancel (cancel)' : `AmazonpayCancel (refund ${refundAmount(o, options).amount + refundAmount(o, options).tax})`,
      call: (o) =>
        gmo.amazonpayCancel({
          accessId: o.accessId,
          accessPass: o.accessPass,
          orderId,
          cancelAmount: refundAmount(o, options).amount,
          cancelTax: refundAmount(o, options).tax,
        }),
      changes: (r) => ({ cancelAmount: r.cancelAmount, cancelTax: r.cancelTax }),
    });

  return {
    capture: (orderId, options = {}) =>
      run(orderId, {
        op: 'capture',
        event: () => 'AmazonpaySales',
        call: (o) =>
          gmo.amazonpaySales({ accessId: o.accessId, accessPass: o.accessPass, orderId, amount: options.amount ?? o.amount, tax: options.tax ?? o.tax }),
        changes: (r) => ({ amount: r.amount, tax: r.tax }),
      }),
    cancel: (orderId, options = {}) => cancelOrRefund(orderId, options, options.only === 'authorization' ? 'cancel' : undefined),
    refund: (orderId, options = {}) => cancelOrRefund(orderId, options, 'refund'),
    changeAmount: (orderId, amount, tax) =>
      run(orderId, {
        op: 'change',
        event: () => `AmazonpayChange (${amount})`,
        call: (o) => gmo.amazonpayChange({ accessId: o.accessId, accessPass: o.accessPass, orderId, amount, tax: tax ?? o.tax }),
        changes: (r) => ({ amount: r.amount, tax: r.tax }),
      }),
    charge: (consentOrderId, spec) => chargeConsent(parts, consentOrderId, spec, orderIdPrefix),
    async chargePermission(orderId) {
      const consent = await consentOf(parts, orderId);
      return gmo.searchChargePermissionAmazonpay({ amazonChargePermissionId: consent.chargePermissionId });
    },
    async closeChargePermission(orderId) {
      const consent = await consentOf(parts, orderId);
      await gmo.closeChargePermissionAmazonpay({ amazonChargePermissionId: consent.chargePermissionId });
      await store.update(consent.orderId, () => ({
        changes: {},
        event: { source: 'back office', event: `CloseChargePermissionAmazonpay ${consent.chargePermissionId}` },
      }));
      return gmo.searchChargePermissionAmazonpay({ amazonChargePermissionId: consent.chargePermissionId });
    },
    refresh: (orderId) =>
      queue.run(orderId, async () => {
        const result = await confirmOrder(store, gmo, orderId, 'back office', { logger });
        if (!result || result.noTrade) throw new BackOfficeError(`order ${orderId} has no GMO-PG transaction yet`);
        return publicOrder(result.order);
      }),
    async expiring({ within = 7 * DAY, limit = 500 } = {}) {
      const orders = await store.authorizedBefore(new Date(Date.now() - AUTHORIZATION_LIFETIME_MS + within), limit);
      return orders.map((o) => ({
        ...publicOrder(o),
        authorizedAt: o.authorizedAt,
        expiresAt: new Date(Date.parse(o.authorizedAt) + AUTHORIZATION_LIFETIME_MS).toISOString(),
      }));
    },
    async get(orderId) {
      const order = await store.get(orderId);
      return order && publicOrder(order);
    },
    async list(options) {
      return (await store.list(options)).map(publicOrder);
    },
    history: (orderId) => store.history(orderId),
  };
}

/** What an AmazonpayCancel gives back: `amount` (and `tax`) when given, else everything left. */
function refundAmount(o: Order, options: { amount?: number; tax?: number }) {
  if (options.amount !== undefined) return { amount: options.amount, tax: options.tax ?? 0 };
  return { amount: o.amount - o.cancelAmount, tax: o.tax - o.cancelTax };
}
