// Order fixtures for the store tests.

/** A journal line's entry: a new APB order just past EntryTran, as the checkout writes it. */
export const journalEntry = (orderId: string, fields: Record<string, unknown> = {}) => ({
  fields: {
    stage: 'entered',
    orderId,
    kind: 'apb',
    jobCd: 'AUTH',
    amount: 3980,
    tax: 0,
    status: 'UNPROCESSED',
    accessId: `A${orderId}`,
    accessPass: 'secret',
    ...fields,
  },
  event: { source: 'checkout', event: 'EntryTranAmazonpay (apb)', detail: { amount: 3980 } },
});
