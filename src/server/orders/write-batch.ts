/**
 * Group commit for the order store's hot writes. A write that arrives while another is being
 * written waits for it and then goes out with every other write that arrived meanwhile, in one
 * statement. A lone write goes out at once, so nothing waits when the shop is quiet; under load
 * each statement carries many rows, and a statement's fixed cost (parse, plan, round trip; in
 * PGlite ~0.3 ms of CPU) is paid once per batch instead of once per row.
 */
export class WriteBatch<Op, Result> {
  private queue: { op: Op; resolve: (r: Result) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;
  private opsInFlight = 0;
  private scheduled = false;
  private readonly pending = new Set<Promise<unknown>>();
  private hurry = false; // flush() asked for the queue to go without its delay

  private timer?: ReturnType<typeof setTimeout>;
  private readonly parallel: number;
  private readonly maxOps: number;
  private readonly delayMs: number;

  /**
   * @param write writes a batch and returns one result or Error per op, in order
   * @param options.parallel how many batches may be written at once (PGlite runs one statement at a time)
   * @param options.maxOps the most ops in one batch (bounds the statement's size)
   * @param options.delayMs how long a write may wait for others before it goes out (0: the next
   *   turn of the event loop). For writes nobody waits for; `settled()` sends them at once.
   */
  constructor(
    private readonly write: (ops: Op[]) => Promise<(Result | Error)[]>,
    options: { parallel?: number; maxOps?: number; delayMs?: number } = {},
  ) {
    this.parallel = options.parallel ?? 1;
    this.maxOps = options.maxOps ?? 200;
    this.delayMs = options.delayMs ?? 0;
  }

  submit(op: Op): Promise<Result> {
    const written = new Promise<Result>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.schedule();
    });
    const tracked = written.catch(() => {}).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    return written;
  }

  /**
   * Resolves when every write submitted so far has been written or has failed, so that a read
   * sees them. Writes submitted later are not waited for: a busy shop cannot starve a read.
   */
  async settled(): Promise<void> {
    if (!this.pending.size) return;
    this.flush();
    await Promise.all(this.pending);
  }

  /** Whether some write is waiting or being written. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Sends the waiting writes now instead of after their delay (after the batch in flight, if any). */
  flush(): void {
    if (!this.queue.length) return;
    this.hurry = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.scheduled = false;
    }
    this.pump();
  }

  // Writes submitted in the same turn of the event loop leave together. While a batch is in flight
  // the next one waits for setImmediate, which runs after every I/O callback that is ready: all the
  // GMO-PG answers that arrived meanwhile get their writes into it.
  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    const go = () => {
      this.timer = undefined;
      this.scheduled = false;
      this.pump();
    };
    if (this.delayMs) this.timer = setTimeout(go, this.delayMs);
    else if (this.inFlight) setImmediate(go);
    else queueMicrotask(go);
  }

  /** Writes submitted and not yet applied (waiting or being written). */
  get backlog(): number {
    return this.queue.length + this.opsInFlight;
  }

  private pump() {
    while (this.inFlight < this.parallel && this.queue.length) {
      const batch = this.queue.splice(0, this.maxOps);
      if (!this.queue.length) this.hurry = false;
      this.inFlight++;
      this.opsInFlight += batch.length;
      this.write(batch.map((b) => b.op))
        .then(
          (results) => batch.forEach((b, i) => (results[i] instanceof Error ? b.reject(results[i]) : b.resolve(results[i]))),
          (error) => batch.forEach((b) => b.reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          this.opsInFlight -= batch.length;
          // A full batch goes at once (the delay must not cap how fast writes are applied), as
          // does everything while a reader waits or after flush(); a partial one waits for more.
          if (this.queue.length >= this.maxOps || this.hurry) this.pump();
          else if (this.queue.length) this.schedule();
        });
    }
  }
}
