/**
 * `amazon-pay-v2 orders …`: the shop's orders from a terminal or a cron job, over the same store
 * and GMO-PG settings as the server (DATABASE_URL or the PGlite folder; the GMO_PG_* variables).
 * Anything that moves money or deletes data asks first (or takes --yes). See exit.ts for codes.
 */
import { closeSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { BackOfficeError, createBackOffice, type BackOffice } from '../server/back-office.js';
import { createGmoPgClient, type GmoPgClient } from '../server/client.js';
import { GmoPgError, GmoPgTransportError } from '../server/errors.js';
import { safeLogger, type Logger } from '../server/logger.js';
import { FolderLockedError } from '../server/orders/folder-lock.js';
import { openOrderStore } from '../server/orders/sql-store.js';
import { FINAL_STAGES, type OrderKind, type OrderStage, type OrderStore, type PublicOrder } from '../server/orders/types.js';
import { purgeOrders } from '../server/retention.js';
import { reconcileOrders } from '../server/sweeper.js';
import { confirm } from './ask.js';
import { CliError, EXIT } from './exit.js';
import { orderDetail, orderTable, yen } from './output.js';

const STAGES: OrderStage[] = ['created', 'entry_failed', 'entry_unknown', 'entered', 'exec_failed', 'exec_unknown', 'started', 'completed', 'failed', 'abandoned'];
const KINDS: OrderKind[] = ['session', 'apb', 'buy-now', 'charge'];

interface Globals {
  json?: boolean;
  databaseUrl?: string;
  dataDir?: string;
  yes?: boolean;
  progress?: boolean;
  verbose?: boolean;
}

/** What a command gets: the store and back office, opened on first use, and how to print. */
interface Session {
  opts: Globals;
  store(): Promise<OrderStore>;
  /** GMO-PG's client from the GMO_PG_* variables. */
  gmo(): GmoPgClient;
  /**
   * The back office on the store. For `read`, GMO-PG's settings are looked at only if a GMO-PG
   * call is made (listing needs none); otherwise at once, so that a bad setting stops a change
   * before its question is asked.
   */
  backOffice(use?: 'read' | 'change'): Promise<BackOffice>;
  /** Prints `value` as JSON with --json, else `human` (text, or a function making it). */
  print(value: unknown, human: string | (() => string)): void;
  /** Asks before a change (unless --yes). */
  confirmOrStop(question: string): Promise<void>;
  logger: Logger;
}

const count = (name: string, min = 1) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
  return n;
};
const yenAmount = count('an amount in yen', 1);
const taxAmount = count('a tax amount in yen', 0);

export function ordersCommand(): Command {
  const orders = new Command('orders')
    .description('see and operate the orders: the store is DATABASE_URL (PostgreSQL), else the PGlite folder .data/orders; GMO-PG comes from the GMO_PG_* variables')
    .option('--database-url <url>', 'PostgreSQL connection string (default: DATABASE_URL)')
    .option('--data-dir <dir>', 'the PGlite folder, when there is no DATABASE_URL (default: .data/orders)')
    .option('--json', 'print JSON on stdout (errors as {"error": …} on stderr)')
    .option('-y, --yes', 'do not ask before changing money or data')
    .option('-v, --verbose', 'print what the back office logs, on stderr');

  orders
    .command('list')
    .description('orders, newest first')
    .addOption(new Option('--stage <stage>', 'only orders at this stage').choices(STAGES))
    .addOption(new Option('--kind <kind>', 'only orders of this kind').choices(KINDS))
    .option('--limit <n>', 'how many (default 20)', count('--limit'), 20)
    .option('--before <orderId>', 'the next page: orders after this one (the last of the page before)')
    .action(session(async (s, opts: { stage?: OrderStage; kind?: OrderKind; limit: number; before?: string }) => {
      const found = await (await s.backOffice('read')).list({ limit: opts.limit, stage: opts.stage, kind: opts.kind, before: opts.before });
      s.print(found, () => orderTable(found));
      if (!s.opts.json && found.length === opts.limit) process.stderr.write(`next page: --before ${found[found.length - 1].orderId}\n`);
    }));

  orders
    .command('show <orderId>')
    .description('one order with its history')
    .action(session(async (s, orderId: string) => {
      const office = await s.backOffice('read');
      const order = await existing(office, orderId);
      const history = await office.history(orderId);
      s.print({ ...order, history }, () => orderDetail(order, history));
    }));

  orders
    .command('expiring')
    .description('authorizations that Amazon cancels soon if nobody captures them (30 days after authorization)')
    .option('--within-days <n>', 'expiring within this many days (default 7)', count('--within-days', 0), 7)
    .action(session(async (s, opts: { withinDays: number }) => {
      const found = await (await s.backOffice('read')).expiring({ within: opts.withinDays * 24 * 3600_000 });
      s.print(found, () => (found.length ? found.map((o) => `${o.orderId}  ${yen(o.amount + o.tax)}  expires ${o.expiresAt}`).join('\n') + '\n' : `no authorization expires within ${opts.withinDays} days\n`));
    }));

  orders
    .command('capture <orderId>')
    .description('capture an authorization (AmazonpaySales), all of it unless --amount')
    .option('--amount <yen>', 'capture this much (default: the authorized amount)', yenAmount)
    .option('--tax <yen>', 'tax to capture', taxAmount)
    .action(session(async (s, orderId: string, opts: { amount?: number; tax?: number }) => {
      const office = await s.backOffice();
      const order = await paid(office, orderId);
      if (order.status === 'SALES' || order.status === 'CAPTURE') return s.print(order, `${orderId} is captured already (${order.status}): nothing sent\n`);
      if (order.status !== 'AUTH') throw refused(`${orderId} is ${order.status}: only an authorization (AUTH) can be captured`);
      await s.confirmOrStop(`Capture ${yen((opts.amount ?? order.amount) + (opts.tax ?? order.tax))} of order ${orderId}?`);
      const done = await office.capture(orderId, opts);
      s.print(done, `${orderId} captured: ${done.status}, ${yen(done.amount + done.tax)}\n`);
    }));

  orders
    .command('cancel <orderId>')
    .description('cancel an authorization that was not captured (AmazonpayCancel); for captured money use refund')
    .action(session(async (s, orderId: string) => {
      const office = await s.backOffice();
      const order = await paid(office, orderId);
      if (order.status === 'CANCEL') return s.print(order, `${orderId} is cancelled already: nothing sent\n`);
      if (order.status !== 'AUTH') throw refused(`${orderId} is ${order.status}: cancel takes back an authorization (AUTH); to give captured money back use "orders refund ${orderId}"`);
      await s.confirmOrStop(`Cancel the authorization of ${yen(order.amount + order.tax)} of order ${orderId}?`);
      const done = await office.cancel(orderId);
      s.print(done, `${orderId} cancelled: ${done.status}\n`);
    }));

  orders
    .command('refund <orderId>')
    .description('give captured money back (AmazonpayCancel), all of what is left unless --amount')
    .option('--amount <yen>', 'refund this much', yenAmount)
    .option('--tax <yen>', 'tax to refund with --amount', taxAmount)
    .action(session(async (s, orderId: string, opts: { amount?: number; tax?: number }) => {
      const office = await s.backOffice();
      const order = await paid(office, orderId);
      if (!['SALES', 'CAPTURE', 'RETURN'].includes(order.status ?? '')) throw refused(`${orderId} is ${order.status}: only captured money (SALES, CAPTURE) can be refunded; an authorization is cancelled with "orders cancel ${orderId}"`);
      const left = order.amount + order.tax - order.cancelAmount - order.cancelTax;
      if (left <= 0) return s.print(order, `${orderId} is refunded in full already: nothing sent\n`);
      const amount = opts.amount === undefined ? left : opts.amount + (opts.tax ?? 0);
      if (amount > left) throw refused(`${yen(amount)} is more than the ${yen(left)} left to refund on ${orderId}`);
      await s.confirmOrStop(`Refund ${yen(amount)} of order ${orderId}?`);
      const done = await office.cancel(orderId, opts);
      s.print(done, `${orderId} refunded: ${done.status}, ${yen(done.cancelAmount + done.cancelTax)} returned in all\n`);
    }));

  orders
    .command('charge <consentOrderId>')
    .description('随時決済: charge the recurring consent of an order again (a new order)')
    .requiredOption('--amount <yen>', 'the amount to charge', yenAmount)
    .option('--tax <yen>', 'tax', taxAmount)
    .option('--capture', 'capture at once (JobCd CAPTURE) instead of authorizing')
    .option('--description <text>', 'shown to the shopper by Amazon')
    .action(session(async (s, consentOrderId: string, opts: { amount: number; tax?: number; capture?: boolean; description?: string }) => {
      const office = await s.backOffice();
      const consent = await existing(office, consentOrderId);
      if (!consent.chargePermissionId) throw refused(`${consentOrderId} has no Amazon charge permission: charge the order that holds the consent (利用承諾)`);
      await s.confirmOrStop(`Charge ${yen(opts.amount + (opts.tax ?? 0))} on the consent ${consent.chargePermissionId} of order ${consentOrderId}?`);
      const done = await office.charge(consentOrderId, { amount: opts.amount, tax: opts.tax, jobCd: opts.capture ? 'CAPTURE' : 'AUTH', description: opts.description });
      s.print(done, `charged: new order ${done.orderId}, ${done.status}, ${yen(done.amount + done.tax)}\n`);
    }));

  orders
    .command('close <orderId>')
    .description('end the recurring consent (charge permission) of an order: no further 随時決済')
    .action(session(async (s, orderId: string) => {
      const office = await s.backOffice();
      const order = await existing(office, orderId);
      if (!order.chargePermissionId) throw refused(`${orderId} has no Amazon charge permission to close`);
      await s.confirmOrStop(`Close the consent ${order.chargePermissionId} of order ${orderId}? It cannot be charged again.`);
      const permission = await office.closeChargePermission(orderId);
      s.print(permission, `consent ${order.chargePermissionId} closed: ${permission.status}\n`);
    }));

  orders
    .command('reconcile')
    .description('ask GMO-PG about orders that never settled and record the answer (what handler.reconcile() does)')
    .option('--limit <n>', 'most orders in this run (default 500)', count('--limit'), 500)
    .option('--grace-minutes <n>', 'orders last changed longer ago than this (default 10)', count('--grace-minutes', 0), 10)
    .option('--abandon-after-minutes <n>', 'still unpaid this long after the last change: abandoned (default 60)', count('--abandon-after-minutes', 0), 60)
    .option('--concurrency <n>', 'GMO-PG calls at once (default 4)', count('--concurrency'), 4)
    .option('--progress', 'draw the progress bar even when stderr is not a terminal')
    .action(session(async (s, opts: { limit: number; graceMinutes: number; abandonAfterMinutes: number; concurrency: number; progress?: boolean }) => {
      const gmo = s.gmo(); // GMO-PG's settings first: a bad setting stops before any order is claimed
      const bar = progressBar('reconcile [{bar}] {value}/{total} orders', opts.progress, s.opts.json);
      let started = false;
      const summary = await reconcileOrders(await s.store(), gmo, s.logger, {
        limit: opts.limit,
        graceMs: opts.graceMinutes * 60_000,
        abandonAfterMs: opts.abandonAfterMinutes * 60_000,
        concurrency: opts.concurrency,
        onProgress(done, total) {
          if (!started) (bar?.start(total, 0), (started = true));
          bar?.update(done);
        },
      });
      bar?.stop();
      s.print(summary, `checked ${summary.checked}: ${summary.settled} settled, ${summary.abandoned} abandoned, ${summary.unchanged} still open, ${summary.errors} not reachable; ${summary.expiring} authorizations expire within 3 days\n`);
      if (summary.errors) throw new CliError(`${summary.errors} orders could not be asked of GMO-PG: run reconcile again later`, EXIT.incomplete, 'INCOMPLETE');
    }));

  orders
    .command('purge')
    .description(`retention: remove the history of settled orders (${FINAL_STAGES.join(', ')}; not AUTH) last changed more than N days ago, each keeping its last event; with --orders the orders themselves`)
    .requiredOption('--older-than <days>', 'days since the order last changed', count('--older-than'))
    .option('--orders', 'remove the orders too (recurring consents and orders that others point to are kept)')
    .option('--archive <file>', 'append what is removed to this JSON Lines file first (written and synced before each batch is removed)')
    .option('--progress', 'draw the progress bar even when stderr is not a terminal')
    .action(session(async (s, opts: { olderThan: number; orders?: boolean; archive?: string; progress?: boolean }) => {
      const store = await s.store();
      await s.confirmOrStop(`Remove the ${opts.orders ? 'orders' : 'history'} of settled orders older than ${opts.olderThan} days${opts.archive ? ` (archived to ${opts.archive})` : ', without an archive'}?`);
      const fd = opts.archive ? openSync(opts.archive, 'a', 0o600) : undefined; // order data: for the shop's eyes only
      const bar = progressBar('purge: {value} orders, {events} events removed', opts.progress, s.opts.json);
      bar?.start(0, 0, { events: 0 });
      try {
        const total = await purgeOrders(store, {
          olderThanDays: opts.olderThan,
          orders: opts.orders,
          archive:
            fd === undefined
              ? undefined
              : ({ orders: gone, events }) => {
                  const lines = [...gone.map((o) => JSON.stringify({ type: 'order', ...o, accessPass: undefined })), ...events.map((e) => JSON.stringify({ type: 'event', ...e }))];
                  if (lines.length) writeSync(fd, lines.join('\n') + '\n');
                  fsyncSync(fd);
                },
          onProgress: (done) => bar?.update(done.orders, { events: done.events }),
        });
        bar?.stop();
        s.print(total, `removed ${total.orders} orders and ${total.events} events${opts.archive ? `, archived to ${opts.archive}` : ''}\n`);
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    }));

  return orders;
}

/** Wraps a command's action: opens what it asks for, prints its failure with an exit code, closes the store. */
function session<A extends unknown[]>(fn: (s: Session, ...args: A) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const opts = command.optsWithGlobals<Globals>();
    let store: OrderStore | undefined;
    let gmo: GmoPgClient | undefined;
    const logger = safeLogger(stderrLogger(!!opts.verbose));
    const s: Session = {
      opts,
      logger,
      async store() {
        if (store) return store;
        // A folder that holds no store yet is a typo or the wrong folder: opening it would make
        // an empty store there and answer "no orders".
        const dataDir = opts.dataDir ?? '.data/orders';
        if (!opts.databaseUrl && !process.env.DATABASE_URL && !existsSync(join(dataDir, 'PG_VERSION'))) {
          throw new CliError(`no order store in ${resolve(dataDir)}: give the server's folder with --data-dir (its default is .data/orders where the server runs), or DATABASE_URL for PostgreSQL`, EXIT.unavailable, 'STORE_UNAVAILABLE');
        }
        try {
          return (store = await openOrderStore({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir }));
        } catch (error) {
          const hint = error instanceof FolderLockedError ? '' : ' (DATABASE_URL or --database-url for PostgreSQL; --data-dir for a PGlite folder)';
          throw new CliError(`the order store could not be opened: ${(error as Error).message}${hint}`, EXIT.unavailable, 'STORE_UNAVAILABLE');
        }
      },
      gmo() {
        try {
          return (gmo ??= createGmoPgClient());
        } catch (error) {
          throw new CliError((error as Error).message, EXIT.unavailable, 'GMO_PG_NOT_CONFIGURED');
        }
      },
      async backOffice(use = 'change') {
        const store = await s.store();
        const gmo = use === 'read' ? new Proxy({} as GmoPgClient, { get: (_, key) => Reflect.get(s.gmo(), key) }) : s.gmo();
        return createBackOffice(store, gmo, logger);
      },
      print(value, human) {
        process.stdout.write(opts.json ? JSON.stringify(value, null, 2) + '\n' : typeof human === 'function' ? human() : human);
      },
      async confirmOrStop(question) {
        if (opts.yes) return;
        if (!(await confirm(question))) throw new CliError('not confirmed: nothing was changed (answer y, or add --yes)', EXIT.notConfirmed, 'NOT_CONFIRMED');
      },
    };
    try {
      await fn(s, ...(args.slice(0, -1) as A));
    } catch (error) {
      report(error, !!opts.json);
    } finally {
      await store?.close().catch(() => {});
    }
  };
}

/** Prints a failure and sets the exit code that says what kind it was. */
function report(error: unknown, json: boolean): void {
  let exitCode: number = EXIT.refused;
  let code = 'FAILED';
  let message = (error as Error)?.message ?? String(error);
  if (error instanceof CliError) ({ exitCode, code } = error);
  else if (error instanceof GmoPgError) code = 'GMO_PG_REFUSED';
  else if (error instanceof GmoPgTransportError) {
    exitCode = EXIT.unknown;
    code = 'GMO_PG_NO_ANSWER';
    message += ': the outcome is unknown; look again with "orders show" or "orders reconcile" before trying again';
  } else if (error instanceof BackOfficeError) code = 'REFUSED';
  else if (!(error instanceof Error)) code = 'FAILED';
  process.stderr.write(json ? JSON.stringify({ error: { code, message } }) + '\n' : `error: ${message}\n`);
  process.exitCode = exitCode;
}

function refused(message: string) {
  return new CliError(message, EXIT.refused, 'REFUSED');
}

async function existing(office: BackOffice, orderId: string): Promise<PublicOrder> {
  const order = await office.get(orderId);
  if (!order) throw new CliError(`order ${orderId} not found`, EXIT.notFound, 'NOT_FOUND');
  return order;
}

async function paid(office: BackOffice, orderId: string): Promise<PublicOrder> {
  const order = await existing(office, orderId);
  if (order.stage !== 'completed') throw refused(`${orderId} is ${order.stage}${order.status ? ` (${order.status})` : ''}: only a paid order can be changed`);
  return order;
}

/** A bar on stderr when it is a terminal (or --progress), never with --json unless asked. */
function progressBar(format: string, forced: boolean | undefined, json: boolean | undefined) {
  if (!forced && (json || !process.stderr.isTTY)) return undefined;
  return new cliProgress.SingleBar(
    { format, stream: process.stderr, noTTYOutput: !!forced, notTTYSchedule: 250, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
}

/** The back office's log on stderr: warnings always, the rest with --verbose. */
function stderrLogger(verbose: boolean): Logger {
  const line = (level: string, m: string, d?: Record<string, unknown>) => process.stderr.write(`${level} ${m}${d ? ' ' + JSON.stringify(d) : ''}\n`);
  return {
    info: (m, d) => verbose && line('info', m, d),
    warn: (m, d) => line('warn', m, d),
    error: (m, d) => line('error', m, d),
  };
}
