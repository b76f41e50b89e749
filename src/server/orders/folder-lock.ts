/**
 * One process per PGlite folder. PGlite is a single-user Postgres: two processes writing the same
 * folder (a PM2 cluster, a rolling restart, a second dev server, a second container on the same
 * volume) corrupt it or silently lose what both wrote. So the store holds a lock file in the folder
 * for its lifetime; a second opener fails at once and says who holds it.
 *
 * The lock is a lease: its holder renews the file's time every few seconds. A lock left by a process
 * that died is taken over
 *   - at once, when the opener can see the holder's process (same host, same PID namespace) and it
 *     is gone or its pid now belongs to a younger process (kill -9, a crash, a reused pid);
 *   - once the lease is stale (not renewed for `staleMs`), when it cannot: another host, or another
 *     PID namespace (a second container), where a pid means nothing (`kill(pid, 0)` would call a
 *     live holder dead, or a dead one alive).
 * A holder that finds its lock taken (it was frozen past the lease) is told (`onLost`) and stops
 * writing, rather than write beside the new holder.
 */
import { closeSync, linkSync, openSync, readFileSync, readlinkSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'amazon-pay-v2.lock';

interface Holder {
  pid: number;
  host: string;
  /** The process's start time (Linux: /proc/<pid>/stat field 22), to tell a reused pid apart. */
  started: string | null;
  /** Its PID namespace (Linux: /proc/self/ns/pid), to know whether its pid can be looked at from here; null where unknown. */
  pidns?: string | null;
}

/** How the lease is kept: renewed every `renewMs`, stale (taken over) after `staleMs` without renewal. */
export interface LeaseOptions {
  /** Default 30000 ms. */
  staleMs?: number;
  /** Default a sixth of staleMs. */
  renewMs?: number;
  /** Called when the lease was taken over by another process: stop writing. */
  onLost?(error: FolderLockedError): void;
}

export class FolderLockedError extends Error {
  override name = 'FolderLockedError';
}

/** Lock paths this process holds: a second store on the same folder in one process is refused too. */
const held = new Set<string>();
let exitHookAdded = false;

export interface FolderLock {
  readonly path: string;
  release(): void;
}

/** Takes the lock of `dir` (which must exist), or throws a {@link FolderLockedError} naming the holder and the fix. */
export function lockFolder(dir: string, lease: LeaseOptions = {}): FolderLock {
  const path = join(resolve(dir), LOCK_FILE);
  const staleMs = lease.staleMs ?? 30_000;
  const me: Holder = { pid: process.pid, host: hostname(), started: startTimeOf(process.pid), pidns: pidNamespace() };
  const text = JSON.stringify(me);
  if (held.has(path)) throw locked(dir, me, 'this same process');
  for (let attempt = 0; attempt < 5; attempt++) {
    // Write the whole content first, then link it into place: the lock file is never seen half-written.
    const temp = `${path}.${process.pid}.${attempt}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, path);
      unlinkSync(temp);
      return hold(dir, path, text, staleMs, lease);
    } catch (error) {
      unlinkSync(temp);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = read(path);
    if (current === undefined) continue; // released meanwhile: try again
    const holder = parse(current);
    if (holder && alive(holder, me, path, staleMs))
      throw locked(
        dir,
        holder,
        `process ${holder.pid}${holder.host === me.host ? '' : ` on ${holder.host}`}${holder.pidns && me.pidns && holder.pidns !== me.pidns ? ' in another PID namespace (container)' : ''}`,
      );
    // Stale. Move it aside and check that what moved is the stale lock, not one that another
    // starting process has just put in its place (then it goes back).
    const aside = `${path}.${process.pid}.stale`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    if (read(aside) !== current) {
      try {
        linkSync(aside, path);
      } catch {
        /* a third one took it: the next attempt sees whom */
      }
    }
    unlinkSync(aside);
  }
  throw new FolderLockedError(`the order folder ${dir} is being locked and unlocked by other processes; try again`);
}

function hold(dir: string, path: string, text: string, staleMs: number, lease: LeaseOptions): FolderLock {
  held.add(path);
  // The lease: renewed while this process lives and its event loop runs.
  const renew = setInterval(
    () => {
      if (read(path) === text) {
        const now = new Date();
        try {
          return utimesSync(path, now, now);
        } catch {
          /* gone: reported below */
        }
      }
      clearInterval(renew);
      if (!held.delete(path)) return;
      const error = new FolderLockedError(
        `the order folder ${resolve(dir)} was taken over by another process while this one held it (its lease was not renewed for ${staleMs} ms): this process stops writing to it`,
      );
      if (lease.onLost) lease.onLost(error);
      else console.error(`[amazon-pay-v2] ${error.message}`);
    },
    lease.renewMs ?? Math.max(100, Math.floor(staleMs / 6)),
  );
  renew.unref();
  if (!exitHookAdded) {
    exitHookAdded = true;
    // A normal exit (even without close()) leaves no lock behind; kill -9 does, and is taken over.
    process.once('exit', () => {
      for (const p of held) if (read(p) === text) tryUnlink(p);
    });
  }
  return {
    path,
    release() {
      clearInterval(renew);
      if (!held.delete(path)) return;
      if (read(path) === text) tryUnlink(path);
    },
  };
}

function locked(dir: string, holder: Holder, who: string) {
  return new FolderLockedError(
    `the order folder ${resolve(dir)} is in use by ${who} (pid ${holder.pid}): PGlite serves one process. ` +
      'Run one server per folder, give each process its own dataDir, or use PostgreSQL (DATABASE_URL) for several processes. ' +
      `If pid ${holder.pid} is not an amazon-pay-v2 server, delete ${join(resolve(dir), LOCK_FILE)}.`,
  );
}

function alive(holder: Holder, me: Holder, path: string, staleMs: number): boolean {
  // Another machine's process, or another PID namespace's: its pid says nothing here. The lease does.
  const elsewhere = holder.host !== me.host || (!!holder.pidns && !!me.pidns && holder.pidns !== me.pidns);
  if (elsewhere) return leaseFresh(path, staleMs);
  // Our own pid on a lock this process does not hold (checked first): a previous life of this
  // container, whose first process often has the same pid.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // Alive, unless the pid now belongs to a younger process.
  const started = startTimeOf(holder.pid);
  return !(holder.started && started && started !== holder.started);
}

/** Whether the lock file was renewed within `staleMs`. */
function leaseFresh(path: string, staleMs: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < staleMs;
  } catch {
    return false;
  }
}

function pidNamespace(): string | null {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null; // not Linux: host and pid only
  }
}

function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null; // field 22: starttime
  } catch {
    return null;
  }
}

function parse(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text);
    return typeof h?.pid === 'number' && typeof h.host === 'string'
      ? { pid: h.pid, host: h.host, started: h.started ?? null, pidns: h.pidns ?? null }
      : undefined;
  } catch {
    return undefined; // an unreadable lock file protects nothing: treated as stale
  }
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function tryUnlink(path: string) {
  try {
    unlinkSync(path);
  } catch {
    /* gone already */
  }
}
