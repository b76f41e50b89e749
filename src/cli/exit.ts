/**
 * The CLI's exit codes, for scripts and cron (also in the README). A failure prints its reason on
 * stderr (as `{"error": …}` with --json) and leaves with one of these.
 */
export const EXIT = {
  ok: 0,
  /** GMO-PG refused the operation, or the order is not in a state that allows it: nothing changed. */
  refused: 1,
  /** The command line is wrong (an unknown option, a missing argument, a bad number). */
  usage: 2,
  notFound: 3,
  /** The store or GMO-PG could not be opened or configured (settings, a locked PGlite folder). */
  unavailable: 4,
  /** A change was not confirmed (answer "n", or no answer with no --yes). */
  notConfirmed: 5,
  /** GMO-PG did not answer: the outcome is unknown. Look again with `orders show` (or `orders reconcile`). */
  unknown: 6,
  /** `orders reconcile`: some orders could not be asked; run it again later. */
  incomplete: 7,
} as const;

/** An error the CLI reports with a given exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly code = 'FAILED',
  ) {
    super(message);
  }
}
