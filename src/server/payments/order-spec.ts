/**
 * What the shop charges for a checkout (`OrderSpec`, from its `resolveOrder`), and the checks that
 * run before anything is sent to GMO-PG. Text that GMO-PG or the order store cannot carry must be
 * refused here: found later, GMO-PG already holds a transaction and the order may be half-written.
 */
import type { Frequency, JobCd } from '../client/gmo-pg-client.js';
import { toWindows31J, Windows31JError } from '../client/wire.js';

/**
 * What the shop charges for this checkout, decided on the server. GMO-PG authorizes
 * `amount − discount` as its Amount and `tax + shipping` as its Tax (税送料): in all,
 * `amount − discount + tax + shipping`, which Buy Now shows Amazon's buyer as the charge total.
 */
export interface OrderSpec {
  /** Yen, a whole number above 0: the goods (Buy Now's totalBaseAmount). */
  amount: number;
  /** 消費税 (Buy Now's totalTaxAmount); with `shipping`, GMO-PG's Tax (税送料). */
  tax?: number;
  /** 送料 (Buy Now's totalShippingAmount): the price of the delivery option chosen, when there are options. */
  shipping?: number;
  /** Taken off `amount` (Buy Now's totalDiscountAmount). */
  discount?: number;
  /** Buy Now: the lines Amazon's screen lists; `quantity × listPrice` of all of them must add up to `amount`. */
  lineItems?: LineItem[];
  /**
   * Buy Now with an address (`product-type="PayAndShip"`): the delivery options for the address the
   * buyer picked; `shipping` must be the price of the chosen one (`deliveryOptionId` of the input,
   * else the default). Amazon requires them for PayAndShip.
   */
  deliveryOptions?: DeliveryOption[];
  /** Buy Now with an address: `false` when the shop does not deliver there (Amazon asks for another address). */
  deliverable?: boolean;
  /** AUTH (default: capture later) or CAPTURE (at once). */
  jobCd?: JobCd;
  /** For 利用承諾 (a recurring consent): how often the shop will charge. */
  frequency?: Frequency;
  /** Shown to the shopper by Amazon. Windows-31J text (no emoji), no control characters. */
  description?: string;
  /** 加盟店自由項目: Windows-31J text of at most 100 bytes each. */
  clientField1?: string;
  clientField2?: string;
  clientField3?: string;
}

/** One line of a Buy Now cart, as Amazon's screen lists it (Amazon's LineItem). */
export interface LineItem {
  id: string;
  title: string;
  quantity: number;
  /** Yen for one. */
  listPrice: number;
  /** e.g. "ブルー / M". */
  variantTitle?: string;
  /** Yen for the whole line after its own discount, when it has one. */
  discountedPrice?: number;
}

/** A way to deliver (Amazon's DeliveryOption; its shippingMethod from `name` and `code`). */
export interface DeliveryOption {
  id: string;
  /** What the buyer reads, e.g. "通常配送". */
  name: string;
  /** Yen. */
  price: number;
  /** Amazon's shippingMethodCode; default the id. */
  code?: string;
  /** The one chosen until the buyer picks another; exactly one (default the first). */
  isDefault?: boolean;
}

/** An order the shop's `resolveOrder` described in a way GMO-PG cannot take; `field` names the part. */
export class OrderSpecError extends Error {
  override name = 'OrderSpecError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
  /**
   * Whether the fault is in what the shop's data says (free text such as a product name, or a cart
   * that does not add up) rather than in its code: the answer names the field (400 ORDER_INVALID).
   */
  get inText(): boolean {
    return (TEXT_FIELDS as readonly string[]).includes(this.field) || /^(lineItems|deliveryOptions|shipping|discount)\b/.test(this.field);
  }
}

/** The sums an OrderSpec comes to: what GMO-PG is sent, and what Buy Now shows. */
export interface OrderTotals {
  /** GMO-PG's Amount: `amount − discount`. */
  gmoAmount: number;
  /** GMO-PG's Tax (税送料): `tax + shipping`. */
  gmoTax: number;
  tax: number;
  shipping: number;
  discount: number;
  /** What the buyer pays in all. */
  total: number;
  /** The delivery option the shipping is for, when there are options. */
  deliveryOptionId?: string;
}

/** The totals of a checked spec, for the delivery option `chosen` (else the default). */
export function totalsOf(spec: OrderSpec, chosen?: string): OrderTotals {
  const tax = spec.tax ?? 0;
  const discount = spec.discount ?? 0;
  const option = spec.deliveryOptions?.length
    ? (spec.deliveryOptions.find((o) => o.id === chosen) ?? spec.deliveryOptions.find((o) => o.isDefault) ?? spec.deliveryOptions[0])
    : undefined;
  const shipping = spec.shipping ?? option?.price ?? 0;
  return {
    gmoAmount: spec.amount - discount,
    gmoTax: tax + shipping,
    tax,
    shipping,
    discount,
    total: spec.amount - discount + tax + shipping,
    deliveryOptionId: option?.id,
  };
}

const TEXT_FIELDS = ['description', 'clientField1', 'clientField2', 'clientField3'] as const;
/** GMO-PG's limit for ClientField1-3 (E01320012…E01340012 "too long"); Description's is not published. */
const CLIENT_FIELD_BYTES = 100;
// C0 controls but tab, CR and LF; DEL and the C1 controls. NUL above all: Postgres text cannot hold it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Throws an {@link OrderSpecError} naming the field and the fix when `spec` cannot be sent as it is. */
export function checkOrderSpec(spec: OrderSpec): void {
  const whole = (n: unknown, min: number) => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= 9_999_999;
  if (!spec || typeof spec !== 'object') throw new OrderSpecError('resolveOrder', 'must return { amount, … }');
  if (!whole(spec.amount, 1)) throw new OrderSpecError('amount', `${spec.amount} is not a whole number of yen from 1 to 9999999`);
  if (spec.tax !== undefined && !whole(spec.tax, 0)) throw new OrderSpecError('tax', `${spec.tax} is not a whole number of yen`);
  if (spec.jobCd !== undefined && spec.jobCd !== 'AUTH' && spec.jobCd !== 'CAPTURE')
    throw new OrderSpecError('jobCd', `${String(spec.jobCd)}: use AUTH or CAPTURE`);
  if (spec.frequency && (!['Year', 'Month', 'Week', 'Day', 'Variable'].includes(spec.frequency.unit) || !whole(spec.frequency.value, 1))) {
    throw new OrderSpecError('frequency', `${JSON.stringify(spec.frequency)}: unit Year/Month/Week/Day/Variable and a whole value`);
  }
  for (const field of TEXT_FIELDS) checkText(field, spec[field]);
  checkCart(spec, whole);
}

/** The Buy Now cart: lines that add up, one default delivery option whose price is the shipping. */
function checkCart(spec: OrderSpec, whole: (n: unknown, min: number) => boolean) {
  if (spec.shipping !== undefined && !whole(spec.shipping, 0)) throw new OrderSpecError('shipping', `${spec.shipping} is not a whole number of yen`);
  if (spec.discount !== undefined && !(whole(spec.discount, 0) && spec.discount < spec.amount)) {
    throw new OrderSpecError(
      'discount',
      `${spec.discount}: a whole number of yen below amount (${spec.amount}): GMO-PG's Amount (amount − discount) must stay 1 or more`,
    );
  }
  if (spec.deliverable !== undefined && typeof spec.deliverable !== 'boolean') throw new OrderSpecError('deliverable', 'true or false');
  if (spec.lineItems !== undefined) {
    if (!Array.isArray(spec.lineItems) || spec.lineItems.length > 100) throw new OrderSpecError('lineItems', 'a list of at most 100 lines');
    let sum = 0;
    spec.lineItems.forEach((line, i) => {
      const f = `lineItems[${i}]`;
      if (!line || typeof line !== 'object') throw new OrderSpecError(f, 'must be { id, title, quantity, listPrice }');
      if (typeof line.id !== 'string' || !line.id || line.id.length > 100) throw new OrderSpecError(`${f}.id`, 'a string of 1 to 100 characters');
      checkText(`${f}.title`, line.title ?? 0);
      if (line.variantTitle !== undefined) checkText(`${f}.variantTitle`, line.variantTitle);
      if (!whole(line.quantity, 1)) throw new OrderSpecError(`${f}.quantity`, `${line.quantity} is not a whole number from 1`);
      if (!whole(line.listPrice, 0)) throw new OrderSpecError(`${f}.listPrice`, `${line.listPrice} is not a whole number of yen`);
      if (line.discountedPrice !== undefined && !(whole(line.discountedPrice, 0) && line.discountedPrice <= line.quantity * line.listPrice)) {
        throw new OrderSpecError(`${f}.discountedPrice`, `${line.discountedPrice}: whole yen, at most the line's ${line.quantity * line.listPrice}`);
      }
      sum += line.quantity * line.listPrice;
    });
    if (spec.lineItems.length && sum !== spec.amount)
      throw new OrderSpecError('lineItems', `the lines come to ${sum} yen (quantity × listPrice), amount is ${spec.amount}: they must add up`);
  }
  if (spec.deliveryOptions !== undefined) {
    const options = spec.deliveryOptions;
    if (!Array.isArray(options) || !options.length || options.length > 20) throw new OrderSpecError('deliveryOptions', 'a list of 1 to 20 options');
    const ids = new Set<string>();
    options.forEach((o, i) => {
      const f = `deliveryOptions[${i}]`;
      if (!o || typeof o.id !== 'string' || !o.id || o.id.length > 100 || ids.has(o.id))
        throw new OrderSpecError(`${f}.id`, 'a string of 1 to 100 characters, different for each option');
      ids.add(o.id);
      checkText(`${f}.name`, o.name ?? 0);
      if (!whole(o.price, 0)) throw new OrderSpecError(`${f}.price`, `${o.price} is not a whole number of yen`);
    });
    if (options.filter((o) => o.isDefault).length > 1) throw new OrderSpecError('deliveryOptions', 'at most one option isDefault');
  }
}

/** Checks the shipping against the delivery option chosen (the input's `deliveryOptionId`, else the default). */
export function checkShipping(spec: OrderSpec, chosen?: string): void {
  if (!spec.deliveryOptions?.length || spec.shipping === undefined) return;
  const { deliveryOptionId } = totalsOf(spec, chosen);
  const option = spec.deliveryOptions.find((o) => o.id === deliveryOptionId)!;
  if (option.price !== spec.shipping)
    throw new OrderSpecError(
      'shipping',
      `${spec.shipping} yen, but the delivery option "${option.id}" costs ${option.price}: leave shipping out, or make them equal`,
    );
}

/** Checks one free-text value bound for GMO-PG and the order store. */
export function checkText(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string') throw new OrderSpecError(field, `must be a string, not ${typeof value}`);
  if (LONE_SURROGATE.test(value))
    throw new OrderSpecError(field, 'holds a lone surrogate (broken UTF-16, e.g. half an emoji cut by slice()); cut text by code points');
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new OrderSpecError(field, `holds the control character U+${code}${code === '0000' ? ' (NUL)' : ''}; remove it`);
  }
  let bytes: Buffer;
  try {
    bytes = toWindows31J(value, field);
  } catch (error) {
    if (error instanceof Windows31JError) throw new OrderSpecError(field, error.message.slice(field.length + 2));
    throw error;
  }
  if (field.startsWith('clientField') && bytes.length > CLIENT_FIELD_BYTES) {
    throw new OrderSpecError(field, `is ${bytes.length} bytes in Windows-31J; GMO-PG takes at most ${CLIENT_FIELD_BYTES}`);
  }
}
