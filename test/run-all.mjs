// Runs every test suite and ends with one line, "N passed, N failed", that CI reads.
//   0. the lint and format gates (one count each)
//   1. browser tests: web-test-runner in Chromium (test/browser)
//   2. Node tests: node --test (test/node), over real HTTP where servers are involved
// Each suite writes its counts to test-output/; a suite that crashes before counting is one failure.
//
// --node-compat: the pass CI makes on the other Node versions it supports (.ci/run), after the full
// suite ran on one: what runs in Node (the server, the store, the sandbox, the CLI, the crash and
// model tests, the fixture hosts on node:http and Express), without the files whose subject runs in
// Chromium or in other tools' processes (the browser suite, the demo and pages in Chromium, bundlers,
// Next.js, the README's type-checkers, the benchmark), and with a shorter model test. It uses the
// build the full pass made.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

mkdirSync('test-output', { recursive: true });
rmSync('test-output/total.txt', { force: true });
const counts = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;

function run(name, command, args, countsFile) {
  rmSync(countsFile, { force: true });
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const { status } = spawnSync(command, args, { stdio: 'inherit' });
  if (status !== 0) exitCode = 1;
  if (!existsSync(countsFile)) {
    console.log(`${name} reported no counts (exit ${status}): counted as 1 failure`);
    counts.failed++;
    return;
  }
  const c = JSON.parse(readFileSync(countsFile, 'utf8'));
  console.log(`${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  for (const k of Object.keys(counts)) counts[k] += c[k];
  if (c.failed) exitCode = 1;
}

const compat = process.argv.includes('--node-compat');
/** Node test files that drive Chromium or other tools' processes: run once, in the full pass. */
const NOT_IN_COMPAT = new Set([
  'amazonpay-start.browser.test.ts',
  'react.browser.test.ts',
  'bundlers.test.ts',
  'demo.e2e.test.ts',
  'host-next.test.ts',
  'readme.test.ts',
  'bench.test.ts',
  'size-budget.test.ts',
  'install-weight.test.ts',
  'checkout-js-link.test.ts',
  'buy-now.browser.test.ts',
  'host-sveltekit.test.ts',
  'host-astro.test.ts',
  'types.test.ts',
  'quickstart.browser.test.ts',
  'cors.browser.test.ts',
]);
if (compat) process.env.APV2_MODEL_RUNS ??= '25';

/** A gate that passes or fails as a whole (lint, format): one count. */
function gate(name, command, args) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const { status } = spawnSync(command, args, { stdio: 'inherit' });
  console.log(`${name}: ${status === 0 ? 'passed' : 'FAILED'}`);
  if (status === 0) {
    counts.passed++;
  } else {
    counts.failed++;
    exitCode = 1;
  }
}

if (!compat) {
  // The house rules: type-aware lint (oxlint with tsgolint, .oxlintrc.json) and the format (Prettier).
  gate('lint', 'npx', ['oxlint', '--deny-warnings']);
  gate('format', 'npx', ['prettier', '--check', '.']);
  run('browser', 'npx', ['web-test-runner', '--static-logging'], 'test-output/wtr.json');
}

// One tarball for every test that installs the package (see test/node/support/packed.ts).
const packDir = 'test-output/pack';
rmSync(packDir, { recursive: true, force: true });
mkdirSync(packDir, { recursive: true });
const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', packDir], { encoding: 'utf8' });
if (pack.status === 0) process.env.APV2_TARBALL = resolve(packDir, JSON.parse(pack.stdout)[0].filename);
else console.log(`npm pack failed (the tests that install the package will pack for themselves):\n${pack.stderr}`);

const nodeTests = readdirSync('test/node')
  .filter((f) => /\.test\.(mjs|ts)$/.test(f) && !(compat && NOT_IN_COMPAT.has(f)))
  .map((f) => `test/node/${f}`);
for (const f of NOT_IN_COMPAT) if (!existsSync(`test/node/${f}`)) throw new Error(`test/run-all.mjs: NOT_IN_COMPAT names test/node/${f}, which is gone`);
run(
  'node',
  process.execPath,
  [
    '--import',
    'tsx', // the server and sandbox tests are TypeScript, like the code they test
    '--test',
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./test/support/node-counts-reporter.mjs',
    '--test-reporter-destination=test-output/node.json',
    ...nodeTests,
  ],
  'test-output/node.json',
);

if (counts.skipped) console.log(`(${counts.skipped} skipped)`);
const total = `${counts.passed} passed, ${counts.failed} failed`;
writeFileSync('test-output/total.txt', total + '\n');
console.log(total);
process.exit(exitCode);
