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
 *
 * What cannot be applied is never dropped and never blocks a start: it is set aside, with the
 * reason, in `<journal>.rejected` beside it, for a person to look at.
 */
import { appendFileSync, closeSync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

/** A journal line from an earlier process, as read at open. */
export interface JournalLine {
  line: string;
  entry: unknown;
}

/** The journal file cannot be used: the message names it and what to do. */
export class JournalError extends Error {
  override name = 'JournalError';
}

export class OrderJournal {
  private unapplied = 0;
  /** Bytes in the file: a short append is cut back to this, so no torn line is left behind. */
  private size = 0;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    /** What a previous process journaled, to apply before anything else. */
    readonly leftover: JournalLine[],
    private readonly report: (message: string) => void,
  ) {}

  /** Where lines that cannot be applied are kept. */
  get rejectedPath(): string {
    return `${this.path}.rejected`;
  }

  /**
   * Opens (creating when missing) the journal at `path`, reading what it still holds. A torn last
   * line (the process died while appending it: its checkout had not answered) is cut off and set
   * aside, so that the next line starts on a line of its own.
   */
  static open(path: string, report: (message: string) => void = (m) => console.error(`[amazon-pay-v2] ${m}`)): OrderJournal {
    let text = '';
    let fd: number;
    try {
      fd = openSync(path, 'a+');
      text = readFileSync(fd, 'utf8');
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      throw new JournalError(
        `the order journal ${path} cannot be opened (${e.code ?? e.message}): it must be a file this process can read and write. ` +
          (e.code === 'EISDIR' ? 'Something else is in its place: move it away and start again.' : 'Fix its permissions or the disk, then start again.'),
      );
    }
    const leftover: JournalLine[] = [];
    const setAside: { line: string; reason: string }[] = [];
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      setAside.push({ line: text.slice(end), reason: 'torn: the process stopped while writing this line, before its checkout answered' });
      ftruncateSync(fd, Buffer.byteLength(text.slice(0, end)));
    }
    for (const line of text.slice(0, end).split('\n')) {
      if (!line) continue;
      try {
        leftover.push({ line, entry: JSON.parse(line) });
      } catch {
        setAside.push({ line, reason: 'not JSON' });
      }
    }
    const journal = new OrderJournal(path, fd, leftover, report);
    journal.size = fstatSync(fd).size;
    journal.unapplied = leftover.length;
    for (const { line, reason } of setAside) journal.setAside(line, reason);
    return journal;
  }

  /**
   * Appends one entry; when this returns, the entry survives the process. Throws when the line
   * could not be written whole (a full disk): the file is cut back, and the caller must not
   * treat the entry as kept.
   */
  append(entry: unknown): void {
    const data = Buffer.from(JSON.stringify(entry) + '\n');
    let written = 0;
    let reason = 'short write: is the disk full?';
    try {
      written = writeSync(this.fd, data);
    } catch (error) {
      reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
    if (written !== data.length) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        /* the torn tail is repaired at the next open */
      }
      throw new JournalError(`the order journal ${this.path} took ${written} of ${data.length} bytes (${reason}): the order was not recorded`);
    }
    this.size += written;
    this.unapplied++;
  }

  /** Notes that `count` entries are in the database (or set aside); empties the file once all of them are. */
  applied(count: number): void {
    this.unapplied -= count;
    if (this.unapplied === 0) {
      ftruncateSync(this.fd, 0); // appends go on at the start
      this.size = 0;
    }
  }

  /**
   * Keeps a line that cannot be applied in the rejected file, with the reason, and reports it
   * loudly. It stays there for a person: the order it describes may have been paid.
   */
  setAside(line: string, reason: string): void {
    const record = JSON.stringify({ at: new Date().toISOString(), reason, line }) + '\n';
    try {
      appendFileSync(this.rejectedPath, record);
      this.report(`order journal: a line was set aside in ${this.rejectedPath} (${reason}); look at it: the order it holds may need a person`);
    } catch (error) {
      this.report(`order journal: a line could not be applied (${reason}) nor set aside (${(error as Error).message}): ${line}`);
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
