/**
 * A typed client for GMO-PG's Amazon Pay V2 protocol APIs (`.idPass`).
 * One function per API; every failure is a `GmoPgError` (GMO-PG answered with error codes) or a
 * `GmoPgTransportError` (no usable answer). The shop password goes into request bodies only:
 * never into an error, a log line or a return value.
 */
import { verifyCheckString } from './check-string.js';
import { GmoPgError, GmoPgTransportError } from './errors.js';
import { withRateLimitRetries } from './retry.js';
import { postToGmoPg } from './transport.js';
import { traceGmoCall, type CallOutcome } from '../telemetry/tracing.js';

/** GMO-PG's test environment. */
export const TEST_BASE_URL = 'https://pt01.mul-pay.jp/payment/';
/** GMO-PG's production environment. */
export const PRODUCTION_BASE_URL = 'https://p01.mul-pay.jp/payment/';

export interface GmoPgConfig {
  /** Shop ID (ショップID); default `GMO_PG_SHOP_ID`. */
  shopId?: string;
  /** Shop password (ショップパスワード); default `GMO_PG_SHOP_PASS`. */
  shopPass?: string;
  /** `TEST_BASE_URL`, `PRODUCTION_BASE_URL` or the sandbox's `/payment/`; default `GMO_PG_BASE_URL`. */
  baseUrl?: string;
  /** Milliseconds to wait for each call; default 30000. */
  timeoutMs?: number;
  /**
   * AmazonpayType sent with EntryTranAmazonpay; default `GMO_PG_AMAZONPAY_TYPE`, else 3.
   * 3: Amazon Pay V2 as GMO-PG's own V2 documents describe it. 4: the cPSP contract (Amazon as the
   * payment service through GMO-PG), which both of Amazon's GMO-PG sample apps send. Use the one
   * your GMO-PG contract names; GMO-PG refuses the other.
   */
  amazonpayType?: '3' | '4';
  /** Extra attempts for read-only calls that hit GMO-PG's rate limit; default 2. */
  rateLimitRetries?: number;
  /** Milliseconds before the first rate-limit retry (doubling); default 500. */
  rateLimitDelayMs?: number;
  /**
   * A fetch to send the calls with (tests, or a proxy through undici's dispatcher); by default they go
   * through node:http(s) and Node's global agents (connections kept alive), at under half the global
   * fetch's CPU per call (a quarter on Node 20; bench/server.mjs, 5d).
   */
  fetch?: typeof fetch;
}

export type JobCd = 'AUTH' | 'CAPTURE';
/** Amazon's recurring frequency for 利用承諾 (recurring consent). */
export interface Frequency {
  unit: 'Year' | 'Month' | 'Week' | 'Day' | 'Variable';
  value: number;
}

export interface EntryTranInput {
  orderId: string;
  jobCd: JobCd;
  amount: number;
  tax?: number;
}
export interface EntryTranResult {
  accessId: string;
  accessPass: string;
}

interface ExecTranCommon {
  accessId: string;
  accessPass: string;
  orderId: string;
  /** Shown to the shopper by Amazon (noteToBuyer). */
  description?: string;
  clientField1?: string;
  clientField2?: string;
  clientField3?: string;
}
/** Standard flow: the checkout session from the confirm page's URL. */
export interface ExecTranSessionInput extends ExecTranCommon {
  amazonCheckoutSessionId: string;
  retUrl: string;
  paymentTermSec?: number;
  /** For 利用承諾: the billing frequency of the charge permission. */
  frequency?: Frequency;
}
/** APB: no session yet; the shopper signs in and pays on Amazon after AmazonpayStart. */
export interface ExecTranApbInput extends ExecTranCommon {
  apbType: 'PayOnly' | 'PayAndShip';
  retUrl: string;
  paymentTermSec?: number;
  frequency?: Frequency;
}
/** 随時決済: charge an existing recurring charge permission, without the shopper. */
export interface ExecTranChargePermissionInput extends ExecTranCommon {
  amazonChargePermissionId: string;
  /** Buy Now (renderJSButton): `PayOnly` or `PayAndShip`, as Amazon's -apb sample sends with the checkout's charge permission. */
  apbType?: 'PayOnly' | 'PayAndShip';
  /** Buy Now: the `amazonPayMFAReturnUrl` Amazon passed to onCompleteCheckout. */
  retUrl?: string;
}
/** What the browser needs to go to AmazonpayStart. */
export interface StartResult {
  accessId: string;
  token: string;
  startUrl: string;
  /** `yyyyMMddHHmmss` (JST) after which the token no longer works. */
  startLimitDate: string;
}
/** A synchronous 随時決済 result, already verified by CheckString. */
export interface ChargeResult {
  orderId: string;
  status: string;
  tranDate: string;
  amazonChargePermissionId: string;
  checkString: string;
}

export interface AmountInput {
  accessId: string;
  accessPass: string;
  orderId: string;
  amount: number;
  tax?: number;
}
export interface AmountResult {
  orderId: string;
  status: string;
  amount: number;
  tax: number;
}
export interface CancelInput {
  accessId: string;
  accessPass: string;
  orderId: string;
  cancelAmount: number;
  cancelTax?: number;
}
export interface CancelResult extends AmountResult {
  cancelAmount: number;
  cancelTax: number;
}

export interface Address {
  name: string;
  postalCode: string;
  countryCode: string;
  stateOrRegion: string;
  city: string;
  county: string;
  district: string;
  addressLine1: string;
  addressLine2: string;
  addressLine3: string;
  phoneNumber: string;
}
export interface AddressResult {
  shipping: Address;
  billing: Address;
  buyer: { buyerId: string; name: string; email: string; phoneNumber: string };
  /** e.g. "Visa ****1111". */
  paymentDescriptor: string;
}
export interface ChargePermissionResult {
  amazonChargePermissionId: string;
  status: string;
  reasonCode: string;
  amountLimit: number;
  amountBalance: number;
}
export interface TradeResult {
  orderId: string;
  status: string;
  processDate: string;
  jobCd: string;
  accessId: string;
  accessPass: string;
  amount: number;
  tax: number;
  clientField1: string;
  clientField2: string;
  clientField3: string;
  payType: string;
  amazonPayCancelAmount: number;
  amazonPayCancelTax: number;
  amazonChargePermissionId: string;
}

/** Told of every GMO-PG call when it ends: its API, seconds taken, and outcome (for metrics). */
export type GmoPgCallObserver = (api: string, seconds: number, outcome: CallOutcome) => void;

/** The client: one function per API. */
export interface GmoPgClient {
  readonly shopId: string;
  readonly baseUrl: string;
  /** Reports every call to `observer` (the handler's metrics); returns a function that stops it. */
  observe?(observer: GmoPgCallObserver): () => void;
  entryTranAmazonpay(input: EntryTranInput): Promise<EntryTranResult>;
  execTranAmazonpay(input: ExecTranSessionInput | ExecTranApbInput): Promise<StartResult>;
  execTranAmazonpay(input: ExecTranChargePermissionInput): Promise<ChargeResult>;
  amazonpaySales(input: AmountInput): Promise<AmountResult>;
  amazonpayCancel(input: CancelInput): Promise<CancelResult>;
  amazonpayChange(input: AmountInput): Promise<AmountResult>;
  searchAddressAmazonpay(input: { amazonCheckoutSessionId: string; orderId?: string } | { amazonBuyerToken: string }): Promise<AddressResult>;
  searchChargePermissionAmazonpay(input: { amazonChargePermissionId: string }): Promise<ChargePermissionResult>;
  closeChargePermissionAmazonpay(input: { amazonChargePermissionId: string }): Promise<{ amazonChargePermissionId: string; status: string }>;
  searchTradeMulti(input: { orderId: string }): Promise<TradeResult>;
  /** Verifies a CheckString with this shop's password (RetURL results, 随時決済 answers). */
  verifyCheckString(fields: { orderId: string; accessId: string; amazonChargePermissionId: string; checkString: string }): boolean;
  /** Calls any `.idPass` API with ShopID and ShopPass added; returns the decoded fields. */
  call(api: string, fields: Record<string, string | number | undefined>, options?: { readOnly?: boolean }): Promise<Record<string, string>>;
}

function amazonpayTypeOf(value: string | undefined): '3' | '4' {
  if (value === undefined || value === '') return '3';
  if (value === '3' || value === '4') return value;
  throw new Error(
    `GMO-PG amazonpayType "${value}" is not 3 or 4: 3 for Amazon Pay V2 as GMO-PG's V2 documents describe it, 4 for the cPSP contract of Amazon's GMO-PG samples (GMO_PG_AMAZONPAY_TYPE or { amazonpayType })`,
  );
}

/** Reads the configuration, with GMO_PG_* environment variables for what is not passed. The result holds ShopPass: never log it. */
export function resolveConfig(config: GmoPgConfig = {}): Required<Omit<GmoPgConfig, 'fetch'>> & Pick<GmoPgConfig, 'fetch'> {
  const env = typeof process !== 'undefined' ? process.env : {};
  const shopId = config.shopId ?? env.GMO_PG_SHOP_ID;
  const shopPass = config.shopPass ?? env.GMO_PG_SHOP_PASS;
  const baseUrl = config.baseUrl ?? env.GMO_PG_BASE_URL;
  if (!shopId) throw new Error('GMO-PG shopId is missing: pass { shopId } or set GMO_PG_SHOP_ID');
  if (!shopPass) throw new Error('GMO-PG shopPass is missing: pass { shopPass } or set GMO_PG_SHOP_PASS');
  if (!baseUrl) {
    throw new Error(`GMO-PG baseUrl is missing: pass { baseUrl } or set GMO_PG_BASE_URL (test ${TEST_BASE_URL}, production ${PRODUCTION_BASE_URL})`);
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`GMO-PG baseUrl "${baseUrl}" is not a URL: use e.g. ${TEST_BASE_URL}`);
  }
  return {
    shopId,
    shopPass,
    baseUrl: url.href.endsWith('/') ? url.href : url.href + '/',
    timeoutMs: config.timeoutMs ?? 30000,
    amazonpayType: amazonpayTypeOf(config.amazonpayType ?? env.GMO_PG_AMAZONPAY_TYPE),
    rateLimitRetries: config.rateLimitRetries ?? 2,
    rateLimitDelayMs: config.rateLimitDelayMs ?? 500,
    fetch: config.fetch,
  };
}

const num = (s: string | undefined) => (s ? Number(s) : 0);
const address = (f: Record<string, string>, prefix: string): Address => ({
  name: f[`${prefix}Name`] ?? '',
  postalCode: f[`${prefix}PostalCode`] ?? '',
  countryCode: f[`${prefix}CountryCode`] ?? '',
  stateOrRegion: f[`${prefix}StateOrRegion`] ?? '',
  city: f[`${prefix}City`] ?? '',
  county: f[`${prefix}County`] ?? '',
  district: f[`${prefix}District`] ?? '',
  addressLine1: f[`${prefix}AddressLine1`] ?? '',
  addressLine2: f[`${prefix}AddressLine2`] ?? '',
  addressLine3: f[`${prefix}AddressLine3`] ?? '',
  phoneNumber: f[`${prefix}PhoneNumber`] ?? '',
});

/** How a failed call is counted and traced: GMO-PG's error codes, or how the transport failed. */
function callOutcomeOf(error: unknown): CallOutcome {
  if (error instanceof GmoPgError) return { result: 'error', codes: error.codes };
  if (error instanceof GmoPgTransportError) return { result: error.kind };
  return { result: 'invalid' }; // a value the request cannot carry (Windows31JError): nothing was sent
}

/** Creates a client. Throws at once, naming the setting, when the configuration is incomplete. */
export function createGmoPgClient(config: GmoPgConfig = {}): GmoPgClient {
  const settings = resolveConfig(config);

  const observers = new Set<GmoPgCallObserver>();
  /** One call, in an OpenTelemetry span when the shop has an SDK, reported to the observers. */
  async function once(api: string, fields: Record<string, string | number | undefined>): Promise<Record<string, string>> {
    const started = performance.now();
    const report = (outcome: CallOutcome) => observers.forEach((o) => o(api, (performance.now() - started) / 1000, outcome));
    try {
      const answer = await traceGmoCall(
        api,
        fields.OrderID === undefined ? undefined : String(fields.OrderID),
        () => postToGmoPg(settings, api, fields),
        callOutcomeOf,
      );
      report({ result: 'ok' });
      return answer;
    } catch (error) {
      report(callOutcomeOf(error));
      throw error;
    }
  }

  const call = (api: string, fields: Record<string, string | number | undefined>, options: { readOnly?: boolean } = {}) =>
    withRateLimitRetries(() => once(api, fields), {
      readOnly: options.readOnly ?? false,
      retries: settings.rateLimitRetries,
      delayMs: settings.rateLimitDelayMs,
    });

  const check = (fields: { orderId: string; accessId: string; amazonChargePermissionId: string; checkString: string }) =>
    verifyCheckString({ ...fields, shopId: settings.shopId, shopPass: settings.shopPass }, fields.checkString);

  function common(i: ExecTranCommon) {
    return {
      AccessID: i.accessId,
      AccessPass: i.accessPass,
      OrderID: i.orderId,
      Description: i.description,
      ClientField1: i.clientField1,
      ClientField2: i.clientField2,
      ClientField3: i.clientField3,
    };
  }

  async function execTranAmazonpay(input: ExecTranSessionInput | ExecTranApbInput | ExecTranChargePermissionInput): Promise<StartResult | ChargeResult> {
    if ('amazonChargePermissionId' in input) {
      const f = await call('ExecTranAmazonpay', {
        ...common(input),
        AmazonChargePermissionID: input.amazonChargePermissionId,
        ApbType: input.apbType,
        RetURL: input.retUrl,
      });
      const result: ChargeResult = {
        orderId: f.OrderID ?? input.orderId,
        status: f.Status ?? '',
        tranDate: f.TranDate ?? '',
        // GMO-PG hashes the charge permission it was sent; an answer without the field is checked
        // with the one in the request (as Amazon's sample does), not with ''.
        amazonChargePermissionId: f.AmazonChargePermissionID || input.amazonChargePermissionId,
        checkString: f.CheckString ?? '',
      };
      if (!check({ ...result, accessId: input.accessId })) {
        throw new GmoPgTransportError('ExecTranAmazonpay', 'the answer failed CheckString verification: it was not sent by GMO-PG for this shop', 'protocol');
      }
      return result;
    }
    const flow = 'amazonCheckoutSessionId' in input ? { AmazonCheckoutSessionID: input.amazonCheckoutSessionId } : { ApbType: input.apbType };
    const f = await call('ExecTranAmazonpay', {
      ...common(input),
      ...flow,
      RetURL: input.retUrl,
      PaymentTermSec: input.paymentTermSec,
      FrequencyUnit: input.frequency?.unit,
      FrequencyValue: input.frequency?.value,
    });
    if (!f.Token || !f.StartURL) {
      throw new GmoPgTransportError('ExecTranAmazonpay', 'the answer has no Token or StartURL', 'protocol');
    }
    return { accessId: f.AccessID ?? input.accessId, token: f.Token, startUrl: f.StartURL, startLimitDate: f.StartLimitDate ?? '' };
  }

  return {
    shopId: settings.shopId,
    baseUrl: settings.baseUrl,
    observe(observer) {
      observers.add(observer);
      return () => void observers.delete(observer);
    },
    call,
    verifyCheckString: check,
    async entryTranAmazonpay(i) {
      const f = await call('EntryTranAmazonpay', {
        OrderID: i.orderId,
        JobCd: i.jobCd,
        Amount: i.amount,
        Tax: i.tax,
        AmazonpayType: settings.amazonpayType,
      });
      return { accessId: f.AccessID, accessPass: f.AccessPass };
    },
    execTranAmazonpay: execTranAmazonpay as GmoPgClient['execTranAmazonpay'],
    async amazonpaySales(i) {
      const f = await call('AmazonpaySales', { AccessID: i.accessId, AccessPass: i.accessPass, OrderID: i.orderId, Amount: i.amount, Tax: i.tax });
      return { orderId: f.OrderID, status: f.Status, amount: num(f.Amount), tax: num(f.Tax) };
    },
    async amazonpayCancel(i) {
      const f = await call('AmazonpayCancel', {
        AccessID: i.accessId,
        AccessPass: i.accessPass,
        OrderID: i.orderId,
        CancelAmount: i.cancelAmount,
        CancelTax: i.cancelTax,
      });
      return {
        orderId: f.OrderID,
        status: f.Status,
        amount: num(f.Amount),
        tax: num(f.Tax),
        cancelAmount: num(f.CancelAmount),
        cancelTax: num(f.CancelTax),
      };
    },
    async amazonpayChange(i) {
      const f = await call('AmazonpayChange', { AccessID: i.accessId, AccessPass: i.accessPass, OrderID: i.orderId, Amount: i.amount, Tax: i.tax });
      return { orderId: f.OrderID, status: f.Status, amount: num(f.Amount), tax: num(f.Tax) };
    },
    async searchAddressAmazonpay(i) {
      const f = await call(
        'SearchAddressAmazonpay',
        'amazonBuyerToken' in i ? { AmazonBuyerToken: i.amazonBuyerToken } : { AmazonCheckoutSessionID: i.amazonCheckoutSessionId, OrderID: i.orderId },
        { readOnly: true },
      );
      return {
        shipping: address(f, 'Shipping'),
        billing: address(f, 'Billing'),
        buyer: { buyerId: f.AmazonBuyerID ?? '', name: f.AmazonAccountName ?? '', email: f.AmazonMailAddress ?? '', phoneNumber: f.AmazonPhoneNumber ?? '' },
        paymentDescriptor: f.PaymentDescriptor ?? '',
      };
    },
    async searchChargePermissionAmazonpay(i) {
      const f = await call('SearchChargePermissionAmazonpay', { AmazonChargePermissionID: i.amazonChargePermissionId }, { readOnly: true });
      return {
        amazonChargePermissionId: f.AmazonChargePermissionID,
        status: f.Status,
        reasonCode: f.ReasonCode ?? '',
        amountLimit: num(f.AmountLimit),
        amountBalance: num(f.AmountBalance),
      };
    },
    async closeChargePermissionAmazonpay(i) {
      const f = await call('CloseChargePermissionAmazonpay', { AmazonChargePermissionID: i.amazonChargePermissionId });
      return { amazonChargePermissionId: f.AmazonChargePermissionID, status: f.Status };
    },
    async searchTradeMulti(i) {
      const f = await call('SearchTradeMulti', { OrderID: i.orderId, PayType: '38' }, { readOnly: true });
      return {
        orderId: f.OrderID,
        status: f.Status,
        processDate: f.ProcessDate ?? '',
        jobCd: f.JobCd ?? '',
        accessId: f.AccessID ?? '',
        accessPass: f.AccessPass ?? '',
        amount: num(f.Amount),
        tax: num(f.Tax),
        clientField1: f.ClientField1 ?? '',
        clientField2: f.ClientField2 ?? '',
        clientField3: f.ClientField3 ?? '',
        payType: f.PayType ?? '',
        amazonPayCancelAmount: num(f.AmazonPayCancelAmount),
        amazonPayCancelTax: num(f.AmazonPayCancelTax),
        amazonChargePermissionId: f.AmazonChargePermissionID ?? '',
      };
    },
  };
}
