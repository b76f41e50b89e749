/**
 * The sandbox's records: transactions, Amazon checkout sessions and charge permissions.
 * Kept in memory and, when a file is given, written to it after every change and read at start,
 * so that a restarted demo still knows the transactions its orders point to.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type TradeStatus =
  | 'UNPROCESSED' // EntryTran done
  | 'REQSUCCESS' // ExecTran done, Token issued, shopper not back yet
  | 'AUTH' // authorized
  | 'CAPTURE' // authorized and captured at once (JobCd CAPTURE)
  | 'SALES' // captured later (AmazonpaySales)
  | 'CANCEL' // authorization cancelled
  | 'RETURN' // captured money refunded, in full or in part
  | 'PAYFAIL'; // Amazon declined

export interface TradeEvent {
  at: string;
  event: string;
  status: TradeStatus;
}

export interface Trade {
  shopId: string;
  orderId: string;
  accessId: string;
  accessPass: string;
  jobCd: 'AUTH' | 'CAPTURE';
  amount: number;
  tax: number;
  /** What was authorized, for the capture check. */
  authorizedAmount: number;
  /** When Amazon authorized it (epoch ms, the sandbox's clock): an authorization left uncaptured expires. */
  authorizedAt?: number;
  /** The authorization expired at Amazon before it was captured. */
  expired?: boolean;
  amazonpayType: string;
  status: TradeStatus;
  processDate: string;
  tranDate: string;
  flow?: 'session' | 'apb' | 'charge' | 'buy-now';
  checkoutSessionId?: string;
  apbType?: string;
  retUrl?: string;
  description?: string;
  clientFields: [string, string, string];
  token?: string;
  startLimit?: number;
  frequency?: { unit: string; value: string };
  chargePermissionId: string;
  cancelAmount: number;
  cancelTax: number;
  errCode: string;
  errInfo: string;
  history: TradeEvent[];
}

export interface CheckoutSession {
  id: string;
  payloadJSON: string;
  recurring: boolean;
  frequency?: { unit: string; value: string };
  reviewUrl: string;
  resultUrl?: string;
  cancelUrl?: string;
  productType: string;
  addressIndex: number;
  cardIndex: number;
  signature: 'verified' | 'not-checked';
  used: boolean;
  createdAt: number;
}

export interface ChargePermission {
  id: string;
  shopId: string;
  type: 'OneTime' | 'Recurring';
  status: 'Chargeable' | 'Closed';
  reasonCode: string;
  amountLimit: number;
  charged: number;
  addressIndex: number;
  cardIndex: number;
  frequency?: { unit: string; value: string };
  /** Made by a Buy Now checkout (renderJSButton), for one ExecTranAmazonpay with ApbType and RetURL. */
  buyNow?: boolean;
  createdAt: number;
}

interface Snapshot {
  trades: Trade[];
  sessions: CheckoutSession[];
  chargePermissions: ChargePermission[];
}

export class SandboxState {
  private readonly tradeMap = new Map<string, Trade>();
  // ShopID + OrderID → trade: EntryTran and SearchTradeMulti look trades up by OrderID, and a scan
  // grows with every trade (a benchmark makes tens of thousands).
  private readonly byOrder = new Map<string, Trade>();
  readonly sessions = new Map<string, CheckoutSession>();
  readonly chargePermissions = new Map<string, ChargePermission>();

  /**
   * @param file where the records are kept across restarts (none: memory only)
   * @param maxTrades transactions kept: beyond, the oldest are forgotten, settled ones first, with
   *   the checkout sessions and one-time charge permissions of their time (see `trim`)
   */
  constructor(
    private readonly file?: string,
    private readonly maxTrades = 20_000,
  ) {
    if (!file) return;
    let snapshot: Snapshot;
    try {
      snapshot = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`sandbox state file ${file} is unreadable (${(error as Error).message}): delete it to start afresh`);
    }
    for (const t of snapshot.trades) this.addTrade(t);
    for (const s of snapshot.sessions) this.sessions.set(s.id, s);
    for (const p of snapshot.chargePermissions) this.chargePermissions.set(p.id, p);
  }

  /** Trades by AccessID; add with `addTrade`, which keeps the OrderID index. */
  get trades(): ReadonlyMap<string, Trade> {
    return this.tradeMap;
  }

  addTrade(trade: Trade): void {
    this.tradeMap.set(trade.accessId, trade);
    this.byOrder.set(`${trade.shopId}\n${trade.orderId}`, trade);
    if (this.tradeMap.size > this.maxTrades) this.trim();
  }

  /**
   * Forgets the oldest records past the bound: a tenth of `maxTrades` at a time (so that trimming
   * is rare), the oldest settled transactions first (captured, cancelled, refunded, failed), then the
   * oldest of any status (the newest, those in flight, are never reached while the bound is far above
   * what is in flight), then the checkout sessions and Buy Now charge permissions older than the
   * oldest transaction kept. Recurring consents are kept: a shop may charge them again any time.
   */
  private trim(): void {
    const target = Math.floor(this.maxTrades * 0.9);
    const settled = new Set<TradeStatus>(['CAPTURE', 'SALES', 'CANCEL', 'RETURN', 'PAYFAIL']);
    const forget = (t: Trade) => {
      this.tradeMap.delete(t.accessId);
      this.byOrder.delete(`${t.shopId}\n${t.orderId}`);
    };
    for (const settledFirst of [true, false]) {
      for (const t of this.tradeMap.values()) {
        if (this.tradeMap.size <= target) break;
        if (!settledFirst || settled.has(t.status)) forget(t);
      }
    }
    const oldest = Date.parse(this.tradeMap.values().next().value?.history[0]?.at ?? new Date().toISOString());
    for (const [id, s] of this.sessions) if (s.createdAt < oldest) this.sessions.delete(id);
    for (const [id, p] of this.chargePermissions) if (p.type === 'OneTime' && p.createdAt < oldest) this.chargePermissions.delete(id);
  }

  /** How many records are kept: for the memory benchmark and tests. */
  get counts(): { trades: number; sessions: number; chargePermissions: number } {
    return { trades: this.tradeMap.size, sessions: this.sessions.size, chargePermissions: this.chargePermissions.size };
  }

  tradeByOrder(shopId: string, orderId: string): Trade | undefined {
    return this.byOrder.get(`${shopId}\n${orderId}`);
  }

  /** Writes the snapshot (atomically: a crash mid-write leaves the previous one). */
  save(): void {
    if (!this.file) return;
    const snapshot: Snapshot = {
      trades: [...this.trades.values()],
      sessions: [...this.sessions.values()],
      chargePermissions: [...this.chargePermissions.values()],
    };
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file + '.tmp', JSON.stringify(snapshot));
    renameSync(this.file + '.tmp', this.file);
  }

  clear(): void {
    this.tradeMap.clear();
    this.byOrder.clear();
    this.sessions.clear();
    this.chargePermissions.clear();
    this.save();
  }
}
