/**
 * The payment flows: EntryTranAmazonpay, then ExecTranAmazonpay, each step recorded on the order, for
 * every way an order is paid. One rule for every flow:
 *   - GMO-PG refused a call (it answered error codes): nothing happened there; the order ends
 *     (`entry_failed`, `exec_failed`).
 *   - A call got no answer (a timeout, a cut connection, an answer that is not GMO-PG's): it may have
 *     happened. The order stays open (`entry_unknown`, `exec_unknown`) and the sweeper asks GMO-PG.
 *     It is never recorded as failed, so nobody pays again for what may have gone through.
 *   - Each step is written only while the order is still at the stage the flow left it in: a
 *     notification or a sweep that recorded GMO-PG's answer first is never overwritten.
 *
 * Two shapes:
 *   startCheckout  the shopper pays at Amazon after AmazonpayStart (都度決済, 利用承諾, APB). No money
 *                  moves until the shopper uses the token, so the order is written while ExecTran is on
 *                  the wire (the checkout's fast path) and must be durable before the token is handed out.
 *   chargeNow      ExecTran itself moves the money (Buy Now on Amazon's charge permission, 随時決済): the
 *                  order is durable before EntryTran, and every step is written before the next is sent.
 */
import type { ChargeResult, EntryTranResult, GmoPgClient, JobCd, StartResult } from '../client/gmo-pg-client.js';
import { GmoPgError } from '../client/errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { EventSource, NewOrder, Order, OrderChanges, OrderStage, OrderStore } from '../orders/types.js';
import { isFailedStatus, isPaid, stageAfterFailure, type Step } from './lifecycle.js';

export interface FlowDeps {
  store: OrderStore;
  gmo: GmoPgClient;
  logger: Logger;
  /** Work done after answering (the checkout's `started` mark). */
  later(task: Promise<unknown>): void;
}

/** What a flow came to. */
export type FlowResult =
  /** The token to pay with (startCheckout): the order is durable. */
  | { outcome: 'started'; start: StartResult }
  /** Authorized or captured (chargeNow). `recorded: false`: the store failed after the money moved; the sweep records it. */
  | { outcome: 'paid'; status: string; recorded: boolean }
  /** Accepted, not authorized yet (Buy Now when Amazon asks the buyer to authenticate): the notification or the sweep settles it. */
  | { outcome: 'pending'; status: string }
  /** Amazon declined the payment (a failed status in a verified answer). */
  | { outcome: 'declined'; status: string }
  /** GMO-PG refused a call: final. */
  | { outcome: 'refused'; step: Step; error: GmoPgError }
  /** A call got no answer: the order is open, and GMO-PG is asked later. */
  | { outcome: 'unknown'; step: Step; error: Error }
  /** The store failed before any money could move: nothing to pay for. */
  | { outcome: 'unrecorded'; error: Error };

/** The order a flow pays: what EntryTran needs and what the order records. */
export interface PaymentOrder {
  orderId: string;
  jobCd: JobCd;
  amount: number;
  tax: number;
  source: EventSource;
  /** Names the flow in the order's history, e.g. `apb`, `buy-now`, `随時決済`. */
  label: string;
  /** chargeNow: more fields written with the AccessPass (e.g. the charge permission Amazon handed over). */
  entered?: OrderChanges;
}

const codesOf = (error: unknown) => (error instanceof GmoPgError ? error.codes.join('|') : null);

/**
 * A step: writes `changes` only while the order is still at `from`. False when something else moved
 * it first (GMO-PG's answer, recorded by a notification or the sweep, is newer than this step).
 */
async function advance(
  store: OrderStore,
  orderId: string,
  from: OrderStage,
  changes: OrderChanges,
  event: { source: EventSource; event: string; detail?: Record<string, unknown> },
  options: { deferred?: boolean } = {},
) {
  return store.record(orderId, changes, event, { ifStage: from, deferred: options.deferred });
}

/** Records a failed call: refused (final) or unknown (open); only over the stage the flow left. */
async function failStep(deps: FlowDeps, order: PaymentOrder, step: Step, from: OrderStage, error: unknown): Promise<FlowResult> {
  const stage = stageAfterFailure(step, error);
  const api = step === 'entry' ? 'EntryTranAmazonpay' : 'ExecTranAmazonpay';
  const event = stage.endsWith('_unknown') ? `${api} failed: no answer (it may have gone through; GMO-PG is asked again later)` : `${api} failed`;
  // After ExecTran GMO-PG may have changed the transaction even when it refused (a decline): stale,
  // so that the sweep reads its status; EntryTran refused leaves nothing there to read.
  const changes: OrderChanges = { stage, errorCodes: codesOf(error), ...(step === 'exec' ? { stale: true } : {}) };
  await advance(deps.store, order.orderId, from, changes, { source: order.source, event, detail: { error: (error as Error).message } }).catch((e: Error) =>
    deps.logger.error('order not updated after a failed GMO-PG call (the sweep asks GMO-PG)', { orderId: order.orderId, error: e.message }),
  );
  deps.logger.warn(order.source === 'checkout' ? 'checkout stopped' : `${order.label}: ${event}`, {
    orderId: order.orderId,
    stage,
    error: (error as Error).message,
  });
  return error instanceof GmoPgError ? { outcome: 'refused', step, error } : { outcome: 'unknown', step, error: error as Error };
}

/**
 * The redirect flows (都度決済, 利用承諾, APB): EntryTran, then the order written (with its AccessPass,
 * journaled) while ExecTran is on the wire; the token is handed out only once both are done.
 * `record` holds the order's own fields (kind, session, frequency, description).
 */
export async function startCheckout(
  deps: FlowDeps,
  order: PaymentOrder & { record: Omit<NewOrder, 'orderId' | 'jobCd' | 'amount' | 'tax'> & Partial<Order> },
  exec: (entry: EntryTranResult) => Promise<StartResult>,
): Promise<FlowResult> {
  const { store } = deps;
  const row = { ...order.record, orderId: order.orderId, jobCd: order.jobCd, amount: order.amount, tax: order.tax };
  const detail = { amount: order.amount, tax: order.tax, jobCd: order.jobCd };
  let entry: EntryTranResult;
  try {
    entry = await deps.gmo.entryTranAmazonpay({ orderId: order.orderId, jobCd: order.jobCd, amount: order.amount, tax: order.tax });
  } catch (error) {
    const stage = stageAfterFailure('entry', error);
    try {
      await store.create(
        { ...row, stage, errorCodes: codesOf(error) },
        { source: order.source, event: 'EntryTranAmazonpay failed', detail: { ...detail, error: (error as Error).message } },
      );
    } catch (e) {
      return { outcome: 'unrecorded', error: e as Error };
    }
    deps.logger.warn('checkout stopped', { orderId: order.orderId, stage, error: (error as Error).message });
    return error instanceof GmoPgError ? { outcome: 'refused', step: 'entry', error } : { outcome: 'unknown', step: 'entry', error: error as Error };
  }
  // GMO-PG now holds a transaction. The order (with its AccessPass) must be durable before the
  // browser gets the token to pay with; it is written while ExecTran is on the wire, and the answer
  // waits for both. The write is handed to the database first: started after ExecTran, it competed
  // with the sandbox's work on a 2-core machine and ExecTran came back later (bench/server.mjs).
  const created = store
    .create(
      { ...row, stage: 'entered', status: 'UNPROCESSED', accessId: entry.accessId, accessPass: entry.accessPass },
      { source: order.source, event: `EntryTranAmazonpay (${order.label})`, detail },
      { journal: true },
    )
    .then(
      () => undefined,
      (error: Error) => error,
    );
  let start: StartResult;
  try {
    start = await exec(entry);
  } catch (error) {
    const notRecorded = await created;
    if (notRecorded) return { outcome: 'unrecorded', error: notRecorded };
    return failStep(deps, order, 'exec', 'entered', error);
  }
  const notRecorded = await created;
  if (notRecorded) return { outcome: 'unrecorded', error: notRecorded };
  // 'started' is bookkeeping, so the shopper does not wait for it: the order is durable already, and
  // a result or notification that comes first moves it on from 'entered' by itself.
  deps.later(
    // Deferred: it rides in the same batch as the order's own (journaled) row, and is folded into its insert.
    advance(
      store,
      order.orderId,
      'entered',
      { stage: 'started', status: 'REQSUCCESS' },
      { source: order.source, event: 'ExecTranAmazonpay: shopper sent to AmazonpayStart' },
      { deferred: true },
    ).catch((error: Error) =>
      deps.logger.warn('order not marked started (it stays entered until its result)', { orderId: order.orderId, error: error.message }),
    ),
  );
  return { outcome: 'started', start };
}

/**
 * The flows where ExecTran moves the money (Buy Now, 随時決済), for an order already recorded at
 * `created`: EntryTran, the AccessPass written, ExecTran (its CheckString verified by the client),
 * the result written. Nothing is sent to GMO-PG that the store has not recorded first.
 */
export async function chargeNow(deps: FlowDeps, order: PaymentOrder, exec: (entry: EntryTranResult) => Promise<ChargeResult>): Promise<FlowResult> {
  const { store } = deps;
  const detail = { amount: order.amount, tax: order.tax, jobCd: order.jobCd };
  let entry: EntryTranResult;
  try {
    entry = await deps.gmo.entryTranAmazonpay({ orderId: order.orderId, jobCd: order.jobCd, amount: order.amount, tax: order.tax });
  } catch (error) {
    return failStep(deps, order, 'entry', 'created', error);
  }
  try {
    // The AccessPass before ExecTran: an order whose charge went through must be one the shop can operate.
    const moved = await advance(
      store,
      order.orderId,
      'created',
      { ...order.entered, stage: 'entered', status: 'UNPROCESSED', accessId: entry.accessId, accessPass: entry.accessPass },
      { source: order.source, event: `EntryTranAmazonpay (${order.label})`, detail },
    );
    if (!moved) {
      // A sweep may have found the transaction by its OrderID first and recorded it: then go on.
      const now = await store.get(order.orderId);
      if (!(now?.stage === 'entered' && now.accessId === entry.accessId))
        return { outcome: 'unrecorded', error: new Error(`order ${order.orderId} is ${now?.stage ?? 'gone'}, no longer created: not charged`) };
      if (order.entered) await advance(store, order.orderId, 'entered', order.entered, { source: order.source, event: `${order.label}: details recorded` });
    }
  } catch (error) {
    // GMO-PG has an unpaid transaction the order does not know yet; the sweep finds it by OrderID.
    return { outcome: 'unrecorded', error: error as Error };
  }
  let result: ChargeResult;
  try {
    result = await exec(entry);
  } catch (error) {
    return failStep(deps, order, 'exec', 'entered', error);
  }
  const status = result.status;
  const outcome = isPaid(status) ? 'paid' : isFailedStatus(status) ? 'declined' : 'pending';
  const changes: OrderChanges =
    outcome === 'paid'
      ? { stage: 'completed', status, errorCodes: null }
      : outcome === 'declined'
        ? { stage: 'failed', status }
        : { stage: 'started', status, errorCodes: null };
  const event =
    outcome === 'paid'
      ? `ExecTranAmazonpay (${order.label}), CheckString verified`
      : outcome === 'declined'
        ? `ExecTranAmazonpay (${order.label}), CheckString verified: declined (${status})`
        : `ExecTranAmazonpay (${order.label}), CheckString verified: not authorized yet (${status}); the buyer may be asked to authenticate`;
  let recorded = true;
  try {
    await advance(store, order.orderId, 'entered', changes, { source: order.source, event, detail: { status } });
  } catch (error) {
    // The money moved and the store did not take it: the order stays entered, and the sweep records GMO-PG's answer.
    recorded = false;
    deps.logger.error(`${order.label}: charged at GMO-PG, not recorded yet (the sweep records it)`, {
      orderId: order.orderId,
      status,
      error: (error as Error).message,
    });
  }
  if (outcome === 'paid') return { outcome, status, recorded };
  if (outcome === 'declined') return { outcome, status };
  return { outcome, status };
}
