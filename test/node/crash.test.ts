// kill -9 during bursts of checkouts, then a restart, several times over: every checkout that
// handed the browser a token still has its order afterwards, on PGlite (journal) and PostgreSQL.
// The shop runs in a child process against the sandbox over real HTTP; the kills are real SIGKILLs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openOrderStore } from '../../src/server/orders/open-store.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';
import { startSandbox, type RunningSandbox } from './support/servers.js';

const ROUNDS = 4;
const WORKERS = 8; // concurrent checkouts during a burst

let sandbox: RunningSandbox;
let pg: TestPostgres;
let dir: string;
before(async () => {
  sandbox = await startSandbox();
  pg = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'apv2-crash-'));
});
after(async () => {
  await sandbox.stop();
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const src = (path: string) => JSON.stringify(new URL(`../../src/server/${path}`, import.meta.url).href);

/** Starts the shop in a child process; resolves with its origin once it listens. */
function startShopProcess(store: { dataDir: string } | { databaseUrl: string }) {
  const script = `
    import { serve } from '@hono/node-server';
    import { Hono } from 'hono';
    import { createAmazonPayHandler } from ${src('endpoint/handler.ts')};
    import { createGmoPgClient } from ${src('client/gmo-pg-client.ts')};
    import { openOrderStore } from ${src('orders/open-store.ts')};
    const quiet = { info() {}, warn() {}, error() {} };
    const handler = await createAmazonPayHandler({
      gmo: createGmoPgClient({ shopId: ${JSON.stringify(sandbox.shopId)}, shopPass: ${JSON.stringify(sandbox.shopPass)}, baseUrl: ${JSON.stringify(sandbox.baseUrl)} }),
      store: await openOrderStore(${JSON.stringify(store)}),
      resolveOrder: () => ({ amount: 1200, description: 'クラッシュ試験' }),
      completionUrl: '/done',
      allowedHosts: ['127.0.0.1'],
      logger: quiet,
    });
    const app = new Hono().route('/api', handler.app);
    serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log('ready ' + info.port));`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
  const origin = new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (c) => {
      out += c;
      const port = /ready (\d+)/.exec(out)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
    void exited.then(() => reject(new Error(`the shop exited before it listened: ${stderr}`)));
  });
  return { proc, origin, exited };
}

/**
 * Checkouts from WORKERS loops until the shop dies (killed `killAfterMs` after the first answer).
 * Returns what the browser was handed: orderId → accessId, and how many requests died in flight.
 */
async function burstThenKill(origin: string, proc: ReturnType<typeof spawn>, killAfterMs: number) {
  const tokens = new Map<string, string>();
  let cut = 0;
  let killed = false;
  let firstAnswer: () => void;
  const answered = new Promise<void>((r) => (firstAnswer = r));
  const worker = async () => {
    while (!killed) {
      try {
        const response = await fetch(`${origin}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: '{}' });
        const answer = (await response.json()) as { token?: string; orderId?: string; accessId?: string };
        if (response.status === 200 && answer.token) tokens.set(answer.orderId!, answer.accessId!);
        firstAnswer();
      } catch {
        cut++; // the connection died with the process
        return;
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, worker);
  await answered;
  await new Promise((r) => setTimeout(r, killAfterMs));
  proc.kill('SIGKILL');
  killed = true;
  await Promise.all(workers);
  return { tokens, cut };
}

describe('kill -9 during bursts of checkouts, then restart', () => {
  for (const kind of ['pglite', 'postgres'] as const) {
    it(`keeps the order of every checkout that returned a token (${kind})`, async (t) => {
      const store = kind === 'pglite' ? { dataDir: join(dir, 'orders') } : { databaseUrl: pg.url };
      const handedOut = new Map<string, string>();
      let cut = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const shop = startShopProcess(store);
        const origin = await shop.origin;
        const burst = await burstThenKill(origin, shop.proc, 80 + round * 70);
        assert.equal(await shop.exited, 'SIGKILL');
        for (const [orderId, accessId] of burst.tokens) handedOut.set(orderId, accessId);
        cut += burst.cut;
      }
      t.diagnostic(`${ROUNDS} kills, ${handedOut.size} tokens handed out, ${cut} checkouts cut off in flight`);
      assert.ok(handedOut.size >= ROUNDS * 5, `${handedOut.size} tokens handed out: the bursts must be real`);
      assert.ok(cut > 0, 'some checkouts were cut off in flight by the kills');

      const orders = await openOrderStore(store); // after the last kill: the restart
      try {
        const missing: string[] = [];
        for (const [orderId, accessId] of handedOut) {
          const order = await orders.get(orderId);
          if (!order || order.accessId !== accessId || !order.accessPass) missing.push(orderId);
          else assert.ok(['entered', 'started'].includes(order.stage), `${orderId} is ${order.stage}`);
          assert.equal(sandbox.state.trades.get(accessId)?.orderId, orderId);
        }
        assert.deepEqual(missing, [], `${missing.length} of ${handedOut.size} orders lost`);
      } finally {
        await orders.close();
      }
    });
  }
});
