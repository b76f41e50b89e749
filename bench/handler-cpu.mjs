// Our own CPU per checkout, nothing else: the handler in this process, fed Requests directly, with
// a GMO-PG stand-in that answers on the next turn of the event loop. No sockets, no sandbox, no
// load generator, so what is left is Hono, validation and the order store, by thread (event loop,
// PGlite's thread, V8's helpers), plus making the Requests and reading the answers, the same in every row. It is how the store's batch costs were found; a cost that moves
// here is ours. `node bench/handler-cpu.mjs` (after `npm run build`); BENCH_CHECKOUTS (default 48000).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryOrderStore, createAmazonPayHandler, openOrderStore } from '../dist/node/server.js';

const CHECKOUTS = Number(process.env.BENCH_CHECKOUTS ?? 48000);
const CONCURRENT = 16;

/** Milliseconds of CPU used so far by each thread of this process, the event loop's under 'main'. */
function threads() {
  return Object.fromEntries(
    readdirSync('/proc/self/task').map((tid) => {
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      return [Number(tid) === process.pid ? 'main' : tid, (Number(fields[11]) + Number(fields[12])) * 10];
    }),
  );
}

let accessIds = 0;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const gmo = {
  shopId: 'tshop00000001',
  baseUrl: 'https://pt01.mul-pay.jp/payment/',
  async entryTranAmazonpay() {
    await nextTurn();
    return { accessId: `A${String(++accessIds).padStart(31, '0')}`, accessPass: 'p'.repeat(32) };
  },
  async execTranAmazonpay({ accessId }) {
    await nextTurn();
    return { accessId, token: 'token', startUrl: 'https://pt01.mul-pay.jp/payment/AmazonpayStart.idPass' };
  },
};

async function measure(name, store) {
  const handler = await createAmazonPayHandler({
    gmo,
    store,
    resolveOrder: () => ({ amount: 3980, tax: 500 }),
    completionUrl: '/done',
    logger: { info() {}, warn() {}, error() {} },
  });
  const request = () =>
    new Request('http://127.0.0.1/checkout', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1' } });
  const run = (n) =>
    Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        for (let i = 0; i < n / CONCURRENT; i++) {
          const response = await handler.fetch(request());
          if (response.status !== 200) throw new Error(`${name}: ${response.status} ${await response.text()}`);
          await response.arrayBuffer();
        }
      }),
    ).then(() => handler.idle());
  await run(CHECKOUTS / 4); // warm-up: JIT, prepared statements
  await store.get('none'); // every write so far is in
  const before = threads();
  await run(CHECKOUTS);
  await store.get('none');
  const after = threads();
  await handler.close();
  const per = Object.entries(after).map(([tid, ms]) => [tid, (1000 * (ms - (before[tid] ?? 0))) / CHECKOUTS]);
  const main = per.find(([tid]) => tid === 'main')[1];
  const others = per
    .filter(([tid, us]) => tid !== 'main' && us > 0)
    .map(([, us]) => us)
    .sort((a, b) => b - a);
  const total = per.reduce((sum, [, us]) => sum + us, 0);
  console.log(`| ${name} | ${main.toFixed(0)} | ${others.map((us) => us.toFixed(0)).join(' + ') || '0'} | ${total.toFixed(0)} |`);
}

console.log(`| store (${CHECKOUTS} checkouts, ${CONCURRENT} at a time) | event loop µs | other threads µs (busiest first) | total µs CPU per checkout |`);
console.log('|---|---:|---:|---:|');
await measure('none (memory)', new MemoryOrderStore());
const dataDir = mkdtempSync(join(tmpdir(), 'apv2-handler-cpu-'));
try {
  await measure('PGlite (journal + worker thread)', await openOrderStore({ dataDir }));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
