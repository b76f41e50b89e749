// The model-based fault test (issue 19), the short run: random sequences of checkouts, Buy Now,
// RetURL (genuine, replayed, forged), notifications (late, repeated, lost), the back office, 随時決済,
// sweeps, retention, kill -9, PostgreSQL restarted and frozen, and GMO-PG delayed, hung, cut and busy,
// against the sandbox, on PGlite and on PostgreSQL. After each sequence, when all is quiet and one
// sweep has run: every order as GMO-PG has it, none left open, nothing deleted that GMO-PG holds,
// the amount authorized the amount approved, no money moved twice (test/model/invariants.ts).
// The long run is `npm run soak`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runModel } from '../model/run.js';
import { createWorld } from '../model/world.js';

const RUNS = Number(process.env.APV2_MODEL_RUNS ?? 100);
const seed = process.env.APV2_MODEL_SEED === undefined ? undefined : Number(process.env.APV2_MODEL_SEED);

// APV2_MODEL_STORE=pglite|postgres runs one store (to replay a seed).
for (const kind of (['pglite', 'postgres'] as const).filter((k) => (process.env.APV2_MODEL_STORE ?? k) === k)) {
  describe(`the money state under random faults, on ${kind}`, () => {
    it(`holds GMO-PG's truth after each of ${RUNS} random sequences`, async () => {
      const world = await createWorld(kind);
      try {
        await runModel(world, { runs: RUNS, maxCommands: 10, seed, path: process.env.APV2_MODEL_PATH });
        const f = world.figures;
        console.log(
          `model test on ${kind}: ${f.sequences} sequences, ${f.operations} operations, ${f.faults} GMO-PG faults, ${f.crashes} kill -9, ${f.outages} database outages, ${f.attempts} payment attempts, ${f.violations} violations`,
        );
        assert.equal(f.sequences, RUNS);
        if (RUNS >= 20) assert.ok(f.crashes > 0 && f.faults > 0 && (kind === 'pglite' || f.outages > 0), 'the faults were injected');
      } finally {
        await world.close();
      }
    });
  });
}
