// Runs the model test: random command sequences against one world, each followed by quiet, a sweep
// and every invariant (invariants.ts). A failure names its seed and path: run again with
// APV2_MODEL_SEED and APV2_MODEL_PATH to replay the same sequence (timing may still differ: the
// world is real).
import fc from 'fast-check';
import { commandArbitraries, type Model, type Real } from './commands.js';
import { checkInvariants, quiesce } from './invariants.js';
import type { World } from './world.js';

export interface ModelRunOptions {
  runs: number;
  maxCommands: number;
  seed?: number;
  path?: string;
  /** Stop after this many ms (the soak's budget); the runs done so far count. */
  deadline?: number;
  /** Told after each sequence (the soak's progress line). */
  onSequence?(world: World): void;
}

export async function runModel(world: World, options: ModelRunOptions): Promise<void> {
  let amount = 1000 + Math.floor(Math.random() * 1000) * 1000;
  const real: Real = { world, intents: new Map(), purged: new Set(), nextAmount: () => ++amount };
  const seed = options.seed ?? Date.now() ^ (Math.random() * 0x7fffffff);
  const property = fc.asyncProperty(fc.commands(commandArbitraries(world.kind), { maxCommands: options.maxCommands, size: 'max' }), async (commands) => {
    const model: Model = { intents: [] };
    await fc.asyncModelRun(() => ({ model, real }), commands);
    world.figures.operations += [...commands].length;
    await quiesce(world);
    await checkInvariants(real);
    world.figures.attempts = real.intents.size;
    world.figures.sequences++;
    options.onSequence?.(world);
  });
  try {
    await fc.assert(property, {
      numRuns: options.runs,
      seed,
      path: options.path,
      endOnFailure: true,
      includeErrorInReport: true,
      // Out of time (the soak's budget): the sequences run so far count, the rest are not run.
      ...(options.deadline ? { interruptAfterTimeLimit: Math.max(1, options.deadline - Date.now()), markInterruptAsFailure: false } : {}),
    });
  } catch (error) {
    world.figures.violations++;
    const message = (error as Error).message;
    throw new Error(
      `${message}\nreplay: APV2_MODEL_SEED=${seed}${/path: "([^"]+)"/.exec(message) ? ` APV2_MODEL_PATH=${/path: "([^"]+)"/.exec(message)![1]}` : ''} (store ${world.kind})\nthe shop's error log:\n${world.log().slice(-3000)}`,
      { cause: error },
    );
  }
}
