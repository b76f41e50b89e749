// @ts-check
// Browser tests: web-test-runner in Chromium: CHROME_PATH, a system Chromium, or the one inside
// the @sparticuz/chromium devDependency (test/support/chromium.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultReporter } from '@web/test-runner';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_ARGS, findChromium } from './test/support/chromium.mjs';
import { testRoutes } from './test/support/wtr-routes.mjs';

const { executablePath, env } = await findChromium();

/**
 * Writes the counts to test-output/wtr.json for test/run-all.mjs, which prints the closing line.
 * A test file that could not load counts as one failure (WTR itself leaves it out of its count).
 * @returns {import('@web/test-runner').Reporter}
 */
function countsReporter() {
  return {
    stop({ sessions }) {
      let passed = 0,
        failed = 0,
        skipped = 0;
      /** @param {any} suite */
      const walk = (suite) => {
        for (const t of suite.tests) t.skipped ? skipped++ : t.passed ? passed++ : failed++;
        suite.suites.forEach(walk);
      };
      for (const s of sessions) {
        const before = failed;
        if (s.testResults) walk(s.testResults);
        if (s.passed === false && failed === before) failed++;
      }
      mkdirSync('test-output', { recursive: true });
      writeFileSync('test-output/wtr.json', JSON.stringify({ passed, failed, skipped }));
    },
  };
}

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  // One page at a time: a background page gets no animation frames and no IntersectionObserver
  // callbacks, which loading="lazy" and the layout checks need.
  concurrency: 1,
  middleware: [testRoutes],
  plugins: [esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) })],
  browsers: [chromeLauncher({ launchOptions: { executablePath, env, headless: true, args: CHROMIUM_ARGS } })],
  testFramework: { config: { timeout: 8000 } },
  testsFinishTimeout: 90000, // a page that navigated away by mistake fails in 90 s, not 120
  reporters: [defaultReporter(), countsReporter()],
};
