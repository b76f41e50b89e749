/** Where an order's money stands, and how it got there. */

import type { OrderStage } from '../payments/lifecycle.js';

// The stages and their rules live in the lifecycle module; re-exported here, where the store's types are.
export { ORDER_STAGES, FINAL_STAGES, OPEN_STAGES, type OrderStage } from '../payments/lifecycle.js';

/** Who caused a change: the checkout call, the shopper's return (RetURL), GMO-PG's notification, or the back office. */
export type EventSource = 'checkout' | 'RetURL' | 'notification' | 'back office' | 'reconcile';

export type OrderKind = 'apb' | 'session' | 'charge' | 'buy-now';

export interface Order {
  orderId: string;
  kind: OrderKind;
  stage: OrderStage;
  /** GMO-PG's status as last verified (RetURL CheckString, SearchTradeMulti or an API answer). */
  status: string | null;
  jobCd: 'AUTH' | 'CAPTURE';
  amount: number;
  tax: number;
  cancelAmount: number;
  cancelTax: number;
  accessId: string | null;
  /** Secret: needed for GMO-PG calls, never shown to a browser or a log. */
  accessPass: string | null;
  checkoutSessionId: string | null;
  chargePermissionId: string | null;
  /** For a 随時決済 charge: the order whose consent it charges. */
  parentOrderId: string | null;
  frequencyUnit: string | null;
  frequencyValue: number | null;
  description: string | null;
  /** The last GMO-PG error codes, `|`-joined. */
  errorCodes: string | null;
  /** Buy Now with an address: where the buyer asked Amazon to deliver (Amazon's address fields). */
  shippingAddress: ShippingAddress | null;
  /** Buy Now: the cart as Amazon's screen showed it (its totals, lines, delivery options and the one chosen). */
  cart: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  /**
   * How many times the order has been changed since it was created: a write that decided from an
   * older read (GMO-PG's answer to a question asked before another change) compares it, and asks
   * again instead of overwriting (payments/confirm.ts).
   */
  version: number;
  /**
   * GMO-PG may have moved on since the shop last read it (a notification or an operation whose
   * confirmation got no answer, a refused ExecTran): the sweeper asks GMO-PG about it again, whatever
   * its stage, and a confirmation clears it.
   */
  stale: boolean;
}

/** An address as Amazon hands it to Buy Now's handlers (the fields this package keeps). */
export interface ShippingAddress {
  name?: string;
  addressLine1?: string;
  addressLine2?: string;
  addressLine3?: string;
  city?: string;
  county?: string;
  district?: string;
  stateOrRegion?: string;
  postalCode?: string;
  countryCode?: string;
  phoneNumber?: string;
}

export interface OrderEvent {
  id: number;
  orderId: string;
  at: string;
  source: EventSource;
  event: string;
  stage: OrderStage;
  status: string | null;
  detail: Record<string, unknown> | null;
}

export type NewOrder = Pick<Order, 'orderId' | 'kind' | 'jobCd' | 'amount' | 'tax'> &
  Partial<Pick<Order, 'checkoutSessionId' | 'chargePermissionId' | 'parentOrderId' | 'frequencyUnit' | 'frequencyValue' | 'description'>>;

export type OrderChanges = Partial<Omit<Order, 'orderId' | 'kind' | 'createdAt' | 'updatedAt' | 'version'>>;

export interface EventInput {
  source: EventSource;
  event: string;
  detail?: Record<string, unknown>;
}

/** The orders, with their history. Every change is one transaction that also appends its event. */
export interface OrderStore {
  /**
   * Inserts an order (with any of its fields already known) and its first event. With
   * `journal`, for an OrderID just made and accepted by GMO-PG, a store with a journal may make
   * the order durable there and write it to the database shortly after (reads still see it).
   */
  create(order: NewOrder & OrderChanges, event: EventInput, options?: { journal?: boolean }): Promise<void>;
  /**
   * Applies `decide(current)` to the order under a lock: it returns the changes and the event,
   * or null to change nothing (idempotent callers decide from the current row, not a stale copy).
   */
  update(orderId: string, decide: (current: Order) => { changes: OrderChanges; event: EventInput } | null): Promise<{ order: Order; changed: boolean }>;
  /**
   * Applies `changes` with its event in one statement, without reading the row first (the
   * checkout's fast path). With `ifStage`, only while the order is still at that stage: returns
   * false (and changes nothing) otherwise. Without it, a missing order is an error. `deferred`
   * lets the store gather the write with others for a few milliseconds (bookkeeping that nobody
   * waits for); reads still see it.
   */
  record(orderId: string, changes: OrderChanges, event: EventInput, options?: { ifStage?: OrderStage; deferred?: boolean }): Promise<boolean>;
  /**
   * Claims up to `limit` orders at one of `stages`, or `stale`, last changed no later than `before` (a change
   * submitted before the claim was asked counts, even if it was still waiting to be written), for a sweeper: a
   * claimed order is not claimed again for `leaseMs`, so sweepers in several processes (PostgreSQL)
   * never take the same order at once.
   */
  claimStale(options: { stages: OrderStage[]; before: Date; limit: number; leaseMs: number }): Promise<Order[]>;
  /** Orders GMO-PG has at AUTH (authorized, not captured) whose authorization is older than `before`, oldest (created) first, with when it was authorized. */
  authorizedBefore(before: Date, limit: number): Promise<(Order & { authorizedAt: string })[]>;
  get(orderId: string): Promise<Order | undefined>;
  /** Newest first. */
  list(options?: ListOptions): Promise<Order[]>;
  /**
   * Retention: one batch of settled orders last changed before `before` (see PurgeOptions), their
   * history cut to its last event, or with `orders` deleted whole; returns what it removed, to archive.
   */
  purge(options: PurgeOptions): Promise<PurgeBatch>;
  history(orderId: string): Promise<OrderEvent[]>;
  close(): Promise<void>;
}

export interface ListOptions {
  limit?: number;
  offset?: number;
  /** Only orders at this stage (or these stages). */
  stage?: OrderStage | OrderStage[];
  kind?: OrderKind;
  /** Only the 随時決済 charges of this consent order. */
  parentOrderId?: string;
  /** The next page: orders listed after this OrderID (the last one of the page before). */
  before?: string;
}

export interface PurgeOptions {
  /** Orders last changed before this. */
  before: Date;
  /** Delete the orders themselves with their history (default: keep each order and its last event). */
  orders?: boolean;
  /** Continue after this OrderID (PurgeBatch.next of the batch before). */
  after?: string;
  /** Orders per batch (one transaction); default 500. */
  limit?: number;
  /**
   * Called with what a batch removes before it is committed: if it throws (a full disk), nothing
   * is removed. A crash after it returns may archive a batch twice, never lose one.
   */
  archive?(removed: { orders: Order[]; events: OrderEvent[] }): Promise<void> | void;
}

/** One purge batch: what was removed, and where the next batch starts (none: done). */
export interface PurgeBatch {
  orders: Order[];
  events: OrderEvent[];
  next?: string;
}

/** An order as a browser or a log may see it: without AccessPass. */
export type PublicOrder = Omit<Order, 'accessPass'>;

/** The order without its AccessPass: what every public return value carries. */
export function publicOrder(order: Order): PublicOrder {
  const { accessPass: _secret, ...rest } = order;
  return rest;
}

/** Milliseconds an OrderStore widens a claim's cutoff by (claimStale): clock granularity, and the moment between taking `before` and asking. */
export const CUTOFF_SLACK_MS = 5;
