// `npm install amazon-pay-v2` for a browser-only shop: from the packed tarball into a fresh project,
// measured on disk. The server runs without the optional databases until a store is opened, and then
// says which command adds them.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { fixtureApp } from './support/packed.js';

const run = promisify(execFile);
let dir: string;
before(async () => {
  dir = await fixtureApp({});
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

/** Bytes of files under `path` (what `du` counts, without block rounding). */
function bytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += bytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

describe('a browser-only install', () => {
  it('is under 5 MB, with Lit the only runtime dependency', (t) => {
    const size = bytes(join(dir, 'node_modules'));
    const packages = readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.'));
    t.diagnostic(`node_modules: ${(size / 1e6).toFixed(2)} MB (${packages.join(', ')})`);
    assert.ok(size < 5 * 1024 * 1024, `${(size / 1e6).toFixed(2)} MB`);
    // What the README says the install weighs (both languages) is this measurement, within 10 %.
    const claims = (
      [
        ['README.md', /依存は Lit のみ、約 ([\d.]+) MB/],
        ['README.en.md', /Lit is its one dependency, about ([\d.]+) MB/],
        ['docs/development.md', /\(([\d.]+) MB in all, tested\)/],
      ] as const
    ).map(([file, re]) => Number(re.exec(readFileSync(file, 'utf8'))?.[1]));
    for (const claim of claims)
      assert.ok(Math.abs(claim - size / 1e6) / (size / 1e6) < 0.1, `the README says ${claim} MB, measured ${(size / 1e6).toFixed(2)} MB`);
    assert.ok(!packages.includes('@electric-sql') && !packages.includes('pg') && !packages.includes('hono'), packages.join(', '));
  });

  it('loads the server module and the sandbox without the databases, and names the command when a store (or metrics) needs one', async () => {
    const script = `
      const { createSandbox } = await import('amazon-pay-v2/sandbox');
      const { openOrderStore, MemoryOrderStore, createPromMetrics } = await import('amazon-pay-v2/server');
      console.log(typeof createSandbox().app.fetch, typeof new MemoryOrderStore().get);
      try { await openOrderStore({ dataDir: 'orders' }); } catch (e) { console.log(e.message); }
      try { await openOrderStore({ databaseUrl: 'postgres://127.0.0.1:1/x' }); } catch (e) { console.log(e.message); }
      try { await createPromMetrics(); } catch (e) { console.log(e.message); }`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    const [loaded, pglite, pg, metrics] = stdout.trim().split('\n');
    assert.equal(loaded, 'function function');
    assert.match(pglite, /needs PGlite, which is not installed: npm install @electric-sql\/pglite@0\.5\.17/);
    assert.match(pg, /the PostgreSQL client is not installed: npm install pg/);
    assert.match(metrics, /metrics need prom-client, which is not installed: npm install prom-client@15/);
  });

  it('ships the sandbox as a command: npx amazon-pay-v2 sandbox', async () => {
    const proc = spawn(join(dir, 'node_modules', '.bin', 'amazon-pay-v2'), ['sandbox', '--port', '0', '--state-file', 'none'], { cwd: dir });
    try {
      const origin = await new Promise<string>((resolve, reject) => {
        let out = '';
        proc.stdout.on('data', (c) => {
          out += c;
          const m = /sandbox on (http:\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        proc.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const script = await fetch(`${origin}/amazon/checkout.js`);
      assert.equal(script.status, 200);
      assert.match(await script.text(), /renderButton/);
    } finally {
      proc.kill();
    }
    const bad = await run(join(dir, 'node_modules', '.bin', 'amazon-pay-v2'), ['nonsense']).catch((e) => e);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown command 'nonsense'[\s\S]*Usage: amazon-pay-v2/);
  });
});
