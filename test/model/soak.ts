// `npm run soak`: the model test's long run, on PGlite and on PostgreSQL one after the other, for
// SOAK_MINUTES (default 10) in all or SOAK_RUNS sequences per store, whichever ends first. Prints the
// figures the README reports and writes them to test-output/soak.json. Exit 1 on a violation, with
// the seed that replays it (APV2_MODEL_SEED / APV2_MODEL_PATH, and APV2_MODEL_STORE for npm test).
import { mkdirSync, writeFileSync } from 'node:fs';
import { runModel } from './run.js';
import { createWorld, type Figures, type StoreKind } from './world.js';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const runsPerStore = Number(process.env.SOAK_RUNS ?? 100_000);
const stores = (process.env.SOAK_STORES ?? 'pglite,postgres').split(',') as StoreKind[];
const started = Date.now();
const results: Record<string, Figures & { seconds: number }> = {};
let failed = false;

for (const [n, kind] of stores.entries()) {
  const begin = Date.now();
  // Each store gets its share of what is left of the time.
  const deadline = begin + (started + minutes * 60_000 - begin) / (stores.length - n);
  const world = await createWorld(kind);
  let last = 0;
  try {
    await runModel(world, {
      runs: runsPerStore,
      maxCommands: 12,
      seed: process.env.APV2_MODEL_SEED === undefined ? undefined : Number(process.env.APV2_MODEL_SEED),
      deadline,
      onSequence(w) {
        if (Date.now() - last < 10_000) return;
        last = Date.now();
        process.stderr.write(`${kind}: ${w.figures.sequences} sequences, ${w.figures.operations} operations, ${Math.round((Date.now() - begin) / 1000)} s\n`);
      },
    });
  } catch (error) {
    failed = true;
    console.error((error as Error).message);
  } finally {
    results[kind] = { ...world.figures, seconds: Math.round((Date.now() - begin) / 1000) };
    await world.close();
  }
  if (failed) break;
}

const rows = Object.entries(results).map(
  ([kind, f]) =>
    `| ${kind} | ${f.sequences} | ${f.operations} | ${f.faults} | ${f.crashes} | ${f.outages} | ${f.attempts} | ${f.violations} | ${f.seconds} s |`,
);
console.log(
  [
    '| store | sequences | operations | GMO-PG faults | kill -9 | database outages | payment attempts | violations | time |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n'),
);
mkdirSync('test-output', { recursive: true });
writeFileSync('test-output/soak.json', JSON.stringify({ node: process.version, minutes, results }, null, 2) + '\n');
process.exit(failed ? 1 : 0);
