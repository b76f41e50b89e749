/**
 * The merchant's back-office operations on orders: capture, cancel or refund, change the amount,
 * 随時決済 on a recurring consent, and the consent itself. Each call is recorded in the order's
 * history with the source "back office". No return value carries an AccessPass (see PublicOrder).
 * Operations on one order run one at a time in this process, and asking for a state the order is
 * already in (a second capture, a second full cancel) returns it as it is instead of calling GMO-PG.
 */
import type { ChargePermissionResult, GmoPgClient, JobCd } from './client.js';
import { GmoPgError } from './errors.js';
import type { Logger } from './logger.js';
import { newOrderId } from './order-id.js';
import { reconcile, stageOf } from './reconcile.js';
import { checkText, OrderSpecError } from './order-spec.js';
import { publicOrder, type ListOptions, type Order, type OrderStore, type PublicOrder } from './orders/types.js';

const DAY = 24 * 3600_000;
/** How long Amazon keeps an uncaptured authorization: 30 days (developer.amazon.com, "Charge"). */
export const AUTHORIZATION_LIFETIME_MS = 30 * DAY;

/** A back-office request that cannot be done, with the reason (for example the order's state). */
export class BackOfficeError extends Error {
  override name = 'BackOfficeError';
}

export interface BackOffice {
  /** AmazonpaySales: capture an authorization (its full amount unless `amount` is given). */
  capture(orderId: string, options?: { amount?: number; tax?: number }): Promise<PublicOrder>;
  /** AmazonpayCancel: cancel an authorization, or refund captured money (all, or `amount`). */
  cancel(orderId: string, options?: { amount?: number; tax?: number }): Promise<PublicOrder>;
  /** AmazonpayChange: lower an authorization's amount. */
  changeAmount(orderId: string, amount: number, tax?: number): Promise<PublicOrder>;
  /** 随時決済: charge the recurring consent of `consentOrderId` again; returns the new order, verified by CheckString. */
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
  get(orderId: string): Promise<PublicOrder | undefined>;
  /** Newest first; `before` (an OrderID) continues after the last order of a page. */
  list(options?: ListOptions): Promise<PublicOrder[]>;
  history(orderId: string): ReturnType<OrderStore['history']>;
}

export function createBackOffice(store: OrderStore, gmo: GmoPgClient, logger: Logger, orderIdPrefix?: string): BackOffice {
  // One operation per order at a time: five clicks on "capture" make one AmazonpaySales, and the
  // other four find the order captured. (Across processes, GMO-PG's own state check refuses the
  // second call, and the order keeps its state.)
  const queues = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(orderId: string, fn: () => Promise<T>): Promise<T> => {
    const run = (queues.get(orderId) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => {});
    queues.set(orderId, tail);
    void tail.then(() => queues.get(orderId) === tail && queues.delete(orderId));
    return run;
  };

  async function paid(orderId: string): Promise<Order & { accessId: string; accessPass: string }> {
    const order = await store.get(orderId);
    if (!order) throw new BackOfficeError(`order ${orderId} not found`);
    if (!order.accessId || !order.accessPass || order.stage !== 'completed') {
      throw new BackOfficeError(`order ${orderId} is ${order.stage}${order.status ? ` (${order.status})` : ''}: only a paid order can be changed`);
    }
    return order as Order & { accessId: string; accessPass: string };
  }

  /** Runs a GMO-PG call for an order and records the outcome, success or error. */
  async function recorded<T extends { status: string }>(order: Order, event: string, call: () => Promise<T>, changes: (r: T) => Partial<Order>) {
    try {
      const result = await call();
      const { order: updated } = await store.update(order.orderId, (current) => ({
        changes: { ...changes(result), status: result.status, stage: stageOf(result.status, current.stage), errorCodes: null },
        event: { source: 'back office', event, detail: { status: result.status } },
      }));
      logger.info(`${event} done`, { orderId: order.orderId, status: result.status });
      return publicOrder(updated);
    } catch (error) {
      if (error instanceof GmoPgError) {
        await store.update(order.orderId, () => ({
          changes: { errorCodes: error.codes.join('|') },
          event: { source: 'back office', event: `${event} refused`, detail: { codes: error.codes } },
        }));
      }
      logger.warn(`${event} failed`, { orderId: order.orderId, error: (error as Error).message });
      throw error;
    }
  }

  async function consentOf(orderId: string): Promise<Order & { chargePermissionId: string }> {
    const order = await store.get(orderId);
    if (!order?.chargePermissionId) throw new BackOfficeError(`order ${orderId} has no Amazon charge permission`);
    return order as Order & { chargePermissionId: string };
  }

  return {
    capture: (orderId, options = {}) => oneAtATime(orderId, async () => {
      const o = await paid(orderId);
      if (o.status === 'SALES' || o.status === 'CAPTURE') {
        logger.info('AmazonpaySales not sent: the order is captured already', { orderId, status: o.status });
        return publicOrder(o);
      }
      return recorded(o, 'AmazonpaySales', () => gmo.amazonpaySales({ accessId: o.accessId, accessPass: o.accessPass, orderId, amount: options.amount ?? o.amount, tax: options.tax ?? o.tax }), (r) => ({ amount: r.amount, tax: r.tax }));
    }),
    cancel: (orderId, options = {}) => oneAtATime(orderId, async () => {
      const o = await paid(orderId);
      const nothingLeft = o.status === 'CANCEL' || (o.status === 'RETURN' && o.cancelAmount + o.cancelTax >= o.amount + o.tax);
      if (nothingLeft && options.amount === undefined) {
        logger.info('AmazonpayCancel not sent: the order is cancelled already', { orderId, status: o.status });
        return publicOrder(o);
      }
      const amount = options.amount ?? o.amount - o.cancelAmount;
      const tax = options.tax ?? (options.amount === undefined ? o.tax - o.cancelTax : 0);
      return recorded(
        o,
        o.status === 'AUTH' ? 'AmazonpayCancel (cancel)' : `AmazonpayCancel (refund ${amount + tax})`,
        () => gmo.amazonpayCancel({ accessId: o.accessId, accessPass: o.accessPass, orderId, cancelAmount: amount, cancelTax: tax }),
        (r) => ({ cancelAmount: r.cancelAmount, cancelTax: r.cancelTax }),
      );
    }),
    changeAmount: (orderId, amount, tax) => oneAtATime(orderId, async () => {
      const o = await paid(orderId);
      return recorded(o, `AmazonpayChange (${amount})`, () => gmo.amazonpayChange({ accessId: o.accessId, accessPass: o.accessPass, orderId, amount, tax: tax ?? o.tax }), (r) => ({ amount: r.amount, tax: r.tax }));
    }),
    async charge(consentOrderId, spec) {
      const consent = await consentOf(consentOrderId);
      if (!Number.isInteger(spec.amount) || spec.amount <= 0) throw new BackOfficeError(`amount ${spec.amount}: use a whole number of yen above 0`);
      try {
        checkText('description', spec.description);
      } catch (error) {
        throw new BackOfficeError((error as OrderSpecError).message);
      }
      const orderId = newOrderId(orderIdPrefix);
      await store.create(
        { orderId, kind: 'charge', jobCd: spec.jobCd ?? 'AUTH', amount: spec.amount, tax: spec.tax ?? 0, parentOrderId: consent.orderId, chargePermissionId: consent.chargePermissionId, description: spec.description },
        { source: 'back office', event: `随時決済 on ${consent.chargePermissionId}` },
      );
      try {
        const entry = await gmo.entryTranAmazonpay({ orderId, jobCd: spec.jobCd ?? 'AUTH', amount: spec.amount, tax: spec.tax });
        await store.update(orderId, () => ({ changes: { stage: 'entered', accessId: entry.accessId, accessPass: entry.accessPass }, event: { source: 'back office', event: 'EntryTranAmazonpay' } }));
        // The client verifies the answer's CheckString before it returns.
        const result = await gmo.execTranAmazonpay({ ...entry, orderId, amazonChargePermissionId: consent.chargePermissionId, description: spec.description });
        const { order } = await store.update(orderId, () => ({
          changes: { stage: 'completed', status: result.status },
          event: { source: 'back office', event: 'ExecTranAmazonpay (随時決済), CheckString verified', detail: { status: result.status } },
        }));
        logger.info('随時決済 done', { orderId, consentOrderId: consent.orderId, status: result.status });
        return publicOrder(order);
      } catch (error) {
        const codes = error instanceof GmoPgError ? error.codes.join('|') : null;
        await store.update(orderId, (current) => ({
          changes: { stage: current.stage === 'entered' ? 'exec_failed' : 'entry_failed', errorCodes: codes },
          event: { source: 'back office', event: '随時決済 failed', detail: { error: (error as Error).message } },
        }));
        throw error;
      }
    },
    async chargePermission(orderId) {
      const consent = await consentOf(orderId);
      return gmo.searchChargePermissionAmazonpay({ amazonChargePermissionId: consent.chargePermissionId });
    },
    async closeChargePermission(orderId) {
      const consent = await consentOf(orderId);
      await gmo.closeChargePermissionAmazonpay({ amazonChargePermissionId: consent.chargePermissionId });
      await store.update(consent.orderId, () => ({ changes: {}, event: { source: 'back office', event: `CloseChargePermissionAmazonpay ${consent.chargePermissionId}` } }));
      return gmo.searchChargePermissionAmazonpay({ amazonChargePermissionId: consent.chargePermissionId });
    },
    refresh: (orderId) => oneAtATime(orderId, async () => {
      const result = await reconcile(store, gmo, orderId, 'back office');
      if (!result) throw new BackOfficeError(`order ${orderId} has no GMO-PG transaction yet`);
      return publicOrder(result.order);
    }),
    async expiring({ within = 7 * DAY, limit = 500 } = {}) {
      const orders = await store.authorizedBefore(new Date(Date.now() - AUTHORIZATION_LIFETIME_MS + within), limit);
      return orders.map((o) => ({ ...publicOrder(o), authorizedAt: o.authorizedAt, expiresAt: new Date(Date.parse(o.authorizedAt) + AUTHORIZATION_LIFETIME_MS).toISOString() }));
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
