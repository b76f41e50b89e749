/**
 * One small SQL interface over the two databases the order store runs on: PGlite (Postgres
 * compiled to WASM, in a data folder, no server) and Postgres through node-postgres (DATABASE_URL).
 * The same SQL and migrations run on both.
 */
import { openPgliteThread } from './pglite-thread.js';

export type Query = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

export interface Sql {
  query: Query;
  /** Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK on a throw). */
  transaction<T>(fn: (query: Query) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** `pglite` or `postgres`, for messages. */
  kind: string;
  /** How many statements can usefully run at once: 1 for PGlite, the pool's size for Postgres. */
  parallel: number;
}

/**
 * PGlite in `dataDir` (created when missing); `memory://` keeps it in memory. It runs on a worker
 * thread (see pglite-thread.ts), one statement at a time: a transaction holds the session until
 * it ends, and other statements wait for it.
 */
export async function openPglite(dataDir: string): Promise<Sql> {
  const db = await openPgliteThread(dataDir);
  // Postgres's default since 9.1, set here because `literal` below relies on it: inside '…' only a
  // quote needs escaping, a backslash is a backslash.
  await db.query('set standard_conforming_strings = on');
  let last: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = last.then(fn);
    last = run.catch(() => {});
    return run;
  };
  // PGlite parses and plans every statement it is sent, and for the checkout's writes (one
  // statement over two tables) that is three quarters of the cost. So a statement with parameters
  // that comes again is prepared (PREPARE) and from then on run with EXECUTE, its values written
  // as literals (PGlite's protocol API has no named statements).
  // A statement seen once is sent as it is: one-off statements would otherwise each be planned
  // twice and push the common ones out.
  const prepared = new Map<string, string>(); // text → statement name, least recently used first
  const seen = new Set<string>();
  let named = 0;
  // One native replace: the batched writes' JSON runs to tens of kilobytes, and escaping it a
  // character at a time (node-postgres's escapeLiteral) showed in every profile of the checkout.
  const literal = (value: unknown) => (value === null || value === undefined ? 'null' : `'${String(value).replaceAll("'", "''")}'`);
  async function run(text: string, params?: unknown[]) {
    if (!params?.length) return db.query(text);
    let name = prepared.get(text);
    if (name) {
      prepared.delete(text);
    } else if (!seen.has(text)) {
      if (seen.size >= MAX_PREPARED) seen.delete(seen.values().next().value!);
      seen.add(text);
      return db.query(text, params);
    } else {
      seen.delete(text);
      name = `amazon_pay_${++named}`;
      await db.query(`prepare ${name} as ${text}`);
      if (prepared.size >= MAX_PREPARED) {
        const [oldest, old] = prepared.entries().next().value!;
        prepared.delete(oldest);
        await db.query(`deallocate ${old}`);
      }
    }
    prepared.set(text, name);
    return db.query(`execute ${name}(${params.map(literal).join(', ')})`);
  }
  // Inside a transaction statements go as they are: a statement prepared there would be lost, or
  // left in an aborted transaction, when the transaction is rolled back.
  const inSession = (async (text: string, params?: unknown[]) => db.query(text, params)) as Query;
  return {
    kind: 'pglite',
    parallel: 1,
    query: ((text: string, params?: unknown[]) => exclusive(() => run(text, params))) as Query,
    transaction: (fn) =>
      exclusive(async () => {
        await db.query('begin');
        try {
          const result = await fn(inSession);
          await db.query('commit');
          return result;
        } catch (error) {
          await db.query('rollback').catch(() => {});
          throw error;
        }
      }),
    close: () => exclusive(() => db.close()),
  };
}

/** How many prepared statements a PGlite session keeps (the store's batched writes are one per shape). */
const MAX_PREPARED = 100;

/** Postgres at `url` (e.g. DATABASE_URL), through a connection pool. */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Sql> {
  let pg: typeof import('pg').default;
  try {
    ({ default: pg } = await import('pg'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error('DATABASE_URL is set, but the PostgreSQL client is not installed: npm install pg');
  }
  const max = options.max ?? 10;
  const pool = new pg.Pool({ connectionString: url, max });
  const query: Query = (async (text: string, params?: unknown[]) => (await pool.query(text, params)).rows) as Query;
  await query('select 1'); // fail at start, with the reason, rather than on the first order
  return {
    kind: 'postgres',
    parallel: max,
    query,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn((async (text: string, params?: unknown[]) => (await client.query(text, params)).rows) as Query);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
