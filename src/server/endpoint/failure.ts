/**
 * What a GMO-PG failure means for the caller of the merchant endpoint: the HTTP status that says
 * whose fault it is, and a message a shopper can read.
 */
import { SANDBOX_CODES } from '../client/error-codes.js';
import { GmoPgError, GmoPgTransportError } from '../client/errors.js';

export interface FailureAnswer {
  status: 400 | 409 | 500 | 502 | 503 | 504;
  code: string;
  message: string;
  gmoErrors?: { errCode: string; errInfo: string; message: string }[];
}

/** Codes a shopper can fix by starting again (an expired or spent checkout session or token). */
const SHOPPER_RESTART = new Set<string>([SANDBOX_CODES.sessionInvalid, SANDBOX_CODES.tokenInvalid]);

export function failureOf(error: unknown): FailureAnswer {
  if (error instanceof GmoPgError) {
    const gmoErrors = error.errors.map((e) => ({ errCode: e.errCode, errInfo: e.errInfo, message: e.messageJa }));
    const codes = error.codes;
    if (codes.some((c) => SHOPPER_RESTART.has(c))) {
      return {
        status: 409,
        code: 'CHECKOUT_EXPIRED',
        message: 'お支払い手続きの有効期限が切れました。もう一度 Amazon Pay ボタンからお手続きください。',
        gmoErrors,
      };
    }
    if (error.rateLimited || codes.some((c) => /^E9[01]/.test(c))) {
      return { status: 503, code: 'GMO_PG_BUSY', message: 'ただいま決済サービスが混み合っています。しばらくしてからもう一度お試しください。', gmoErrors };
    }
    if (codes.some((c) => /^E01(01|02|03)/.test(c) || c.startsWith('E61'))) {
      // The shop's own settings (shop ID/password, contract): the merchant must fix them, from the
      // log; the browser gets no GMO-PG codes that describe the shop's account.
      return {
        status: 500,
        code: 'SHOP_MISCONFIGURED',
        message: 'ショップの決済設定に問題があるため、お支払いを開始できません。ショップにお問い合わせください。',
      };
    }
    return {
      status: 502,
      code: 'GMO_PG_ERROR',
      message: `お支払いを開始できませんでした (${codes.join(', ')})。時間をおいて再度お試しいただくか、別のお支払い方法をご利用ください。`,
      gmoErrors,
    };
  }
  if (error instanceof GmoPgTransportError) {
    return {
      status: error.kind === 'timeout' ? 504 : 502,
      code: 'GMO_PG_UNAVAILABLE',
      message: '決済サービスに接続できませんでした。しばらくしてからもう一度お試しください。',
    };
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'お支払いを開始できませんでした。しばらくしてからもう一度お試しください。' };
}
