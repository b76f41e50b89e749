/**
 * The result notification (結果通知プログラム): after every status change GMO-PG POSTs the result
 * to the shop's notification URL and expects the body `0`. Until it gets it, it tries again
 * (about every 60 minutes, 5 times); the sandbox keeps that shape on a shortened schedule.
 */
import { REQUEST_CONTENT_TYPE, encodeForm } from '../../server/client/wire.js';
import type { FaultBox } from '../faults.js';
import type { Trade } from '../state.js';
import { gmoDate } from '../time.js';

export interface NotificationAttempt {
  orderId: string;
  status: string;
  attempt: number;
  result: 'ok' | 'dropped' | 'error' | 'not-0';
  detail?: string;
  at: string;
}

export class Notifier {
  readonly attempts: NotificationAttempt[] = [];
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly options: {
      url?: string;
      /** Milliseconds before each retry; its length is the number of retries. */
      retryDelaysMs: number[];
      /** Milliseconds to wait for the shop's answer (GMO-PG: 15 s). */
      timeoutMs: number;
      faults: FaultBox;
    },
  ) {}

  get url() {
    return this.options.url;
  }
  set url(url: string | undefined) {
    this.options.url = url;
  }

  /** Queues a notification with the trade's fields as they are now. */
  send(trade: Trade): void {
    if (!this.options.url) return;
    const fields = {
      ShopID: trade.shopId,
      ShopPass: '*'.repeat(10), // GMO-PG masks the secrets in notifications
      AccessID: trade.accessId,
      AccessPass: '*'.repeat(32),
      OrderID: trade.orderId,
      Status: trade.status,
      JobCd: trade.jobCd,
      Amount: String(trade.amount),
      Tax: String(trade.tax),
      TranDate: trade.tranDate || gmoDate(),
      ErrCode: trade.errCode,
      ErrInfo: trade.errInfo,
      PayType: '38',
      CancelAmount: String(trade.cancelAmount),
      CancelTax: String(trade.cancelTax),
      AmazonChargePermissionID: trade.chargePermissionId,
    };
    this.schedule(fields, 0, 0);
  }

  /** Resolves when no notification is waiting or being sent. */
  idle(): Promise<void> {
    if (!this.timers.size && !this.inFlight) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.settle();
  }

  private schedule(fields: Record<string, string>, attempt: number, delay: number) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(fields, attempt);
    }, delay);
    this.timers.add(timer);
  }

  private async attempt(fields: Record<string, string>, attempt: number) {
    const url = this.options.url;
    if (!url) return this.settle();
    this.inFlight++;
    let result: NotificationAttempt['result'] = 'ok';
    let detail: string | undefined;
    if (this.options.faults.takeDrop()) {
      result = 'dropped';
    } else {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': REQUEST_CONTENT_TYPE },
          body: encodeForm(fields, undefined, { keepEmpty: true }), // ErrCode= and ErrInfo= even when empty, as GMO-PG sends them
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        const body = (await response.text()).trim();
        if (body !== '0') {
          result = 'not-0';
          detail = `HTTP ${response.status}: ${body.slice(0, 80)}`;
        }
      } catch (error) {
        result = 'error';
        detail = (error as Error).message;
      }
    }
    this.attempts.push({ orderId: fields.OrderID, status: fields.Status, attempt, result, detail, at: new Date().toISOString() });
    this.inFlight--;
    if (result !== 'ok' && attempt < this.options.retryDelaysMs.length) {
      this.schedule(fields, attempt + 1, this.options.retryDelaysMs[attempt]);
    }
    this.settle();
  }

  private settle() {
    if (this.timers.size || this.inFlight) return;
    for (const w of this.waiters.splice(0)) w();
  }
}
