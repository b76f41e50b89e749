// Benchmark 5, the server: POST /checkout against the sandbox running in another process, at
// concurrency 1, 16 and 64 (autocannon), next to the floor: the same two GMO-PG calls made
// directly with the client. Twice: with the sandbox answering at once (the stress figure: what our
// own work costs on loopback), and with each GMO-PG call taking 30-80 ms as the real one does (what
// a shopper notices: our work should vanish there). Then the Windows-31J throughput of the client (5c) and one call's CPU by transport (5d).
//
// The three servers are measured in interleaved rounds (floor, ours, ours without storage, in a
// rotating order) and each figure is the median over the rounds: on a shared 2-core machine one
// 5-second run of each drifts by more than the differences being measured. Latencies are taken
// from every response (autocannon's own percentiles are whole milliseconds, too coarse at c=1).
// BENCH_SECONDS, BENCH_ROUNDS and BENCH_CONNECTIONS (e.g. "1,16") change the run; BENCH_VERBOSE=1
// prints every round.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const env = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));

// The servers measured run the built package (dist/node), as shops do; only the sandbox, the same
// for every server measured, runs from its TypeScript sources.
function child(args, env) {
  const loader = args[0].endsWith('.ts') ? ['--import', 'tsx'] : [];
  const proc = spawn(process.execPath, [...loader, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = new Promise((resolve) => createInterface({ input: proc.stdout }).once('line', resolve));
  return { proc, firstLine };
}

/** One autocannon run: requests per second and the exact latency of every 2xx response. */
function load(target, connections, duration) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const statuses = {};
    const instance = autocannon({ url: target.url, connections, duration, method: 'POST', body: '{}', headers: target.headers }, (error, result) => {
      if (error) return reject(error);
      if (result.non2xx || result.errors)
        return reject(new Error(`${target.name}: ${result.non2xx} non-2xx answers (${JSON.stringify(statuses)}), ${result.errors} errors`));
      latencies.sort((a, b) => a - b);
      const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
      resolve({ p50: at(0.5), p99: at(0.99), rps: latencies.length / duration });
    });
    instance.on('response', (_client, status, _bytes, responseTime) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status < 300) latencies.push(responseTime);
    });
  });
}

const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1) + 0.5)];
const median = (values) => quantile(values, 0.5);

/** The sandbox from its sources on a port of its own, answering after `latency` ms (e.g. '45-55') or at once. */
async function startSandbox(latency) {
  const port = 18787 + Math.floor(Math.random() * 1000);
  const sandbox = child(['src/cli/index.ts', 'sandbox', ...(latency ? ['--latency', latency] : [])], { PORT: String(port), SANDBOX_STATE_FILE: 'none' });
  await sandbox.firstLine;
  return { proc: sandbox.proc, baseUrl: `http://127.0.0.1:${port}/payment/` };
}

/**
 * Starts the sandbox and the three servers measured (bench/server-targets.mjs) in child processes.
 * `targets` are floor, pglite and memory, each with its URL and headers for POST /checkout.
 */
export async function startServers({ latency } = {}) {
  const sandbox = await startSandbox(latency);
  const servers = child(['bench/server-targets.mjs'], { GMO_PG_BASE_URL: sandbox.baseUrl });
  const ports = JSON.parse(await servers.firstLine);
  const checkout = (name, p) => ({
    name,
    url: `http://127.0.0.1:${p}/api/amazon-pay/checkout`,
    headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${p}` },
  });
  return {
    sandbox: sandbox.proc,
    servers: servers.proc,
    targets: [{ name: 'floor', url: `http://127.0.0.1:${ports.floor}/`, headers: {} }, checkout('pglite', ports.pglite), checkout('memory', ports.memory)],
    // The servers first: killed after the sandbox, they saw its connections cut under calls still in flight.
    stop() {
      servers.proc.kill();
      sandbox.proc.kill();
    },
  };
}

/**
 * `latency`: each GMO-PG call's time at the sandbox (`--latency`, e.g. '30-80'), or none (loopback).
 * `target`: the p50 ratio to meet. BENCH_SECONDS, BENCH_ROUNDS and BENCH_CONNECTIONS override the rest.
 */
export async function serverBenchmark({ latency, target = 1.2, seconds = 1, rounds = 11, connections: levels = '1,16,64' } = {}) {
  const SECONDS = env('BENCH_SECONDS', seconds);
  const ROUNDS = env('BENCH_ROUNDS', rounds);
  const { targets, stop } = await startServers({ latency });
  const rows = [];
  try {
    for (const connections of (process.env.BENCH_CONNECTIONS ?? levels).split(',').map(Number)) {
      for (const t of targets) await load(t, connections, SECONDS); // a round to warm up (JIT, connections, caches), not counted
      const runs = Object.fromEntries(targets.map((t) => [t.name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < targets.length; i++) {
          const t = targets[(round + i) % targets.length];
          runs[t.name].push(await load(t, connections, SECONDS));
        }
      }
      if (process.env.BENCH_VERBOSE)
        for (const [n, rs] of Object.entries(runs))
          console.error(`c=${connections} ${n} p50/rps by round: ${rs.map((r) => `${r.p50.toFixed(2)}/${r.rps.toFixed(0)}`).join(' ')}`);
      const summary = (name) => ({
        ...Object.fromEntries(['p50', 'p99', 'rps'].map((k) => [k, median(runs[name].map((r) => r[k]))])),
        // Paired: each round's p50 over the floor's p50 in the same round, then the median.
        ratio: median(runs[name].map((r, i) => r.p50 / runs.floor[i].p50)),
        // and the middle half of those per-round ratios, to show how much the machine moved them
        spread: [0.25, 0.75].map((q) =>
          quantile(
            runs[name].map((r, i) => r.p50 / runs.floor[i].p50),
            q,
          ),
        ),
      });
      rows.push({ connections, floor: summary('floor'), pglite: summary('pglite'), memory: summary('memory') });
    }
  } finally {
    stop();
  }
  const title = latency ? `each GMO-PG call ${latency} ms, as GMO-PG answers` : 'the sandbox answering at once: the stress figure';
  console.log(
    `\n## 5${latency ? 'b' : 'a'}. Server: POST /checkout (EntryTran + ExecTran on the sandbox in another process, ${title}; median of ${ROUNDS} interleaved ${SECONDS}-s rounds)\n`,
  );
  console.log(
    '| concurrency | floor p50 / p99 ms, req/s | ours (PGlite) p50 / p99 ms, req/s | p50 ratio* | ours (no storage) p50 / p99 ms, req/s | p50 ratio* |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  const cell = (r) => `${r.p50.toFixed(2)} / ${r.p99.toFixed(1)}, ${r.rps.toFixed(0)}`;
  for (const { connections, floor, pglite, memory } of rows) {
    const ratio = (r) => `${r.ratio.toFixed(3)} (${r.spread.map((x) => x.toFixed(3)).join('–')})`;
    console.log(`| ${connections} | ${cell(floor)} | ${cell(pglite)} | ${ratio(pglite)} | ${cell(memory)} | ${ratio(memory)} |`);
  }
  console.log("\n*median over the rounds of (p50 / the floor's p50 in the same round); in brackets the middle half of those ratios");
  const worst = (key) => Math.max(...rows.map((r) => r[key].ratio));
  const verdict = (key) => `worst ${worst(key).toFixed(3)} (${worst(key) <= target ? 'met' : 'MISSED'})`;
  console.log(`\ntarget: ours p50 ≤ ${target.toFixed(2)} × floor. With the durable order store: ${verdict('pglite')}. Handler alone: ${verdict('memory')}.`);
  return rows;
}

/**
 * 5d. What one GMO-PG call costs our process in CPU, by transport: the default (node:http through
 * Node's global agent) and the global fetch (what the client used before, and what `fetch` passes).
 * Calls EntryTranAmazonpay on the sandbox (another process) `calls` times per round at concurrency 16.
 */
export async function transportBenchmark({ calls = 4000, rounds = 3 } = {}) {
  const { createGmoPgClient } = await import('../dist/node/server.js');
  const sandbox = await startSandbox();
  const settings = { shopId: 'tshop00000001', shopPass: 'sandboxpass1', baseUrl: sandbox.baseUrl };
  const clients = { 'node:http (default)': createGmoPgClient(settings), 'global fetch': createGmoPgClient({ ...settings, fetch: globalThis.fetch }) };
  const cpu = Object.fromEntries(Object.keys(clients).map((k) => [k, []]));
  let seq = 0;
  try {
    for (let round = 0; round <= rounds; round++) {
      for (const [name, client] of Object.entries(clients)) {
        let left = calls;
        const before = process.cpuUsage();
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            while (left-- > 0) await client.entryTranAmazonpay({ orderId: `BENCH-${process.pid}-${++seq}`, jobCd: 'AUTH', amount: 100 });
          }),
        );
        const used = process.cpuUsage(before);
        if (round) cpu[name].push((used.user + used.system) / calls); // round 0 warms up
      }
    }
  } finally {
    sandbox.proc.kill();
  }
  console.log(`\n## 5d. One GMO-PG call's CPU in our process, by transport (Node ${process.version}; median of ${rounds} rounds of ${calls} calls)\n`);
  console.log('| transport | µs of CPU per call |');
  console.log('|---|---:|');
  const result = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)]));
  for (const [name, us] of Object.entries(result)) console.log(`| ${name} | ${us.toFixed(0)} |`);
  return result;
}

export async function wireBenchmark({ seconds = 1.5 } = {}) {
  const { encodeForm, parseForm, encodeResponse } = await import('../dist/node/server.js');
  const request = {
    ShopID: 'tshop00000001',
    ShopPass: 'sandboxpass1',
    AccessID: 'a'.repeat(32),
    AccessPass: 'b'.repeat(32),
    OrderID: 'AP0MX14B9Y8-3UUTIT37VSWO',
    RetURL: 'https://shop.example/api/amazon-pay/result',
    Description: 'スペシャルティコーヒー豆 200g × 2 のご注文',
  };
  const answer = encodeResponse({
    ShippingName: '髙橋 﨑子',
    ShippingPostalCode: '530-0001',
    ShippingStateOrRegion: '大阪府',
    ShippingCity: '大阪市北区',
    ShippingAddressLine1: '梅田３丁目１−３',
    ShippingAddressLine2: 'ノースゲートビル ①号室',
    AmazonAccountName: 'アマゾン 花子',
    AmazonMailAddress: 'hanako.sandbox@example.jp',
    PaymentDescriptor: 'Visa ****1111',
    Token: 'abc+def/ghi=',
  });
  const time = (fn) => {
    const end = Date.now() + seconds * 1000;
    let n = 0;
    while (Date.now() < end) for (let i = 0; i < 100; i++, n++) fn();
    return n / seconds;
  };
  const enc = time(() => encodeForm(request));
  const dec = time(() => parseForm(answer));
  console.log('\n## 5c. Windows-31J wire format (one core)\n');
  console.log('| operation | per second | bytes each |');
  console.log('|---|---:|---:|');
  console.log(`| encode an ExecTranAmazonpay request (Japanese description) | ${Math.round(enc).toLocaleString('en')} | ${encodeForm(request).length} |`);
  console.log(`| decode a SearchAddressAmazonpay answer (Japanese address) | ${Math.round(dec).toLocaleString('en')} | ${answer.length} |`);
  return { encodePerSecond: enc, decodePerSecond: dec };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await serverBenchmark();
  await wireBenchmark();
}
