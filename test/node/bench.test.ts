// `npm run bench`, smoke version: every benchmark once, with tiny durations, from the built package
// (BENCH_SMOKE=1). No figure is judged here (speed belongs to the benchmark's own report); what is
// tested is that each benchmark still runs to its end, so that a moved file or a changed API fails
// npm test instead of rotting in the benchmark unseen.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('npm run bench (smoke: one tiny round of each)', () => {
  it('runs every benchmark to its end: size, browser, server (loopback and at GMO-PG latency), wire, transport, order store, sandbox memory', async () => {
    const { stdout } = await run(process.execPath, ['bench/run.mjs'], {
      env: { ...process.env, BENCH_SMOKE: '1' },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 240_000,
    });
    for (const section of [
      '## 1. Size',
      '## 2. Time to button',
      '## 3. Many buttons',
      '## 4. Click to AmazonpayStart',
      '## 5a. Server',
      '## 5b. Server',
      '## 5c. Windows-31J',
      '## 5d. One GMO-PG call',
      '## 6. Order store',
      '## 7. The sandbox under load',
    ]) {
      assert.ok(stdout.includes(section), `${section} is missing from the output:\n${stdout.slice(-2000)}`);
    }
  });
});
