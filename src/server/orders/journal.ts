/**
 * The order journal: an append-only file in a PGlite order database's folder, holding the new orders
 * that are not in the database yet.
 *
 * Why: the checkout must not hand the shopper a payment token before its order is durable, and a
 * PGlite write costs ~0.5 ms of CPU (Postgres in WASM) in the middle of every checkout. A line
 * appended to this file is as durable as a PGlite commit (PGlite writes its WAL with `write()` and
 * runs with fsync off: both survive the process crashing, neither a power cut) for a few
 * microseconds, and the database catches up in batches shortly after. On open, lines the
 * database may have missed are applied again; applying one twice changes nothing.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

export class OrderJournal {
  private unapplied = 0;

  private constructor(
    private readonly fd: number,
    /** What a previous process journaled, to apply before anything else. */
    readonly leftover: unknown[],
  ) {}

  /** Opens (creating when missing) the journal at `path`, reading what it still holds. */
  static open(path: string): OrderJournal {
    const leftover: unknown[] = [];
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          leftover.push(JSON.parse(line));
        } catch {
          // Only the last line can be torn (the process died while appending it); its checkout
          // had not answered yet, so the shopper never got a token for it.
        }
      }
    }
    const journal = new OrderJournal(openSync(path, 'a'), leftover);
    journal.unapplied = leftover.length;
    return journal;
  }

  /** Appends one entry; when this returns, the entry survives the process. */
  append(entry: unknown): void {
    writeSync(this.fd, JSON.stringify(entry) + '\n');
    this.unapplied++;
  }

  /** Notes that `count` entries are in the database; empties the file once all of them are. */
  applied(count: number): void {
    this.unapplied -= count;
    if (this.unapplied === 0) ftruncateSync(this.fd, 0); // appends go on at the start
  }

  close(): void {
    closeSync(this.fd);
  }
}
