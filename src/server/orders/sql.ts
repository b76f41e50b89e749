/**
 * One small SQL interface over the two databases the order store runs on: PGlite (Postgres
 * compiled to WASM, in a data folder, no server) and Postgres through node-postgres (DATABASE_URL).
 * The same SQL and migrations run on both.
 */
export type Query = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

export interface Sql {
  query: Query;
  /** Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK on a throw). */
  transaction<T>(fn: (query: Query) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** `pglite` or `postgres`, for messages. */
  kind: string;
}

/** PGlite in `dataDir` (created when missing); `memory://` keeps it in memory. */
export async function openPglite(dataDir: string): Promise<Sql> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (!dataDir.includes('://')) (await import('node:fs')).mkdirSync(dataDir, { recursive: true });
  const db = new PGlite(dataDir);
  await db.waitReady;
  const wrap = (q: { query: (t: string, p?: unknown[]) => Promise<{ rows: unknown[] }> }): Query =>
    (async (text: string, params?: unknown[]) => (await q.query(text, params)).rows) as Query;
  return {
    kind: 'pglite',
    query: wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}

/** Postgres at `url` (e.g. DATABASE_URL), through a connection pool. */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Sql> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  const query: Query = (async (text: string, params?: unknown[]) => (await pool.query(text, params)).rows) as Query;
  await query('select 1'); // fail at start, with the reason, rather than on the first order
  return {
    kind: 'postgres',
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
