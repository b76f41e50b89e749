/**
 * Where the orders are kept, and opening the store there: PostgreSQL (DATABASE_URL) for several
 * servers, else PGlite in a folder, locked to one process, with the journal of new orders.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../telemetry/logger.js';
import { lockFolder } from './folder-lock.js';
import { OrderJournal } from './journal.js';
import { resolvePglite } from './pglite-thread.js';
import { openPglite, openPostgres, type PostgresTimeouts, type Sql } from './sql.js';
import { SqlOrderStore } from './sql-store.js';

/**
 * Opens the order store and migrates it: Postgres when `databaseUrl` (default DATABASE_URL, unless
 * a `dataDir` is given) is set, for shops that run several servers; otherwise PGlite in `dataDir`
 * (default .data/orders), which needs no server and keeps its data across restarts, for one process.
 */
/**
 * Where `openOrderStore(options)` keeps the orders: an explicit databaseUrl, else an explicit
 * dataDir, else DATABASE_URL, else the PGlite folder .data/orders (relative to the working folder).
 */
export function storeLocation(options: { databaseUrl?: string; dataDir?: string } = {}): { databaseUrl: string } | { dataDir: string } {
  const databaseUrl = options.databaseUrl ?? (options.dataDir === undefined ? process.env.DATABASE_URL : undefined);
  return databaseUrl ? { databaseUrl } : { dataDir: options.dataDir ?? '.data/orders' };
}

export async function openOrderStore(
  options: {
    databaseUrl?: string;
    dataDir?: string;
    /** PostgreSQL: how long a statement or a connection may take (sql.ts). */
    postgres?: PostgresTimeouts;
    /** PGlite folder: the lock's lease is taken over when not renewed for this long (default 30000 ms; folder-lock.ts). */
    lockStaleMs?: number;
    /** Where to say that a new PGlite database is being created (default stderr, which leaves a program's stdout to its data). */
    logger?: Pick<Logger, 'info'>;
  } = {},
): Promise<SqlOrderStore> {
  const where = storeLocation(options);
  if ('databaseUrl' in where) {
    const store = new SqlOrderStore(await openPostgres(where.databaseUrl, options.postgres));
    await store.migrate();
    return store;
  }
  const { dataDir } = where;
  // In memory there is nothing to survive and nothing to share: no lock, no journal.
  if (dataDir.includes('://')) {
    const store = new SqlOrderStore(await openPglite(dataDir));
    await store.migrate();
    return store;
  }
  // The lock first: a second process must not even open the database files (see folder-lock.ts).
  mkdirSync(dataDir, { recursive: true });
  let opened: SqlOrderStore | undefined;
  const lock = lockFolder(dataDir, {
    staleMs: options.lockStaleMs,
    onLost: (error) => (opened ? opened.lockLost(error) : console.error(`[amazon-pay-v2] ${error.message}`)),
  });
  let sql: Sql | undefined;
  let journal: OrderJournal | undefined;
  try {
    // The journal lives in the data folder, so that the two are moved and backed up together.
    // Opened first: a journal that cannot be used fails the start before PGlite's seconds of set-up.
    journal = OrderJournal.open(join(dataDir, JOURNAL_FILE));
    // A new database takes PGlite seconds to create (3 s on a quiet 2-core machine, up to 20 s under
    // load; later starts about 0.5 s): said, so that a slow first start is not taken for a hang.
    if (!existsSync(join(dataDir, 'PG_VERSION')) && resolvePglite()) {
      // (PGlite missing: its own error first)
      (options.logger ?? { info: (message: string) => console.error(`[amazon-pay-v2] ${message}`) }).info(
        `order store: creating a new PGlite database in ${dataDir}; the first start takes a few seconds (later ones under one)`,
      );
    }
    sql = await openPglite(dataDir);
    const store = (opened = new SqlOrderStore(sql, { journal, lock }));
    await store.migrate();
    await store.replayJournal();
    return store;
  } catch (error) {
    journal?.close();
    await sql?.close().catch(() => {});
    lock.release();
    throw error;
  }
}

/** The journal's file name inside a PGlite data folder (Postgres ignores files it does not know). */
export const JOURNAL_FILE = 'amazon-pay-v2.journal';
