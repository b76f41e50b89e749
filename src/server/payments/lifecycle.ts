/**
 * The payment lifecycle of an order: the one place that says what GMO-PG's statuses mean for the
 * shop, which stages an order passes and which are final, what counts as paid, which back-office
 * operation is allowed in which status, and how long an authorization lives. Routes, the back
 * office, the sweeper, the CLI and the order store all read these rules from here: a new status or
 * stage is a change to this file (and, where the database filters by it, a check at start that
 * rebuilds the index: see orders/sql-store.ts).
 *
 *   created ─EntryTran─▶ entered ─ExecTran─▶ started ─(Amazon, RetURL/notify)─▶ completed | failed
 *      │                   │                   └──(never paid, past the grace)──▶ abandoned
 *      │ refused           │ refused                          ▲
 *      ▼                   ▼                                  │ GMO-PG's answer, always
 *   entry_failed        exec_failed      entry_unknown / exec_unknown (no answer: asked again by the sweep)
 *
 * Two kinds of write move an order, and each checks what it overwrites:
 *   - a step of a payment flow (payments/flow.ts) applies only while the order is still at the
 *     stage the flow left it in;
 *   - GMO-PG's answer (payments/confirm.ts) applies only to the order as it was when GMO-PG was
 *     asked (its version); an order changed meanwhile is asked about again, never overwritten.
 */
import { GmoPgError } from '../client/errors.js';

/**
 * GMO-PG's 取引状態 for Amazon Pay: the wallet statuses of GMO-PG's OpenAPI type (REGISTER and END
 * belong to consents, not transactions). UNPROCESSED and REQSUCCESS are GMO-PG's V2 page; the rest
 * and their meaning for Amazon Pay are inferred from that type and GMO-PG's notification receivers.
 */
export const GMO_PG_STATUSES = [
  'UNPROCESSED',
  'REQSUCCESS',
  'AUTHPROCESS',
  'AUTH',
  'CAPTURE',
  'SALES',
  'CANCEL',
  'RETURN',
  'REQRETURN',
  'PAYFAIL',
  'EXPIRED',
] as const;
export type GmoPgStatus = (typeof GMO_PG_STATUSES)[number];

/** What a status means for the money: the shopper has not paid, paid (whatever happened after), or the payment failed. */
type Meaning = 'unpaid' | 'paid' | 'failed';
const MEANING: Record<GmoPgStatus, Meaning> = {
  UNPROCESSED: 'unpaid', // EntryTran done; also a shopper who cancelled at Amazon (sandbox, inferred)
  REQSUCCESS: 'unpaid', // ExecTran done, the token issued; or Buy Now waiting for the buyer's MFA
  AUTHPROCESS: 'unpaid', // at Amazon right now
  AUTH: 'paid', // authorized, not captured: money held for AUTHORIZATION_LIFETIME_MS
  CAPTURE: 'paid', // authorized and captured at once (JobCd CAPTURE)
  SALES: 'paid', // captured later (AmazonpaySales)
  CANCEL: 'paid', // an authorization cancelled (it was paid, then given back)
  RETURN: 'paid', // captured money refunded, in full or in part
  REQRETURN: 'paid', // a refund accepted, not done yet
  PAYFAIL: 'failed', // declined
  EXPIRED: 'failed', // the token expired before the shopper paid
};

const statusesMeaning = (m: Meaning) => GMO_PG_STATUSES.filter((s) => MEANING[s] === m);
/** Statuses of a transaction the shopper paid (an order at `completed`). */
export const PAID_STATUSES: readonly GmoPgStatus[] = statusesMeaning('paid');
/** Statuses of a transaction nobody has paid yet. */
export const UNPAID_STATUSES: readonly GmoPgStatus[] = statusesMeaning('unpaid');
/** Statuses of a payment that failed. */
export const FAILED_STATUSES: readonly GmoPgStatus[] = statusesMeaning('failed');
/** What an authorization is before it is captured: Amazon cancels it after AUTHORIZATION_LIFETIME_MS. */
export const AUTHORIZED: GmoPgStatus = 'AUTH';
/** Statuses whose money is still held or moving: an order in one of them is never purged. */
export const UNSETTLED_STATUSES: readonly GmoPgStatus[] = ['AUTH', 'AUTHPROCESS', 'REQRETURN'];

export const isGmoPgStatus = (s: string | null | undefined): s is GmoPgStatus => !!s && (GMO_PG_STATUSES as readonly string[]).includes(s);
export const isPaid = (s: string | null | undefined) => isGmoPgStatus(s) && MEANING[s] === 'paid';
export const isUnpaid = (s: string | null | undefined) => isGmoPgStatus(s) && MEANING[s] === 'unpaid';
export const isFailedStatus = (s: string | null | undefined) => isGmoPgStatus(s) && MEANING[s] === 'failed';

const DAY = 24 * 3600_000;
/** How long Amazon keeps an uncaptured authorization: 30 days (developer.amazon.com, "Charge"; GMO-PG publishes no other period: inferred the same). */
export const AUTHORIZATION_LIFETIME_MS = 30 * DAY;

/** How far the merchant side got with an order (finer than GMO-PG's status, for the steps GMO-PG never sees). */
export type OrderStage =
  | 'created' // recorded, nothing sent to GMO-PG yet (a Buy Now cart quoted, a 随時決済 about to be sent)
  | 'entry_failed' // EntryTranAmazonpay answered an error
  | 'entry_unknown' // EntryTranAmazonpay got no answer: GMO-PG may or may not have the transaction
  | 'entered' // EntryTranAmazonpay done; ExecTranAmazonpay not (yet) done
  | 'exec_failed' // ExecTranAmazonpay answered an error
  | 'exec_unknown' // ExecTranAmazonpay got no answer: the payment may have gone through
  | 'started' // the shopper was sent to AmazonpayStart (or a Buy Now payment waits for the buyer's MFA)
  | 'completed' // paid: GMO-PG's status is one of PAID_STATUSES
  | 'failed' // declined, cancelled by the shopper, or an error on the way back
  | 'abandoned'; // never paid: GMO-PG has it unpaid (or has no transaction) long after its last change

/** Every stage, in the order an order passes them. */
export const ORDER_STAGES: readonly OrderStage[] = [
  'created',
  'entry_failed',
  'entry_unknown',
  'entered',
  'exec_failed',
  'exec_unknown',
  'started',
  'completed',
  'failed',
  'abandoned',
];
/** Stages the sweeper revisits: the order may still move, or nobody knows where it stands. Never final. */
export const OPEN_STAGES: readonly OrderStage[] = ['created', 'entry_unknown', 'entered', 'exec_unknown', 'started'];
/** Stages an order does not leave by itself (a paid order can still be captured, cancelled or refunded; GMO-PG's answer still wins). */
export const FINAL_STAGES: readonly OrderStage[] = ORDER_STAGES.filter((s) => !OPEN_STAGES.includes(s));

/** Which payment call a flow was at. */
export type Step = 'entry' | 'exec';
/** GMO-PG refused the call: nothing happened there, and the order ends. */
export const refusedStage = (step: Step): OrderStage => (step === 'entry' ? 'entry_failed' : 'exec_failed');
/** The call got no answer (timeout, cut, a garbled answer): it may have happened. Open, for the sweep. */
export const unknownStage = (step: Step): OrderStage => (step === 'entry' ? 'entry_unknown' : 'exec_unknown');
/** How a failed call ends: refused when GMO-PG answered with error codes, unknown otherwise. */
export const stageAfterFailure = (step: Step, error: unknown): OrderStage => (error instanceof GmoPgError ? refusedStage(step) : unknownStage(step));

/**
 * The stage GMO-PG's status puts an order in. Paid and failed statuses decide alone; an unpaid one
 * moves an order only forward along the flow (an order whose ExecTran got no answer is `started`
 * once GMO-PG shows the token issued) and otherwise leaves it where it is; the sweeper decides when
 * an unpaid order is abandoned. A status this version does not know changes nothing.
 */
export function stageFor(status: string, current: OrderStage): OrderStage {
  if (isPaid(status)) return 'completed';
  if (isFailedStatus(status)) return 'failed';
  if (status === 'UNPROCESSED' && (current === 'created' || current === 'entry_unknown')) return 'entered';
  if ((status === 'REQSUCCESS' || status === 'AUTHPROCESS') && ['created', 'entry_unknown', 'entered', 'exec_unknown'].includes(current)) return 'started';
  return current;
}

/**
 * GMO-PG's answer that it has no transaction under this OrderID (E01110002, 取引ID・パスワードに
 * 該当する取引が存在しません; SearchTradeMulti answers it for an unknown OrderID: inferred from the
 * error table and the sandbox). Only this answer may lead to `abandoned` for an order GMO-PG never
 * saw: any other error (busy, rate limit, a system error) says nothing about the order.
 */
export const NO_SUCH_TRADE = 'E01110002';
export const saysNoSuchTrade = (error: unknown) => error instanceof GmoPgError && error.codes.length > 0 && error.codes.every((c) => c === NO_SUCH_TRADE);

/** A back-office operation on a paid order. */
export type Operation = 'capture' | 'cancel' | 'refund' | 'change';

/** The money fields an operation's rule looks at. */
export interface MoneyState {
  stage: OrderStage;
  status: string | null;
  amount: number;
  tax: number;
  cancelAmount: number;
  cancelTax: number;
}

/** Whether `op` may be sent to GMO-PG for an order: allowed, already done (nothing to send), or refused with the reason. */
export type Permission = { allowed: true } | { allowed: false; already: boolean; reason: string };

/** Money captured and not refunded yet. */
export const refundable = (o: MoneyState) => o.amount + o.tax - o.cancelAmount - o.cancelTax;

/**
 * Which operation is allowed in which status: capture, cancel and change take an authorization
 * (AUTH); refund takes captured money (SALES, CAPTURE, or RETURN with some left). Asking for what is
 * already so (a second capture, a second cancel, a refund of nothing left) is "already", not an error.
 */
export function permission(op: Operation, o: MoneyState): Permission {
  const no = (reason: string, already = false): Permission => ({ allowed: false, already, reason });
  if (o.stage !== 'completed') return no(`it is ${o.stage}${o.status ? ` (${o.status})` : ''}: only a paid order can be changed`);
  const s = o.status;
  switch (op) {
    case 'capture':
      if (s === 'SALES' || s === 'CAPTURE') return no(`it is captured already (${s})`, true);
      return s === AUTHORIZED ? { allowed: true } : no(`it is ${s}: only an authorization (AUTH) can be captured`);
    case 'cancel':
      if (s === 'CANCEL') return no('it is cancelled already', true);
      return s === AUTHORIZED ? { allowed: true } : no(`it is ${s}: cancel takes back an authorization (AUTH); captured money is refunded`);
    case 'change':
      return s === AUTHORIZED ? { allowed: true } : no(`it is ${s}: only an authorization (AUTH) can be changed`);
    case 'refund':
      if (s !== 'SALES' && s !== 'CAPTURE' && s !== 'RETURN')
        return no(`it is ${s}: only captured money (SALES, CAPTURE) can be refunded; an authorization is cancelled`);
      return refundable(o) > 0 ? { allowed: true } : no('it is refunded in full already', true);
  }
}

/** `column in ('a', 'b')` for a fixed list of names (only known stages and statuses get in: no user text). */
export function sqlIn(column: string, values: readonly string[]): string {
  const known: readonly string[] = [...ORDER_STAGES, ...GMO_PG_STATUSES];
  for (const v of values) if (!known.includes(v)) throw new Error(`unknown order stage or GMO-PG status "${v}": stages are ${ORDER_STAGES.join(', ')}`);
  return `${column} in (${values.map((v) => `'${v}'`).join(', ')})`;
}
/**
 * The orders the sweeper claims, as SQL: open, or stale (GMO-PG may have moved on). The partial index
 * of unsettled orders is built with exactly this predicate, so that the planner uses it (a parameter
 * could not be matched to it).
 */
export const SWEEP_SQL = `(${sqlIn('stage', OPEN_STAGES)} or stale)`;
/** The orders retention may remove: settled, and no money held or moving. */
export const PURGEABLE_SQL = `${sqlIn('stage', FINAL_STAGES)} and not stale and (status is null or not ${sqlIn('status', UNSETTLED_STATUSES)})`;
/** The same rule for a store that filters in code. */
export const purgeable = (o: { stage: OrderStage; status: string | null; stale?: boolean }) =>
  FINAL_STAGES.includes(o.stage) && !o.stale && !(UNSETTLED_STATUSES as readonly string[]).includes(o.status ?? '');
