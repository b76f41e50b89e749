import { ERROR_CODES, RATE_LIMIT_CODES } from './error-codes.js';
import type { ErrorPair } from './wire.js';

/** One GMO-PG error, with what it means when the code is known. */
export interface GmoPgErrorDetail extends ErrorPair {
  /** Japanese message, or a generic one for an unknown code. */
  messageJa: string;
  /** English message, or a generic one for an unknown code. */
  messageEn: string;
}

/** Every GMO-PG answer that carries ErrCode/ErrInfo becomes this error. */
export class GmoPgError extends Error {
  override name = 'GmoPgError';
  /** Every ErrCode/ErrInfo pair of the answer, in order. */
  readonly errors: GmoPgErrorDetail[];

  constructor(
    /** The API that answered, e.g. `ExecTranAmazonpay`. */
    readonly api: string,
    pairs: ErrorPair[],
    /** Whether calling again later can help: only rate limits, and only for read-only calls. */
    readonly retryable: boolean,
  ) {
    const errors = pairs.map((p) => ({
      ...p,
      messageJa: ERROR_CODES[p.errInfo]?.ja ?? `決済処理でエラーが発生しました (${p.errInfo})。`,
      messageEn: ERROR_CODES[p.errInfo]?.en ?? `GMO-PG error ${p.errInfo}.`,
    }));
    super(`${api} failed: ${errors.map((e) => `${e.errInfo} ${e.messageEn}`).join('; ')}`);
    this.errors = errors;
  }

  /** The ErrInfo codes, e.g. `['E01040010']`. */
  get codes(): string[] {
    return this.errors.map((e) => e.errInfo);
  }

  /** True when any pair carries `errInfo`. */
  has(errInfo: string): boolean {
    return this.errors.some((e) => e.errInfo === errInfo);
  }

  /** Whether all pairs are rate-limit errors. */
  get rateLimited(): boolean {
    return this.errors.length > 0 && this.errors.every((e) => RATE_LIMIT_CODES.has(e.errInfo));
  }
}

/** The call did not get an answer: network failure, timeout, or a body that is not the protocol. */
export class GmoPgTransportError extends Error {
  override name = 'GmoPgTransportError';
  constructor(
    readonly api: string,
    message: string,
    /** `timeout`, `network` or `protocol`. */
    readonly kind: 'timeout' | 'network' | 'protocol',
    options?: { cause?: unknown },
  ) {
    super(`${api}: ${message}`, options);
  }
}
