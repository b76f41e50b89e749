// npm run bench: every benchmark, alternatives side by side in the same run. Ratios are the
// result (absolute times on a shared machine are noise). Needs `npm run build` (the script does it).
// BENCH_SMOKE=1 runs each once with tiny durations and judges nothing: what npm test does
// (test/node/bench.test.ts), so that a moved file or a changed API breaks the tests, not the bench.
// BENCH_LATENCY (default 45-55) is the GMO-PG latency of the realistic server run.
import { cpus, totalmem } from 'node:os';
import { sizeBenchmark } from './sizes.mjs';
import { browserBenchmarks } from './browser.mjs';
import { serverBenchmark, transportBenchmark, wireBenchmark } from './server.mjs';
import { storeScaleBenchmark } from './store-scale.mjs';
import { sandboxMemoryBenchmark } from './sandbox-memory.mjs';

const smoke = process.env.BENCH_SMOKE === '1';
console.log(
  `# amazon-pay-v2 benchmarks — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB${smoke ? ' (smoke: one tiny round each, figures not judged)' : ''}`,
);
sizeBenchmark();
await browserBenchmarks(smoke ? { loads: 1, counts: [1, 3], rounds: 1 } : {});
await serverBenchmark(smoke ? { seconds: 0.3, rounds: 1, connections: '1' } : {});
await serverBenchmark({
  latency: process.env.BENCH_LATENCY ?? '45-55',
  target: 1.02,
  ...(smoke ? { seconds: 0.3, rounds: 1, connections: '1' } : { seconds: 3, rounds: 7 }),
});
await wireBenchmark(smoke ? { seconds: 0.05 } : {});
await transportBenchmark(smoke ? { calls: 20, rounds: 1 } : {});
await storeScaleBenchmark(smoke ? { orders: 1000, runs: 1, stuck: 20 } : {});
await sandboxMemoryBenchmark(smoke ? { minutes: 0.03, concurrency: 4 } : {});
