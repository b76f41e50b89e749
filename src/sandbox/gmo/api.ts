/**
 * The sandbox's GMO-PG: every Amazon Pay `.idPass` API, with GMO-PG's validation order and
 * error codes, the transaction status machine, and charge permissions.
 * Where the public sources are silent, the choice made is marked "inferred" and is the most
 * plausible behaviour; `SandboxOptions` can change the ones a merchant's code may depend on.
 */
import { randomBytes } from 'node:crypto';
import { computeCheckString } from '../../server/client/check-string.js';
import { SANDBOX_CODES } from '../../server/client/error-codes.js';
import { ADDRESSES, BUYER, CARDS } from '../fixtures.js';
import type { ChargePermission, SandboxState, Trade, TradeStatus } from '../state.js';
import { gmoDate } from '../time.js';

export type Fields = Record<string, string>;
export type Answer = Record<string, string | number | undefined>;

/** What the API handlers need from the sandbox around them. */
export interface GmoContext {
  shopId: string;
  shopPass: string;
  state: SandboxState;
  /** Seconds a Token stays valid when ExecTran sends no PaymentTermSec (inferred: 120, as GMO-PG's client). */
  defaultPaymentTermSec: number;
  /** Whether AmazonpaySales must capture exactly the authorized amount (GMO-PG's E01060010); default true. */
  captureMustMatch: boolean;
  /** AmazonpayType values the shop accepts: 3 (V2) and 4 (cPSP). */
  amazonpayTypes: string[];
  /** AmazonpayStart's URL as the browser must see it. */
  startUrl: string;
  /** Whether the next synchronous payment is declined (failure injection). */
  takeDecline(): boolean;
  /** Whether the next Buy Now payment waits for the buyer to authenticate at Amazon (MFA; failure injection). */
  takeAuthentication(): boolean;
  /** Queues a result notification for a trade. */
  notify(trade: Trade): void;
  /** The sandbox's clock (epoch ms): tests move it to see authorizations expire. */
  now(): number;
  /** How long an uncaptured authorization lives at Amazon (30 days: Amazon Pay's Charge docs). */
  authorizationTtlMs: number;
}

/**
 * Amazon cancels an Authorized charge that is not captured within 30 days (developer.amazon.com,
 * "Charge"); GMO-PG then has it cancelled (inferred: status CANCEL). Checked whenever a trade is read.
 */
function expireIfDue(ctx: GmoContext, trade: Trade) {
  if (trade.status !== 'AUTH' || !trade.authorizedAt || ctx.now() - trade.authorizedAt <= ctx.authorizationTtlMs) return;
  trade.expired = true;
  record(trade, 'authorization expired at Amazon (not captured within its lifetime)', 'CANCEL');
  saveAndNotify(ctx, trade);
}

/** An answer of error pairs, in order. */
export class ApiError extends Error {
  constructor(readonly errInfo: string[]) {
    super(errInfo.join('|'));
  }
}

const hex32 = () => randomBytes(16).toString('hex');
/** A token like GMO-PG's: base64, always with a "+" in it, to catch clients that form-decode it. */
export function newToken(): string {
  const t = randomBytes(30).toString('base64');
  return t.includes('+') ? t : t.slice(0, 7) + '+' + t.slice(8);
}
export const newChargePermissionId = () => {
  const d = () => String(Math.floor(Math.random() * 1e7)).padStart(7, '0');
  return `S03-${d()}-${d()}`;
};

/** Collects validation errors in parameter order, as GMO-PG reports them. */
class Checks {
  readonly errors: string[] = [];
  add(code: string) {
    this.errors.push(code);
  }
  field(value: string | undefined, missing: string, bad: string, ok: (v: string) => boolean) {
    if (!value) this.add(missing);
    else if (!ok(value)) this.add(bad);
  }
  throwIfAny() {
    if (this.errors.length) throw new ApiError(this.errors);
  }
}

const ALNUM = /^[A-Za-z0-9]+$/;
const DIGITS = /^[0-9]+$/;

function checkShop(f: Fields, checks: Checks) {
  checks.field(f.ShopID, 'E01010001', 'E01010008', (v) => ALNUM.test(v) && v.length <= 13);
  checks.field(f.ShopPass, 'E01020001', 'E01020008', (v) => ALNUM.test(v) && v.length <= 64);
}
function checkOrderId(f: Fields, checks: Checks) {
  if (!f.OrderID) checks.add('E01040001');
  else if (f.OrderID.length > 27) checks.add('E01040003');
  else if (!/^[A-Za-z0-9-]+$/.test(f.OrderID)) checks.add('E01040013');
}
function checkAccess(f: Fields, checks: Checks) {
  checks.field(f.AccessID, 'E01090001', 'E01090008', (v) => ALNUM.test(v) && v.length === 32);
  checks.field(f.AccessPass, 'E01100001', 'E01100008', (v) => ALNUM.test(v) && v.length === 32);
}
function checkAmount(value: string | undefined, checks: Checks, required: boolean) {
  if (!value) {
    if (required) checks.add('E01060001');
  } else if (!DIGITS.test(value)) checks.add('E01060006');
  else if (value.length > 7) checks.add('E01060005');
}
function checkTax(value: string | undefined, checks: Checks) {
  if (!value) return;
  if (!DIGITS.test(value)) checks.add('E01070006');
  else if (value.length > 7) checks.add('E01070005');
}
function authenticate(ctx: GmoContext, f: Fields) {
  if (f.ShopID !== ctx.shopId || f.ShopPass !== ctx.shopPass) throw new ApiError(['E01030002']);
}
/** The trade for AccessID, AccessPass and OrderID, or E01110002. */
function findTrade(ctx: GmoContext, f: Fields): Trade {
  const trade = ctx.state.trades.get(f.AccessID);
  if (!trade || trade.accessPass !== f.AccessPass || trade.orderId !== f.OrderID || trade.shopId !== f.ShopID) {
    throw new ApiError(['E01110002']);
  }
  return trade;
}

/** The common start of AmazonpaySales, AmazonpayCancel and AmazonpayChange: GMO-PG's checks in order, the shop, the trade. */
function moneyCall(ctx: GmoContext, f: Fields, amountKey: 'Amount' | 'CancelAmount', taxKey: 'Tax' | 'CancelTax'): Trade {
  const checks = new Checks();
  checkShop(f, checks);
  checkAccess(f, checks);
  checkOrderId(f, checks);
  checkAmount(f[amountKey], checks, true);
  checkTax(f[taxKey], checks);
  checks.throwIfAny();
  authenticate(ctx, f);
  const trade = findTrade(ctx, f);
  expireIfDue(ctx, trade);
  return trade;
}

/** Keeps a status change and sends the result notification for it. */
function saveAndNotify(ctx: GmoContext, trade: Trade) {
  ctx.state.save();
  ctx.notify(trade);
}

function record(trade: Trade, event: string, status: TradeStatus) {
  trade.status = status;
  trade.processDate = gmoDate();
  trade.history.push({ at: new Date().toISOString(), event, status });
}

/** The outcome of a payment at Amazon (AmazonpayStart or 随時決済). */
export function completePayment(
  ctx: GmoContext,
  trade: Trade,
  outcome: 'paid' | 'declined' | 'cancelled',
  choice?: { addressIndex: number; cardIndex: number },
) {
  trade.tranDate = gmoDate();
  trade.token = undefined; // a token works once
  if (outcome !== 'paid') {
    trade.errCode = 'E08';
    trade.errInfo = outcome === 'declined' ? SANDBOX_CODES.declined : SANDBOX_CODES.buyerCancelled;
    // inferred: a decline fails the trade; a shopper who leaves leaves it unpaid.
    record(trade, outcome === 'declined' ? 'declined at Amazon' : 'cancelled at Amazon', outcome === 'declined' ? 'PAYFAIL' : 'UNPROCESSED');
  } else {
    if (!trade.chargePermissionId) {
      const session = trade.checkoutSessionId ? ctx.state.sessions.get(trade.checkoutSessionId) : undefined;
      const frequency = trade.frequency ?? session?.frequency;
      const permission: ChargePermission = {
        id: newChargePermissionId(),
        shopId: trade.shopId,
        type: frequency || session?.recurring ? 'Recurring' : 'OneTime',
        status: 'Chargeable',
        reasonCode: '',
        amountLimit: 100000, // inferred: Amazon JP's default monthly limit for recurring consents
        charged: 0,
        addressIndex: choice?.addressIndex ?? session?.addressIndex ?? 0,
        cardIndex: choice?.cardIndex ?? session?.cardIndex ?? 0,
        frequency,
        createdAt: Date.now(),
      };
      ctx.state.chargePermissions.set(permission.id, permission);
      trade.chargePermissionId = permission.id;
    }
    const permission = ctx.state.chargePermissions.get(trade.chargePermissionId)!;
    permission.charged += trade.amount + trade.tax;
    trade.authorizedAmount = trade.amount;
    trade.authorizedAt = ctx.now();
    record(trade, trade.flow === 'charge' ? '随時決済' : 'paid at Amazon', trade.jobCd === 'CAPTURE' ? 'CAPTURE' : 'AUTH');
  }
  ctx.state.save();
  ctx.notify(trade);
}

/** The CheckString of a trade's result. */
export const checkStringOf = (ctx: GmoContext, trade: Trade) =>
  computeCheckString({
    orderId: trade.orderId,
    accessId: trade.accessId,
    shopId: ctx.shopId,
    shopPass: ctx.shopPass,
    amazonChargePermissionId: trade.chargePermissionId,
  });

const handlers: Record<string, (ctx: GmoContext, f: Fields) => Answer> = {
  EntryTranAmazonpay(ctx, f) {
    const checks = new Checks();
    checkShop(f, checks);
    checkOrderId(f, checks);
    if (!f.JobCd) checks.add('E01050001');
    else if (f.JobCd !== 'AUTH' && f.JobCd !== 'CAPTURE') checks.add('E01050002');
    checkAmount(f.Amount, checks, true);
    checkTax(f.Tax, checks);
    if (!ctx.amazonpayTypes.includes(f.AmazonpayType)) checks.add(SANDBOX_CODES.amazonpayTypeInvalid);
    if (!checks.errors.length && Number(f.Amount) + Number(f.Tax || 0) > 9_999_999) checks.add('E01490005');
    checks.throwIfAny();
    authenticate(ctx, f);
    if (ctx.state.tradeByOrder(f.ShopID, f.OrderID)) throw new ApiError(['E01040010']);
    const trade: Trade = {
      shopId: f.ShopID,
      orderId: f.OrderID,
      accessId: hex32(),
      accessPass: hex32(),
      jobCd: f.JobCd as 'AUTH' | 'CAPTURE',
      amount: Number(f.Amount),
      tax: Number(f.Tax || 0),
      authorizedAmount: 0,
      amazonpayType: f.AmazonpayType,
      status: 'UNPROCESSED',
      processDate: gmoDate(),
      tranDate: '',
      clientFields: ['', '', ''],
      chargePermissionId: '',
      cancelAmount: 0,
      cancelTax: 0,
      errCode: '',
      errInfo: '',
      history: [],
    };
    record(trade, 'EntryTranAmazonpay', 'UNPROCESSED');
    ctx.state.addTrade(trade);
    ctx.state.save();
    return { AccessID: trade.accessId, AccessPass: trade.accessPass };
  },

  ExecTranAmazonpay(ctx, f) {
    const checks = new Checks();
    checkShop(f, checks);
    checkAccess(f, checks);
    checkOrderId(f, checks);
    (['ClientField1', 'ClientField2', 'ClientField3'] as const).forEach((k, i) => {
      if ((f[k] ?? '').length > 100) checks.add(['E01320012', 'E01330012', 'E01340012'][i]);
    });
    // GMO-PG publishes no code for a bad PaymentTermSec: the sandbox's own placeholder.
    if (f.PaymentTermSec && !(DIGITS.test(f.PaymentTermSec) && Number(f.PaymentTermSec) <= 86400)) checks.add(SANDBOX_CODES.paymentTermSecInvalid);
    checks.throwIfAny();
    authenticate(ctx, f);
    const trade = findTrade(ctx, f);
    if (trade.status !== 'UNPROCESSED' || trade.flow) throw new ApiError(['E01050004']);

    return f.AmazonChargePermissionID ? execOnChargePermission(ctx, f, trade) : execForStart(ctx, f, trade);
  },

  AmazonpaySales(ctx, f) {
    const trade = moneyCall(ctx, f, 'Amount', 'Tax');
    if (trade.expired) throw new ApiError([SANDBOX_CODES.authorizationExpired]);
    if (trade.status !== 'AUTH') throw new ApiError([trade.status === 'SALES' ? 'E11010001' : 'E01050004']);
    if (ctx.captureMustMatch && Number(f.Amount) !== trade.amount) throw new ApiError(['E01060010']);
    if (Number(f.Amount) > trade.amount) throw new ApiError(['E01060010']);
    trade.amount = Number(f.Amount);
    record(trade, 'AmazonpaySales', 'SALES');
    saveAndNotify(ctx, trade);
    return { OrderID: trade.orderId, Status: trade.status, Amount: trade.amount, Tax: trade.tax };
  },

  AmazonpayCancel(ctx, f) {
    const trade = moneyCall(ctx, f, 'CancelAmount', 'CancelTax');
    const amount = Number(f.CancelAmount);
    const tax = Number(f.CancelTax || 0);
    const leftAmount = trade.amount - trade.cancelAmount;
    const leftTax = trade.tax - trade.cancelTax;
    if (trade.status === 'AUTH') {
      // inferred: an authorization is cancelled as a whole.
      if (amount !== leftAmount || tax !== leftTax) throw new ApiError(['E01060010']);
      trade.cancelAmount += amount;
      trade.cancelTax += tax;
      record(trade, 'AmazonpayCancel (authorization)', 'CANCEL');
    } else if (['SALES', 'CAPTURE', 'RETURN'].includes(trade.status) && leftAmount + leftTax > 0) {
      // inferred: captured money is refunded in full or in part, until nothing is left.
      if (amount > leftAmount || tax > leftTax || amount + tax === 0) throw new ApiError(['E01060005']);
      trade.cancelAmount += amount;
      trade.cancelTax += tax;
      record(trade, `AmazonpayCancel (refund ${amount + tax})`, 'RETURN');
    } else {
      throw new ApiError(['E01050004']);
    }
    saveAndNotify(ctx, trade);
    return {
      OrderID: trade.orderId,
      Status: trade.status,
      Amount: trade.amount - trade.cancelAmount,
      Tax: trade.tax - trade.cancelTax,
      CancelAmount: trade.cancelAmount,
      CancelTax: trade.cancelTax,
    };
  },

  AmazonpayChange(ctx, f) {
    const trade = moneyCall(ctx, f, 'Amount', 'Tax');
    if (trade.status !== 'AUTH') throw new ApiError(['E01050004']);
    // inferred: Amazon lets a merchant lower an authorization, not raise it.
    if (Number(f.Amount) > trade.authorizedAmount || Number(f.Amount) === 0) throw new ApiError(['E01060005']);
    trade.amount = Number(f.Amount);
    trade.tax = Number(f.Tax || 0);
    record(trade, `AmazonpayChange (${trade.amount})`, 'AUTH');
    saveAndNotify(ctx, trade);
    return { OrderID: trade.orderId, Status: trade.status, Amount: trade.amount, Tax: trade.tax };
  },

  SearchAddressAmazonpay(ctx, f) {
    const checks = new Checks();
    checkShop(f, checks);
    checks.throwIfAny();
    authenticate(ctx, f);
    // Either the checkout session, or the buyer token of an Amazon sign-in (SignIn button), which
    // the sandbox reads as the session it came from (inferred: GMO-PG's docs name the field only).
    const id = f.AmazonCheckoutSessionID || f.AmazonBuyerToken;
    const session = id ? ctx.state.sessions.get(id) : undefined;
    if (!session) throw new ApiError([SANDBOX_CODES.sessionInvalid]);
    const a = ADDRESSES[session.addressIndex];
    const place = (prefix: string) => ({
      [`${prefix}Name`]: a.name,
      [`${prefix}CountryCode`]: 'JP',
      [`${prefix}PostalCode`]: a.postalCode,
      [`${prefix}StateOrRegion`]: a.stateOrRegion,
      [`${prefix}City`]: a.city,
      [`${prefix}County`]: '',
      [`${prefix}District`]: '',
      [`${prefix}AddressLine1`]: a.addressLine1,
      [`${prefix}AddressLine2`]: a.addressLine2,
      [`${prefix}AddressLine3`]: a.addressLine3,
      [`${prefix}PhoneNumber`]: a.phoneNumber,
    });
    return {
      ...(session.productType === 'PayOnly' ? {} : place('Shipping')),
      AmazonBuyerID: BUYER.buyerId,
      AmazonAccountName: BUYER.name,
      AmazonMailAddress: BUYER.email,
      AmazonPhoneNumber: BUYER.phoneNumber,
      ...place('Billing'),
      PaymentDescriptor: CARDS[session.cardIndex],
    };
  },

  SearchChargePermissionAmazonpay(ctx, f) {
    const permission = chargePermissionOf(ctx, f);
    return {
      AmazonChargePermissionID: permission.id,
      Status: permission.status,
      ReasonCode: permission.reasonCode,
      AmountLimit: permission.amountLimit,
      AmountBalance: Math.max(0, permission.amountLimit - permission.charged),
    };
  },

  CloseChargePermissionAmazonpay(ctx, f) {
    const permission = chargePermissionOf(ctx, f);
    if (permission.status === 'Closed') throw new ApiError(['E11010003']);
    permission.status = 'Closed';
    permission.reasonCode = 'MerchantClosed';
    ctx.state.save();
    return { AmazonChargePermissionID: permission.id, Status: permission.status };
  },

  SearchTradeMulti(ctx, f) {
    const checks = new Checks();
    checkShop(f, checks);
    checkOrderId(f, checks);
    if (!f.PayType) checks.add('E01050001');
    checks.throwIfAny();
    authenticate(ctx, f);
    const trade = ctx.state.tradeByOrder(f.ShopID, f.OrderID);
    if (!trade || f.PayType !== '38') throw new ApiError(['E01110002']);
    expireIfDue(ctx, trade);
    return {
      OrderID: trade.orderId,
      Status: trade.status,
      ProcessDate: trade.processDate,
      JobCd: trade.jobCd,
      AccessID: trade.accessId,
      AccessPass: trade.accessPass,
      ItemCode: '0000990',
      Amount: trade.amount,
      Tax: trade.tax,
      ClientField1: trade.clientFields[0],
      ClientField2: trade.clientFields[1],
      ClientField3: trade.clientFields[2],
      PayType: '38',
      AmazonPayCancelAmount: trade.cancelAmount,
      AmazonPayCancelTax: trade.cancelTax,
      // inferred extension: the 2022 client has no V2 field for it; newer API versions may.
      AmazonChargePermissionID: trade.chargePermissionId,
    };
  },
};

function chargePermissionOf(ctx: GmoContext, f: Fields): ChargePermission {
  const checks = new Checks();
  checkShop(f, checks);
  if (!f.AmazonChargePermissionID) checks.add(SANDBOX_CODES.chargePermissionUnusable);
  checks.throwIfAny();
  authenticate(ctx, f);
  const permission = ctx.state.chargePermissions.get(f.AmazonChargePermissionID);
  if (!permission || permission.shopId !== f.ShopID) throw new ApiError([SANDBOX_CODES.chargePermissionUnusable]);
  return permission;
}

/** The APIs the sandbox serves on `/payment/<Name>.idPass`. */
export const API_NAMES = Object.keys(handlers);

/** Runs one API. Throws `ApiError` for GMO-PG's error answers. */
export function runApi(ctx: GmoContext, api: string, fields: Fields): Answer {
  return handlers[api](ctx, fields);
}

/**
 * ExecTranAmazonpay on a charge permission: 随時決済 charges a recurring consent; a Buy Now checkout's
 * one-time permission is charged once, with ApbType and RetURL (Amazon's -apb sample; the RetURL is
 * Amazon's MFA return URL, used only when Amazon asks the buyer to authenticate: inferred).
 */
function execOnChargePermission(ctx: GmoContext, f: Fields, trade: Trade): Answer {
  const permission = ctx.state.chargePermissions.get(f.AmazonChargePermissionID);
  const usable = permission?.buyNow
    ? (f.ApbType === 'PayOnly' || f.ApbType === 'PayAndShip') && /^https?:\/\//.test(f.RetURL ?? '')
    : permission?.type === 'Recurring';
  if (!permission || permission.shopId !== trade.shopId || !usable || permission.status !== 'Chargeable') {
    throw new ApiError([SANDBOX_CODES.chargePermissionUnusable]);
  }
  // Amazon charges a Buy Now checkout at most what the buyer approved on its screen (the charge
  // permission's limit); GMO-PG's code for the refusal is not published: the sandbox's placeholder.
  if (permission.buyNow && trade.amount + trade.tax > permission.amountLimit) throw new ApiError([SANDBOX_CODES.amountNotApproved]);
  if (permission.buyNow) {
    permission.status = 'Closed'; // one checkout, one charge
    permission.reasonCode = 'MerchantClosed';
    trade.apbType = f.ApbType;
    trade.retUrl = f.RetURL;
  }
  trade.description = f.Description;
  trade.clientFields = [f.ClientField1 ?? '', f.ClientField2 ?? '', f.ClientField3 ?? ''];
  trade.flow = permission.buyNow ? 'buy-now' : 'charge';
  trade.chargePermissionId = permission.id;
  if (permission.buyNow && ctx.takeAuthentication()) {
    // Amazon asks the buyer to authenticate first (MFA): no authorization yet. The buyer passes
    // Amazon's check and is sent to RetURL (Amazon's MFA return URL); then the payment completes
    // and GMO-PG notifies the shop (sandbox.authenticate()). All inferred.
    record(trade, 'waiting for the buyer to authenticate at Amazon (MFA)', 'REQSUCCESS');
    return {
      ShopID: trade.shopId,
      OrderID: trade.orderId,
      Status: trade.status,
      TranDate: trade.tranDate ?? '',
      AmazonChargePermissionID: trade.chargePermissionId,
      CheckString: checkStringOf(ctx, trade),
    };
  }
  const declined = ctx.takeDecline();
  completePayment(ctx, trade, declined ? 'declined' : 'paid');
  if (declined) throw new ApiError([SANDBOX_CODES.declined]);
  return {
    ShopID: trade.shopId,
    OrderID: trade.orderId,
    Status: trade.status,
    TranDate: trade.tranDate,
    AmazonChargePermissionID: trade.chargePermissionId,
    CheckString: checkStringOf(ctx, trade),
  };
}

/**
 * ExecTranAmazonpay for AmazonpayStart: the confirm page's checkout session (都度決済 / 利用承諾) or
 * an APB checkout; answers the AccessID, Token and StartURL the browser is sent on with.
 */
function execForStart(ctx: GmoContext, f: Fields, trade: Trade): Answer {
  // Everything is checked before anything changes: a refused call leaves the trade and the
  // checkout session as they were, so that a corrected retry can go through.
  const session = f.AmazonCheckoutSessionID ? ctx.state.sessions.get(f.AmazonCheckoutSessionID) : undefined;
  if (f.AmazonCheckoutSessionID) {
    if (!session || session.used) throw new ApiError([SANDBOX_CODES.sessionInvalid]);
  } else if (f.ApbType !== 'PayOnly' && f.ApbType !== 'PayAndShip') {
    throw new ApiError([SANDBOX_CODES.sessionInvalid]);
  }
  if (!f.RetURL || !/^https?:\/\//.test(f.RetURL)) throw new ApiError([SANDBOX_CODES.retUrlMissing]);

  trade.description = f.Description;
  trade.clientFields = [f.ClientField1 ?? '', f.ClientField2 ?? '', f.ClientField3 ?? ''];
  if (session) {
    session.used = true;
    trade.flow = 'session';
    trade.checkoutSessionId = session.id;
  } else {
    trade.flow = 'apb';
    trade.apbType = f.ApbType;
  }
  if (f.FrequencyUnit) trade.frequency = { unit: f.FrequencyUnit, value: f.FrequencyValue || '1' };
  trade.retUrl = f.RetURL;
  trade.token = newToken();
  trade.startLimit = Date.now() + Number(f.PaymentTermSec || ctx.defaultPaymentTermSec) * 1000;
  record(trade, `ExecTranAmazonpay (${trade.flow})`, 'REQSUCCESS');
  ctx.state.save();
  return { AccessID: trade.accessId, Token: trade.token, StartURL: ctx.startUrl, StartLimitDate: gmoDate(trade.startLimit) };
}
