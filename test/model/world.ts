// The world the model test runs in: the sandbox (GMO-PG and Amazon, in this process, so that faults
// are armed and GMO-PG's truth is read directly), the shop as a child process (killed with -9 and
// started again on the same port and store), and, for the PostgreSQL store, a server of its own
// that the test stops, starts and freezes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startSandbox, type RunningSandbox } from '../node/support/servers.js';
import { startOwnPostgres, type OwnPostgres } from '../node/support/postgres.js';

export type StoreKind = 'pglite' | 'postgres';

/** What a run did, for the report (`npm run soak`) and the README. */
export interface Figures {
  sequences: number;
  operations: number;
  faults: number;
  crashes: number;
  outages: number;
  /** Payment attempts made (checkouts, Buy Now, 随時決済), each with an amount of its own. */
  attempts: number;
  violations: number;
}

export interface World {
  kind: StoreKind;
  sandbox: RunningSandbox;
  pg?: OwnPostgres;
  /** The shop's origin (fixed: GMO-PG's RetURL and notifications point at it across restarts). */
  origin: string;
  api: string;
  /** The client's timeout: a held answer longer than this is a timeout after GMO-PG acted. */
  gmoTimeoutMs: number;
  /** This world's OrderID prefix: its trades among the sandbox's. */
  prefix: string;
  figures: Figures;
  /** Whether the shop process runs (a crash command kills it; the next command starts it). */
  running(): boolean;
  /** kill -9, and wait until it is gone. */
  kill(): Promise<void>;
  /** Starts the shop (again) and waits until it answers. */
  start(): Promise<void>;
  /** A POST to the back-office control routes: the JSON answer and its status. */
  op(name: string, body?: object): Promise<{ status: number; json: any }>;
  /** What the shop's process printed on stderr lately (its error log). */
  log(): string;
  close(): Promise<void>;
}

export async function createWorld(kind: StoreKind, options: { gmoTimeoutMs?: number } = {}): Promise<World> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const sandbox = await startSandbox({ notifyUrl: `${origin}/api/amazon-pay/notify`, notifyRetryDelaysMs: [30, 60, 120], notifyTimeoutMs: 2000 });
  const pg = kind === 'postgres' ? await startOwnPostgres() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'apv2-model-'));
  const gmoTimeoutMs = options.gmoTimeoutMs ?? 500;
  const prefix = `M${Date.now().toString(36).slice(-4).toUpperCase()}`;
  const config = JSON.stringify({
    port,
    gmo: { shopId: sandbox.shopId, shopPass: sandbox.shopPass, baseUrl: sandbox.baseUrl },
    gmoTimeoutMs,
    orderIdPrefix: prefix,
    ...(pg ? { databaseUrl: pg.url } : { dataDir: join(dir, 'orders') }),
  });
  let proc: ChildProcess | undefined;
  let stderr = '';
  const figures: Figures = { sequences: 0, operations: 0, faults: 0, crashes: 0, outages: 0, attempts: 0, violations: 0 };

  const world: World = {
    kind,
    sandbox,
    pg,
    origin,
    api: `${origin}/api/amazon-pay`,
    gmoTimeoutMs,
    prefix,
    figures,
    running: () => !!proc && proc.exitCode === null && proc.signalCode === null,
    async kill() {
      if (!world.running()) return;
      const gone = new Promise((r) => proc!.once('exit', r));
      proc!.kill('SIGKILL');
      await gone;
    },
    async start() {
      if (world.running()) return;
      proc = spawn(process.execPath, [new URL('./shop-process.mjs', import.meta.url).pathname], {
        env: { ...process.env, MODEL_SHOP: config },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc.stderr!.on('data', (c) => (stderr = (stderr + c).slice(-20_000)));
      let out = '';
      await new Promise<void>((resolve, reject) => {
        proc!.stdout!.on('data', (c) => ((out += c), out.includes('ready') && resolve()));
        proc!.once('exit', (code, signal) => reject(new Error(`the shop exited (${code ?? signal}) before it was ready: ${stderr.slice(-2000)}`)));
      });
    },
    async op(name, body = {}) {
      const response = await fetch(`${origin}/__ops/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, json: await response.json() };
    },
    log: () => stderr,
    async close() {
      await world.kill();
      await sandbox.stop();
      pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await world.start();
  return world;
}
