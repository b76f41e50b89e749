// What a shop running this in production watches: Prometheus metrics (prom-client) after real
// checkouts against the sandbox, OpenTelemetry spans around each GMO-PG call (with an SDK
// registered, as a shop would), and pino and winston loggers passed as they are.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { Registry } from 'prom-client';
import winston from 'winston';
import { createAmazonPayHandler } from '../../src/server/endpoint/handler.js';
import { openOrderStore } from '../../src/server/orders/open-store.js';
import { clientFor, startSandbox, type RunningSandbox } from './support/servers.js';
import { checkout, payOrder, startShop, type RunningShop } from './support/shop.js';

let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox.stop());

/** The value of one sample line of the Prometheus text, or undefined when it is not there. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m && m[1] === name && wanted.every((w) => (m[2] ?? '').split(',').includes(w))) return Number(m[3]);
  }
  return undefined;
}

describe('Prometheus metrics', () => {
  let shop: RunningShop;
  const registry = new Registry();
  before(async () => {
    shop = await startShop(sandbox, { metrics: { registry, route: { bearerToken: 'scrape-token-0123456789' } } });
  });
  after(() => shop.stop());

  const scrape = () => fetch(`${shop.api}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789', host: 'metrics.internal:9100' } });

  it('counts checkouts by kind and outcome, GMO-PG calls by API and result, store writes and notification lag', async () => {
    const paid = await payOrder(sandbox, shop);
    sandbox.faults.failNext('EntryTranAmazonpay', 'E01050004');
    assert.equal((await checkout(shop, {})).status, 502, 'GMO-PG refused the EntryTran');
    // GMO-PG's notification for the paid order (posted as GMO-PG does).
    await fetch(`${shop.api}/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `OrderID=${paid}&Status=AUTH`,
    });
    await shop.handler.idle();
    await shop.handler.reconcile({ graceMs: 0, abandonAfterMs: 3600_000 });

    const response = await scrape();
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.equal(sample(text, 'amazon_pay_v2_checkouts_total', { kind: 'session', outcome: 'started' }), 1);
    assert.equal(sample(text, 'amazon_pay_v2_checkouts_total', { kind: 'session', outcome: 'completed' }), 1);
    assert.equal(sample(text, 'amazon_pay_v2_checkouts_total', { kind: 'apb', outcome: 'started' }), 1);
    assert.equal(sample(text, 'amazon_pay_v2_checkouts_total', { kind: 'apb', outcome: 'failed', reason: 'E01050004' }), 1);
    assert.equal(sample(text, 'amazon_pay_v2_gmo_pg_request_duration_seconds_count', { api: 'ExecTranAmazonpay', result: 'ok' }), 1);
    assert.equal(sample(text, 'amazon_pay_v2_gmo_pg_request_duration_seconds_count', { api: 'EntryTranAmazonpay', result: 'error' }), 1);
    assert.equal(sample(text, 'amazon_pay_v2_gmo_pg_errors_total', { api: 'EntryTranAmazonpay', code: 'E01050004' }), 1);
    assert.ok(
      sample(text, 'amazon_pay_v2_gmo_pg_request_duration_seconds_count', { api: 'SearchTradeMulti', result: 'ok' })! >= 2,
      'RetURL and the notification confirm',
    );
    assert.ok(sample(text, 'amazon_pay_v2_store_write_duration_seconds_count', { op: 'create' })! >= 2);
    assert.equal(sample(text, 'amazon_pay_v2_notification_lag_seconds_count'), 1);
    assert.equal(sample(text, 'amazon_pay_v2_journal_backlog'), 0);
    assert.equal(sample(text, 'amazon_pay_v2_authorizations_expiring'), 0);
    assert.doesNotMatch(text, /sandboxpass1|AccessPass/i, 'no secret in the metrics');
  });

  it('answers /metrics only with the bearer token, and a second handler shares the registry', async () => {
    const refused = await fetch(`${shop.api}/metrics`, { headers: { authorization: 'Bearer wrong' } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await fetch(`${shop.api}/metrics`)).status, 401);
    const second = await createAmazonPayHandler({
      gmo: clientFor(sandbox),
      store: await openOrderStore({ dataDir: 'memory://' }),
      metrics: { registry },
      logger: { info() {}, warn() {}, error() {} },
      resolveOrder: () => ({ amount: 100 }),
      completionUrl: '/done',
      allowedHosts: ['127.0.0.1'],
    });
    await second.close();
    assert.equal(sample(await (await scrape()).text(), 'amazon_pay_v2_checkouts_total', { kind: 'session', outcome: 'started' }), 1);
  });
});

describe('OpenTelemetry spans', () => {
  const exporter = new InMemorySpanExporter();
  let shop: RunningShop;
  before(async () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    shop = await startShop(sandbox);
  });
  after(async () => {
    await shop.stop();
    trace.disable();
  });

  it('wraps each GMO-PG call in a CLIENT span with the API, the OrderID and the outcome, and no secret', async () => {
    const orderId = await payOrder(sandbox, shop);
    sandbox.faults.failNext('EntryTranAmazonpay', 'E01050004');
    await checkout(shop, {});
    const spans = exporter.getFinishedSpans();
    const mine = spans.filter((s) => s.attributes['gmo_pg.order_id'] === orderId).map((s) => s.name);
    assert.deepEqual(mine.slice(0, 3), ['GMO-PG EntryTranAmazonpay', 'GMO-PG ExecTranAmazonpay', 'GMO-PG SearchTradeMulti']);
    const ok = spans.find((s) => s.name === 'GMO-PG ExecTranAmazonpay')!;
    assert.equal(ok.kind, 2 /* SpanKind.CLIENT */);
    assert.equal(ok.attributes['gmo_pg.result'], 'ok');
    const failed = [...spans].reverse().find((s) => s.name === 'GMO-PG EntryTranAmazonpay')!;
    assert.equal(failed.status.code, SpanStatusCode.ERROR);
    assert.equal(failed.attributes['gmo_pg.err_info'], 'E01050004');
    assert.doesNotMatch(JSON.stringify(spans.map((s) => [s.attributes, s.events])), /sandboxpass1|accessPass/i);
  });
});

describe('loggers as shops have them', () => {
  /** A stream that keeps each JSON line written to it. */
  const lines = () => {
    const kept: Record<string, unknown>[] = [];
    const stream = new Writable({
      write: (chunk, _enc, done) => (
        kept.push(
          ...String(chunk)
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l)),
        ),
        done()
      ),
    });
    return { kept, stream };
  };

  it('takes a pino logger as it is: the data as fields, the message as msg, secrets redacted', async () => {
    const { kept, stream } = lines();
    const shop = await startShop(sandbox, { logger: pino({ level: 'info' }, stream) });
    try {
      const orderId = await payOrder(sandbox, shop);
      const started = kept.find((l) => l.msg === 'checkout started');
      assert.ok(started, JSON.stringify(kept.slice(0, 3)));
      assert.deepEqual([started.level, started.orderId, started.kind], [30, orderId, 'session']);
      assert.doesNotMatch(JSON.stringify(kept), /sandboxpass1/);
    } finally {
      await shop.stop();
    }
  });

  it('takes a winston logger as it is: message and metadata', async () => {
    const { kept, stream } = lines();
    const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
    const shop = await startShop(sandbox, { logger });
    try {
      const orderId = await payOrder(sandbox, shop);
      const started = kept.find((l) => l.message === 'checkout started');
      assert.ok(started, JSON.stringify(kept.slice(0, 3)));
      assert.deepEqual([started.level, started.orderId], ['info', orderId]);
    } finally {
      await shop.stop();
    }
  });
});
