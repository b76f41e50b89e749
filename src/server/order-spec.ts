/**
 * What the shop charges for a checkout (`OrderSpec`, from its `resolveOrder`), and the checks that
 * run before anything is sent to GMO-PG. Text that GMO-PG or the order store cannot carry must be
 * refused here: found later, GMO-PG already holds a transaction and the order may be half-written.
 */
import type { Frequency, JobCd } from './client.js';
import { toWindows31J, Windows31JError } from './wire.js';

/** What the shop charges for this checkout, decided on the server. */
export interface OrderSpec {
  /** Yen, a whole number above 0. */
  amount: number;
  /** 税送料: added to the amount by GMO-PG. */
  tax?: number;
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

/** An order the shop's `resolveOrder` described in a way GMO-PG cannot take; `field` names the part. */
export class OrderSpecError extends Error {
  override name = 'OrderSpecError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
  /** Whether the fault is in free text (a product name, a note), which often comes from shop data rather than code. */
  get inText(): boolean {
    return (TEXT_FIELDS as readonly string[]).includes(this.field);
  }
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
  if (spec.jobCd !== undefined && spec.jobCd !== 'AUTH' && spec.jobCd !== 'CAPTURE') throw new OrderSpecError('jobCd', `${spec.jobCd}: use AUTH or CAPTURE`);
  if (spec.frequency && (!['Year', 'Month', 'Week', 'Day', 'Variable'].includes(spec.frequency.unit) || !whole(spec.frequency.value, 1))) {
    throw new OrderSpecError('frequency', `${JSON.stringify(spec.frequency)}: unit Year/Month/Week/Day/Variable and a whole value`);
  }
  for (const field of TEXT_FIELDS) checkText(field, spec[field]);
}

/** Checks one free-text value bound for GMO-PG and the order store. */
export function checkText(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string') throw new OrderSpecError(field, `must be a string, not ${typeof value}`);
  if (LONE_SURROGATE.test(value)) throw new OrderSpecError(field, 'holds a lone surrogate (broken UTF-16, e.g. half an emoji cut by slice()); cut text by code points');
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
