// Benchmark 7, the sandbox under a long load: checkouts (EntryTran + ExecTran) at concurrency 48
// for BENCH_SANDBOX_MINUTES (default 10), its resident memory (RSS) each minute. It keeps at most
// `maxTrades` transactions (default 20,000; the oldest settled ones are forgotten), so its memory
// levels off instead of growing with every trade, as it did before (154 → 446 MB in 4 minutes).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGmoPgClient, newOrderId } from '../dist/node/server.js';

const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** `minutes` of load (BENCH_SANDBOX_MINUTES), `concurrency` callers. */
export async function sandboxMemoryBenchmark({ minutes = 10, concurrency = 48 } = {}) {
  const duration = Number(process.env.BENCH_SANDBOX_MINUTES ?? minutes) * 60_000;
  const port = 19787 + Math.floor(Math.random() * 1000);
  const proc = spawn(process.execPath, ['dist/node/cli.js', 'sandbox', '--port', String(port), '--state-file', 'none'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => createInterface({ input: proc.stdout }).once('line', resolve));
  const gmo = createGmoPgClient({ shopId: 'tshop00000001', shopPass: 'sandboxpass1', baseUrl: `http://127.0.0.1:${port}/payment/` });
  const samples = [{ minute: 0, rss: rssOf(proc.pid), trades: 0 }];
  let trades = 0;
  const end = Date.now() + duration;
  const step = Math.min(60_000, duration / 4);
  let next = Date.now() + step;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const orderId = newOrderId();
          const entry = await gmo.entryTranAmazonpay({ orderId, jobCd: 'AUTH', amount: 1000 });
          await gmo.execTranAmazonpay({ ...entry, orderId, apbType: 'PayOnly', retUrl: 'http://127.0.0.1/result' });
          trades++;
          if (Date.now() >= next) {
            next += step;
            samples.push({ minute: (Date.now() - end + duration) / 60_000, rss: rssOf(proc.pid), trades });
          }
        }
      }),
    );
    samples.push({ minute: duration / 60_000, rss: rssOf(proc.pid), trades });
  } finally {
    proc.kill();
  }
  console.log(`\n## 7. The sandbox under load (checkouts at concurrency ${concurrency} for ${(duration / 60_000).toFixed(1)} min)\n`);
  console.log('| minute | transactions made | sandbox RSS |');
  console.log('|---:|---:|---:|');
  for (const s of samples) console.log(`| ${s.minute.toFixed(1)} | ${s.trades.toLocaleString('en-US')} | ${s.rss.toFixed(0)} MB |`);
  return samples;
}

if (import.meta.url === `file://${process.argv[1]}`) await sandboxMemoryBenchmark();
