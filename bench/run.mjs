// npm run bench: every benchmark, alternatives side by side in the same run. Ratios are the
// result (absolute times on a shared machine are noise). Needs `npm run build` (the script does it).
import { cpus, totalmem } from 'node:os';
import { sizeBenchmark } from './sizes.mjs';
import { browserBenchmarks } from './browser.mjs';
import { serverBenchmark, wireBenchmark } from './server.mjs';
import { storeScaleBenchmark } from './store-scale.mjs';

console.log(`# amazon-pay-v2 benchmarks — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
sizeBenchmark();
await browserBenchmarks();
await serverBenchmark();
await wireBenchmark();
await storeScaleBenchmark();
