/**
 * What every `orders` command shares: the store and GMO-PG opened on first use (and closed after),
 * printing as text or JSON, the question before a change, and a failure turned into its exit code.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { BackOfficeError, createBackOffice, type BackOffice } from '../server/ops/back-office.js';
import { createGmoPgClient, type GmoPgClient } from '../server/client/gmo-pg-client.js';
import { GmoPgError, GmoPgTransportError } from '../server/client/errors.js';
import { safeLogger, type Logger } from '../server/telemetry/logger.js';
import { FolderLockedError } from '../server/orders/folder-lock.js';
import { openOrderStore, storeLocation } from '../server/orders/open-store.js';
import type { OrderStore } from '../server/orders/types.js';
import { confirm } from './ask.js';
import { CliError, EXIT } from './exit.js';

export interface Globals {
  json?: boolean;
  databaseUrl?: string;
  dataDir?: string;
  yes?: boolean;
  progress?: boolean;
  verbose?: boolean;
}

/** What a command gets: the store and back office, opened on first use, and how to print. */
export interface CommandSession {
  opts: Globals;
  store(): Promise<OrderStore>;
  /** GMO-PG's client from the GMO_PG_* variables. */
  gmo(): GmoPgClient;
  /**
   * The back office on the store. For `read`, GMO-PG's settings are looked at only if a GMO-PG
   * call is made (listing needs none); otherwise at once, so that a bad setting stops a change
   * before its question is asked.
   */
  backOffice(use?: 'read' | 'change'): Promise<BackOffice>;
  /** Prints `value` as JSON with --json, else `human` (text, or a function making it). */
  print(value: unknown, human: string | (() => string)): void;
  /** Asks before a change (unless --yes). */
  confirmOrStop(question: string): Promise<void>;
  logger: Logger;
}

/** Wraps a command's action: opens what it asks for, prints its failure with an exit code, closes the store. */
export function session<A extends unknown[]>(fn: (s: CommandSession, ...args: A) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const opts = command.optsWithGlobals<Globals>();
    let store: OrderStore | undefined;
    let gmo: GmoPgClient | undefined;
    const logger = safeLogger(stderrLogger(!!opts.verbose, !!opts.json));
    const s: CommandSession = {
      opts,
      logger,
      async store() {
        if (store) return store;
        // A folder that holds no store yet is a typo or the wrong folder: opening it would make
        // an empty store there and answer "no orders".
        const where = storeLocation({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
        if ('dataDir' in where && !existsSync(join(where.dataDir, 'PG_VERSION'))) {
          throw new CliError(
            `no order store in ${resolve(where.dataDir)}: give the server's folder with --data-dir (its default is .data/orders where the server runs), or DATABASE_URL for PostgreSQL`,
            EXIT.unavailable,
            'STORE_UNAVAILABLE',
          );
        }
        try {
          return (store = await openOrderStore({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir }));
        } catch (error) {
          const hint = error instanceof FolderLockedError ? '' : ' (DATABASE_URL or --database-url for PostgreSQL; --data-dir for a PGlite folder)';
          throw new CliError(`the order store could not be opened: ${(error as Error).message}${hint}`, EXIT.unavailable, 'STORE_UNAVAILABLE');
        }
      },
      gmo() {
        try {
          return (gmo ??= createGmoPgClient());
        } catch (error) {
          throw new CliError((error as Error).message, EXIT.unavailable, 'GMO_PG_NOT_CONFIGURED');
        }
      },
      async backOffice(use = 'change') {
        const store = await s.store();
        const gmo = use === 'read' ? new Proxy({} as GmoPgClient, { get: (_, key) => Reflect.get(s.gmo(), key) }) : s.gmo();
        return createBackOffice(store, gmo, logger);
      },
      print(value, human) {
        process.stdout.write(opts.json ? JSON.stringify(value, null, 2) + '\n' : typeof human === 'function' ? human() : human);
      },
      async confirmOrStop(question) {
        if (opts.yes) return;
        if (!(await confirm(question))) throw new CliError('not confirmed: nothing was changed (answer y, or add --yes)', EXIT.notConfirmed, 'NOT_CONFIRMED');
      },
    };
    try {
      await fn(s, ...(args.slice(0, -1) as A));
    } catch (error) {
      report(error, !!opts.json);
    } finally {
      await store?.close().catch(() => {});
    }
  };
}

/** Prints a failure and sets the exit code that says what kind it was. */
function report(error: unknown, json: boolean): void {
  let exitCode: number = EXIT.refused;
  let code = 'FAILED';
  let message = (error as Error)?.message ?? String(error);
  if (error instanceof CliError) ({ exitCode, code } = error);
  else if (error instanceof GmoPgError) code = 'GMO_PG_REFUSED';
  else if (error instanceof GmoPgTransportError) {
    exitCode = EXIT.unknown;
    code = 'GMO_PG_NO_ANSWER';
    message += ': the outcome is unknown; look again with "orders show" or "orders reconcile" before trying again';
  } else if (error instanceof BackOfficeError) code = 'REFUSED';
  process.stderr.write(json ? JSON.stringify({ error: { code, message } }) + '\n' : `error: ${message}\n`);
  process.exitCode = exitCode;
}

/** A bar on stderr when it is a terminal (or --progress), never with --json unless asked. */
export function progressBar(format: string, forced: boolean | undefined, json: boolean | undefined) {
  if (!forced && (json || !process.stderr.isTTY)) return undefined;
  return new cliProgress.SingleBar(
    { format, stream: process.stderr, noTTYOutput: !!forced, notTTYSchedule: 250, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
}

/**
 * The back office's log on stderr: warnings always, the rest with --verbose. With --json, stderr
 * carries only the error object (scripts parse it), unless --verbose asks for the log too.
 */
function stderrLogger(verbose: boolean, json: boolean): Logger {
  const line = (level: string, m: string, d?: Record<string, unknown>) => process.stderr.write(`${level} ${m}${d ? ' ' + JSON.stringify(d) : ''}\n`);
  return {
    info: (m, d) => verbose && line('info', m, d),
    warn: (m, d) => (verbose || !json) && line('warn', m, d),
    error: (m, d) => line('error', m, d),
  };
}
