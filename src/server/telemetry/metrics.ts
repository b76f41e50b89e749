/**
 * Metrics for Prometheus, through prom-client (an optional peer: `npm install prom-client@15`).
 * The handler counts through the small `Metrics` interface below; `createPromMetrics` backs it
 * with prom-client metrics in the shop's registry (or prom-client's default one), which the shop
 * exposes on its own /metrics, or the handler does with `metrics: { route: true }`.
 *
 *   amazon_pay_v2_checkouts_total{kind,outcome,reason}      started, completed, failed, abandoned
 *   amazon_pay_v2_gmo_pg_request_duration_seconds{api,result} every GMO-PG call (ok, error, timeout, …)
 *   amazon_pay_v2_gmo_pg_errors_total{api,code}             GMO-PG's error codes (ErrInfo)
 *   amazon_pay_v2_notification_lag_seconds                  from an order's start to GMO-PG's notification
 *   amazon_pay_v2_store_write_duration_seconds{op}          order store writes
 *   amazon_pay_v2_journal_backlog                           orders in the journal not yet in the database
 *   amazon_pay_v2_reconcile_orders_total{result}            what the sweeper found
 *   amazon_pay_v2_authorizations_expiring                   authorizations the last sweep found about to expire
 */
import type * as PromClient from 'prom-client';
import { importOptional } from './optional.js';

const BACKLOG_READERS = Symbol.for('amazon-pay-v2.backlog-readers');

export const PROM_CLIENT_INSTALL = 'npm install prom-client@15';

/** What the server module counts. A no-op unless metrics are on. */
export interface Metrics {
  checkout(kind: string, outcome: 'started' | 'completed' | 'failed' | 'abandoned', reason?: string): void;
  gmoCall(api: string, seconds: number, result: string, codes?: string[]): void;
  notificationLag(seconds: number): void;
  storeWrite(op: string, seconds: number): void;
  reconciled(counts: Record<string, number>, expiring: number): void;
  /** A function the backlog gauge reads at each scrape; returns a function that stops reading it. */
  watchBacklog(read: () => number): () => void;
}

export const noMetrics: Metrics = {
  checkout() {},
  gmoCall() {},
  notificationLag() {},
  storeWrite() {},
  reconciled() {},
  watchBacklog: () => () => {},
};

/** The part of a prom-client Registry the handler uses. */
export interface MetricsRegistry {
  metrics(): Promise<string>;
  readonly contentType: string;
  getSingleMetric(name: string): unknown;
}

export interface MetricsOptions {
  /** A prom-client Registry; default prom-client's global `register`. */
  registry?: MetricsRegistry;
  /** Prefix of every metric name; default `amazon_pay_v2_`. */
  prefix?: string;
  /**
   * Serve `GET /metrics` on the handler: `true`, or `{ bearerToken }` to ask for
   * `Authorization: Bearer <token>`. Default off: mount the registry on the shop's own route.
   */
  route?: boolean | { bearerToken: string };
}

/** Metrics in prom-client; throws, with the command to run, when prom-client is not installed. */
export async function createPromMetrics(options: MetricsOptions = {}): Promise<{ metrics: Metrics; registry: MetricsRegistry }> {
  const prom = await importOptional<typeof PromClient>('prom-client');
  if (!prom) throw new Error(`metrics need prom-client, which is not installed: ${PROM_CLIENT_INSTALL}`);
  const registry = (options.registry ?? prom.register) as PromClient.Registry;
  const prefix = options.prefix ?? 'amazon_pay_v2_';
  // A second handler in one process (a dev server's reload) shares the metrics the first made.
  const once = <M>(name: string, make: (config: { name: string; registers: PromClient.Registry[] }) => M): M =>
    (registry.getSingleMetric(prefix + name) as M | undefined) ?? make({ name: prefix + name, registers: [registry] });
  const checkouts = once(
    'checkouts_total',
    (c) =>
      new prom.Counter({
        ...c,
        help: 'Checkouts by kind (session, apb, buy-now, charge) and outcome; reason: the GMO-PG code or status of a failure',
        labelNames: ['kind', 'outcome', 'reason'],
      }),
  );
  const gmoDuration = once(
    'gmo_pg_request_duration_seconds',
    (c) =>
      new prom.Histogram({
        ...c,
        help: 'GMO-PG calls by API and result (ok, error, timeout, network, protocol)',
        labelNames: ['api', 'result'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      }),
  );
  const gmoErrors = once(
    'gmo_pg_errors_total',
    (c) => new prom.Counter({ ...c, help: 'Error codes (ErrInfo) GMO-PG answered, by API', labelNames: ['api', 'code'] }),
  );
  const lag = once(
    'notification_lag_seconds',
    (c) =>
      new prom.Histogram({
        ...c,
        help: "Seconds from an order's start to GMO-PG's result notification for it",
        buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
      }),
  );
  const storeWrites = once(
    'store_write_duration_seconds',
    (c) =>
      new prom.Histogram({ ...c, help: 'Order store writes by operation', labelNames: ['op'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5] }),
  );
  const reconcile = once(
    'reconcile_orders_total',
    (c) => new prom.Counter({ ...c, help: 'Orders the reconcile sweeper looked at, by result', labelNames: ['result'] }),
  );
  const expiring = once('authorizations_expiring', (c) => new prom.Gauge({ ...c, help: 'Authorizations the last sweep found about to expire uncaptured' }));
  // Shared like the metric itself: the gauge reads every live store of this registry.
  const readers: Set<() => number> = ((registry as unknown as Record<symbol, Set<() => number>>)[BACKLOG_READERS] ??= new Set());
  once(
    'journal_backlog',
    (c) =>
      new prom.Gauge({
        ...c,
        help: 'Orders in the journal not yet written to the database',
        collect() {
          this.set([...readers].reduce((n, read) => n + read(), 0));
        },
      }),
  );
  return {
    registry,
    metrics: {
      checkout: (kind, outcome, reason = '') => checkouts.inc({ kind, outcome, reason }),
      gmoCall(api, seconds, result, codes = []) {
        gmoDuration.observe({ api, result }, seconds);
        for (const code of codes) gmoErrors.inc({ api, code });
      },
      notificationLag: (seconds) => lag.observe(seconds),
      storeWrite: (op, seconds) => storeWrites.observe({ op }, seconds),
      reconciled(counts, soon) {
        for (const [result, n] of Object.entries(counts)) if (n) reconcile.inc({ result }, n);
        expiring.set(soon);
      },
      watchBacklog(read) {
        readers.add(read);
        return () => void readers.delete(read);
      },
    },
  };
}
