/**
 * POST /checkout: JSON `{}` (APB) or `{ amazonCheckoutSessionId }` (the confirm page)
 * → EntryTranAmazonpay, ExecTranAmazonpay → `{ startUrl, accessId, token, orderId }`.
 * The amount comes from the shop's `resolveOrder`, never from the browser; the order (with its
 * AccessPass) is durable before the browser gets the token to pay with.
 */
import { GmoPgError } from '../errors.js';
import { newOrderId } from '../order-id.js';
import type { Order } from '../orders/types.js';
import { failureOf } from '../outcome.js';
import { jsonError, resolveOrderOf, sameSiteJson, SESSION_ID, type HandlerContext, type Routes } from './context.js';

export function checkoutRoute(routes: Routes, ctx: HandlerContext): void {
  const { options, gmo, store, logger } = ctx;

  routes.post('/checkout', async (c) => {
    const input = await sameSiteJson(c, ctx);
    if (input instanceof Response) return input;
    const here = c.get('origin');
    const sessionId = input.amazonCheckoutSessionId;
    if (sessionId !== undefined && (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId))) {
      return jsonError(c, 400, { code: 'BAD_REQUEST', field: 'amazonCheckoutSessionId', message: 'amazonCheckoutSessionId must be the id from the confirm page URL' });
    }
    const kind = sessionId ? 'session' : 'apb';

    const spec = await resolveOrderOf(c, ctx, { request: c.req.raw, body: input, kind, amazonCheckoutSessionId: sessionId as string | undefined });
    if (spec instanceof Response) return spec;

    const orderId = newOrderId(options.orderIdPrefix);
    const jobCd = spec.jobCd ?? 'AUTH';
    const order = {
      orderId, kind, jobCd, amount: spec.amount, tax: spec.tax ?? 0, checkoutSessionId: (sessionId as string) ?? null,
      frequencyUnit: spec.frequency?.unit ?? null, frequencyValue: spec.frequency?.value ?? null, description: spec.description ?? null,
    } as const;
    const detail = { amount: spec.amount, tax: spec.tax ?? 0, jobCd };
    const refuse = (stage: Order['stage'], error: unknown) => {
      const failure = failureOf(error);
      logger.warn('checkout stopped', { orderId, stage, error: (error as Error).message });
      return jsonError(c, failure.status, { code: failure.code, message: failure.message, gmoErrors: failure.gmoErrors, orderId });
    };
    const codes = (error: unknown) => (error instanceof GmoPgError ? error.codes.join('|') : null);
    // The order store failed: the shopper must not pay for an order the shop cannot find again.
    const unrecorded = (error: Error) => {
      logger.error('order not recorded: checkout stopped before the shopper could pay', { orderId, error: error.message });
      return jsonError(c, 503, { code: 'ORDER_NOT_RECORDED', message: 'ただいまご注文を受け付けられません。しばらくしてからもう一度お試しください。', orderId });
    };

    let entry;
    try {
      entry = await gmo.entryTranAmazonpay({ orderId, jobCd, amount: spec.amount, tax: spec.tax });
    } catch (error) {
      const stage = error instanceof GmoPgError ? 'entry_failed' : 'entry_unknown';
      await store.create({ ...order, stage, errorCodes: codes(error) }, { source: 'checkout', event: 'EntryTranAmazonpay failed', detail: { ...detail, error: (error as Error).message } });
      return refuse(stage, error);
    }
    // GMO-PG now holds a transaction. The order (with its AccessPass) must be durable before the
    // browser gets the token to pay with; it is written while ExecTran is on the wire, and the
    // answer waits for both. A crash from here on leaves an order that says where it stopped.
    // The write is handed to the database first: started after ExecTran, it competed with the
    // sandbox's work on a 2-core machine and ExecTran came back later (bench/server.mjs).
    const retUrl = new URL(c.req.path.replace(/\/checkout$/, '/result'), here).href;
    const common = {
      ...entry, orderId, retUrl, description: spec.description, paymentTermSec: options.paymentTermSec, frequency: spec.frequency,
      clientField1: spec.clientField1, clientField2: spec.clientField2, clientField3: spec.clientField3,
    };
    const created = store
      .create({ ...order, stage: 'entered', status: 'UNPROCESSED', accessId: entry.accessId, accessPass: entry.accessPass }, { source: 'checkout', event: `EntryTranAmazonpay (${kind})`, detail }, { journal: true })
      .then(() => undefined, (error: Error) => error);
    const exec = gmo.execTranAmazonpay(
      sessionId ? { ...common, amazonCheckoutSessionId: sessionId as string } : { ...common, apbType: options.apbType ?? 'PayAndShip' },
    );
    let start;
    try {
      start = await exec;
    } catch (error) {
      const notRecorded = await created;
      if (notRecorded) return unrecorded(notRecorded);
      const stage = error instanceof GmoPgError ? 'exec_failed' : 'exec_unknown';
      await store.record(orderId, { stage, errorCodes: codes(error) }, { source: 'checkout', event: 'ExecTranAmazonpay failed', detail: { error: (error as Error).message } });
      return refuse(stage, error);
    }
    const notRecorded = await created;
    if (notRecorded) return unrecorded(notRecorded);
    // 'started' is bookkeeping, so the shopper does not wait for it: the order is already durable,
    // and a result or notification that comes first moves it on from 'entered' by itself
    // (reconcile), which is why this write only applies to an order still at 'entered'.
    ctx.later(
      store
        .record(orderId, { stage: 'started', status: 'REQSUCCESS' }, { source: 'checkout', event: 'ExecTranAmazonpay: shopper sent to AmazonpayStart' }, { ifStage: 'entered', deferred: true })
        .catch((error) => logger.warn('order not marked started (it stays entered until its result)', { orderId, error: (error as Error).message })),
    );
    logger.info('checkout started', { orderId, kind, amount: spec.amount });
    return c.json({ startUrl: start.startUrl, accessId: start.accessId, token: start.token, orderId });
  });
}
