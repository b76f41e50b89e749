// A PGlite order folder under what real hosting does to it: a second process, kill -9, a full
// disk, a torn or damaged journal. Child processes are real Node processes on the same folder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { journalEntry } from './support/orders.js';
import { LOCK_FILE } from '../../src/server/orders/folder-lock.js';
import { OrderJournal } from '../../src/server/orders/journal.js';
import { JOURNAL_FILE, openOrderStore } from '../../src/server/orders/open-store.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'apv2-folder-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const storeUrl = JSON.stringify(new URL('../../src/server/orders/open-store.ts', import.meta.url).href);
const journalUrl = JSON.stringify(new URL('../../src/server/orders/journal.ts', import.meta.url).href);

const entry = journalEntry;
const line = (e: unknown) => JSON.stringify(e) + '\n';

/** A child Node process running `script` (an ES module); resolves once it prints `ready`. */
function child(script: string, shell?: string) {
  const args = ['--import', 'tsx', '--input-type=module', '-e', script];
  const proc = shell ? spawn('bash', ['-c', `${shell}; exec "$0" "$@"`, process.execPath, ...args]) : spawn(process.execPath, args);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c) => (stdout += c));
  proc.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  const ready = new Promise<void>((resolveReady, reject) => {
    proc.stdout.on('data', () => stdout.includes('ready') && resolveReady());
    void exited.then(({ code }) => reject(new Error(`child exited (${code}) before it was ready: ${stderr || stdout}`)));
  });
  return { proc, ready, exited, out: () => stdout, err: () => stderr };
}

describe('a new PGlite folder', () => {
  it('says at start that the database is being created (it takes seconds), and says nothing on later starts', async () => {
    const folder = join(dir, 'fresh');
    const said: string[] = [];
    const logger = { info: (message: string) => said.push(message) };
    await (await openOrderStore({ dataDir: folder, logger })).close();
    assert.equal(said.length, 1);
    assert.match(said[0], new RegExp(`creating a new PGlite database in ${folder}; the first start takes a few seconds`));
    await (await openOrderStore({ dataDir: folder, logger })).close();
    assert.equal(said.length, 1, 'a second start creates nothing');
  });
});

describe('one process per PGlite folder', () => {
  it('refuses a second process at once, naming the folder, the holder and the fix; takes over after the holder is killed', async () => {
    const dataDir = join(dir, 'locked');
    const holder = child(`import { openOrderStore } from ${storeUrl};
      const store = await openOrderStore({ dataDir: ${JSON.stringify(dataDir)} });
      const e = ${JSON.stringify(entry('LOCK-1'))};
      await store.create(e.fields, e.event, { journal: true });
      console.log('ready');
      setInterval(() => {}, 1000);`);
    await holder.ready;
    const started = Date.now();
    const refused = await openOrderStore({ dataDir }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(refused, 'a second opener must fail');
    assert.ok(Date.now() - started < 2000, 'at once, without waiting for PGlite');
    assert.equal(refused.name, 'FolderLockedError');
    assert.ok(refused.message.includes(resolve(dataDir)), refused.message);
    assert.match(refused.message, new RegExp(`process ${holder.proc.pid}\\b`));
    assert.match(refused.message, /PostgreSQL \(DATABASE_URL\) for several processes/);

    holder.proc.kill('SIGKILL');
    assert.equal((await holder.exited).signal, 'SIGKILL');
    assert.ok(existsSync(join(dataDir, LOCK_FILE)), 'kill -9 leaves its lock behind');
    const store = await openOrderStore({ dataDir }); // a dead holder does not block the restart
    try {
      assert.equal((await store.get('LOCK-1'))!.stage, 'entered', 'the killed process kept its order');
      await assert.rejects(openOrderStore({ dataDir }), /in use by this same process/);
    } finally {
      await store.close();
    }
    assert.ok(!existsSync(join(dataDir, LOCK_FILE)), 'close releases the lock');
  });

  it('takes over a lock whose pid now belongs to another program (a reused pid)', async () => {
    const dataDir = join(dir, 'reused');
    mkdirSync(dataDir, { recursive: true });
    // pid 1 is alive, but it was not running when this lock was written (its start time differs).
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: 1, host: (await import('node:os')).hostname(), started: '1' }));
    const store = await openOrderStore({ dataDir });
    await store.close();
  });
});

describe('the journal under damage', () => {
  it('sets aside every line it cannot apply, says so loudly, and starts with the rest', async () => {
    const dataDir = join(dir, 'damaged');
    mkdirSync(dataDir, { recursive: true });
    const journal = join(dataDir, JOURNAL_FILE);
    writeFileSync(
      journal,
      line(entry('GOOD-1')) +
        'null\n' +
        '{}\n' +
        line(entry('NUL-1', { description: 'a\u0000b' })) +
        line(entry('ODD-1', { 'amount) values (1); drop table x; --': 1 })) +
        'not json at all\n' +
        line(entry('GOOD-2')),
    );
    const errors: string[] = [];
    const original = console.error;
    console.error = (m: string) => errors.push(String(m));
    let store;
    try {
      store = await openOrderStore({ dataDir, logger: { info() {} } });
    } finally {
      console.error = original;
    }
    try {
      assert.equal((await store.get('GOOD-1'))!.stage, 'entered');
      assert.equal((await store.get('GOOD-2'))!.stage, 'entered');
      assert.equal(await store.get('NUL-1'), undefined);
      assert.equal(statSync(journal).size, 0, 'the journal is emptied: nothing is retried for ever');
      const rejected = readFileSync(`${journal}.rejected`, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        rejected.map((r) => r.reason.replace(/:.*/s, '')).sort((a, b) => a.localeCompare(b)),
        ['no order fields', 'not JSON', 'not an order entry (null)', 'the database refused it', 'unknown order fields'].sort((a, b) => a.localeCompare(b)),
      );
      assert.ok(
        rejected.find((r) => r.line.includes('NUL-1')),
        'the refused order is kept for a person',
      );
      assert.equal(errors.length, 5);
      assert.ok(
        errors.every((e) => e.includes(`${journal}.rejected`)),
        errors.join('\n'),
      );
    } finally {
      await store.close();
    }
  });

  it('sets aside an order the database refuses at run time instead of retrying it for ever', async () => {
    const dataDir = join(dir, 'refused-live');
    const store = await openOrderStore({ dataDir });
    const original = console.error;
    const errors: string[] = [];
    console.error = (m: string) => errors.push(String(m));
    try {
      const bad = entry('LIVE-NUL', { description: 'x\u0000' });
      await store.create(bad.fields as never, bad.event as never, { journal: true });
      assert.equal(await store.get('LIVE-NUL'), undefined);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(statSync(join(dataDir, JOURNAL_FILE)).size, 0);
      assert.match(readFileSync(join(dataDir, `${JOURNAL_FILE}.rejected`), 'utf8'), /LIVE-NUL/);
      assert.ok(errors.some((e) => /set aside/.test(e)));
      assert.ok(!errors.some((e) => /trying again/.test(e)));
    } finally {
      console.error = original;
      await store.close();
    }
  });

  it('repairs a torn last line at open, so the next order gets a line of its own', async () => {
    const dataDir = join(dir, 'torn');
    mkdirSync(dataDir, { recursive: true });
    const journal = join(dataDir, JOURNAL_FILE);
    writeFileSync(journal, line(entry('TORN-OK')) + '{"fields":{"orderId":"TORN-HALF","ki');
    const errors: string[] = [];
    const original = console.error;
    console.error = (m: string) => errors.push(String(m));
    const j = OrderJournal.open(journal);
    console.error = original;
    assert.deepEqual(
      j.leftover.map((l) => (l.entry as { fields: { orderId: string } }).fields.orderId),
      ['TORN-OK'],
    );
    j.append(entry('TORN-NEXT'));
    j.close();
    const lines = readFileSync(journal, 'utf8').split('\n');
    assert.deepEqual(
      lines.map((l) => (l ? JSON.parse(l).fields.orderId : '')),
      ['TORN-OK', 'TORN-NEXT', ''],
    );
    assert.match(readFileSync(`${journal}.rejected`, 'utf8'), /"reason":"torn.*TORN-HALF/);
    assert.equal(errors.length, 1);
  });

  it('fails an append the disk could not take whole, and leaves no partial line behind', async () => {
    const path = join(dir, 'full.journal');
    // ulimit -f: the file may not grow past 2 kB, as on a full disk; writes past it come back short.
    const proc = child(
      `import { OrderJournal } from ${journalUrl};
      const j = OrderJournal.open(${JSON.stringify(path)});
      let kept = 0, error;
      for (let i = 0; i < 100 && !error; i++) {
        try { j.append(${JSON.stringify(entry('FULL'))}); kept++; } catch (e) { error = e.message; }
      }
      console.log(JSON.stringify({ kept, error }));
      console.log('ready');`,
      'ulimit -f 2',
    );
    await proc.ready;
    await proc.exited;
    const { kept, error } = JSON.parse(proc.out().split('\n')[0]);
    assert.ok(kept > 0 && kept < 100, `kept ${kept}`);
    assert.match(error, /took \d+ of \d+ bytes .*the order was not recorded/);
    const text = readFileSync(path, 'utf8');
    assert.ok(text.endsWith('\n'));
    assert.equal(text.split('\n').filter(Boolean).length, kept, 'every line kept is whole, and only those');
  });

  it('names the journal file and what to do when it cannot be used', async () => {
    const dataDir = join(dir, 'journal-dir');
    mkdirSync(join(dataDir, JOURNAL_FILE), { recursive: true });
    const error = await openOrderStore({ dataDir }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(error);
    assert.ok(error.message.includes(join(dataDir, JOURNAL_FILE)), error.message);
    assert.match(error.message, /EISDIR.*move it away and start again/);
    assert.ok(!existsSync(join(dataDir, LOCK_FILE)), 'a failed open leaves no lock');
  });
});
