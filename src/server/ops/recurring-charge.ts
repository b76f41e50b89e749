/**
 * 随時決済: the merchant charges a recurring consent (利用承諾) again, from the server only. A new
 * order of kind `charge` points to the consent's order; a charge whose outcome is not known yet
 * blocks the next one on that consent, so that a retry never takes the money twice.
 */
import type { JobCd } from '../client/gmo-pg-client.js';
import { newOrderId } from '../orders/order-id.js';
import { publicOrder, type Order, type PublicOrder } from '../orders/types.js';
import { chargeNow } from '../payments/flow.js';
import { OPEN_STAGES } from '../payments/lifecycle.js';
import { checkText, OrderSpecError } from '../payments/order-spec.js';
import { BackOfficeError, type OperationParts } from './operations.js';

export interface RecurringChargeSpec {
  amount: number;
  tax?: number;
  jobCd?: JobCd;
  description?: string;
}

/** The order of a recurring consent, with its Amazon charge permission. */
export async function consentOf({ store }: OperationParts, orderId: string): Promise<Order & { chargePermissionId: string }> {
  const order = await store.get(orderId);
  if (!order?.chargePermissionId) throw new BackOfficeError(`order ${orderId} has no Amazon charge permission`);
  return order as Order & { chargePermissionId: string };
}

/** Charges the consent of `consentOrderId` (ExecTranAmazonpay with its charge permission); the new order, verified by CheckString. */
export async function chargeConsent(parts: OperationParts, consentOrderId: string, spec: RecurringChargeSpec, orderIdPrefix?: string): Promise<PublicOrder> {
  const { store, gmo, logger } = parts;
  const consent = await consentOf(parts, consentOrderId);

  if (!Number.isInteger(spec.amount) || spec.amount <= 0) throw new BackOfficeError(`amount ${spec.amount}: use a whole number of yen above 0`);
  try {
    checkText('description', spec.description);
  } catch (error) {
    throw new BackOfficeError((error as OrderSpecError).message);
  }
  // A charge whose outcome nobody knows yet may have taken the money: a second one could take it twice.
  const open = await store.list({ parentOrderId: consent.orderId, stage: [...OPEN_STAGES], limit: 1 });
  if (open.length) {
    throw new BackOfficeError(
      `order ${open[0].orderId}, an earlier 随時決済 on this consent, is ${open[0].stage}: its outcome is not known yet. ` +
        'Ask GMO-PG first (reconcile(), or `amazon-pay-v2 orders reconcile --grace-minutes 0`), then charge again only if it did not go through',
    );
  }
  const orderId = newOrderId(orderIdPrefix);
  const jobCd = spec.jobCd ?? 'AUTH';
  const tax = spec.tax ?? 0;
  await store.create(
    {
      orderId,
      kind: 'charge',
      jobCd,
      amount: spec.amount,
      tax,
      parentOrderId: consent.orderId,
      chargePermissionId: consent.chargePermissionId,
      description: spec.description,
    },
    { source: 'back office', event: `随時決済 on ${consent.chargePermissionId}` },
  );
  const result = await chargeNow(
    { store, gmo, logger, later: () => {} },
    { orderId, jobCd, amount: spec.amount, tax, source: 'back office', label: '随時決済' },
    (entry) => gmo.execTranAmazonpay({ ...entry, orderId, amazonChargePermissionId: consent.chargePermissionId, description: spec.description }),
  );
  if (result.outcome === 'refused' || result.outcome === 'unknown' || result.outcome === 'unrecorded') throw result.error;
  const order = (await store.get(orderId))!;
  logger.info('随時決済 done', { orderId, consentOrderId: consent.orderId, status: order.status });
  return publicOrder(order);
}
