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
  // Values are text, numbers, booleans or dates (JSON columns arrive as text, see schema.ts's param).
  const text = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));
  const literal = (value: unknown) => (value === null || value === undefined ? 'null' : `'${text(value).replaceAll("'", "''")}'`);
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

/**
 * The database cannot be reached right now (a PostgreSQL restart, a network cut, a frozen server
 * that did not answer within the timeouts): the request gets 503 `STORE_UNAVAILABLE`, and the store
 * works again by itself once the database is back (the pool opens new connections).
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** Timeouts of the PostgreSQL store: no request waits for the database longer than these. */
export interface PostgresTimeouts {
  /** Opening a connection; default 5000 ms. */
  connectTimeoutMs?: number;
  /** One statement, on the server (statement_timeout) and in the client (a frozen server answers nothing); default 15000 ms. */
  queryTimeoutMs?: number;
}

/**
 * Whether an error says the database is away rather than that it refused the statement: SQLSTATE
 * class 08 (connection), 57P01-57P03 (shutting down, cannot connect now), 57014 (statement timeout),
 * and the client's own connection and timeout errors.
 */
function unavailable(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException & { code?: unknown };
  if (
    typeof e?.code === 'string' &&
    (e.code.startsWith('08') ||
      /^57P0[123]$/.test(e.code) ||
      e.code === '57014' ||
      /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH|AI_AGAIN)$/.test(e.code))
  )
    return true;
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|connection is closed/i.test(
    e?.message ?? '',
  );
}

const asUnavailable = (error: unknown) =>
  unavailable(error) ? new StoreUnavailableError(`the PostgreSQL order store cannot be reached: ${(error as Error).message}`, { cause: error }) : error;

/**
 * Postgres at `url` (e.g. DATABASE_URL), through a connection pool. The pool outlives the server: a
 * restart or a cut fails the statements under way (StoreUnavailableError), is logged once, and the
 * next statements open new connections. Every statement has a timeout, in the server and in the client.
 */
export async function openPostgres(url: string, options: { max?: number } & PostgresTimeouts = {}): Promise<Sql> {
  let pg: typeof import('pg').default;
  try {
    ({ default: pg } = await import('pg'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error('DATABASE_URL is set, but the PostgreSQL client is not installed: npm install pg');
  }
  const max = options.max ?? 10;
  const queryTimeoutMs = options.queryTimeoutMs ?? 15_000;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    // The server ends a statement (and a transaction left idle) that runs too long; the client gives
    // up a little later on a server that answers nothing at all (frozen, or a half-open connection).
    statement_timeout: queryTimeoutMs,
    idle_in_transaction_session_timeout: queryTimeoutMs,
    query_timeout: queryTimeoutMs + 1_000,
    keepAlive: true,
  });
  // An idle connection the server closed (a restart) is reported here; unheard, it would end the process.
  let lastReport = 0;
  const report = (error: Error) => {
    if (Date.now() - lastReport < 10_000) return;
    lastReport = Date.now();
    console.error(`[amazon-pay-v2] the PostgreSQL order store lost a connection (${error.message}); new ones are opened as needed`);
  };
  pool.on('error', report);
  // And every connection keeps a listener of its own for its whole life: the pool listens only while
  // a connection is idle, and pool.query only once, so the server's goodbye (57P01) to a connection
  // the pool has just discarded after a timeout would otherwise end the process (found by the model test).
  pool.on('connect', (client) => client.on('error', report));
  const query: Query = (async (text: string, params?: unknown[]) => {
    try {
      return (await pool.query(text, params)).rows;
    } catch (error) {
      throw asUnavailable(error);
    }
  }) as Query;
  await query('select 1'); // fail at start, with the reason, rather than on the first order
  return {
    kind: 'postgres',
    parallel: max,
    query,
    async transaction(fn) {
      let client: import('pg').PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw asUnavailable(error);
      }
      // A checked-out connection has no listener of the pool's: the server going away mid-transaction
      // must fail this transaction, not the process.
      let broken: Error | undefined;
      const onError = (error: Error) => ((broken = error), report(error));
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn((async (text: string, params?: unknown[]) => (await client.query(text, params)).rows) as Query);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken ??= unavailable(error) ? (error as Error) : undefined;
        if (!broken) await client.query('ROLLBACK').catch(() => {});
        throw asUnavailable(error);
      } finally {
        client.removeListener('error', onError);
        client.release(broken); // a broken connection is closed, not handed out again
      }
    },
    close: () => pool.end(),
  };
}
