/**
 * PGlite on a thread of its own. PGlite is Postgres compiled to WASM: every statement is CPU work
 * (~0.5–1 ms) on the thread that runs it. On the server's own thread that time is taken from
 * every request being handled; on a worker thread the server keeps answering while the order is
 * written, and the checkout's write overlaps the GMO-PG call it runs beside.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

type Request = { id: number; text: string; params?: unknown[] } | { id: number; close: true };
type Reply = { id: number; rows?: unknown[]; error?: { message: string; code?: string; detail?: string } };

// The worker's side, as plain JavaScript run with `eval`: a worker cannot load a TypeScript file
// on Node 20 (loader hooks do not reach workers), and a separate file would have to be found
// again wherever a bundler puts this module. It opens the database, then runs each statement in
// the order received and answers it; messages that arrive while the database opens wait for it.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { pglite, dataDir } = workerData;
const ready = (async () => {
  const { PGlite } = await import(pglite);
  if (!dataDir.includes('://')) require('node:fs').mkdirSync(dataDir, { recursive: true });
  const db = new PGlite(dataDir);
  await db.waitReady;
  return db;
})();
let chain = Promise.resolve();
parentPort.on('message', (request) => {
  chain = chain.then(async () => {
    try {
      const db = await ready;
      if (request.close) {
        await db.close();
        return parentPort.postMessage({ id: request.id });
      }
      const { rows } = await db.query(request.text, request.params);
      parentPort.postMessage({ id: request.id, rows });
    } catch (error) {
      parentPort.postMessage({ id: request.id, error: { message: error.message, code: error.code, detail: error.detail } });
    }
  });
});
`;
/** The command that adds PGlite, at the version this package is tested with. */
export const PGLITE_INSTALL = 'npm install @electric-sql/pglite@0.5.17';

/**
 * Where PGlite is, for the worker to import. import.meta.resolve where it works; inside a bundle
 * (Next.js, webpack) it may not exist, and then the app's own node_modules are asked, from the
 * working folder, as a require from there would.
 */
export function resolvePglite(): string {
  try {
    return import.meta.resolve('@electric-sql/pglite');
  } catch {
    try {
      return pathToFileURL(createRequire(join(process.cwd(), 'package.json')).resolve('@electric-sql/pglite')).href;
    } catch {
      throw new Error(`the order store needs PGlite, which is not installed: ${PGLITE_INSTALL} (or use PostgreSQL: npm install pg, and set DATABASE_URL)`);
    }
  }
}

/** A PGlite session on a worker thread: one statement at a time, in the order they are sent. */
export interface PgliteThread {
  query(text: string, params?: unknown[]): Promise<unknown[]>;
  close(): Promise<void>;
}

/** Starts the worker, opens (creating when missing) the database in `dataDir`, and resolves once it is ready. */
export async function openPgliteThread(dataDir: string): Promise<PgliteThread> {
  const pglite = resolvePglite();
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { pglite, dataDir },
    execArgv: [], // not the parent's test, inspector or loader flags
  });
  const pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (!pending.size) worker.unref();
    if (reply.error) p.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code, detail: reply.error.detail }));
    else p.resolve(reply.rows ?? []);
  });
  worker.on('error', (error) => failAll(new Error(`the order database thread failed: ${error.message}`)));
  worker.on('exit', (code) => failAll(new Error(`the order database thread exited (code ${code})`)));

  const send = (request: Omit<Request, 'id'>) =>
    new Promise<unknown[]>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref(); // a statement in flight keeps the process alive; an idle database does not
      worker.postMessage({ ...request, id });
    });

  await send({ text: 'select 1' }); // id 1 waits for the database to open, and fails with its reason
  return {
    query: (text, params) => send({ text, params }),
    async close() {
      if (failure) return;
      await send({ close: true });
      await worker.terminate();
    },
  };
}
