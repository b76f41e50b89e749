/**
 * The merchant's back-office operations on orders: capture, cancel or refund, change the amount,
 * 随時決済 on a recurring consent, and the consent itself. Each call is recorded in the order's
 * history with the source "back office". No return value carries an AccessPass (see PublicOrder).
 * Operations on one order run one at a time in this process, and asking for a state the order is
 * already in (a second capture, a second full cancel) returns it as it is instead of calling GMO-PG.
 */
import type { ChargePermissionResult, GmoPgClient, JobCd } from '../client/gmo-pg-client.js';
import { GmoPgError } from '../client/errors.js';
import type { Logger } from '../telemetry/logger.js';
import { newOrderId } from '../orders/order-id.js';
import { checkText, OrderSpecError } from '../payments/order-spec.js';
import { publicOrder, type ListOptions, type Order, type OrderStore, type PublicOrder } from '../orders/types.js';
import { confirmOrder, markStale } from '../payments/confirm.js';
import { chargeNow } from '../payments/flow.js';
import { AUTHORIZATION_LIFETIME_MS, OPEN_STAGES, permission, stageFor, type Operation } from '../payments/lifecycle.js';

const DAY = 24 * 3600_000;
/** How long Amazon keeps an uncaptured authorization (payments/lifecycle.ts). */
export { AUTHORIZATION_LIFETIME_MS };

/** A back-office request that cannot be done, with the reason (for example the order's state). */
export class BackOfficeError extends Error {
  override name = 'BackOfficeError';
}

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
  // One operation per order at a time: five clicks on "capture" make one AmazonpaySales, and the
  // other four find the order captured. (Across processes, each operation asks GMO-PG first, and
  // GMO-PG's own state check refuses a second call.)
  const queues = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(orderId: string, fn: () => Promise<T>): Promise<T> => {
    const run = (queues.get(orderId) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => {});
    queues.set(orderId, tail);
    void tail.then(() => queues.get(orderId) === tail && queues.delete(orderId));
    return run;
  };

  /** The order as GMO-PG has it now: the store's copy may be older than GMO-PG (a notification not yet confirmed, another process's capture). */
  async function current(orderId: string): Promise<Order & { accessId: string; accessPass: string }> {
    const known = await store.get(orderId);
    if (!known) throw new BackOfficeError(`order ${orderId} not found`);
    const fresh = known.accessId ? await confirmOrder(store, gmo, orderId, 'back office', { logger }) : undefined;
    const order = fresh?.order ?? known;
    if (!order.accessId || !order.accessPass) throw new BackOfficeError(`order ${orderId} is ${order.stage}: it has no GMO-PG transaction to change`);
    return order as Order & { accessId: string; accessPass: string };
  }

  /**
   * An operation: GMO-PG's present state, the lifecycle's rule for it, the call, and its answer
   * recorded over the order as it was before the call (else GMO-PG is asked again). Asking for what
   * is already so returns the order as it is.
   */
  async function operate<T extends { status: string }>(
    orderId: string,
    op: Operation | ((o: Order) => Operation),
    event: (o: Order) => string,
    call: (o: Order & { accessId: string; accessPass: string }) => Promise<T>,
    changes: (r: T) => Partial<Order>,
  ): Promise<PublicOrder> {
    return oneAtATime(orderId, async () => {
      const o = await current(orderId);
      const name = typeof op === 'function' ? op(o) : op;
      const allowed = permission(name, o);
      if (!allowed.allowed) {
        if (allowed.already) {
          logger.info(`${name} not sent: ${allowed.reason}`, { orderId, status: o.status });
          return publicOrder(o);
        }
        throw new BackOfficeError(`order ${orderId} cannot be ${PAST[name]}: ${allowed.reason}`);
      }
      const label = event(o);
      let result: T;
      try {
        result = await call(o);
      } catch (error) {
        if (error instanceof GmoPgError) {
          await store.update(orderId, () => ({
            changes: { errorCodes: error.codes.join('|') },
            event: { source: 'back office', event: `${label} refused`, detail: { codes: error.codes } },
          }));
        } else {
          // No answer: the call may have gone through. GMO-PG is asked now, or else by the sweep.
          await confirmOrder(store, gmo, orderId, 'back office', { logger }).catch(() =>
            markStale(store, orderId, 'back office', `${label} got no answer`, logger),
          );
        }
        logger.warn(`${label} failed`, { orderId, error: (error as Error).message });
        throw error;
      }
      let stale = false;
      const { order } = await store.update(orderId, (now) => {
        if (now.version !== o.version) return (void (stale = true), null);
        return {
          changes: { ...changes(result), status: result.status, stage: stageFor(result.status, now.stage), errorCodes: null },
          event: { source: 'back office', event: label, detail: { status: result.status } },
        };
      });
      logger.info(`${label} done`, { orderId, status: result.status });
      if (!stale) return publicOrder(order);
      // Something recorded a change while the call was on the wire: GMO-PG's present answer, not this one, is written.
      try {
        const fresh = await confirmOrder(store, gmo, orderId, 'back office', { logger });
        return publicOrder(fresh?.order ?? order);
      } catch {
        await markStale(store, orderId, 'back office', `${label} done, not recorded over a newer change`, logger);
        return publicOrder(order);
      }
    });
  }

  async function consentOf(orderId: string): Promise<Order & { chargePermissionId: string }> {
    const order = await store.get(orderId);
    if (!order?.chargePermissionId) throw new BackOfficeError(`order ${orderId} has no Amazon charge permission`);
    return order as Order & { chargePermissionId: string };
  }

  const cancelOrRefund = (orderId: string, options: { amount?: number; tax?: number }, only?: Operation) =>
    operate(
      orderId,
      (o) => only ?? (o.status === 'AUTH' || o.status === 'CANCEL' ? 'cancel' : 'refund'),
      (o) => (o.status === 'AUTH' ? 'AmazonpayCancel (cancel)' : `AmazonpayCancel (refund ${refundAmount(o, options).amount + refundAmount(o, options).tax})`),
      (o) =>
        gmo.amazonpayCancel({
          accessId: o.accessId,
          accessPass: o.accessPass,
          orderId,
          cancelAmount: refundAmount(o, options).amount,
          cancelTax: refundAmount(o, options).tax,
        }),
      (r) => ({ cancelAmount: r.cancelAmount, cancelTax: r.cancelTax }),
    );

  return {
    capture: (orderId, options = {}) =>
      operate(
        orderId,
        'capture',
        () => 'AmazonpaySales',
        (o) => gmo.amazonpaySales({ accessId: o.accessId, accessPass: o.accessPass, orderId, amount: options.amount ?? o.amount, tax: options.tax ?? o.tax }),
        (r) => ({ amount: r.amount, tax: r.tax }),
      ),
    cancel: (orderId, options = {}) => cancelOrRefund(orderId, options, options.only === 'authorization' ? 'cancel' : undefined),
    refund: (orderId, options = {}) => cancelOrRefund(orderId, options, 'refund'),
    changeAmount: (orderId, amount, tax) =>
      operate(
        orderId,
        'change',
        () => `AmazonpayChange (${amount})`,
        (o) => gmo.amazonpayChange({ accessId: o.accessId, accessPass: o.accessPass, orderId, amount, tax: tax ?? o.tax }),
        (r) => ({ amount: r.amount, tax: r.tax }),
      ),
    async charge(consentOrderId, spec) {
      const consent = await consentOf(consentOrderId);
      if (!Number.isInteger(spec.amount) || spec.amount <= 0) throw new BackOfficeError(`amount ${spec.amount}: use a whole number of yen above 0`);
      try {
        checkText('description', spec.description);
      } catch (error) {
        throw new BackOfficeError((error as OrderSpecError).message);
      }
      // A charge whose outcome nobody knows yet may have taken the money: a second one could take it twice.
      const open = await store.list({ parentOrderId: consent.orderId, stage: [...OPEN_STAGES], limit: 1 });
      if (open.length) {
        throw new BackOfficeError(
          `order ${open[0].orderId}, an earlier 随時決済 on this consent, is ${open[0].stage}: its outcome is not known yet. ` +
            'Ask GMO-PG first (reconcile(), or `amazon-pay-v2 orders reconcile --grace-minutes 0`), then charge again only if it did not go through',
        );
      }
      const orderId = newOrderId(orderIdPrefix);
      const jobCd = spec.jobCd ?? 'AUTH';
      const tax = spec.tax ?? 0;
      await store.create(
        {
          orderId,
          kind: 'charge',
          jobCd,
          amount: spec.amount,
          tax,
          parentOrderId: consent.orderId,
          chargePermissionId: consent.chargePermissionId,
          description: spec.description,
        },
        { source: 'back office', event: `随時決済 on ${consent.chargePermissionId}` },
      );
      const result = await chargeNow(
        { store, gmo, logger, later: () => {} },
        { orderId, jobCd, amount: spec.amount, tax, source: 'back office', label: '随時決済' },
        (entry) => gmo.execTranAmazonpay({ ...entry, orderId, amazonChargePermissionId: consent.chargePermissionId, description: spec.description }),
      );
      if (result.outcome === 'refused' || result.outcome === 'unknown' || result.outcome === 'unrecorded') throw result.error;
      const order = (await store.get(orderId))!;
      logger.info('随時決済 done', { orderId, consentOrderId: consent.orderId, status: order.status });
      return publicOrder(order);
    },
    async chargePermission(orderId) {
      const consent = await consentOf(orderId);
      return gmo.searchChargePermissionAmazonpay({ amazonChargePermissionId: consent.chargePermissionId });
    },
    async closeChargePermission(orderId) {
      const consent = await consentOf(orderId);
      await gmo.closeChargePermissionAmazonpay({ amazonChargePermissionId: consent.chargePermissionId });
      await store.update(consent.orderId, () => ({
        changes: {},
        event: { source: 'back office', event: `CloseChargePermissionAmazonpay ${consent.chargePermissionId}` },
      }));
      return gmo.searchChargePermissionAmazonpay({ amazonChargePermissionId: consent.chargePermissionId });
    },
    refresh: (orderId) =>
      oneAtATime(orderId, async () => {
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

const PAST: Record<Operation, string> = { capture: 'captured', cancel: 'cancelled', refund: 'refunded', change: 'changed' };

/** What an AmazonpayCancel gives back: `amount` (and `tax`) when given, else everything left. */
function refundAmount(o: Order, options: { amount?: number; tax?: number }) {
  if (options.amount !== undefined) return { amount: options.amount, tax: options.tax ?? 0 };
  return { amount: o.amount - o.cancelAmount, tax: o.tax - o.cancelTax };
}
