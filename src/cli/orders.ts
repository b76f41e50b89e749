/**
 * `amazon-pay-v2 orders …`: the shop's orders from a terminal or a cron job, over the same store
 * and GMO-PG settings as the server (DATABASE_URL or the PGlite folder; the GMO_PG_* variables).
 * Anything that moves money or deletes data asks first (or takes --yes). See exit.ts for codes.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { BackOffice } from '../server/ops/back-office.js';
import { type OrderKind, type OrderStage, type PublicOrder } from '../server/orders/types.js';
import { FINAL_STAGES, ORDER_STAGES, permission, refundable, UNSETTLED_STATUSES, type Operation } from '../server/payments/lifecycle.js';
import { jsonLinesArchive, purgeOrders } from '../server/ops/retention.js';
import { reconcileOrders } from '../server/ops/sweeper.js';
import { CliError, EXIT } from './exit.js';
import { orderDetail, orderTable, yen } from './output.js';
import { progressBar, session } from './session.js';

const KINDS: OrderKind[] = ['session', 'apb', 'buy-now', 'charge'];

const count =
  (name: string, min = 1) =>
  (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
    return n;
  };
const yenAmount = count('an amount in yen', 1);
const taxAmount = count('a tax amount in yen', 0);

export function ordersCommand(): Command {
  const orders = new Command('orders')
    .description(
      'see and operate the orders: the store is DATABASE_URL (PostgreSQL), else the PGlite folder .data/orders; GMO-PG comes from the GMO_PG_* variables',
    )
    .option('--database-url <url>', 'PostgreSQL connection string (default: DATABASE_URL)')
    .option('--data-dir <dir>', 'the PGlite folder, when there is no DATABASE_URL (default: .data/orders)')
    .option('--json', 'print JSON on stdout (errors as {"error": …} on stderr)')
    .option('-y, --yes', 'do not ask before changing money or data')
    .option('-v, --verbose', 'print what the back office logs, on stderr');

  orders
    .command('list')
    .description('orders, newest first')
    .addOption(new Option('--stage <stage>', 'only orders at this stage').choices(ORDER_STAGES))
    .addOption(new Option('--kind <kind>', 'only orders of this kind').choices(KINDS))
    .option('--limit <n>', 'how many (default 20)', count('--limit'), 20)
    .option('--before <orderId>', 'the next page: orders after this one (the last of the page before)')
    .action(
      session(async (s, opts: { stage?: OrderStage; kind?: OrderKind; limit: number; before?: string }) => {
        const found = await (await s.backOffice('read')).list({ limit: opts.limit, stage: opts.stage, kind: opts.kind, before: opts.before });
        s.print(found, () => orderTable(found));
        if (!s.opts.json && found.length === opts.limit) process.stderr.write(`next page: --before ${found[found.length - 1].orderId}\n`);
      }),
    );

  orders
    .command('show <orderId>')
    .description('one order with its history')
    .action(
      session(async (s, orderId: string) => {
        const office = await s.backOffice('read');
        const order = await existing(office, orderId);
        const history = await office.history(orderId);
        s.print({ ...order, history }, () => orderDetail(order, history));
      }),
    );

  orders
    .command('expiring')
    .description('authorizations that Amazon cancels soon if nobody captures them (30 days after authorization)')
    .option('--within-days <n>', 'expiring within this many days (default 7)', count('--within-days', 0), 7)
    .action(
      session(async (s, opts: { withinDays: number }) => {
        const found = await (await s.backOffice('read')).expiring({ within: opts.withinDays * 24 * 3600_000 });
        s.print(found, () =>
          found.length
            ? found.map((o) => `${o.orderId}  ${yen(o.amount + o.tax)}  expires ${o.expiresAt}`).join('\n') + '\n'
            : `no authorization expires within ${opts.withinDays} days\n`,
        );
      }),
    );

  orders
    .command('capture <orderId>')
    .description('capture an authorization (AmazonpaySales), all of it unless --amount')
    .option('--amount <yen>', 'capture this much (default: the authorized amount)', yenAmount)
    .option('--tax <yen>', 'tax to capture', taxAmount)
    .action(
      session(async (s, orderId: string, opts: { amount?: number; tax?: number }) => {
        const office = await s.backOffice();
        const order = await allowed(office, orderId, 'capture');
        if (!order) return s.print(await existing(office, orderId), `${orderId} is captured already: nothing sent\n`);
        await s.confirmOrStop(`Capture ${yen((opts.amount ?? order.amount) + (opts.tax ?? order.tax))} of order ${orderId}?`);
        const done = await office.capture(orderId, opts);
        s.print(done, `${orderId} captured: ${done.status}, ${yen(done.amount + done.tax)}\n`);
      }),
    );

  orders
    .command('cancel <orderId>')
    .description('cancel an authorization that was not captured (AmazonpayCancel); for captured money use refund')
    .action(
      session(async (s, orderId: string) => {
        const office = await s.backOffice();
        const order = await allowed(office, orderId, 'cancel', `; to give captured money back use "orders refund ${orderId}"`);
        if (!order) return s.print(await existing(office, orderId), `${orderId} is cancelled already: nothing sent\n`);
        await s.confirmOrStop(`Cancel the authorization of ${yen(order.amount + order.tax)} of order ${orderId}?`);
        // GMO-PG is asked again before the call: captured money is never refunded by a "cancel".
        const done = await office.cancel(orderId, { only: 'authorization' });
        s.print(done, `${orderId} cancelled: ${done.status}\n`);
      }),
    );

  orders
    .command('refund <orderId>')
    .description('give captured money back (AmazonpayCancel), all of what is left unless --amount')
    .option('--amount <yen>', 'refund this much', yenAmount)
    .option('--tax <yen>', 'tax to refund with --amount', taxAmount)
    .action(
      session(async (s, orderId: string, opts: { amount?: number; tax?: number }) => {
        const office = await s.backOffice();
        const order = await allowed(office, orderId, 'refund', ` (an authorization is cancelled with "orders cancel ${orderId}")`);
        if (!order) return s.print(await existing(office, orderId), `${orderId} is refunded in full already: nothing sent\n`);
        const left = refundable(order);
        const amount = opts.amount === undefined ? left : opts.amount + (opts.tax ?? 0);
        if (amount > left) throw refused(`${yen(amount)} is more than the ${yen(left)} left to refund on ${orderId}`);
        await s.confirmOrStop(`Refund ${yen(amount)} of order ${orderId}?`);
        const done = await office.refund(orderId, opts);
        s.print(done, `${orderId} refunded: ${done.status}, ${yen(done.cancelAmount + done.cancelTax)} returned in all\n`);
      }),
    );

  orders
    .command('charge <consentOrderId>')
    .description('随時決済: charge the recurring consent of an order again (a new order)')
    .requiredOption('--amount <yen>', 'the amount to charge', yenAmount)
    .option('--tax <yen>', 'tax', taxAmount)
    .option('--capture', 'capture at once (JobCd CAPTURE) instead of authorizing')
    .option('--description <text>', 'shown to the shopper by Amazon')
    .action(
      session(async (s, consentOrderId: string, opts: { amount: number; tax?: number; capture?: boolean; description?: string }) => {
        const office = await s.backOffice();
        const consent = await existing(office, consentOrderId);
        if (!consent.chargePermissionId) throw refused(`${consentOrderId} has no Amazon charge permission: charge the order that holds the consent (利用承諾)`);
        await s.confirmOrStop(`Charge ${yen(opts.amount + (opts.tax ?? 0))} on the consent ${consent.chargePermissionId} of order ${consentOrderId}?`);
        const done = await office.charge(consentOrderId, {
          amount: opts.amount,
          tax: opts.tax,
          jobCd: opts.capture ? 'CAPTURE' : 'AUTH',
          description: opts.description,
        });
        s.print(done, `charged: new order ${done.orderId}, ${done.status}, ${yen(done.amount + done.tax)}\n`);
      }),
    );

  orders
    .command('close <orderId>')
    .description('end the recurring consent (charge permission) of an order: no further 随時決済')
    .action(
      session(async (s, orderId: string) => {
        const office = await s.backOffice();
        const order = await existing(office, orderId);
        if (!order.chargePermissionId) throw refused(`${orderId} has no Amazon charge permission to close`);
        await s.confirmOrStop(`Close the consent ${order.chargePermissionId} of order ${orderId}? It cannot be charged again.`);
        const permission = await office.closeChargePermission(orderId);
        s.print(permission, `consent ${order.chargePermissionId} closed: ${permission.status}\n`);
      }),
    );

  orders
    .command('reconcile')
    .description('ask GMO-PG about orders that never settled and record the answer (what handler.reconcile() does)')
    .option('--limit <n>', 'most orders in this run (default 500)', count('--limit'), 500)
    .option('--grace-minutes <n>', 'orders last changed longer ago than this (default 10)', count('--grace-minutes', 0), 10)
    .option('--abandon-after-minutes <n>', 'still unpaid this long after the last change: abandoned (default 60)', count('--abandon-after-minutes', 0), 60)
    .option('--concurrency <n>', 'GMO-PG calls at once (default 4)', count('--concurrency'), 4)
    .option('--progress', 'draw the progress bar even when stderr is not a terminal')
    .action(
      session(async (s, opts: { limit: number; graceMinutes: number; abandonAfterMinutes: number; concurrency: number; progress?: boolean }) => {
        const gmo = s.gmo(); // GMO-PG's settings first: a bad setting stops before any order is claimed
        const bar = progressBar('reconcile [{bar}] {value}/{total} orders', opts.progress, s.opts.json);
        let started = false;
        const summary = await reconcileOrders(await s.store(), gmo, s.logger, {
          limit: opts.limit,
          graceMs: opts.graceMinutes * 60_000,
          abandonAfterMs: opts.abandonAfterMinutes * 60_000,
          concurrency: opts.concurrency,
          onProgress(done, total) {
            if (!started) {
              bar?.start(total, 0);
              started = true;
            }
            bar?.update(done);
          },
        });
        bar?.stop();
        s.print(
          summary,
          `checked ${summary.checked}: ${summary.settled} settled, ${summary.abandoned} abandoned, ${summary.unchanged} still open, ${summary.errors} not reachable; ${summary.expiring} authorizations expire within 3 days\n`,
        );
        if (summary.errors)
          throw new CliError(`${summary.errors} orders could not be asked of GMO-PG: run reconcile again later`, EXIT.incomplete, 'INCOMPLETE');
      }),
    );

  orders
    .command('purge')
    .description(
      `retention: remove the history of settled orders (${FINAL_STAGES.join(', ')}; not ${UNSETTLED_STATUSES.join(', ')}) last changed more than N days ago, each keeping its last event; with --orders the orders themselves`,
    )
    .requiredOption('--older-than <days>', 'days since the order last changed', count('--older-than'))
    .option('--orders', 'remove the orders too (recurring consents and orders that others point to are kept)')
    .option('--archive <file>', 'append what is removed to this JSON Lines file first (written and synced before each batch is removed)')
    .option('--progress', 'draw the progress bar even when stderr is not a terminal')
    .action(
      session(async (s, opts: { olderThan: number; orders?: boolean; archive?: string; progress?: boolean }) => {
        const store = await s.store();
        await s.confirmOrStop(
          `Remove the ${opts.orders ? 'orders' : 'history'} of settled orders older than ${opts.olderThan} days${opts.archive ? ` (archived to ${opts.archive})` : ', without an archive'}?`,
        );
        const archive = opts.archive ? jsonLinesArchive(opts.archive) : undefined;
        const bar = progressBar('purge: {value} orders, {events} events removed', opts.progress, s.opts.json);
        bar?.start(0, 0, { events: 0 });
        try {
          const total = await purgeOrders(store, {
            olderThanDays: opts.olderThan,
            orders: opts.orders,
            archive: archive?.archive,
            onProgress: (done) => bar?.update(done.orders, { events: done.events }),
          });
          s.print(total, `removed ${total.orders} orders and ${total.events} events${opts.archive ? `, archived to ${opts.archive}` : ''}\n`);
        } finally {
          bar?.stop();
          archive?.close();
        }
      }),
    );

  return orders;
}

function refused(message: string) {
  return new CliError(message, EXIT.refused, 'REFUSED');
}

async function existing(office: BackOffice, orderId: string): Promise<PublicOrder> {
  const order = await office.get(orderId);
  if (!order) throw new CliError(`order ${orderId} not found`, EXIT.notFound, 'NOT_FOUND');
  return order;
}

/** The order when `op` is allowed on it (the lifecycle's rule), undefined when it is done already; refused otherwise. */
async function allowed(office: BackOffice, orderId: string, op: Operation, hint = ''): Promise<PublicOrder | undefined> {
  const order = await existing(office, orderId);
  const rule = permission(op, order);
  if (rule.allowed) return order;
  if (rule.already) return undefined;
  throw refused(`${orderId} cannot be ${op === 'change' ? 'changed' : `${op}${op.endsWith('e') ? 'd' : 'ed'}`}: ${rule.reason}${hint}`);
}
