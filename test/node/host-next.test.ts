// Next.js (App Router) as shops run it: the packed tarball installed into a fixture app with the
// current `next`, the README's route file and a page with the element, `next build` with no GMO-PG
// settings at all, then `next start` against the sandbox with the PGlite store, and a whole APB
// payment through it over HTTP.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixtureApp } from './support/packed.js';
import { freePort, payApb, startSandbox, type RunningSandbox } from './support/servers.js';

const NEXT = ['next@16.4.6', 'react@19.3.1', 'react-dom@19.3.1', '@electric-sql/pglite@0.5.17'];

// The route file as the README gives it (Next.js section), in JavaScript so the fixture needs no TypeScript.
const FILES = {
  'app/api/amazon-pay/[...path]/route.js': `
import { amazonPayRoutes } from 'amazon-pay-v2/server';

export const { GET, POST } = amazonPayRoutes({
  basePath: '/api/amazon-pay',
  resolveOrder: () => ({ amount: 1980, description: 'Next.jsのテスト' }),
  completionUrl: '/thanks',
  publicUrl: process.env.PUBLIC_URL,
});
`,
  'app/layout.js': `export default function RootLayout({ children }) {
  return <html lang="ja"><body>{children}</body></html>;
}
`,
  'app/page.js': `'use client';
import 'amazon-pay-v2';

export default function Page() {
  return <amazon-pay-v2 mode="apb" endpoint="/api/amazon-pay/checkout" merchant-id="A2EXAMPLE" public-key-id="SANDBOX-X" sandbox></amazon-pay-v2>;
}
`,
  'app/thanks/page.js': `export default async function Thanks({ searchParams }) {
  const { result, orderId } = await searchParams;
  return <p id="result">{result} {orderId}</p>;
}
`,
};

let dir: string;
let sandbox: RunningSandbox;
let next: ChildProcess | undefined;
let origin: string;
let nextLog = '';

/** The environment of the shop's process: nothing of this test's (no GMO_PG_*, no DATABASE_URL). */
const bare = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, NEXT_TELEMETRY_DISABLED: '1' });

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(dir, 'node_modules', '.bin', 'next'), args, { cwd: dir, env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** `next start` or `next dev` on a free port with the sandbox's settings, once it says it is ready (the one before is stopped). */
async function serve(mode: 'start' | 'dev') {
  await stopNext();
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  nextLog = '';
  const env = { ...bare(), PUBLIC_URL: origin, GMO_PG_BASE_URL: sandbox.baseUrl, GMO_PG_SHOP_ID: sandbox.shopId, GMO_PG_SHOP_PASS: sandbox.shopPass };
  const child = spawn(join(dir, 'node_modules', '.bin', 'next'), [mode, '-p', String(port), '-H', '127.0.0.1'], { cwd: dir, env });
  next = child;
  child.stdout.on('data', (d) => (nextLog += d));
  child.stderr.on('data', (d) => (nextLog += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => /Ready in/.test(nextLog) && resolve());
    child.on('exit', (code) => reject(new Error(`next ${mode} exited ${code}: ${nextLog}`)));
  });
}

/** Stops the running next server and waits for it to exit (it holds the PGlite folder). */
async function stopNext() {
  const child = next;
  next = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const startCheckout = async () => {
  const response = await fetch(`${origin}/api/amazon-pay/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: '{}' });
  assert.equal(response.status, 200, nextLog);
  return ((await response.json()) as { orderId: string }).orderId;
};

before(async () => {
  sandbox = await startSandbox();
  dir = await fixtureApp(FILES, NEXT);
});
after(async () => {
  await stopNext();
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Next.js App Router, from the packed tarball', () => {
  it('builds with no GMO-PG settings: the route file opens nothing at import', async () => {
    const build = await run(['build'], bare());
    assert.equal(build.code, 0, build.output);
    assert.match(build.output, /\/api\/amazon-pay\/\[\.\.\.path\]/);
  });

  it('serves the page and pays an APB checkout end to end under next start', async () => {
    await serve('start');

    const page = await (await fetch(`${origin}/`)).text();
    assert.match(page, /<amazon-pay-v2 mode="apb" endpoint="\/api\/amazon-pay\/checkout"/, 'the element is server-rendered as a tag');

    // The browser's path, with the headers a browser sends (support/servers.ts payApb).
    const paid = await payApb(sandbox, origin);
    assert.equal(paid.retUrl, `${origin}/api/amazon-pay/result`, 'RetURL is the public URL');
    assert.equal(paid.status, 303, paid.body + nextLog);
    assert.equal(paid.landing!.searchParams.get('result'), 'success');
    assert.match(await (await fetch(paid.landing!)).text(), new RegExp(`success.*${paid.orderId}`));
    assert.equal(sandbox.state.tradeByOrder(sandbox.shopId, paid.orderId)!.status, 'AUTH');
    assert.match(nextLog, new RegExp(`checkout started.*${paid.orderId}`));
    assert.doesNotMatch(nextLog, /sandboxpass1/);
  });

  it('refuses a checkout from another origin with a message that says what to set', async () => {
    const other = origin.replace('127.0.0.1', 'localhost');
    const refused = await fetch(`${origin}/api/amazon-pay/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: other },
      body: '{}',
    });
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /publicUrl|allowedOrigins/);
  });

  it('next dev: an edit of the route file takes effect on reload, and the reloaded module shares the store (no second opener of the PGlite folder)', async () => {
    await serve('dev');
    const first = await startCheckout();
    assert.equal(sandbox.state.tradeByOrder(sandbox.shopId, first)!.amount, 1980);
    const route = join(dir, 'app/api/amazon-pay/[...path]/route.js');
    writeFileSync(route, readFileSync(route, 'utf8').replace('amount: 1980', 'amount: 2980'));
    let amount = 1980;
    for (let i = 0; i < 60 && amount === 1980; i++) {
      await new Promise((r) => setTimeout(r, 500));
      amount = sandbox.state.tradeByOrder(sandbox.shopId, await startCheckout())!.amount;
    }
    assert.equal(amount, 2980, `the edit never took effect:\n${nextLog}`);
    assert.doesNotMatch(nextLog, /in use by process|FolderLocked|not configured/);
  });
});
